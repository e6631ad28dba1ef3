"""Large data for benchmarks, written with bulk_create in one transaction.

One region's period (the default): 60 agencies of the default region answering a 300-question
instrument (18,000 answers), with evidence links, review comments, quick wins and road rows.

The national scale (--regions N): N generated kabupaten ("Kabupaten Uji NN.MM", spread over the
38 provinces with Kemendagri-form codes), one national period with a copy of the shipped
62-question instrument, and in each region its period, 35 agencies answering every question, in
every state (241 regions: 523,000 answers)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from evaluations import kemendagri
from evaluations.models import (
    Agency,
    Answer,
    AnswerOption,
    Assignment,
    DatasetKind,
    DatasetUpload,
    Dimension,
    EvaluationPeriod,
    Evidence,
    Indicator,
    Kecamatan,
    NationalPeriod,
    Question,
    QuickWin,
    Region,
    ReviewComment,
    RoadSegment,
    ScoreBand,
    Submission,
)
from evaluations.models.periods import copy_instrument
from evaluations.regions import in_region
from pillars.models import Pillar, SubDimension

from ..progress import progress_bar

DIMENSIONS = [
    ("A", "Baseline", 10),
    ("B", "Output", 20),
    ("C", "Outcome", 30),
    ("D", "Impact", 20),
    ("E", "Kolaborasi", 20),
]
INDICATORS_PER_DIMENSION = 6
# Mostly level questions, like the national instrument, with every other answer type present.
TYPE_CYCLE = ["level"] * 6 + ["yesno", "number", "percent", "text", "choice", "date"]
BATCH = 2000
# Kabupaten numbers stay below 71 (a kota's): at most 70 generated regions per province.
MAX_TEST_REGIONS = 70 * len(kemendagri.PROVINCES)
# The generated regions' names start so; their codes never take a real region's.
TEST_REGION_PREFIX = "Kabupaten Uji "
STATUSES = [Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.RETURNED]
STATUSES.append(Submission.Status.APPROVED)


class Command(BaseCommand):
    help = (
        "Creates a large evaluation period for benchmarks (default 60 agencies x 300 questions, every "
        "agency answering every question), or with --regions N the national scale: N regions of 35 "
        "agencies answering the shipped 62-question instrument. Development only: refuses to run when "
        "DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Tahun periode uji (2099; 2100 dengan --regions).")
        parser.add_argument("--agencies", type=int, help="Perangkat daerah per wilayah (60; 35 dengan --regions).")
        parser.add_argument("--questions", type=int, default=300, help="Tanpa --regions: jumlah pertanyaan.")
        parser.add_argument("--regions", type=int, help="Jumlah kabupaten uji (skala nasional), mis. 241.")
        parser.add_argument("--replace", action="store_true", help="Hapus periode skala yang sudah ada lebih dulu.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_scale hanya untuk pengembangan: DEBUG harus aktif.")
        if options["regions"] is not None:
            return self.handle_regions(options)
        year = options["year"] or 2099
        agencies_wanted = 60 if options["agencies"] is None else options["agencies"]
        region = Region.objects.default()
        national = NationalPeriod.objects.filter(year=year, stage=EvaluationPeriod.Stage.FIRST).first()
        if national is not None and not options["replace"]:
            raise CommandError(f"Periode {year}/1 sudah ada; gunakan --replace untuk menggantinya.")
        rng = random.Random(year)
        # The answers are most of the time: the bar moves one agency at a time (on a terminal only).
        bar = progress_bar(self, options)
        with transaction.atomic(), in_region(region):
            if national is not None:
                remove_national(national)
            period = self.create_period(region, year)
            questions = self.create_instrument(period, options["questions"], rng)
            agencies = self.create_agencies(region, agencies_wanted)
            answers = self.create_answers(period, agencies, questions, rng, progress=bar)
            quick_wins = seed_quick_wins(period, agencies, rng)
            road_rows = seed_road_rows(period, agencies, rng)
        if bar:
            bar.end()
        analyze()
        self.stdout.write(
            f"seed_scale: periode {period} (id {period.pk}): {len(agencies)} perangkat daerah, "
            f"{len(questions)} pertanyaan, {answers} jawaban, {quick_wins} quick win, {road_rows} baris jalan."
        )

    def create_period(self, region, year):
        today = timezone.localdate()
        fields = {
            "year": year,
            "stage": EvaluationPeriod.Stage.FIRST,
            "name": f"Uji skala {year} Tahap I (seed_scale)",
            "opens": today - timedelta(days=30),
            "closes": today - timedelta(days=2),
        }
        national = NationalPeriod.objects.create(**fields)
        # Closed, so that it never becomes the "current" period of a development database.
        return EvaluationPeriod.objects.create(
            region=region, national=national, status=EvaluationPeriod.Status.CLOSED, **fields
        )

    def handle_regions(self, options):
        count, year = options["regions"], options["year"] or 2100
        per_region = 35 if options["agencies"] is None else options["agencies"]
        if not 1 <= count <= MAX_TEST_REGIONS or per_region < 1:
            raise CommandError(f"--regions harus 1 sampai {MAX_TEST_REGIONS} dan --agencies minimal 1.")
        with in_region(None):
            source = NationalPeriod.objects.filter(year=2024, stage=EvaluationPeriod.Stage.FIRST).first()
            if source is None or not Question.objects.for_national(source).exists():
                raise CommandError(
                    "Instrumen 2024 Tahap I belum ada: jalankan loaddata untuk fixtures terlebih dahulu."
                )
            national = NationalPeriod.objects.filter(year=year, stage=EvaluationPeriod.Stage.FIRST).first()
            if national is not None and not options["replace"]:
                raise CommandError(f"Periode nasional {year}/1 sudah ada; gunakan --replace untuk menggantinya.")
        rng = random.Random(year)
        bar = progress_bar(self, options)
        with transaction.atomic(), in_region(None):
            if national is not None:
                remove_national(national)
            regions = create_test_regions(count)
            national, periods = create_national_scale(source, regions, year)
            questions = prepared(Question.objects.for_national(national))
            agencies = create_region_agencies(regions, per_region)
            pillars = list(Pillar.objects.all())
            Assignment.objects.bulk_create(
                (
                    Assignment(period=p, agency=a, pillar=pillar)
                    for p in periods
                    for a in agencies[p.region_id]
                    for pillar in pillars
                ),
                batch_size=BATCH,
            )
            total = 0
            for done, period in enumerate(periods):
                if bar:
                    bar(done, len(periods), period.region.code)
                total += self.region_answers(period, agencies[period.region_id], questions, done, rng)
            if bar:
                bar(len(periods), len(periods))
        if bar:
            bar.end()
        analyze()
        self.stdout.write(
            f"seed_scale: periode nasional {national} (id {national.pk}): {len(periods)} wilayah, "
            f"{per_region} perangkat daerah per wilayah, {len(questions)} pertanyaan, {total} jawaban."
        )

    def region_answers(self, period, agencies, questions, index, rng):
        """One region's submissions (every tenth region only drafts, so it has no rank; the others
        each agency in turn draft, submitted, returned, approved) and their answers."""
        now = timezone.now()
        statuses = [Submission.Status.DRAFT] if index % 10 == 9 else STATUSES[index % 4 :] + STATUSES[: index % 4]
        submissions = Submission.objects.bulk_create(
            new_submission(period, agency, statuses[i % len(statuses)], now - timedelta(days=i % 5))
            for i, agency in enumerate(agencies)
        )
        return self.write_answers(submissions, questions, rng)

    def create_instrument(self, period, count, rng):
        dimensions = Dimension.objects.bulk_create(
            Dimension(national_id=period.national_id, code=code, name=name, weight=Decimal(weight), order=i)
            for i, (code, name, weight) in enumerate(DIMENSIONS, start=1)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(dimension=d, code=f"{d.code}.{j}", name=f"Indikator {d.code}.{j}", order=j)
            for d in dimensions
            for j in range(1, INDICATORS_PER_DIMENSION + 1)
        )
        pillars = list(Pillar.objects.order_by("order"))
        subdimensions = {}
        for sub in SubDimension.objects.all():
            subdimensions.setdefault(sub.pillar_id, []).append(sub)
        questions = []
        for n in range(count):
            indicator = indicators[n % len(indicators)]
            pillar = pillars[n % len(pillars)]
            questions.append(
                Question(
                    indicator=indicator,
                    code=f"{indicator.code}.{n // len(indicators) + 1}",
                    text=f"Pertanyaan uji skala nomor {n + 1}: sejauh mana program smart city berjalan?",
                    help_text="Bukti dukung: SK, notulen, tangkapan layar.",
                    answer_type=TYPE_CYCLE[n % len(TYPE_CYCLE)],
                    unit="unit" if TYPE_CYCLE[n % len(TYPE_CYCLE)] == "number" else "",
                    pillar=pillar,
                    subdimension=subdimensions[pillar.pk][n % 3],
                    order=n // len(indicators) + 1,
                )
            )
        questions = Question.objects.bulk_create(questions)
        options, bands = [], []
        for question in questions:
            if question.answer_type == "level":
                options += [
                    AnswerOption(question=question, value=str(i), label=f"Level {i}: deskriptor", score=i, order=i)
                    for i in range(5)
                ]
            elif question.answer_type == "choice":
                options += [
                    AnswerOption(question=question, value=v, label=v.title(), score=s, order=i)
                    for i, (v, s) in enumerate([("belum", 0), ("sebagian", 2), ("penuh", 4)])
                ]
            elif question.uses_bands:
                bands += [
                    ScoreBand(question=question, min_value=low, max_value=high, score=s)
                    for low, high, s in [(0, 25, 1), (25, 50, 2), (50, 75, 3), (75, None, 4)]
                ]
        AnswerOption.objects.bulk_create(options, batch_size=BATCH)
        ScoreBand.objects.bulk_create(bands, batch_size=BATCH)
        return prepared(Question.objects.for_period(period))

    def create_agencies(self, region, count):
        mine = Agency.objects.filter(region=region, abbreviation__startswith="SKALA-")
        existing = set(mine.values_list("abbreviation", flat=True))
        missing = [
            Agency(region=region, name=f"[Skala] Dinas Uji {i:02d}", abbreviation=f"SKALA-{i:02d}")
            for i in range(1, count + 1)
            if f"SKALA-{i:02d}" not in existing
        ]
        Agency.objects.bulk_create(missing)
        return list(mine.order_by("abbreviation")[:count])

    def create_answers(self, period, agencies, questions, rng, progress=None):
        pillars = list(Pillar.objects.all())
        Assignment.objects.bulk_create(
            Assignment(period=period, agency=agency, pillar=pillar) for agency in agencies for pillar in pillars
        )
        now = timezone.now()
        submissions = Submission.objects.bulk_create(
            new_submission(period, agency, STATUSES[i % len(STATUSES)], now - timedelta(days=i % 5))
            for i, agency in enumerate(agencies)
        )
        return self.write_answers(submissions, questions, rng, progress)

    def write_answers(self, submissions, questions, rng, progress=None):
        """Every question answered by every submission, with evidence links on one answer in five and
        two review comments on one in twenty; one bulk insert per table and submission."""
        total = 0
        for done, submission in enumerate(submissions):
            if progress:
                progress(done, len(submissions), submission.agency.abbreviation)
            answers = [self.answer(submission, question, rng) for question in questions]
            Answer.objects.bulk_create(answers, batch_size=BATCH)
            evidence = [
                Evidence(answer=a, title=f"Bukti {a.question.code}", url=f"https://kutaitimurkab.go.id/bukti/{a.pk}")
                for a in answers[::5]
            ]
            comments = [
                ReviewComment(answer=a, body="Mohon lengkapi bukti.", visibility=visibility)
                for a in answers[::20]
                for visibility in (ReviewComment.Visibility.AGENCY, ReviewComment.Visibility.INTERNAL)
            ]
            Evidence.objects.bulk_create(evidence, batch_size=BATCH)
            ReviewComment.objects.bulk_create(comments, batch_size=BATCH)
            total += len(answers)
        return total

    def answer(self, submission, question, rng):
        answer = Answer(
            submission=submission,
            question=question,
            explanation="Penjelasan perangkat daerah: program berjalan sesuai rencana aksi. " * 2,
        )
        kind = question.answer_type
        if question.uses_options:
            answer.option = rng.choice(question.option_list)
        elif kind == "yesno":
            answer.bool_value = rng.random() < 0.7
        elif question.uses_bands:
            answer.number_value = Decimal(rng.randint(0, 100))
        elif kind == "date":
            answer.date_value = date(2024, rng.randint(1, 12), rng.randint(1, 28))
        else:
            # Typed text that must stay text in the workbook.
            answer.text_value = rng.choice(["Sudah berjalan.", "=SUM(A1:A9)", "+62 812 0000", "-", "@bupati"])
        answer.self_score = answer.derive_self_score(bands=question.band_list)
        if submission.status == Submission.Status.APPROVED and answer.self_score is not None:
            answer.verified_score = max(Decimal(0), answer.self_score - rng.choice([0, 0, 1]))
        return answer


def analyze():
    """Fresh planner statistics after a bulk load. Without them PostgreSQL plans a region's queries
    as if the tables were still small (a sequential scan of every region's answers for one region's
    results: 250 ms instead of 6 ms at 241 regions) until autovacuum gets round to them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The change counts' rows were updated once per answer written (523,000 times at 241
            # regions): rewritten to their live rows (a few hundred kB instead of some 37 MB), as
            # autovacuum keeps them when answers come at people's pace, so the results' stamp reads
            # what it would in use (9 ms instead of 18 at 241 regions).
            if not connection.in_atomic_block:  # (a test's transaction: not possible, nor needed)
                cursor.execute("VACUUM FULL evaluations_inputcount")
            cursor.execute("ANALYZE")


