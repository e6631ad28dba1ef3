"""Migrate a populated database across the regions migrations (0020-0023) and write what the test
compares: run by tests/test_migrations_regions.py in a subprocess, with DATABASE_URL naming an
empty database of its own (the migrations' RunPython code uses the default connection, so the
database under migration must be this process's default one).

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python tests/migrate_populated.py OUTPUT.json

Steps: every app to its latest migration but evaluations to 0019_jobs_workers (MigrationExecutor),
with the post_migrate signal a real `migrate` would have sent there (content types, permissions,
role groups); rows in every table through the historical models of that state; a raw-SQL snapshot
of every row of every table; the period 2024/1's results by the same formula as
EvaluationPeriod.results() over the historical models; `migrate` to the latest migration, as a
deployment runs it; the snapshot again, and the results through the current models in the
region's scope. OUTPUT.json holds {"before": snapshot, "after": snapshot, "results_before": ...,
"results_after": ..., "seconds": {...}}."""

import dataclasses
import datetime
import decimal
import json
import os
import sys
import time
import uuid
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ("evaluations", "0019_jobs_workers")
D = decimal.Decimal


def main(output):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    django.setup()
    from django.core.management import call_command  # noqa: PLC0415  (after django.setup())
    from django.core.management.sql import emit_post_migrate_signal  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    if connection.vendor == "sqlite":
        # A throwaway file: no fsync per migration (the migrations run the same, several times faster).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
    seconds = {}
    started = time.monotonic()
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != BEFORE[0]] + [BEFORE]
    plan = executor.migration_plan(targets)
    executor.migrate(targets, plan=plan)
    executor.loader.build_graph()
    apps = executor.loader.project_state(targets).apps
    emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    seconds["migrate_to_0019"] = time.monotonic() - started

    started = time.monotonic()
    with transaction.atomic():
        populate(apps)
    seconds["populate"] = time.monotonic() - started
    before = snapshot(connection)
    results_before = historical_results(apps)

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    seconds["migrate_to_latest"] = time.monotonic() - started
    after = snapshot(connection)
    results_after = current_results()
    Path(output).write_text(
        json.dumps(
            {
                "vendor": connection.vendor,
                "before": before,
                "after": after,
                "results_before": results_before,
                "results_after": results_after,
                "seconds": seconds,
            }
        )
    )


# --- The snapshot -----------------------------------------------------------------------------


def plain(value):
    """A column's value as JSON keeps it, its type told apart (the text "1" from the number 1)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list):  # PostgreSQL's jsonb
        return {"json": json.dumps(value, sort_keys=True)}
    if isinstance(value, memoryview | bytes):
        return {"bytes": bytes(value).hex()}
    return {type(value).__name__: str(value)}


def snapshot(connection):
    """{table: {"columns": [...], "pk": column or None, "rows": {key: [values]}}}: every row of
    every table, read with raw SQL. A table without a primary key is keyed by its whole row."""
    tables = {}
    with connection.cursor() as cursor:
        for info in connection.introspection.get_table_list(cursor):
            if info.type != "t":
                continue
            table = info.name
            pk = connection.introspection.get_primary_key_column(cursor, table)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            rows = {}
            for row in cursor.fetchall():
                values = [plain(v) for v in row]
                key = str(row[columns.index(pk)]) if pk else json.dumps(values)
                rows[key] = values
            tables[table] = {"columns": columns, "pk": pk, "rows": rows}
    return tables


# --- The results of 2024/1 ------------------------------------------------------------------


def as_json(result):
    return json.loads(json.dumps(dataclasses.asdict(result), default=str))


def historical_results(apps):
    """EvaluationPeriod.results() as it was: the same questions, tallies and weights, read from the
    period's own instrument through the historical models, through the same formula."""
    from django.db import models  # noqa: PLC0415

    from evaluations import scoring  # noqa: PLC0415
    from evaluations.models import Question as CurrentQuestion  # noqa: PLC0415
    from evaluations.models.periods import answer_tallies  # noqa: PLC0415

    EvaluationPeriod = apps.get_model("evaluations", "EvaluationPeriod")
    Assignment = apps.get_model("evaluations", "Assignment")
    Question = apps.get_model("evaluations", "Question")
    Answer = apps.get_model("evaluations", "Answer")
    Dimension = apps.get_model("evaluations", "Dimension")
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    assignments = Assignment.objects.filter(period=period)
    questions = [
        scoring.QuestionInfo(
            id=q["id"],
            dimension=q["indicator__dimension__code"],
            pillar=q["pillar__code"],
            subdimension=q["subdimension__code"],
            scorable=CurrentQuestion.type_is_scorable(q["answer_type"], q["band_count"]),
            assigned=q["is_assigned"],
        )
        for q in Question.objects.filter(indicator__dimension__period=period)
        .annotate(
            band_count=models.Count("bands"),
            is_assigned=models.Exists(assignments.filter(question=models.OuterRef("pk")))
            | models.Exists(assignments.filter(pillar=models.OuterRef("pillar"))),
        )
        .values(
            "id",
            "indicator__dimension__code",
            "pillar__code",
            "subdimension__code",
            "answer_type",
            "band_count",
            "is_assigned",
        )
    ]
    tallies = {}
    for row in answer_tallies(Answer.objects.filter(submission__period=period), "question_id"):
        question_id = row.pop("question_id")
        for name in ("official_sum", "provisional_sum", "self_sum"):
            row[name] = row[name].quantize(D("0.01"))
        tallies[question_id] = scoring.Tally(**row)
    weights = dict(Dimension.objects.filter(period=period).values_list("code", "weight"))
    return as_json(scoring.evaluate_tallies(questions, tallies, weights))


