"""A large period for benchmarks: 60 agencies answering a 300-question instrument (18,000 answers),
with evidence links and review comments, written with bulk_create in one transaction."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

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
    Question,
    QuickWin,
    ReviewComment,
    RoadSegment,
    ScoreBand,
    Submission,
)
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


class Command(BaseCommand):
    help = (
        "Creates a large evaluation period for benchmarks (default 60 agencies x 300 questions, every "
        "agency answering every question). Development only: refuses to run when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2099)
        parser.add_argument("--agencies", type=int, default=60)
        parser.add_argument("--questions", type=int, default=300)
        parser.add_argument("--replace", action="store_true", help="Hapus periode skala yang sudah ada lebih dulu.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_scale hanya untuk pengembangan: DEBUG harus aktif.")
        year = options["year"]
        existing = EvaluationPeriod.objects.filter(year=year, stage=EvaluationPeriod.Stage.FIRST).first()
        if existing is not None:
            if not options["replace"]:
                raise CommandError(f"Periode {year}/1 sudah ada; gunakan --replace untuk menggantinya.")
        rng = random.Random(year)
        # The answers are most of the time: the bar moves one agency at a time (on a terminal only).
        bar = progress_bar(self, options)
        with transaction.atomic():
            if existing is not None:
                # Answers protect their questions: remove the submissions first.
                Submission.objects.filter(period=existing).delete()
                existing.delete()
            period = self.create_period(year)
            questions = self.create_instrument(period, options["questions"], rng)
            agencies = self.create_agencies(options["agencies"])
            answers = self.create_answers(period, agencies, questions, rng, progress=bar)
            quick_wins = seed_quick_wins(period, agencies, rng)
            road_rows = seed_road_rows(period, agencies, rng)
        if bar:
            bar.end()
        self.stdout.write(
            f"seed_scale: periode {period} (id {period.pk}): {len(agencies)} perangkat daerah, "
            f"{len(questions)} pertanyaan, {answers} jawaban, {quick_wins} quick win, {road_rows} baris jalan."
        )

    def create_period(self, year):
        today = timezone.localdate()
        return EvaluationPeriod.objects.create(
            year=year,
            stage=EvaluationPeriod.Stage.FIRST,
            name=f"Uji skala {year} Tahap I (seed_scale)",
            opens=today - timedelta(days=30),
            closes=today - timedelta(days=2),
            # Closed, so that it never becomes the "current" period of a development database.
            status=EvaluationPeriod.Status.CLOSED,
        )

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
        return list(Question.objects.for_period(period).prefetch_related("options", "bands"))

    def create_agencies(self, count):
        existing = {a.abbreviation: a for a in Agency.objects.filter(abbreviation__startswith="SKALA-")}
        missing = [
            Agency(name=f"[Skala] Dinas Uji {i:02d}", abbreviation=f"SKALA-{i:02d}")
            for i in range(1, count + 1)
            if f"SKALA-{i:02d}" not in existing
        ]
        Agency.objects.bulk_create(missing)
        return list(Agency.objects.filter(abbreviation__startswith="SKALA-").order_by("abbreviation")[:count])

    def create_answers(self, period, agencies, questions, rng, progress=None):
        pillars = list(Pillar.objects.all())
        Assignment.objects.bulk_create(
            Assignment(period=period, agency=agency, pillar=pillar) for agency in agencies for pillar in pillars
        )
        now = timezone.now()
        statuses = [Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.RETURNED]
        statuses.append(Submission.Status.APPROVED)
        submissions = Submission.objects.bulk_create(
            Submission(
                period=period,
                agency=agency,
                status=(status := statuses[i % len(statuses)]),
                submitted_at=now - timedelta(days=i % 5) if status != Submission.Status.DRAFT else None,
                approved_at=now if status == Submission.Status.APPROVED else None,
            )
            for i, agency in enumerate(agencies)
        )
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
            answer.option = rng.choice(list(question.options.all()))
        elif kind == "yesno":
            answer.bool_value = rng.random() < 0.7
        elif question.uses_bands:
            answer.number_value = Decimal(rng.randint(0, 100))
        elif kind == "date":
            answer.date_value = date(2024, rng.randint(1, 12), rng.randint(1, 28))
        else:
            # Typed text that must stay text in the workbook.
            answer.text_value = rng.choice(["Sudah berjalan.", "=SUM(A1:A9)", "+62 812 0000", "-", "@bupati"])
        answer.self_score = answer.derive_self_score(bands=list(question.bands.all()))
        if submission.status == Submission.Status.APPROVED and answer.self_score is not None:
            answer.verified_score = max(Decimal(0), answer.self_score - rng.choice([0, 0, 1]))
        return answer


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