def prepared(questions):
    """The questions with their options and bands read once (option_list, band_list)."""
    questions = list(questions.prefetch_related("options", "bands").order_by("pk"))
    for question in questions:
        question.option_list = list(question.options.all())
        question.band_list = list(question.bands.all())
    return questions


def create_test_regions(count):
    """`count` generated kabupaten, spread over the 38 provinces in turn (11.01, 12.01, ... 96.01,
    11.02, ...), skipping the codes of real regions; the provinces are created when missing."""
    provinces = {r.code: r for r in Region.objects.filter(kind=Region.Kind.PROVINCE)}
    Region.objects.bulk_create(
        Region(code=code, name=name, kind=Region.Kind.PROVINCE)
        for code, name in kemendagri.PROVINCES.items()
        if code not in provinces
    )
    provinces = {r.code: r for r in Region.objects.filter(kind=Region.Kind.PROVINCE)}
    existing = dict(Region.objects.values_list("code", "name"))
    codes, numbers, turn = [], dict.fromkeys(kemendagri.PROVINCES, 0), 0
    while len(codes) < count:
        province = list(kemendagri.PROVINCES)[turn % len(kemendagri.PROVINCES)]
        turn += 1
        if numbers[province] >= 70:
            continue
        numbers[province] += 1
        code = f"{province}.{numbers[province]:02d}"
        if not existing.get(code, TEST_REGION_PREFIX).startswith(TEST_REGION_PREFIX):
            continue  # a real region's code
        codes.append(code)
    Region.objects.bulk_create(
        Region(code=code, name=f"{TEST_REGION_PREFIX}{code}", kind=Region.Kind.KABUPATEN, province=provinces[code[:2]])
        for code in codes
        if code not in existing
    )
    return list(Region.objects.filter(code__in=codes).select_related("province").order_by("code"))