def current_results():
    """The migrated period's results() through today's models, in its region's scope (as a request
    of that region computes them)."""
    from evaluations.models import EvaluationPeriod, Region  # noqa: PLC0415
    from evaluations.regions import in_region  # noqa: PLC0415

    region = Region.objects.get(code="64.08")
    with in_region(region):
        return as_json(EvaluationPeriod.objects.get(year=2024, stage="1").results())


# --- The rows ----------------------------------------------------------------------------------


def fields(names, *values):
    """Keyword arguments from their names (one string) and their values, a row on a line."""
    return dict(zip(names.split(), values, strict=True))


def at(day, hour=9):
    return datetime.datetime(2024, 3, day, hour, 30, tzinfo=datetime.UTC)


def populate(apps):  # noqa: PLR0915  (one story, told in order)
    def model(name, app="evaluations"):
        return apps.get_model(app, name)

    pillars, subdimensions = _pillars(model)
    kecamatan = [
        model("Kecamatan").objects.create(code=code, name=name)
        for code, name in (("64.08.01", "Sangatta Utara"), ("64.08.02", "Sangatta Selatan"), ("64.08.03", "Bengalon"))
    ]
    Agency = model("Agency")
    kominfo = Agency.objects.create(
        name="Dinas Komunikasi, Informatika, Statistik dan Persandian", abbreviation="Diskominfo Staper", kind="dinas"
    )
    bappeda = Agency.objects.create(name="Badan Perencanaan Pembangunan Daerah", abbreviation="Bappeda", kind="badan")
    bengalon = Agency.objects.create(
        name="Kecamatan Bengalon", abbreviation="Kec. Bengalon", kind="kecamatan", kecamatan=kecamatan[2]
    )
    Agency.objects.create(name="Dinas Lama", abbreviation="Dislama", kind="other", active=False)
    agencies = [kominfo, bappeda, bengalon]

    users = _users(apps, agencies)
    coordinator, admin, operator_a, operator_b = users["koordinator"], users["admin"], users["op_a"], users["op_b"]

    old = model("EvaluationPeriod").objects.create(
        year=2023,
        stage="2",
        name="Evaluasi 2023 Tahap II",
        opens=datetime.date(2023, 7, 1),
        closes=datetime.date(2023, 9, 30),
        status="closed",
        assignments_version=3,
    )
    new = model("EvaluationPeriod").objects.create(
        year=2024,
        stage="1",
        name="Evaluasi 2024 Tahap I",
        opens=datetime.date(2024, 2, 1),
        closes=datetime.date(2024, 4, 30),
        status="open",
        assignments_version=5,
    )
    instrument = {period.pk: _instrument(model, period, pillars, subdimensions, admin) for period in (old, new)}

    Assignment = model("Assignment")
    for period in (old, new):
        questions = instrument[period.pk]["questions"]
        Assignment.objects.create(period=period, agency=kominfo, pillar=pillars["GOV"])
        Assignment.objects.create(period=period, agency=kominfo, pillar=pillars["ECO"])
        Assignment.objects.create(period=period, agency=bappeda, pillar=pillars["LIV"])
        Assignment.objects.create(period=period, agency=bengalon, question=questions["date"])

    # The old period's work, handed in and approved; the new one's in every state.
    old_evidence = _submissions(model, old, instrument[old.pk], {kominfo: "approved", bappeda: "returned"}, users)
    _submissions(
        model,
        new,
        instrument[new.pk],
        {kominfo: "approved", bappeda: "submitted", bengalon: "draft"},
        users,
        carried=old_evidence,
    )
    _quick_wins(model, old, new, kominfo, bappeda, pillars, subdimensions, operator_a, coordinator)
    jobs = _jobs(model, new, coordinator, admin)
    RemindersSent = model("ReminderSent")
    RemindersSent.objects.create(
        period=new, agency=bappeda, date=datetime.date(2024, 3, 4), job=jobs["reminders"], messages=2
    )
    RemindersSent.objects.create(period=new, agency=bengalon, date=datetime.date(2024, 3, 4), messages=0)
    _notifications(model, users)
    _datasets(model, new, old, kominfo, bappeda, kecamatan, operator_a, operator_b)
    _survey(model, new, instrument[new.pk], pillars, subdimensions, kominfo, kecamatan, coordinator, operator_a)
    _admin_history(apps, users, kominfo)
    model("WorkerBeat").objects.create(
        name="worker-1",
        host="app-1",
        pid=4321,
        queues="default,long",
        started_at=at(1),
        seen_at=at(1, 10),
        stopped_at=at(1, 11),
    )


