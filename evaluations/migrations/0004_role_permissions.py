"""The permissions the models check (instead of asking for group names), granted to the role groups:
fill_submission (Operator OPD), review_submission (Koordinator, Admin), reopen_submission and
manage_periods (Admin), view_all_agencies (Koordinator, Admin, Pimpinan)."""

from django.db import migrations

from evaluations.roles import migrate_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_quickwins"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="agency",
            options={
                "ordering": ["name"],
                "permissions": [("view_all_agencies", "Melihat data semua perangkat daerah")],
                "verbose_name": "perangkat daerah",
                "verbose_name_plural": "perangkat daerah",
            },
        ),
        migrations.AlterModelOptions(
            name="evaluationperiod",
            options={
                "ordering": ["-year", "-stage"],
                "permissions": [("manage_periods", "Mengelola periode, instrumen dan penugasan")],
                "verbose_name": "periode evaluasi",
                "verbose_name_plural": "periode evaluasi",
            },
        ),
        migrations.AlterModelOptions(
            name="submission",
            options={
                "ordering": ["period", "agency__name"],
                "permissions": [
                    ("fill_submission", "Mengisi kuesioner perangkat daerahnya"),
                    ("review_submission", "Memverifikasi, mengembalikan dan menyetujui pengisian"),
                    ("reopen_submission", "Membuka kembali pengisian yang disetujui atau terkunci"),
                ],
                "verbose_name": "pengisian",
                "verbose_name_plural": "pengisian",
            },
        ),
        migrations.RunPython(migrate_role_groups, migrations.RunPython.noop),
    ]
