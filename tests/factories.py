"""Small make_* helpers for test data. Reference data (pillars, agencies, the 2024 instrument)
comes from the fixtures, loaded once per test session."""

import io
import itertools
import os
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from functools import cache

import openpyxl
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from evaluations import roles
from evaluations.datasets import SPECS, get_spec
from evaluations.excel.datasets import read_upload
from evaluations.models import (
    Agency,
    AgencyMember,
    Answer,
    AnswerOption,
    Assignment,
    DatasetUpload,
    Dimension,
    EvaluationPeriod,
    ImpactSurvey,
    Indicator,
    Kecamatan,
    NationalPeriod,
    ProgrammeUse,
    Question,
    QuickWin,
    Region,
    RegionStaff,
    ReviewAssignment,
    Submission,
    SurveyForm,
    SurveyProgramme,
    SurveyRating,
    SurveyResponse,
    SurveyStatement,
)
from pillars.models import Pillar, SubDimension

FIXTURES = [
    "fixtures/regions.json",
    "fixtures/pillars.json",
    "fixtures/kecamatan.json",
    "fixtures/agencies.json",
    "fixtures/instrument_2024_tahap1.json",
    "fixtures/impact_statements_2024.json",
]
PASSWORD = "Rahasia#Uji2024"
_seq = itertools.count(1)


def load_reference_data():
    call_command("loaddata", *FIXTURES, verbosity=0)