def _pillars(model):
    pillars, subdimensions = {}, {}
    for order, code in enumerate(("GOV", "BRA", "ECO", "SOC", "LIV", "ENV"), start=1):
        pillars[code] = model("Pillar", "pillars").objects.create(
            code=code, name=f"Smart {code.title()}", description=f"Pilar {code}", order=order
        )
        for n in (1, 2):
            subdimensions[f"{code}{n}"] = model("SubDimension", "pillars").objects.create(
                pillar=pillars[code], code=f"{code}{n}", name=f"Subdimensi {code} {n}", order=n
            )
    return pillars, subdimensions


def _users(apps, agencies):
    """A superuser (no agency), a coordinator, an admin, a leader, a user of no role and an inactive
    one (all without an agency: the region's staff after the migration), and three operators."""
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    AgencyMember = apps.get_model("evaluations", "AgencyMember")
    groups = {group.name: group for group in Group.objects.all()}
    users = {}

    def user(username, group=None, agency=None, **extra):
        users[username] = User.objects.create(
            username=username,
            password="pbkdf2_sha256$1000000$salt$not-a-real-hash=",
            email=f"{username}@example.id",
            first_name=username.title(),
            date_joined=at(1, 8),
            **extra,
        )
        if group:
            users[username].groups.add(groups[group])
        if agency:
            AgencyMember.objects.create(user=users[username], agency=agency)

    user("root", is_superuser=True, is_staff=True)
    user("koordinator", "Koordinator", is_staff=True, last_login=at(5))
    user("admin", "Admin", is_staff=True)
    user("pimpinan", "Pimpinan")
    Permission = apps.get_model("auth", "Permission")
    users["pimpinan"].user_permissions.add(Permission.objects.get(codename="view_quickwin"))
    user("tamu")
    user("pensiun", "Koordinator", is_active=False)
    user("op_a", "Operator OPD", agencies[0], last_login=at(6))
    user("op_b", "Operator OPD", agencies[1])
    user("op_c", "Operator OPD", agencies[2])
    return users


