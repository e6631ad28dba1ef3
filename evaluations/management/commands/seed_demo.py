from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evaluations import kemendagri, quickwins, roles
from evaluations.datasets import get_spec
from evaluations.excel.datasets import read_upload, rows_to_xlsx
from evaluations.management.demo_answers import PROVINCE_PLAN, seed_demo_answers, seed_region_answers
from evaluations.models import (
    Agency,
    AgencyMember,
    Assignment,
    DatasetUpload,
    EvaluationPeriod,
    ImpactSurvey,
    QuickWin,
    Region,
    RegionStaff,
    ReviewAssignment,
)
from evaluations.regions import in_region
from pillars.models import Pillar, SubDimension

DEMO_PASSWORD = "KutimSmart#2024"
# The demo's region (the shipped fixtures' agencies and instrument are Kutai Timur's) and its province.
DEMO_REGION = "64.08"
DEMO_PROVINCE = "64"
# The accounts above the regions that `--province` adds: (username, full name, role, region code).
ABOVE_REGION_USERS = [
    ("provinsi_kaltim", "Diskominfo Provinsi Kaltim", roles.PROVINCE, DEMO_PROVINCE),
    ("kementerian", "Direktorat Kominfo Kementerian", roles.MINISTRY, None),
]

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
    ("peninjau_bappeda", "Andi Peninjau Bappeda", roles.REVIEWER, "Bappeda"),
]
# The review plan of the demo period: two reviewers split the six pillars. Bappeda's reviewer (the
# planning agency, a lead agency given the reviewer role) takes the pillars of spatial planning
# and services, where Dinkes's submitted answers wait; the coordinator keeps the rest.
DEMO_REVIEW_PLAN = [
    ("peninjau_bappeda", ["LIV", "SOC", "ENV"]),
    ("koordinator", ["GOV", "BRA", "ECO"]),
]


class Command(BaseCommand):
    help = (
        "Creates demo accounts (admin, coordinator, leader, operators of several agencies) with one "
        "demo password, and opens the shipped 2024 Tahap I period with a deadline three weeks from "
        "today so the demo can be filled in. Refuses to run when DEBUG is off."
        " Also gives op_bappeda a half-filled draft and op_dinkes a submitted questionnaire, and"
        " opens an impact survey with a programme per sub-dimension and one enumerator link,"
        " and splits the pillars between two reviewers (peninjau_bappeda and koordinator)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="store_true",
            help="Tambahkan sembilan kabupaten/kota lain Kalimantan Timur dengan data demo, akun provinsi "
            "(provinsi_kaltim) dan akun kementerian (kementerian).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo hanya untuk pengembangan: DEBUG harus aktif.")
        region = Region.objects.filter(code=DEMO_REGION).first()
        with in_region(region):
            period = EvaluationPeriod.objects.filter(year=2024, stage=EvaluationPeriod.Stage.FIRST).first()
        if region is None or period is None:
            raise CommandError("Periode 2024 Tahap I belum ada: jalankan loaddata untuk fixtures terlebih dahulu.")
        with transaction.atomic(), in_region(region):
            count = self.create_users(region)
            today = timezone.localdate()
            period.opens = min(period.opens, today)
            period.closes = today + timedelta(days=21)
            widen_national_window(period)
            period.save(update_fields=["opens", "closes"])
            if period.is_draft():
                period.open()
            elif period.is_closed():
                period.reopen()
            seed_quick_wins_and_datasets(period)
            seed_review_plan(period)
            answers = seed_demo_answers(period)
            survey_created = seed_impact_survey(period)
        self.stdout.write(f"seed_demo: {answers} jawaban demo (op_bappeda: draf setengah terisi; op_dinkes: terkirim).")
        if survey_created:
            self.stdout.write(
                "seed_demo: survei dampak dibuka dengan 18 program dan satu tautan enumerator (op_diskominfo)."
            )
        self.stdout.write(
            f"seed_demo: {count} akun demo (kata sandi {DEMO_PASSWORD}); "
            f"periode {period} dibuka sampai {period.closes}."
        )
        if options["province"]:
            with transaction.atomic():
                self.stdout.write(seed_province(period))

    def create_users(self, region):
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
            else:
                # Coordinators, admins and leaders work for their region through RegionStaff.
                RegionStaff.objects.update_or_create(user=user, defaults={"region": region})
        return len(DEMO_USERS)


def seed_review_plan(period):
    """The demo's review plan (DEMO_REVIEW_PLAN), once: a period that has one keeps it."""
    if ReviewAssignment.objects.filter(period=period).exists():
        return
    admin = User.objects.get(username="admin")
    pillars = {pillar.code: pillar for pillar in Pillar.objects.all()}
    for username, codes in DEMO_REVIEW_PLAN:
        reviewer = User.objects.get(username=username)
        for code in codes:
            ReviewAssignment(period=period, pillar=pillars[code], reviewer=reviewer).add(admin)