def create_national_scale(source, regions, year):
    """The national period with a copy of `source`'s instrument and an open period per region,
    their deadlines spread over six weeks within the national window."""
    today = timezone.localdate()
    fields = {
        "year": year,
        "stage": EvaluationPeriod.Stage.FIRST,
        "name": f"Uji skala nasional {year} Tahap I (seed_scale)",
        "opens": today - timedelta(days=30),
    }
    national = NationalPeriod.objects.create(closes=today + timedelta(days=60), **fields)
    copy_instrument(source.pk, national)
    periods = EvaluationPeriod.objects.bulk_create(
        EvaluationPeriod(
            region=region,
            national=national,
            status=EvaluationPeriod.Status.OPEN,
            closes=today + timedelta(days=7 + n % 42),
            **fields,
        )
        for n, region in enumerate(regions)
    )
    return national, periods


def create_region_agencies(regions, count):
    """{region id: its `count` scale agencies (SKALA-01...)}, created where missing."""
    wanted = [(r, f"SKALA-{i:02d}", f"[Skala] Dinas Uji {i:02d}") for r in regions for i in range(1, count + 1)]
    mine = Agency.objects.filter(region__in=regions, abbreviation__startswith="SKALA-")
    existing = set(mine.values_list("region_id", "abbreviation"))
    Agency.objects.bulk_create(
        (Agency(region=r, name=name, abbreviation=abbr) for r, abbr, name in wanted if (r.pk, abbr) not in existing),
        batch_size=BATCH,
    )
    agencies = {r.pk: [] for r in regions}
    for agency in mine.order_by("region_id", "abbreviation"):
        if len(agencies[agency.region_id]) < count:
            agencies[agency.region_id].append(agency)
    return agencies