@contextmanager
def rolled_back_at_the_end(django_db_blocker):
    """A transaction around a module-scoped fixture's rows, rolled back when the fixture ends (as
    Django's setUpTestData does): each test's own transaction is then a savepoint inside it, so the
    rows are built once and every test still starts from them unchanged."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# The roles whose people work for a region without an agency (RegionStaff).
REGION_STAFF_ROLES = {roles.COORDINATOR, roles.ADMIN, roles.LEADER}


def make_user(username=None, role=None, agency=None, region=None, **extra):
    """A user of `role`: an operator of `agency`, a region role's person of `region` (the default
    region), a province reader of the province `region`, the ministry of no region."""
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.go.id", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if agency:
        AgencyMember.objects.create(user=user, agency=agency)
    elif role in REGION_STAFF_ROLES or region is not None:
        RegionStaff.objects.create(user=user, region=region or default_region())
    return user


def make_operator(agency, username=None):
    return make_user(username, roles.OPERATOR, agency)


def default_region():
    return Region.objects.default()


def make_agency(name=None, abbreviation=None, region=None, **extra):
    n = next(_seq)
    return Agency.objects.create(
        name=name or f"Dinas Uji {n}",
        abbreviation=abbreviation or f"DU{n}",
        region=region or default_region(),
        **extra,
    )


def make_region(code, name=None, province="64"):
    """A kabupaten (or kota, from its code) of `province`, created when missing."""
    province_region, _created = Region.objects.get_or_create(
        code=province, defaults={"name": f"Provinsi {province}", "kind": Region.Kind.PROVINCE}
    )
    kind = Region.Kind.KOTA if int(code.partition(".")[2]) >= 71 else Region.Kind.KABUPATEN
    return Region.objects.get_or_create(
        code=code, defaults={"name": name or f"Wilayah {code}", "kind": kind, "province": province_region}
    )[0]


def open_period(period, days_left=14):
    """Open a period with a deadline in the future (the shipped one is dated 2024)."""
    today = timezone.localdate()
    period.opens = today - timedelta(days=7)
    period.closes = today + timedelta(days=days_left)
    period.status = EvaluationPeriod.Status.OPEN
    period.save()
    return period


def make_period(year=2030, stage="1", status=EvaluationPeriod.Status.OPEN, days_left=14, region=None, **extra):
    """A region's period (the default region's unless given) of the national period of that year
    and stage, created when missing."""
    today = timezone.localdate()
    name = extra.pop("name", f"Periode uji {year} Tahap {stage}")
    dates = {"opens": today - timedelta(days=7), "closes": today + timedelta(days=days_left)}
    national, _created = NationalPeriod.objects.get_or_create(
        year=year, stage=stage, defaults={"name": name, "opens": dates["opens"], "closes": today + timedelta(days=400)}
    )
    return EvaluationPeriod.objects.create(
        region=region or default_region(),
        national=national,
        year=year,
        stage=stage,
        name=name,
        status=status,
        **dates,
        **extra,
    )


def make_question(
    period, code=None, answer_type=Question.AnswerType.LEVEL, pillar="GOV", dimension=None, indicator=None, **extra
):
    """A question in `period` (creating a dimension and indicator when needed); level questions
    get five options scored 0–4."""
    if indicator is None:
        dimension = (
            dimension
            or Dimension.objects.get_or_create(
                national_id=period.national_id, code="X", defaults={"name": "Dimensi uji", "weight": Decimal(100)}
            )[0]
        )
        indicator = Indicator.objects.get_or_create(
            dimension=dimension, code="X.1", defaults={"name": "Indikator uji"}
        )[0]
    pillar_obj = Pillar.objects.get(code=pillar) if isinstance(pillar, str) else pillar
    question = Question.objects.create(
        indicator=indicator,
        code=code or f"Q{next(_seq)}",
        text=extra.pop("text", "Pertanyaan uji?"),
        answer_type=answer_type,
        pillar=pillar_obj,
        subdimension=extra.pop("subdimension", SubDimension.objects.filter(pillar=pillar_obj).first()),
        **extra,
    )
    if answer_type == Question.AnswerType.LEVEL:
        AnswerOption.objects.bulk_create(
            AnswerOption(question=question, value=str(i), label=f"Level {i}", score=Decimal(i), order=i)
            for i in range(5)
        )
    return question


def assign(period, agency, pillar="GOV"):
    pillar_obj = Pillar.objects.get(code=pillar) if isinstance(pillar, str) else pillar
    return Assignment.objects.create(period=period, agency=agency, pillar=pillar_obj)


def make_reviewer(agency, username=None, operator=False, **extra):
    """Someone of a lead agency `agency` given the reviewer role (Peninjau); also its operator
    when `operator`."""
    user = make_user(username, roles.REVIEWER, agency, **extra)
    if operator:
        user.groups.add(Group.objects.get(name=roles.OPERATOR))
    return user


def plan_review(period, reviewer, pillar="GOV", agency=None, question=None, role="primary"):
    """A row of the period's review plan: `reviewer` reviews `pillar` (or `question`) of `agency`
    (every agency when None)."""
    if question is not None:
        return ReviewAssignment.objects.create(
            period=period, question=question, agency=agency, reviewer=reviewer, role=role
        )
    pillar_obj = Pillar.objects.get(code=pillar) if isinstance(pillar, str) else pillar
    return ReviewAssignment.objects.create(
        period=period, pillar=pillar_obj, agency=agency, reviewer=reviewer, role=role
    )


def make_submission(period, agency, status=None, **extra):
    """The agency's submission in the period (created when missing), optionally forced to a status."""
    submission, _created = Submission.objects.get_or_create(period=period, agency=agency)
    if status is not None or extra:
        for name, value in {"status": status or submission.status, **extra}.items():
            setattr(submission, name, value)
        if status == Submission.Status.SUBMITTED and submission.submitted_at is None:
            submission.submitted_at = timezone.now()
        submission.save()
    return submission


def make_answer(submission, question, score=None, verified=None, **fields):
    """An answer saved straight to the database (the operator's form is not needed). A level or
    choice question with options gets the option scoring `score`; `score` is the self score."""
    if score is not None and "option" not in fields and question.uses_options:
        fields["option"] = question.options.filter(score=Decimal(score)).first()
    if not any(k in fields for k in ("option", "bool_value", "number_value", "text_value", "date_value")):
        fields["text_value"] = "Jawaban uji"
    return Answer.objects.create(
        submission=submission,
        question=question,
        self_score=None if score is None else Decimal(score),
        verified_score=None if verified is None else Decimal(verified),
        **fields,
    )


def make_quick_win(period, agency, status="usulan", pillar="GOV", name=None, **extra):
    """A quick win written straight to the database (life-cycle methods are tested separately)."""
    pillar_obj = Pillar.objects.get(code=pillar) if isinstance(pillar, str) else pillar
    return QuickWin.objects.create(
        period=period,
        agency=agency,
        pillar=pillar_obj,
        subdimension=extra.pop("subdimension", SubDimension.objects.filter(pillar=pillar_obj).first()),
        name=name or f"Quick win uji {next(_seq)}",
        status=status,
        **extra,
    )