def _instrument(model, period, pillars, subdimensions, admin):
    """Two dimensions (60/40), two indicators each, a question of every answer type with its
    options or bands, three impact statements, an instrument change."""
    d1 = model("Dimension").objects.create(period=period, code="D1", name="Tata kelola", weight=D(60), order=1)
    d2 = model("Dimension").objects.create(period=period, code="D2", name="Layanan", weight=D(40), order=2)
    Indicator = model("Indicator")
    i11 = Indicator.objects.create(dimension=d1, code="D1.1", name="Kebijakan", order=1)
    i12 = Indicator.objects.create(dimension=d1, code="D1.2", name="Kelembagaan", order=2)
    i21 = Indicator.objects.create(dimension=d2, code="D2.1", name="Aplikasi", order=1)
    i22 = Indicator.objects.create(dimension=d2, code="D2.2", name="Data", order=2)
    indicators = {"D1.1": i11, "D1.2": i12, "D2.1": i21, "D2.2": i22}
    # name: indicator, code, answer type, pillar, subdimension, and any other field.
    questions = {
        "level": ("D1.1", "1", "level", "GOV", "GOV1", {"evidence_required": True}),
        "yesno": ("D1.2", "1", "yesno", "GOV", None, {}),
        "choice": ("D1.2", "2", "choice", "ECO", "ECO1", {}),
        "number": ("D2.1", "1", "number", "LIV", None, {"unit": "aplikasi", "whole_number": True}),
        "percent": ("D2.1", "2", "percent", "ECO", None, {"unit": "%", "help_text": "Dari semua aplikasi."}),
        "text": ("D2.2", "1", "text", "LIV", None, {"required": False}),
        "date": ("D2.2", "2", "date", None, None, {}),
        "survey": ("D2.2", "3", "number", "GOV", "GOV2", {"from_impact_survey": True}),
    }
    q = {
        name: model("Question").objects.create(
            indicator=indicators[indicator],
            code=code,
            text=f"Pertanyaan {name}?",
            answer_type=answer_type,
            pillar=pillars.get(pillar),
            subdimension=subdimensions.get(subdimension),
            order=int(code),
            **extra,
        )
        for name, (indicator, code, answer_type, pillar, subdimension, extra) in questions.items()
    }
    Option = model("AnswerOption")
    options = {}
    for n in range(5):
        options[("level", n)] = Option.objects.create(
            question=q["level"], value=str(n), label=f"Tingkat {n}", score=D(n), order=n
        )
    options[("yesno", 1)] = Option.objects.create(question=q["yesno"], value="ya", label="Ya", score=D(4), order=1)
    options[("yesno", 0)] = Option.objects.create(
        question=q["yesno"], value="tidak", label="Tidak", score=D(0), order=2
    )
    for n, score in enumerate((D("1.5"), D("2.75"), D("4")), start=1):
        options[("choice", n)] = Option.objects.create(
            question=q["choice"], value=f"c{n}", label=f"Pilihan {n}", score=score, order=n
        )
    Band = model("ScoreBand")
    for question, bands in (
        (q["number"], ((0, 3, 1), (3, 10, 2.5), (10, None, 4))),
        (q["percent"], ((0, 50, 1), (50, 80, 3), (80, None, 4))),
        (q["survey"], ((0, 2, 0), (2, None, 3.25))),
    ):
        for low, high, score in bands:
            Band.objects.create(
                question=question, min_value=D(low), max_value=None if high is None else D(high), score=D(str(score))
            )
    Statement = model("SurveyStatement")
    for n, sub in enumerate(("GOV1", "GOV2", "ECO1"), start=1):
        Statement.objects.create(
            period=period, code=f"S{n}", text=f"Pernyataan {n}", order=n, subdimension=subdimensions[sub]
        )
    model("InstrumentChange").objects.create(
        period=period,
        actor=admin,
        file_name=f"instrumen-{period.year}.xlsx",
        headline="2 pertanyaan ditambah",
        summary="D2.2.2, D2.2.3",
    )
    return {"questions": q, "options": options}


