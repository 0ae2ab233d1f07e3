from django.db import migrations


def load(apps, schema_editor):
    from exchange.reference_data import load_materials

    load_materials(apps.get_model("exchange", "Material"))


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