def new_submission(period, agency, status, when):
    return Submission(
        period=period,
        agency=agency,
        status=status,
        submitted_at=when if status != Submission.Status.DRAFT else None,
        approved_at=timezone.now() if status == Submission.Status.APPROVED else None,
    )


def remove_national(national):
    """A scale national period with its regions' periods: answers protect their questions, so the
    submissions go first."""
    with in_region(None):
        Submission.objects.filter(period__national=national).delete()
        EvaluationPeriod.objects.filter(national=national).delete()
    national.delete()


def seed_quick_wins(period, agencies, rng, count=40):
    """`count` agreed quick wins spread over the six pillars, owners and supporters from `agencies`."""
    pillars = list(Pillar.objects.prefetch_related("subdimensions"))
    statuses = [QuickWin.Status.ESTABLISHED, QuickWin.Status.RUNNING, QuickWin.Status.CONTINUED]
    quick_wins = []
    for n in range(count):
        pillar = pillars[n % len(pillars)]
        quick_wins.append(
            QuickWin(
                period=period,
                pillar=pillar,
                subdimension=rng.choice(list(pillar.subdimensions.all())),
                name=f"Quick win skala {n + 1:02d}",
                description="Program percepatan untuk uji skala.",
                rpjmd_problem="Pelayanan publik belum terintegrasi.",
                agency=agencies[n % len(agencies)],
                start_year=period.year - rng.randint(0, 3),
                is_new=n % 3 == 0,
                target_pct=Decimal(100),
                achievement_pct=Decimal(rng.randint(10, 100)),
                budget=Decimal(rng.randint(50, 5000) * 1_000_000),
                budget_source=rng.choice(list(QuickWin.BudgetSource.values)),
                partners="Mitra swasta; perguruan tinggi",
                users_reached=rng.randint(100, 50_000),
                url="https://kutaitimurkab.go.id/",
                risks="Keterbatasan jaringan di kecamatan pedalaman.",
                mitigation="Layanan luring tetap tersedia.",
                sustainability_plan="Dianggarkan dalam renja tahun berikutnya.",
                status=statuses[n % len(statuses)],
            )
        )
    QuickWin.objects.bulk_create(quick_wins)
    through = QuickWin.supporting_agencies.through
    through.objects.bulk_create(
        through(quickwin_id=qw.pk, agency_id=agencies[(i + 1) % len(agencies)].pk) for i, qw in enumerate(quick_wins)
    )
    return len(quick_wins)