def _submissions(model, period, instrument, statuses, users, carried=None):  # noqa: PLR0913
    """A submission per agency with an answer to every question it holds, and around them the
    changes, evidence (files, links, carried forward), comments, replies and events."""
    q, options = instrument["questions"], instrument["options"]
    Submission, Answer = model("Submission"), model("Answer")
    operator = {"Diskominfo Staper": users["op_a"], "Bappeda": users["op_b"], "Kec. Bengalon": users["op_c"]}
    coordinator = users["koordinator"]
    evidence = []
    for n, (agency, status) in enumerate(statuses.items()):
        submission = Submission.objects.create(
            agency=agency,
            period=period,
            status=status,
            review_note="Lengkapi bukti." if status == "returned" else "",
            reopened=status == "submitted",
            submitted_at=None if status == "draft" else at(10 + n),
            returned_at=at(12) if status == "returned" else None,
            approved_at=at(14) if status == "approved" else None,
        )
        user = operator[agency.abbreviation]
        answers = [
            Answer(
                submission=submission,
                question=q["level"],
                option=options[("level", 3 - n)],
                self_score=D(3 - n),
                verified_score=D(2 - n) if status == "approved" else None,
                explanation="Perbup 12/2023",
                updated_by=user,
                version=3,
            ),
            Answer(
                submission=submission,
                question=q["yesno"],
                option=options[("yesno", n % 2)],
                bool_value=n % 2 == 1,
                self_score=D(4 if n % 2 else 0),
                updated_by=user,
            ),
            Answer(
                submission=submission,
                question=q["choice"],
                option=options[("choice", 2)],
                self_score=D("2.75"),
                verified_score=D("1.5") if status in ("approved", "submitted") else None,
                needs_revision=n == 1,
                revision_note="Pilihan kurang tepat" if n == 1 else "",
                updated_by=user,
            ),
            Answer(submission=submission, question=q["number"], number_value=D(7 + n), self_score=D("2.5")),
            Answer(
                submission=submission,
                question=q["percent"],
                number_value=D("83.25"),
                self_score=D(4),
                carried_forward=carried is not None,
            ),
            Answer(submission=submission, question=q["text"], text_value=f"Uraian {agency.abbreviation}"),
            Answer(submission=submission, question=q["date"], date_value=datetime.date(2023, 11, 1 + n)),
        ]
        for answer in answers:
            answer.save()
        level = answers[0]
        model("AnswerChange").objects.create(
            answer=level, changed_by=user, field="self_score", old_value="", new_value=str(level.self_score)
        )
        first = model("Evidence").objects.create(
            answer=level,
            title="Perbup",
            file=f"evidence/{period.year}/{agency.pk}/perbup.pdf",
            original_name="Perbup.pdf",
            size=123456,
            uploaded_by=user,
            carried_from=carried[0] if carried else None,
        )
        model("Evidence").objects.create(
            answer=level,
            title="Tautan",
            url="https://jdih.kutaitimurkab.go.id/perbup",
            uploaded_by=user,
            removed_at=at(13),
            removed_by=user,
        )
        evidence.append(first)
        model("ReviewComment").objects.create(
            answer=level, author=coordinator, body="Mohon perbarui.", visibility="agency"
        )
        model("ReviewComment").objects.create(
            answer=level, author=coordinator, body="Catatan internal.", visibility="internal"
        )
        model("RevisionReply").objects.create(answer=level, author=user, body="Sudah diperbarui.")
        Event = model("SubmissionEvent")
        Event.objects.create(
            submission=submission, actor=user, kind="status", from_status="draft", to_status=status, note=""
        )
        Event.objects.create(
            submission=submission, actor=coordinator, kind="score", answer=level, note="Skor verifikasi"
        )
    return evidence