def widen_national_window(period):
    """A region's calendar stays within the national one: when the demo moves the region's
    deadline, the national period's window grows to hold it (it never shrinks)."""
    national = period.national
    opens, closes = min(national.opens, period.opens), max(national.closes, period.closes)
    if (opens, closes) != (national.opens, national.closes):
        national.opens, national.closes = opens, closes
        national.save(update_fields=["opens", "closes"])


# --- demo quick wins and data sets (quick-win feature) ------------------------------------------
# (name, pillar, sub-dimension code, owning agency, status path after proposal, achievement %)
DEMO_QUICK_WINS = [
    ("Portal Satu Data Kutai Timur", "GOV", "GOV-3", "Diskominfo Staper", ["ditetapkan", "berjalan"], 75),
    ("PBB Online dan e-SPTPD", "ECO", "ECO-3", "Bapenda", ["ditetapkan"], 60),
    ("Polder Ilham Maulana", "LIV", "LIV-1", "Dinas PU", ["ditetapkan", "berjalan"], 40),
    ("Cap Jempol (Jemput Bola Warga Belajar)", "SOC", "SOC-2", "Disdikbud", ["ditetapkan", "berjalan"], 85),
    ("Bank Sampah Digital", "ENV", "ENV-2", "DLH", [], None),
    ("Madu Kelulut Kutim", "BRA", "BRA-2", "DTPHP", ["ditolak"], None),
]

DEMO_DATASET_ROWS = {
    "jalan": [
        [
            "045",
            "Jl. Soekarno-Hatta",
            "Sangatta Utara",
            "Kabupaten",
            "Kolektor",
            12.4,
            7,
            11.4,
            0,
            1,
            0,
            0,
            9.2,
            2.1,
            0.8,
            0.3,
        ],
        ["046", "Jl. Poros Sangatta-Bengalon", "Bengalon", "Provinsi", "Arteri", 48, 7, 40, 0, 0, 8, 0, 30, 10, 5, 3],
        ["112", "Jl. Desa Sangkima", "Sangatta Selatan", "Desa", "Lingkungan", 3.5, 4, 0, 1.5, 0, 1, 1, 1, 1, 1, 0.5],
        ["210", "Jl. Poros Muara Wahau", "Muara Wahau", "Kabupaten", "Lokal", 22, 6, 10, 0, 2, 5, 5, 8, 4, 6, 4],
    ],
    "pendidikan": [
        [
            "30401234",
            "SD Negeri 001 Sangatta Utara",
            "SD/MI",
            "Negeri",
            "Sangatta Utara",
            "Teluk Lingga",
            "A",
            436,
            12,
            19,
            450,
        ],
        [
            "30401235",
            "SMP Negeri 1 Sangatta Utara",
            "SMP/MTs",
            "Negeri",
            "Sangatta Utara",
            "Singa Gembara",
            "A",
            610,
            18,
            32,
            640,
        ],
        ["30401301", "TK Pembina Bengalon", "PAUD/TK/KB", "Negeri", "Bengalon", "Sepaso", "B", 60, 3, 5, 75],
        [
            "30401402",
            "SD Swasta YPPSB",
            "SD/MI",
            "Swasta",
            "Sangatta Selatan",
            "Sangatta Selatan",
            "A",
            380,
            12,
            20,
            400,
        ],
    ],
    "kesehatan": [
        ["R6408001", "RSUD Kudungga", "RSUD", "Sangatta Utara", 200, 45, 220, 60, "Paripurna", "Ya"],
        [
            "P6408040101",
            "Puskesmas Sangatta Utara",
            "Puskesmas rawat inap",
            "Sangatta Utara",
            20,
            6,
            25,
            18,
            "Madya",
            "Ya",
        ],
        ["P6408090101", "Puskesmas Bengalon", "Puskesmas rawat inap", "Bengalon", 14, 3, 16, 14, "Dasar", "Tidak"],
        [
            "P6408020101",
            "Pustu Long Segar",
            "Puskesmas pembantu",
            "Muara Wahau",
            0,
            0,
            2,
            2,
            "Belum terakreditasi",
            "Tidak",
        ],
    ],
    "transportasi": [
        ["Terminal tipe B", "Terminal Sangatta", "Sangatta Utara", "Dishub Kutai Timur", "Beroperasi", 36, "Baik"],
        ["Pelabuhan", "Pelabuhan Kenyamukan", "Sangatta Utara", "KSOP Sangatta", "Beroperasi", 500, "Sedang"],
        ["Bandara", "Bandara Tanjung Bara", "Sangatta Utara", "PT KPC", "Beroperasi", 100, "Baik"],
        ["Halte", "Halte Bukit Pelangi", "Sangatta Utara", "Dishub Kutai Timur", "Rencana", None, None],
    ],
}
DEMO_DATASET_UPLOADERS = {
    "jalan": "op_pu",
    "pendidikan": "op_disdikbud",
    "kesehatan": "op_dinkes",
    "transportasi": "op_dishub",
}


