"""The published counts' trigger functions rewritten to probe each touched passport by its keys
(passports.published_counts): databases that ran 0010 before keep its first bodies otherwise. Reversing
leaves the new bodies, which count the same."""

from django.db import migrations


def write_functions(apps, schema_editor):
    from passports import published_counts

    published_counts.write_functions(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("passports", "0010_published_passport_counts")]

    operations = [migrations.RunPython(write_functions, migrations.RunPython.noop, elidable=False)]