def _quick_wins(model, old, new, kominfo, bappeda, pillars, subdimensions, operator, coordinator):  # noqa: PLR0913
    QuickWin = model("QuickWin")
    first = QuickWin.objects.create(
        period=old,
        agency=kominfo,
        pillar=pillars["GOV"],
        subdimension=subdimensions["GOV1"],
        name="Satu Data",
        description="Portal data",
        rpjmd_problem="Data tersebar",
        start_year=2023,
        is_new=True,
        target_pct=D("80.00"),
        achievement_pct=D("55.50"),
        budget=D("150000000.00"),
        budget_source="apbd",
        partners="BPS",
        users_reached=1200,
        url="https://data.kutaitimurkab.go.id",
        risks="Data lama",
        mitigation="Pelatihan",
        sustainability_plan="Perbup",
        assessor_notes="Baik",
        status="berjalan",
        created_by=operator,
    )
    first.supporting_agencies.add(bappeda)
    second = QuickWin.objects.create(
        period=new,
        agency=kominfo,
        pillar=pillars["GOV"],
        name="Satu Data",
        continued_from=first,
        is_new=False,
        status="selesai",
        completed_on=datetime.date(2024, 3, 20),
        completion_note="Selesai",
        completion_requested_at=at(19),
        created_by=operator,
    )
    second.supporting_agencies.add(bappeda, kominfo)
    QuickWin.objects.create(
        period=new,
        agency=bappeda,
        pillar=pillars["ECO"],
        name="Pasar daring",
        status="ditolak",
        status_note="Bukan quick win",
        budget_source="csr",
        created_by=operator,
    )
    change = model("QuickWinChange").objects.create(
        quick_win=first, actor=coordinator, kind="status", from_status="ditetapkan", to_status="berjalan", note="Jalan"
    )
    model("QuickWinFieldChange").objects.create(
        change=change, field="achievement_pct", old_value="40", new_value="55.50"
    )
    model("QuickWinChange").objects.create(quick_win=second, actor=operator, kind="continued", fields="name")
    evidence = model("QuickWinEvidence").objects.create(
        quick_win=second,
        title="Laporan akhir",
        file="quickwins/laporan.pdf",
        original_name="Laporan.pdf",
        size=2048,
        uploaded_by=operator,
        final=True,
    )
    model("QuickWinEvidence").objects.create(
        quick_win=first,
        title="Foto",
        file="quickwins/foto.jpg",
        size=99,
        uploaded_by=operator,
        removed_at=at(8),
        removed_by=coordinator,
    )
    model("QuickWinReport").objects.create(
        quick_win=second,
        achievement_pct=D("100.00"),
        reported_on=datetime.date(2024, 3, 20),
        note="Tuntas",
        evidence=evidence,
        reported_by=operator,
    )


def _jobs(model, period, coordinator, admin):
    Job = model("Job")
    jobs = {
        "workbook": Job.objects.create(
            kind="workbook",
            key=f"period-{period.pk}",
            parameters={"period": period.pk},
            state="done",
            progress_done=12,
            progress_total=12,
            step="Selesai",
            result={"rows": 12, "sheets": ["Rekap"]},
            file=f"jobs/{period.pk}/evaluasi.xlsx",
            attempt=1,
            started_at=at(3),
            heartbeat_at=at(3),
            finished_at=at(3, 10),
            period=period,
            requested_by=coordinator,
            queued_at=at(3, 8),
            task_id="t-1",
        ),
        "reminders": Job.objects.create(
            kind="reminders", key="2024-03-04", state="done", period=period, result={"sent": 2}, queued_at=at(4)
        ),
        "notification_emails": Job.objects.create(
            kind="notification_emails", key="batch-1", state="failed", message="SMTP mati", attempt=3, queued_at=at(5)
        ),
        "dataset_import": Job.objects.create(
            kind="dataset_import",
            key="upload-1",
            state="running",
            progress_done=3,
            progress_total=10,
            period=period,
            requested_by=admin,
            queued_at=at(6),
        ),
        "instrument_import": Job.objects.create(
            kind="instrument_import",
            key="instrument-1",
            state="queued",
            parameters={"file": "x.xlsx", "dry_run": True},
            period=period,
            requested_by=admin,
            queued_at=at(7),
        ),
    }
    return jobs