def seed_quick_wins_and_datasets(period):
    """A few quick wins at different points of their life cycle (two pillars left without an
    established one, so the coverage page shows its warning) and a small file per data set. Skips
    what exists."""
    coordinator = User.objects.get(username="koordinator")
    operators = {m.agency.abbreviation: m.user for m in AgencyMember.objects.select_related("agency", "user")}
    agencies = {a.abbreviation: a for a in Agency.objects.all()}
    created = 0
    for name, pillar, sub, agency_abbr, path, achievement in DEMO_QUICK_WINS:
        if QuickWin.objects.filter(period=period, name=name).exists():
            continue
        agency = agencies[agency_abbr]
        quick_win = quickwins.propose(
            operators.get(agency_abbr, coordinator),
            period=period,
            agency=agency,
            pillar=Pillar.objects.get(code=pillar),
            subdimension=SubDimension.objects.get(code=sub),
            name=name,
            description=f"Program percepatan {name} (data demo).",
            start_year=2022,
            is_new=False,
            target_pct=100,
            achievement_pct=achievement,
            budget=250_000_000,
            budget_source=QuickWin.BudgetSource.APBD,
        )
        for step in path:
            if step == "ditetapkan":
                quick_win.establish(coordinator, note="Ditetapkan dalam rapat persiapan.")
            elif step == "ditolak":
                quick_win.reject(coordinator, note="Lengkapi data capaian dan mitra.")
            else:
                quick_win.move_status(coordinator, step)
        created += 1
    uploads = 0
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_DATASET_UPLOADERS.values())}
    for kind, rows in DEMO_DATASET_ROWS.items():
        user = users[DEMO_DATASET_UPLOADERS[kind]]
        agency = user.agency_member.agency
        if DatasetUpload.objects.current(period, agency, kind) is not None:
            continue
        spec = get_spec(kind)
        content = rows_to_xlsx(spec, rows)
        parsed = read_upload(spec, SimpleUploadedFile(f"{kind}.xlsx", content), period, agency)
        DatasetUpload.accept(period, agency, kind, SimpleUploadedFile(f"demo-{kind}-2024.xlsx", content), user, parsed)
        uploads += 1
    return created, uploads


# --- demo impact survey (surveys-setup) -----------------------------------------------------------
# (sub-dimension code, programme, owning agency) where no demo quick win of the sub-dimension exists
DEMO_SURVEY_PROGRAMMES = [
    ("GOV-1", "Mal Pelayanan Publik Kutai Timur", "DPMPTSP"),
    ("GOV-2", "e-Musrenbang", "Bappeda"),
    ("BRA-1", "Promosi Wisata Prevab Mentoko", "Dispar"),
    ("BRA-2", "Madu Kelulut Kutim", "DTPHP"),
    ("BRA-3", "Integrated Garden Bukit Pelangi", "Disperkim"),
    ("ECO-1", "Pendampingan UMKM Naik Kelas", "Diskop UKM"),
    ("ECO-2", "Bursa Kerja Online", "Disnakertrans"),
    ("LIV-2", "Antrean Online Puskesmas", "Dinkes"),
    ("LIV-3", "Wi-Fi Publik Desa", "Diskominfo Staper"),
    ("SOC-1", "Kanal Pengaduan Warga", "Diskominfo Staper"),
    ("SOC-3", "Layanan Darurat 112", "BPBD"),
    ("ENV-1", "Pemantauan Kualitas Air Sungai Sangatta", "DLH"),
    ("ENV-3", "Penerangan Jalan Tenaga Surya", "Disperkim"),
]


def seed_impact_survey(period):
    """The period's impact survey, open for three weeks: each sub-dimension's programme is the
    demo quick win of that sub-dimension where one exists (and was not rejected), else a named
    programme; op_diskominfo gets one enumerator link on Smart Governance's form. Skipped when
    the period has a survey already. Returns whether it created one."""
    if ImpactSurvey.objects.filter(period=period).exists():
        return False
    today = timezone.localdate()
    survey = ImpactSurvey.create_for(period, today, today + timedelta(days=21))
    agencies = {a.abbreviation: a for a in Agency.objects.all()}
    subdimensions = {s.code: s for s in SubDimension.objects.all()}
    quick_wins = (
        QuickWin.objects.filter(period=period).exclude(status=QuickWin.Status.REJECTED).select_related("agency")
    )
    chosen = {qw.subdimension_id: qw for qw in quick_wins if qw.subdimension_id}
    for code, name, agency in DEMO_SURVEY_PROGRAMMES:
        chosen.setdefault(subdimensions[code].pk, (name, agencies[agency]))
    for sub in subdimensions.values():
        choice = chosen[sub.pk]
        if isinstance(choice, QuickWin):
            survey.set_programme(sub, choice.name, choice.agency, quick_win=choice)
        else:
            survey.set_programme(sub, *choice)
    operator = User.objects.get(username="op_diskominfo")
    survey.forms.get(pillar__code="GOV").add_enumerator(
        agencies["Diskominfo Staper"], "Enumerator Diskominfo", by=operator
    )
    return True


