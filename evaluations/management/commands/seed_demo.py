from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evaluations import roles
from evaluations.management.demo_answers import seed_demo_answers
from evaluations.models import Agency, AgencyMember, EvaluationPeriod

DEMO_PASSWORD = "KutimSmart#2024"

# (username, full name, role, agency abbreviation)
DEMO_USERS = [
    ("admin", "Admin Diskominfo", roles.ADMIN, None),
    ("koordinator", "Rina Koordinator", roles.COORDINATOR, None),
    ("pimpinan", "Sekretaris Daerah", roles.LEADER, None),
    ("op_diskominfo", "Operator Diskominfo Staper", roles.OPERATOR, "Diskominfo Staper"),
    ("op_bappeda", "Operator Bappeda", roles.OPERATOR, "Bappeda"),
    ("op_dinkes", "Operator Dinas Kesehatan", roles.OPERATOR, "Dinkes"),
    ("op_disdikbud", "Operator Disdikbud", roles.OPERATOR, "Disdikbud"),
    ("op_pu", "Operator Dinas PU", roles.OPERATOR, "Dinas PU"),
    ("op_dlh", "Operator DLH", roles.OPERATOR, "DLH"),
    ("op_dishub", "Operator Dishub", roles.OPERATOR, "Dishub"),
]


class Command(BaseCommand):
    help = (
        "Creates demo accounts (admin, coordinator, leader, operators of several agencies) with one "
        "demo password, and opens the shipped 2024 Tahap I period with a deadline three weeks from "
        "today so the demo can be filled in. Refuses to run when DEBUG is off."
        " Also gives op_bappeda a half-filled draft and op_dinkes a submitted questionnaire."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo hanya untuk pengembangan: DEBUG harus aktif.")
        period = EvaluationPeriod.objects.filter(year=2024, stage=EvaluationPeriod.Stage.TAHAP_1).first()
        if period is None:
            raise CommandError("Periode 2024 Tahap I belum ada: jalankan loaddata untuk fixtures terlebih dahulu.")
        with transaction.atomic():
            count = self.create_users()
            today = timezone.localdate()
            period.opens = min(period.opens, today)
            period.closes = today + timedelta(days=21)
            period.save(update_fields=["opens", "closes"])
            if not period.is_open():
                period.open()
        answers = seed_demo_answers(period)
        self.stdout.write(f"seed_demo: {answers} jawaban demo (op_bappeda: draf setengah terisi; op_dinkes: terkirim).")
        self.stdout.write(
            f"seed_demo: {count} akun demo (kata sandi {DEMO_PASSWORD}); "
            f"periode {period} dibuka sampai {period.closes}."
        )

    def create_users(self):
        groups = {g.name: g for g in Group.objects.all()}
        agencies = {a.abbreviation: a for a in Agency.objects.all()}
        for username, full_name, role, agency_abbr in DEMO_USERS:
            first, _sep, last = full_name.partition(" ")
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@demo.kutaitimurkab.go.id"
            user.is_staff = role == roles.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[role]])
            if agency_abbr:
                if agency_abbr not in agencies:
                    raise CommandError(f"Perangkat daerah {agency_abbr!r} tidak ada di fixtures.")
                AgencyMember.objects.update_or_create(user=user, defaults={"agency": agencies[agency_abbr]})
        return len(DEMO_USERS)
