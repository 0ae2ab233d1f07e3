"""The initial schemes (see `certification.initial_schemes`)."""

from django.db import migrations


def add_schemes(apps, schema_editor):
    from certification.initial_schemes import add_initial_schemes

    add_initial_schemes(apps)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(add_schemes, migrations.RunPython.noop)]