# --- the other regencies of Kalimantan Timur (--province) ---------------------------------------
def seed_province(source):
    """The nine other kabupaten/kota of Kalimantan Timur, each with its period of `source`'s
    national period (deadlines a few days apart, within the national window), a copy of Kutai
    Timur's agencies (its kecamatan offices are Kutai Timur's own and stay there) and assignments,
    and generated answers after PROVINCE_PLAN; then the province and ministry accounts. Skips
    what exists. Returns the summary line."""
    province, _created = Region.objects.get_or_create(
        code=DEMO_PROVINCE,
        defaults={"name": kemendagri.PROVINCES[DEMO_PROVINCE], "kind": Region.Kind.PROVINCE},
    )
    with in_region(source.region):
        agencies = list(Agency.objects.exclude(kind=Agency.Kind.KECAMATAN).order_by("pk"))
        assignments = list(Assignment.objects.filter(period=source).select_related("agency"))
    regions, answers = 0, 0
    others = [code for code in kemendagri.KALIMANTAN_TIMUR if code != source.region.code]
    for n, code in enumerate(others):
        region = demo_region(code, province)
        with in_region(region):
            period = region_period(region, source, source.closes - timedelta(days=2 * n))
            copy_agencies(region, agencies)
            copy_assignments(period, assignments)
            if period.is_draft():
                period.open()
            answers += seed_region_answers(period, PROVINCE_PLAN[code])
        regions += 1
    create_above_region_users(province)
    return (
        f"seed_demo: {regions} kabupaten/kota lain {province} dengan {answers} jawaban baru; akun "
        + ", ".join(username for username, *_rest in ABOVE_REGION_USERS)
        + f" (kata sandi {DEMO_PASSWORD})."
    )


def demo_region(code, province):
    region = Region.objects.filter(code=code).first()
    if region is None:
        number = int(code.partition(".")[2])
        region = Region(
            code=code,
            name=kemendagri.KALIMANTAN_TIMUR[code],
            kind=Region.Kind.KOTA if number >= 71 else Region.Kind.KABUPATEN,
            province=province,
        )
        region.full_clean()
        region.save()
    return region


def region_period(region, source, closes):
    """The region's period of the source's national period, open until `closes`."""
    today = timezone.localdate()
    period, _created = EvaluationPeriod.objects.get_or_create(
        region=region,
        year=source.year,
        stage=source.stage,
        defaults={"national": source.national, "name": source.name, "opens": source.opens, "closes": closes},
    )
    if (period.opens, period.closes) != (min(period.opens, today), closes):
        period.opens, period.closes = min(period.opens, today), closes
        period.save(update_fields=["opens", "closes"])
    if period.is_closed():
        period.reopen()
    return period


def copy_agencies(region, agencies):
    existing = set(Agency.objects.filter(region=region).values_list("abbreviation", flat=True))
    Agency.objects.bulk_create(
        Agency(region=region, name=a.name, abbreviation=a.abbreviation, kind=a.kind, active=a.active)
        for a in agencies
        if a.abbreviation not in existing
    )


def copy_assignments(period, assignments):
    """The source period's assignments, by agency abbreviation, when the period has none yet."""
    if Assignment.objects.filter(period=period).exists():
        return
    agencies = {a.abbreviation: a for a in Agency.objects.filter(region_id=period.region_id)}
    Assignment.objects.bulk_create(
        Assignment(
            period=period, agency=agencies[a.agency.abbreviation], pillar_id=a.pillar_id, question_id=a.question_id
        )
        for a in assignments
        if a.agency.abbreviation in agencies
    )


def create_above_region_users(province):
    """The province reader (RegionStaff of the province) and the ministry (no region)."""
    groups = {g.name: g for g in Group.objects.filter(name__in=[role for _u, _n, role, _r in ABOVE_REGION_USERS])}
    for username, full_name, role, region_code in ABOVE_REGION_USERS:
        first, _sep, last = full_name.partition(" ")
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.go.id"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[role]])
        if region_code:
            RegionStaff.objects.update_or_create(user=user, defaults={"region": province})
        else:
            RegionStaff.objects.filter(user=user).delete()