def make_xlsx(rows, headers=None, kind="jalan", name="data.xlsx"):
    """An uploaded .xlsx: the data set's headers (or `headers`) then `rows` (lists of cell values;
    a string starting with = becomes a formula)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers if headers is not None else [c.header for c in get_spec(kind).columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


ROAD_ROW = ["001", "Jl. Uji", "Sangatta Utara", "Kabupaten", "Lokal", 10, 6, 8, 0, 2, 0, 0, 6, 2, 1.5, 0.5]
SCHOOL_ROW = ["30401234", "SD Negeri 001", "SD/MI", "Negeri", "Sangatta Utara", "Teluk Lingga", "A", 400, 12, 18, 450]
HEALTH_ROW = ["P001", "Puskesmas Uji", "Puskesmas rawat inap", "Bengalon", 20, 4, 15, 10, "Madya", "Ya"]
TRANSPORT_ROW = ["Terminal tipe B", "Terminal Uji", "Sangatta Utara", "Dishub", "Beroperasi", 40, "Baik"]


DATASET_SAMPLES = {"jalan": ROAD_ROW, "pendidikan": SCHOOL_ROW, "kesehatan": HEALTH_ROW, "transportasi": TRANSPORT_ROW}


@cache
def _dataset_workbook(kind, copies):
    """The bytes of a data set's workbook of `copies` sample rows, written once per session."""
    rows = []
    for n in range(copies):
        row = list(DATASET_SAMPLES[kind])
        if kind == "pendidikan":
            row[0] = f"{30400000 + n:08d}"
        elif kind in {"jalan", "kesehatan"}:
            row[0] = f"{row[0]}-{n}"
        rows.append(row)
    return make_xlsx(rows, kind=kind).read()


def upload_all_datasets(period, agency, copies=1):
    """One accepted upload of each of the four data sets for the agency, through the same reader
    and save path as the upload page; `copies` rows each (schools get distinct NPSNs)."""
    operator = AgencyMember.objects.filter(agency=agency).select_related("user").first()
    user = operator.user if operator else make_operator(agency)
    for kind in DATASET_SAMPLES:
        content = SimpleUploadedFile(
            f"{kind}.xlsx", _dataset_workbook(kind, copies), content_type="application/octet-stream"
        )
        parsed = read_upload(SPECS[kind], content, period=period, agency=agency)
        content.seek(0)
        DatasetUpload.accept(period, agency, kind, content, user, parsed)


def subprocess_env(drop=(), **extra):
    """The environment for a child `manage.py` or server: this one, less the variables it must
    not inherit (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, and `drop`), plus `extra`."""
    unwanted = {"DJANGO_ALLOW_ASYNC_UNSAFE", *drop}
    return {**{k: v for k, v in os.environ.items() if k not in unwanted}, **extra}


def make_mixed_period(year=2060):
    """A period whose answers sit in every submission status, for the three indexes (DESIGN §2).
    Dimensions A (60%) and B (40%); questions q1 (A, GOV), q2 (A, ECO), q3 (B, LIV), q4 (B, GOV);
    answers (self, verified):
    - a draft:     q1 (4, 4), q3 (4, 4), q4 (4, None) — never counted;
    - submitted:   q1 (2, 1);
    - returned:    q2 (3, None);
    - approved:    q3 (4, 2), q4 (3, None).
    Official (approved only):  A = mean(0, 0) = 0, B = mean(2, 3) = 2.5 → 0.4 × 2.5 = 1.0.
    Provisional:               A = mean(1, 3) = 2, B = mean(2, 3) = 2.5 → 1.2 + 1.0 = 2.2.
    Self (same answers):       A = mean(2, 3) = 2.5, B = mean(4, 3) = 3.5 → 1.5 + 1.4 = 2.9.
    Coverage of the 4 assigned questions: answered 4, submitted 3 (q1, q3, q4), approved 2 (q3, q4),
    verified 2 (q1, q3), approved with the self score 1 (q4)."""
    period = make_period(year=year)
    a = Dimension.objects.create(
        national_id=period.national_id, code="A", name="Dimensi A", weight=Decimal(60), order=1
    )
    b = Dimension.objects.create(
        national_id=period.national_id, code="B", name="Dimensi B", weight=Decimal(40), order=2
    )
    q1 = make_question(period, code="q1", pillar="GOV", dimension=a)
    q2 = make_question(period, code="q2", pillar="ECO", dimension=a)
    b_indicator = Indicator.objects.create(dimension=b, code="B.1", name="Indikator B")
    q3 = make_question(period, code="q3", pillar="LIV", indicator=b_indicator)
    q4 = make_question(period, code="q4", pillar="GOV", indicator=b_indicator)
    statuses = {
        Submission.Status.DRAFT: [(q1, 4, 4), (q3, 4, 4), (q4, 4, None)],
        Submission.Status.SUBMITTED: [(q1, 2, 1)],
        Submission.Status.RETURNED: [(q2, 3, None)],
        Submission.Status.APPROVED: [(q3, 4, 2), (q4, 3, None)],
    }
    for status, answers in statuses.items():
        agency = make_agency()
        for pillar in {q.pillar.code for q, _s, _v in answers}:
            assign(period, agency, pillar)
        submission = make_submission(period, agency, status=status)
        for question, score, verified in answers:
            make_answer(submission, question, score=score, verified=verified)
    return period