def _notifications(model, users):
    Notification = model("Notification")
    Notification.objects.create(
        recipient=users["koordinator"],
        kind="submitted",
        params={"agency": "Bappeda"},
        link="/periode/2024-1/tinjau/",
        created_at=at(10),
        emailed_at=at(10, 10),
    )
    Notification.objects.create(
        recipient=users["op_b"],
        kind="returned",
        note="Lengkapi bukti",
        link="/periode/2023-2/isi/",
        created_at=at(12),
        read_at=at(13),
    )
    Notification.objects.create(
        recipient=users["op_a"],
        kind="qw_set",
        params={"quick_win": "Satu Data"},
        link="/quickwins/1/",
        created_at=at(14),
    )


def _datasets(model, new, old, kominfo, bappeda, kecamatan, operator_a, operator_b):  # noqa: PLR0913
    Upload = model("DatasetUpload")

    def upload(kind, agency, user, period=new, outcome="accepted", **extra):
        return Upload.objects.create(
            kind=kind,
            file=f"datasets/{kind}.xlsx",
            original_name=f"{kind}.xlsx",
            size=5000,
            outcome=outcome,
            row_count=2,
            agency=agency,
            period=period,
            uploaded_by=user,
            uploaded_at=at(9),
            **extra,
        )

    jalan = upload("jalan", kominfo, operator_a)
    upload("jalan", kominfo, operator_a, outcome="rejected", error_count=4, deleted_at=at(10), deleted_by=operator_a)
    lengths = "length_km width_m aspal_km lapen_km beton_km kerikil_km tanah_km baik_km sedang_km rusak_ringan_km"
    for n, status in enumerate(("kabupaten", "desa"), start=1):
        model("RoadSegment").objects.create(
            upload=jalan, agency=kominfo, period=new, kecamatan=kecamatan[n - 1], row_number=n, road_number=f"0{n}",
            name=f"Jalan {n}", status=status, function="lokal", rusak_berat_km=D("1.000"),
            **fields(lengths, *map(D, ("12.500", "6.00", "10.000", "1.000", "0.500", "0.5", "0.5", "8", "2.5", "1"))),
        )  # fmt: skip
    school = "row_number npsn name level ownership desa accreditation students classrooms teachers capacity"
    model("School").objects.create(
        upload=upload("pendidikan", bappeda, operator_b), agency=bappeda, period=new, kecamatan=kecamatan[0],
        **fields(school, 1, "30400001", "SDN 001", "sd", "negeri", "Swarga", "a", 300, 12, 15, 360),
    )  # fmt: skip
    facility = "row_number code name type beds doctors nurses midwives accreditation online_services"
    model("HealthFacility").objects.create(
        upload=upload("kesehatan", bappeda, operator_b, period=old), agency=bappeda, period=old, kecamatan=kecamatan[1],
        **fields(facility, 1, "P6408010101", "Puskesmas Sangatta", "pkm_ri", 10, 3, 12, 8, "utama", True),
    )  # fmt: skip
    transport = "row_number type name operator status capacity condition"
    model("TransportFacility").objects.create(
        upload=upload("transportasi", kominfo, operator_a), agency=kominfo, period=new, kecamatan=kecamatan[2],
        **fields(transport, 1, "terminal_b", "Terminal Bengalon", "Dishub", "beroperasi", 40, "baik"),
    )  # fmt: skip


