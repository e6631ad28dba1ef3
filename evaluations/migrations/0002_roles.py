"""Create the role groups (Operator OPD, Koordinator, Admin, Pimpinan) with their permissions."""

from django.db import migrations

from evaluations.roles import migrate_role_groups


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Operator OPD", "Koordinator", "Admin", "Pimpinan"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("pillars", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(migrate_role_groups, remove_role_groups)]