def seed_road_rows(period, agencies, rng, count=5000):
    """The road-condition upload of the first agency: `count` segments whose surface km and
    condition km each add up to the length, as a real upload would have them."""
    kecamatan = list(Kecamatan.objects.all())
    upload = DatasetUpload.objects.create(
        period=period,
        agency=agencies[0],
        kind=DatasetKind.JALAN,
        original_name="kondisi-jalan-skala.xlsx",
        outcome=DatasetUpload.Outcome.ACCEPTED,
        row_count=count,
    )
    rows = []
    for n in range(count):
        tenths = rng.randint(5, 200)  # 0.5 – 20.0 km, split in tenths so the parts add up exactly
        surface = _split(tenths, 5, rng)
        condition = _split(tenths, 4, rng)
        km = [Decimal(part) / 10 for part in surface + condition]
        rows.append(
            RoadSegment(
                period=period,
                agency=agencies[0],
                upload=upload,
                row_number=n + 2,  # the header is row 1 of the file
                kecamatan=kecamatan[n % len(kecamatan)],
                road_number=f"{n + 1:04d}",
                name=f"Ruas uji {n + 1}",
                status=rng.choice(list(RoadSegment.Status.values)),
                function=rng.choice(list(RoadSegment.Function.values)),
                length_km=Decimal(tenths) / 10,
                width_m=Decimal(rng.randint(30, 120)) / 10,
                aspal_km=km[0],
                lapen_km=km[1],
                beton_km=km[2],
                kerikil_km=km[3],
                tanah_km=km[4],
                baik_km=km[5],
                sedang_km=km[6],
                rusak_ringan_km=km[7],
                rusak_berat_km=km[8],
            )
        )
    RoadSegment.objects.bulk_create(rows, batch_size=BATCH)
    return count


def _split(total, parts, rng):
    """`total` split into `parts` non-negative integers that add up to it."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