def _survey(model, period, instrument, pillars, subdimensions, agency, kecamatan, coordinator, operator):  # noqa: PLR0913
    survey = model("ImpactSurvey").objects.create(
        period=period, opens=datetime.date(2024, 3, 1), closes=datetime.date(2024, 3, 31)
    )
    whole = model("SurveyForm").objects.create(survey=survey, pillar=pillars["GOV"], token="form-gov-token", target=30)
    part = model("SurveyForm").objects.create(
        survey=survey,
        pillar=pillars["ECO"],
        subdimension=subdimensions["ECO1"],
        token="form-eco1-token",
        enumerator_only=True,
    )
    programme = model("SurveyProgramme").objects.create(
        survey=survey,
        subdimension=subdimensions["GOV1"],
        agency=agency,
        name="Satu Data",
        quick_win=model("QuickWin").objects.filter(period=period).first(),
    )
    enumerator = model("Enumerator").objects.create(
        form=part, agency=agency, name="Petugas 1", token="enumerator-token", created_by=operator
    )
    statements = list(model("SurveyStatement").objects.filter(period=period).order_by("code"))
    Response, Rating = model("SurveyResponse"), model("SurveyRating")
    for n, (form, kind) in enumerate(((whole, "asn"), (whole, "tani"), (part, "pelajar"))):
        response = Response.objects.create(
            form=form,
            nonce=f"nonce-{n}",
            started_at=at(15, 8),
            submitted_at=at(15, 9),
            age_band="30-39",
            occupation=kind,
            contact_hash=f"c{n}",
            device_hash=f"d{n}",
            network_hash=f"n{n}",
            kecamatan=kecamatan[n],
            enumerator=enumerator if form == part else None,
            burst=n == 1,
            excluded_at=at(16) if n == 1 else None,
            excluded_by=coordinator if n == 1 else None,
            exclusion_reason="Terlalu cepat" if n == 1 else "",
        )
        for m, statement in enumerate(statements):
            never = (n + m) % 4 == 3
            Rating.objects.create(
                response=response, statement=statement, never_used=never, score=None if never else (n + m) % 5
            )
        model("ProgrammeUse").objects.create(response=response, programme=programme, frequency="often")
        if n == 1:
            Event = model("SurveyResponseEvent")
            Event.objects.create(
                response=response, actor=coordinator, action="excluded", note="Terlalu cepat", at=at(16)
            )
            Event.objects.create(response=response, actor=coordinator, action="included", note="Dicek", at=at(17))


def _admin_history(apps, users, agency):
    ContentType = apps.get_model("contenttypes", "ContentType")
    agency_type = ContentType.objects.get(app_label="evaluations", model="agency")
    apps.get_model("evaluations", "AdminChange").objects.create(
        actor=users["admin"],
        content_type=agency_type,
        object_id=str(agency.pk),
        object_repr=agency.abbreviation,
        action="changed",
        field="name",
        old_value="Diskominfo",
        new_value=agency.name,
    )
    apps.get_model("admin", "LogEntry").objects.create(
        user=users["admin"],
        content_type=agency_type,
        object_id=str(agency.pk),
        object_repr=agency.abbreviation,
        action_flag=2,
        change_message='[{"changed": {"fields": ["Nama"]}}]',
        action_time=at(2),
    )
    apps.get_model("sessions", "Session").objects.create(
        session_key="k" * 32,
        session_data="e30:1:signature",
        expire_date=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    who = fields(
        "username ip_address user_agent http_accept path_info", "op_a", "10.0.0.7", "Firefox", "*/*", "/masuk/"
    )
    attempt = apps.get_model("axes", "AccessAttempt").objects.create(
        **who, attempt_time=at(2), get_data="", post_data="username=op_a", failures_since_start=2
    )
    apps.get_model("axes", "AccessAttemptExpiration").objects.create(access_attempt=attempt, expires_at=at(3))
    apps.get_model("axes", "AccessFailureLog").objects.create(**who, attempt_time=at(2), locked_out=True)
    apps.get_model("axes", "AccessLog").objects.create(**who, attempt_time=at(2, 10), session_hash="abc")
    apps.get_model("django_tasks_database", "DBTaskResult").objects.create(
        id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        status="SUCCESSFUL",
        args_kwargs={"args": [1]},
        priority=0,
        task_path="evaluations.tasks.run_job",
        queue_name="default",
        backend_name="default",
        run_after=at(3),
        enqueued_at=at(3),
        exception_class_path="",
        traceback="",
        started_at=at(3),
        finished_at=at(3, 10),
        return_value=None,
        worker_ids=["w1"],
    )


if __name__ == "__main__":
    main(sys.argv[1])
