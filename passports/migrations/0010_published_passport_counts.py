import django.db.models.deletion
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from passports import published_counts

    published_counts.install(schema_editor)


def uninstall_triggers(apps, schema_editor):
    from passports import published_counts

    published_counts.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("passports", "0009_dynamic_point_recorder_without_constraint"),
        ("tenancy", "0004_site_archived_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedPassportCount",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="tenancy.organization",
                    ),
                ),
                ("passports", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "published passport count",
                "verbose_name_plural": "published passport counts",
            },
        ),
        # Triggers on the version table, then one recount of what is there (about a minute at ten million).
        migrations.RunPython(install_triggers, uninstall_triggers, elidable=False),
    ]