def make_impact_survey(period, split=(), opens=None, closes=None, statements_per_subdimension=3, agency=None):
    """An open impact survey of `period` on every pillar: 3 statements and one programme (owned by
    `agency`, else the first agency) per sub-dimension, one form per pillar, or one per sub-dimension
    for the pillar codes in `split`. Statements the period already has (a fixture) are kept."""
    today = timezone.localdate()
    survey = ImpactSurvey.objects.create(
        period=period, opens=opens or today - timedelta(days=1), closes=closes or today + timedelta(days=14)
    )
    agency = agency or Agency.objects.order_by("pk").first()
    has_statements = SurveyStatement.objects.filter(national_id=period.national_id).exists()
    for sub in SubDimension.objects.select_related("pillar"):
        if not has_statements:
            for n in range(1, statements_per_subdimension + 1):
                SurveyStatement.objects.create(
                    national_id=period.national_id,
                    subdimension=sub,
                    code=f"{sub.code}.{n}",
                    text=f"Pernyataan {n} {sub.name}",
                    order=n,
                )
        SurveyProgramme.objects.create(survey=survey, subdimension=sub, name=f"Program {sub.name}", agency=agency)
    for pillar in Pillar.objects.prefetch_related("subdimensions"):
        if pillar.code in split:
            for sub in pillar.subdimensions.all():
                SurveyForm.objects.create(survey=survey, pillar=pillar, subdimension=sub)
        else:
            SurveyForm.objects.create(survey=survey, pillar=pillar)
    return survey


def make_survey_response(
    form,
    scores=3,
    frequency="often",
    enumerator=None,
    contact_hash="",
    device_hash="",
    seconds=300,
    submitted_at=None,
    age_band="30-39",
    occupation="asn",
    kecamatan=None,
):
    """One response to `form`: every statement of the form rated `scores` (a number for all, or a
    dict statement code -> score or None for "never used"); every programme used with `frequency`."""
    submitted_at = submitted_at or timezone.now()
    response = SurveyResponse.objects.create(
        form=form,
        enumerator=enumerator,
        nonce=f"n{next(_seq)}",
        started_at=submitted_at - timedelta(seconds=seconds),
        submitted_at=submitted_at,
        age_band=age_band,
        occupation=occupation,
        kecamatan=kecamatan or Kecamatan.objects.order_by("pk").first(),
        contact_hash=contact_hash,
        device_hash=device_hash,
    )
    subdimensions = [form.subdimension] if form.subdimension_id else list(form.pillar.subdimensions.all())
    for programme in form.survey.programmes.filter(subdimension__in=subdimensions):
        ProgrammeUse.objects.create(response=response, programme=programme, frequency=frequency)
    statements = list(
        SurveyStatement.objects.filter(national_id=form.survey.period.national_id, subdimension__in=subdimensions)
    )
    if isinstance(scores, dict):
        # A code of another wording (the factory's GOV-1.1 vs the shipped GOV.1.1) would be ignored silently.
        unknown = set(scores) - {statement.code for statement in statements}
        assert not unknown, f"no statement {sorted(unknown)} on this form"
    for statement in statements:
        score = scores.get(statement.code, 3) if isinstance(scores, dict) else scores
        SurveyRating.objects.create(response=response, statement=statement, score=score, never_used=score is None)
    return response


def period_of(question, region=None):
    """The period of the default region (or `region`) whose national instrument holds `question`."""
    return EvaluationPeriod.objects.get(
        national_id=question.indicator.dimension.national_id, region=region or default_region()
    )
