"""Round trip of every form, in Chromium, in Indonesian and in English (issue 17): a form that the
server rendered with existing data and that a user submits unchanged with its own button saves
exactly what was there.

Forms covered (role · page · form → what must stay as it was):

Operator
- section page `/opd/pengisian/<id>/bagian/<key>/` · answer form with one answer of every type
  (level, yes/no, choice, number 1234,5 km and 1250 orang, percent 75,5, text, date), each with
  an explanation, plus an evidence link and an evidence file → every answer field, the version
  (an untouched answer is never written), the evidence rows and the audit rows. One test per
  (language, answer) so that a known failure is marked for exactly that case.
- submit page `/opd/pengisian/<id>/kirim/` · "Kirim untuk verifikasi" → everything but the status,
  its date and one timeline row (the intended change).
- section page of a returned submission, with a marked answer, its earlier reply and the empty
  reply box ("Tanggapan untuk koordinator") → nothing: no reply row, no answer written.
- quick-win edit page `/quick-wins/<id>/ubah/` (own proposal, every field an operator may fill) →
  every quick-win field, the supporting agencies, the assessor notes the operator does not see;
  no history row.
- quick-win page `/quick-wins/<id>/` · resubmit (a rejected one) and status move (an established one) →
  everything but the status, its note and one history row; evidence upload sent without a file →
  nothing, and a message; on a running one the report of achievement (date of today, no percentage)
  and the completion request (no file) → nothing, and a message.
- data-set page `/data/jalan/` · upload form without a file → nothing, and a message (not a 500).
- password change `/akun/kata-sandi/` sent empty → nothing, and a message.
- notifications `/notifikasi/` · "Tandai dibaca" on one notice, then "Tandai semua dibaca" → only
  the read time of the operator's unread notices.

Submitting, returning and setting a quick win also leave a notice for each person told (intended).

Coordinator
- review page `/koordinator/pengisian/<id>/` (section A-LIV; the answer forms post in place with
  htmx, and the page must not reload) · the verified-score form of every scored answer: a verified
  2,5 stays; an answer not verified yet shows an empty field, and saving it is refused with a
  message and changes nothing; an unscored one (text, date, number without score bands) has no
  score form. The revision form of a marked answer (with a two-line note) and of an unmarked one.
  The comment form (loaded on demand): sent empty → nothing and a message; with a comment → one
  comment row and nothing else. The approve form with its self-score checkbox unticked, while an
  answer is marked → nothing, and the refusal. The return form with its empty note → everything
  but the status, its date and one timeline row.
- quick-win edit page with every field (owning agency and assessor notes included); quick-win
  page · rejection without a reason → nothing and a message; decision (Tetapkan) and status move →
  everything but the status, its note and one history row; on a quick win whose agency asked for
  completion, declining without a reason → nothing and a message, confirming → the status, the
  request's mark and one history row.
- password change, sent empty.

Admin
- period page `/kelola/periode/<id>/` · deadline form → the period's dates and status.
- assignments page `/kelola/periode/<id>/penugasan/` · the grid (pillars ticked, a single question
  typed as its code) → nothing, and "no change"; the bulk form as shown → the kind's agencies added
  to the first pillar and the assignments version, nothing else.
- new period `/kelola/periode/baru/` as suggested (next stage, a copy of the latest period) → the
  period and its copied instrument and assignments, nothing else.
- instrument page `/kelola/instrumen/` · import form without a file → nothing, and a message; the
  period's own instrument file, downloaded from the page and imported back (no dry run) into the
  period that has answers → nothing (no instrument row, no change record), and "no changes".
- password change, sent empty.

Leader: password change, sent empty (a leader's only form).

Not covered here: buttons without fields whose whole point is a state change (open or close a
period, approve, reopen, copy last period's answers, continue a quick win, delete an upload,
send reminders, log out, switch language) and forms without existing data (log in, new quick
win); their views have their own tests.

Every message checked is the page's own, in its language: a form that the browser refuses to
post (a required field checked by Chromium, which answers in its own language) is a failure.
Multi-line texts are stored with CRLF line ends, as browsers send them. The English runs switch
with the header's EN button, as a user does. Each page is loaded once per role and language; the
section page's save is shared by its per-answer tests (the first of a language in a worker
process loads and saves it, the others read the result).
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from evaluations import quickwins, roles
from evaluations.datasets import SPECS
from evaluations.excel.datasets import read_upload
from evaluations.models import (
    Agency,
    Answer,
    AnswerChange,
    AnswerOption,
    Assignment,
    DatasetUpload,
    Dimension,
    EvaluationPeriod,
    Evidence,
    Indicator,
    InstrumentChange,
    Notification,
    Question,
    QuickWin,
    QuickWinChange,
    QuickWinEvidence,
    Region,
    ReviewComment,
    RevisionReply,
    RoadSegment,
    ScoreBand,
    Submission,
    SubmissionEvent,
)
from pillars.models import SubDimension

from .browser import log_in
from .factories import (
    ROAD_ROW,
    assign,
    make_answer,
    make_operator,
    make_period,
    make_question,
    make_quick_win,
    make_submission,
    make_user,
    make_xlsx,
)
from .filling import upload

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
T = Question.AnswerType
LANGUAGES = ["id", "en"]
SECTION = "A-LIV"

# The section's questions: case name -> (code, answer type, stored values).
ANSWERS = {
    "level": ("A.1", T.LEVEL, {"score": 3}),
    "yes_no": ("A.2", T.YES_NO, {"bool_value": True}),
    "choice": ("A.3", T.CHOICE, {"option": "disahkan"}),
    "number_fraction": ("A.4", T.NUMBER, {"number_value": Decimal("1234.5")}),
    "number_large": ("A.5", T.NUMBER, {"number_value": Decimal("1250")}),
    "percent": ("A.6", T.PERCENT, {"number_value": Decimal("75.5")}),
    "text": ("A.7", T.TEXT, {"text_value": "Peningkatan jalan poros Sangatta–Bengalon.\nLanjutan 2024 <APBD>."}),
    "date": ("A.8", T.DATE, {"date_value": date(2023, 3, 15)}),
}
CODES = {code: case for case, (code, _type, _values) in ANSWERS.items()}


# --- what the database holds ----------------------------------------------------------------

# Written on every save by design; everything else must stay as it was.
IGNORED_FIELDS = {"updated_at", "last_login"}


def _row(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in IGNORED_FIELDS}


def snapshot():
    """Every row a form of this module could touch, keyed "<what> #<pk>"."""
    rows = {}
    for answer in Answer.objects.select_related("question"):
        rows[f"answer {answer.question.code} #{answer.pk}"] = _row(answer)
    for change in AnswerChange.objects.select_related("answer__question"):
        rows[f"answer change {change.answer.question.code} #{change.pk}"] = _row(change)
    for evidence in Evidence.objects.select_related("answer__question"):
        rows[f"evidence {evidence.answer.question.code} #{evidence.pk}"] = _row(evidence)
    for model in (
        Submission,
        SubmissionEvent,
        ReviewComment,
        RevisionReply,
        QuickWin,
        QuickWinChange,
        QuickWinEvidence,
        QuickWin.supporting_agencies.through,
        Notification,
        EvaluationPeriod,
        Dimension,
        Indicator,
        Question,
        AnswerOption,
        ScoreBand,
        Assignment,
        InstrumentChange,
        DatasetUpload,
        RoadSegment,
        User,
    ):
        for obj in model.objects.all():
            rows[f"{model._meta.model_name} #{obj.pk}"] = _row(obj)
    return rows


def changes(before, after):
    """What differs between two snapshots, one line per added or deleted row and changed field."""
    found = [f"{key} deleted" for key in before.keys() - after.keys()]
    found += [f"{key} added" for key in after.keys() - before.keys()]
    for key in before.keys() & after.keys():
        found += [
            f"{key}: {name} {old!r} -> {after[key][name]!r}"
            for name, old in before[key].items()
            if after[key][name] != old
        ]
    return sorted(found)


@dataclass
class Check:
    """The problems found while submitting one role's forms, reported together at the end."""

    problems: list = field(default_factory=list)

    def submit(self, page, form, button, message, intended=(), allowed=()):
        """Click `button` as a user does. The changes matching `intended` (regular expressions)
        must all happen, those matching `allowed` may; nothing else may change. The next page
        must say `message`, in the page's language (a browser that refuses to post the form
        answers in its own language instead: a problem)."""
        refused = button.evaluate(
            """b => b.form.noValidate ? [] :
                Array.from(b.form.elements).filter(e => !e.validity.valid).map(e => e.validationMessage)"""
        )
        if refused:
            self.problems.append(f"{form}: the browser refuses to post it and says {refused}, not {message!r}")
            return
        before = snapshot()
        with page.expect_navigation() as navigation:
            button.click()
        page.wait_for_load_state()
        status = navigation.value.status if navigation.value else None
        found = changes(before, snapshot())
        if status is None or status >= 500:
            self.problems.append(f"{form}: HTTP {status}")
        self.problems += [f"{form}: {c}" for c in found if not any(re.match(p, c) for p in (*intended, *allowed))]
        self.problems += [
            f"{form}: expected change {p!r} did not happen" for p in intended if not any(re.match(p, c) for c in found)
        ]
        if message not in page.locator("main").inner_text():
            self.problems.append(f"{form}: message {message!r} not shown (HTTP {status})")

    def submit_in_place(self, page, form, button, message, intended=(), allowed=()):
        """Like submit, for a form that htmx posts and whose answer replaces part of the page (the
        review page's answer cards): no navigation may happen, the message shows in place."""
        page.evaluate("window.__samePage = true")
        before = snapshot()
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            button.click()
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")
        status = response.value.status
        found = changes(before, snapshot())
        if status >= 500:
            self.problems.append(f"{form}: HTTP {status}")
        if not page.evaluate("window.__samePage === true"):
            self.problems.append(f"{form}: the page was reloaded")
        self.problems += [f"{form}: {c}" for c in found if not any(re.match(p, c) for p in (*intended, *allowed))]
        self.problems += [
            f"{form}: expected change {p!r} did not happen" for p in intended if not any(re.match(p, c) for c in found)
        ]
        if message not in page.locator("main").inner_text():
            self.problems.append(f"{form}: message {message!r} not shown (HTTP {status})")


# --- the people and their data ------------------------------------------------------------------


@dataclass
class World:
    period: EvaluationPeriod
    agency: Agency
    submission: Submission
    questions: dict
    proposal: QuickWin
    rejected: QuickWin
    established: QuickWin
    requested: QuickWin


def _answer(submission, question, operator, score=None, option=None, **values):
    if option is not None:
        values["option"] = question.options.get(value=option)
    explanation = f'Penjelasan {question.code}: lihat bukti dukung.\nRapat 12 & 19 Maret, "final" <TTD>.'
    answer = make_answer(submission, question, score=score, explanation=explanation, **values)
    answer.self_score = answer.derive_self_score()
    answer.updated_by = operator
    answer.save()
    return answer


def build_world(status=Submission.Status.DRAFT):
    """Dinas PU in an open period, its section A-LIV answered with one answer of every type and
    evidence, its quick wins (a proposal with every field, a rejected one, an established one) and its
    road data set; the operator, a coordinator, the admin and a leader."""
    agency = Agency.objects.get(abbreviation="Dinas PU")
    period = make_period(2031, name="Evaluasi Smart City 2031 Tahap I")
    assign(period, agency, "LIV")
    dimension = Dimension.objects.create(
        national_id=period.national_id, code="A", name="Kebijakan", weight=100, order=1
    )
    operator = make_operator(agency, "op_pu")
    make_user("koordinator", roles.COORDINATOR, first_name="Rina")
    make_user("admin", roles.ADMIN, is_staff=True)
    make_user("pimpinan", roles.LEADER)

    questions = {}
    for order, (case, (code, answer_type, _values)) in enumerate(ANSWERS.items(), start=1):
        questions[case] = make_question(
            period,
            code=code,
            answer_type=answer_type,
            dimension=dimension,
            pillar="LIV",
            order=order,
            text=f"Pertanyaan {code} ({answer_type})?",
            unit={"number_fraction": "km", "number_large": "orang"}.get(case, ""),
            evidence_required=case == "level",
        )
    choice = questions["choice"]
    for order, (value, label, score) in enumerate([("belum", "Belum ada", 0), ("rancangan", "Rancangan", 2)]):
        AnswerOption.objects.create(question=choice, value=value, label=label, score=score, order=order)
    AnswerOption.objects.create(question=choice, value="disahkan", label="Sudah disahkan", score=4, order=3)
    ScoreBand.objects.create(question=questions["number_fraction"], min_value=0, max_value=1000, score=2)
    ScoreBand.objects.create(question=questions["number_fraction"], min_value=1000, score=4)
    ScoreBand.objects.create(question=questions["percent"], min_value=0, max_value=50, score=1)
    ScoreBand.objects.create(question=questions["percent"], min_value=50, score=3)

    submission = make_submission(period, agency)
    answers = {
        case: _answer(submission, questions[case], operator, **values) for case, (_c, _t, values) in ANSWERS.items()
    }
    Evidence.objects.create(
        answer=answers["level"],
        title="Perbup 12/2023 tentang masterplan jalan",
        url="https://jdih.kutaitimurkab.go.id/perbup-12-2023",
        uploaded_by=operator,
    )
    minutes = Evidence(answer=answers["level"], title="Notulen rapat koordinasi", uploaded_by=operator)
    minutes.take(upload("notulen-rapat.pdf"))
    minutes.save()
    if status != Submission.Status.DRAFT:
        make_submission(period, agency, status=status)

    subdimension = SubDimension.objects.filter(pillar__code="LIV").order_by("pk")
    proposal = make_quick_win(
        period,
        agency,
        pillar="LIV",
        subdimension=subdimension[2],
        name="Polder Ilham Maulana",
        description="Kolam retensi untuk mengurangi banjir di Sangatta Utara.\nTahap 2: pintu air & pompa.",
        rpjmd_problem="Genangan dan banjir musiman di pusat kota.",
        start_year=2023,
        is_new=False,
        target_pct=Decimal("75.5"),
        achievement_pct=Decimal("40.25"),
        budget=Decimal("1250000000"),
        budget_source=QuickWin.BudgetSource.APBD,
        partners="BWS Kalimantan IV, PT Kaltim Prima Coal (CSR)",
        users_reached=12500,
        url="https://pu.kutaitimurkab.go.id/polder?tahun=2024&tahap=1",
        risks="Sedimentasi kolam.",
        mitigation="Pengerukan berkala tiap tahun.",
        sustainability_plan="Pemeliharaan dianggarkan di APBD murni.",
        assessor_notes="Lengkapi foto sebelum dan sesudah.",
        created_by=operator,
    )
    proposal.supporting_agencies.set(Agency.objects.filter(abbreviation__in=["Bappeda", "DLH"]))
    rejected = make_quick_win(
        period, agency, status=QuickWin.Status.REJECTED, pillar="LIV", name="Jalan mulus", status_note="Terlalu umum."
    )
    established = make_quick_win(period, agency, status=QuickWin.Status.ESTABLISHED, pillar="LIV", name="Smart PJU")
    requested = make_quick_win(period, agency, status=QuickWin.Status.RUNNING, pillar="LIV", name="Sangatta Terang")
    quickwins.request_completion(
        requested, operator, date(2031, 1, 20), "Semua titik menyala.\nBAST terlampir.", upload("bast.pdf"), "BAST"
    )

    road = make_xlsx([ROAD_ROW], kind="jalan", name="jalan-2031.xlsx")
    rows = read_upload(SPECS["jalan"], road, period=period, agency=agency)
    road.seek(0)
    DatasetUpload.accept(period, agency, "jalan", road, operator, rows)
    return World(period, agency, submission, questions, proposal, rejected, established, requested)


# --- in the browser -----------------------------------------------------------------------------


def sign_in(page, url, username, language):
    """Log in (the login page is Indonesian), then switch to English with the header's button."""
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling to #anchors between clicks
    log_in(page, url, username)
    if language == "en":
        with page.expect_navigation():
            page.locator(".lang-switch button[value=en]").click()
        page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", language)


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"


def say(language, indonesian, english):
    return indonesian if language == "id" else english


# --- the section form: one test per (language, answer) ----------------------------------------------


@dataclass
class SectionSave:
    shown: dict  # case -> what the server rendered in the value control and what the browser posts
    changes: dict  # case -> the changes found after the save


_section_saves = {}


def section_saved(request, language):
    """The section page rendered, shown and saved unchanged once per language (per process)."""
    if language not in _section_saves:
        site = request.getfixturevalue("site")
        page = request.getfixturevalue("browser_page")
        world = build_world()
        sign_in(page, site.url, "op_pu", language)
        open_page(page, f"{site.url}/opd/pengisian/{world.submission.pk}/bagian/{SECTION}/")
        shown = {}
        for case, question in world.questions.items():
            card = page.locator(f"#q-{question.pk}")
            shown[case] = card.locator(f"[name='q{question.pk}-value']").evaluate_all(
                """els => els.filter(e => e.type !== 'radio' || e.checked).map(e =>
                    `${e.tagName.toLowerCase()}[type=${e.type}] rendered ${JSON.stringify(
                        e.getAttribute('value') ?? e.textContent)}, browser value ${JSON.stringify(e.value)}`)"""
            )
        before = snapshot()
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            page.locator(".save-bar button[value=save]").click()
        page.wait_for_load_state()
        found = {case: [] for case in [*ANSWERS, "evidence", "submission"]}
        if posted.value.status != 302:  # refused: every answer of the page was sent back for nothing
            errors = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
            for problems in found.values():
                problems.append(f"the save was refused: HTTP {posted.value.status}, {errors}")
        for change in changes(before, snapshot()):
            words = change.split()
            if words[0] == "answer":
                code = words[2] if words[1] == "change" else words[1]
                found[CODES.get(code, "submission")].append(change)
            elif words[0] == "evidence":
                found["evidence"].append(change)
            else:
                found["submission"].append(change)
        _section_saves[language] = SectionSave(shown, found)
    return _section_saves[language]


SECTION_CASES = [(language, case) for language in LANGUAGES for case in [*ANSWERS, "evidence", "submission"]]


@pytest.mark.parametrize(("language", "case"), SECTION_CASES)
def test_the_section_form_saves_back_what_it_shows(request, language, case):
    saved = section_saved(request, language)
    assert not saved.changes[case], "\n".join([*saved.changes[case], f"shown: {saved.shown.get(case)}"])


# --- every other form, one test per role and language -------------------------------------------


def quick_win_edit(check, page, url, quick_win, language):
    open_page(page, f"{url}/quick-wins/{quick_win.pk}/ubah/")
    check.submit(
        page,
        f"quick-win edit ({quick_win.name})",
        page.locator("main form button[type=submit]:not([name=pilih_pilar])"),
        say(language, "Perubahan disimpan.", "Changes saved."),
    )


def quick_win_move(check, page, url, quick_win, form, action, message, notifies=False):
    """A decision or status form on the quick-win page: only the status, its note (replaced by
    the form's empty note) and one history row change (and a notice for each operator told)."""
    open_page(page, f"{url}/quick-wins/{quick_win.pk}/")
    check.submit(
        page,
        form,
        page.locator(f"form[action$='/{action}/'] button[type=submit]"),
        message,
        intended=[rf"quickwin #{quick_win.pk}: status ", r"quickwinchange #\d+ added"]
        + ([r"notification #\d+ added"] if notifies else []),
        allowed=[rf"quickwin #{quick_win.pk}: status_note "],
    )


def password_form(check, page, url, language):
    open_page(page, f"{url}/akun/kata-sandi/")
    check.submit(page, "password change", page.locator("main form button[type=submit]"), required(language))


def notification_forms(check, page, url, language, user):
    """Mark one notice read, then all of them: only the read time of the user's unread ones."""
    names = {"agency": "Dinas PU", "period": "Evaluasi Smart City 2031 Tahap I", "name": "Polder"}
    kinds = (Notification.Kind.RETURNED, Notification.Kind.QUICK_WIN_ESTABLISHED, Notification.Kind.APPROVED)
    mine = [
        Notification.objects.create(region=Region.objects.default(), recipient=user, kind=k, params=names, link="/opd/")
        for k in kinds
    ]
    open_page(page, f"{url}/notifikasi/")
    check.submit(
        page,
        "notification mark read",
        page.locator(f"form[action$='/notifikasi/{mine[0].pk}/baca/'] button:not([name=buka])"),
        say(language, "2 belum dibaca.", "2 unread."),
        intended=[rf"notification #{mine[0].pk}: read_at "],
    )
    check.submit(
        page,
        "notifications mark all read",
        page.locator("form[action$='/baca-semua/'] button"),
        say(language, "0 belum dibaca.", "0 unread."),
        intended=[rf"notification #{notice.pk}: read_at " for notice in mine[1:]],
    )


def required(language):
    return say(language, "Bidang ini tidak boleh kosong.", "This field is required.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_operators_forms_save_back_what_they_show(site, browser_page, language):
    world = build_world()
    page, url, check = browser_page, site.url, Check()
    sign_in(page, url, "op_pu", language)

    quick_win_edit(check, page, url, world.proposal, language)
    open_page(page, f"{url}/quick-wins/{world.proposal.pk}/")
    check.submit(
        page,
        "quick-win evidence upload without a file",
        page.locator("form[action$='/bukti/'] button[type=submit]"),
        required(language),
    )
    quick_win_move(
        check,
        page,
        url,
        world.rejected,
        "quick-win resubmit",
        "usulkan-ulang",
        say(language, "Quick win diusulkan kembali.", "Quick win proposed again."),
        notifies=True,  # the coordinators hear of it (issue 24)
    )
    quick_win_move(
        check,
        page,
        url,
        world.established,
        "quick-win status move",
        "status",
        say(language, "Status quick win diubah.", "Quick-win status changed."),
    )
    # Now running: the report of achievement and the completion request, sent as shown.
    open_page(page, f"{url}/quick-wins/{world.established.pk}/")
    check.submit(
        page,
        "quick-win report as shown",
        page.locator("form[action$='/laporan/'] button[type=submit]"),
        say(language, "Isi capaian dalam persen (0 sampai 100).", "Enter the achievement as a percentage (0 to 100)."),
    )
    open_page(page, f"{url}/quick-wins/{world.established.pk}/")
    check.submit(
        page,
        "quick-win completion request as shown",
        page.locator("form[action$='/ajukan-selesai/'] button[type=submit]"),
        say(language, "Pengajuan selesai belum dikirim", "The completion request was not sent"),
    )
    open_page(page, f"{url}/data/jalan/")
    check.submit(
        page,
        "data-set upload without a file",
        page.locator("form[action$='/unggah/'] button[type=submit]"),
        say(language, "Pilih berkas .xlsx yang akan diunggah.", "Choose the .xlsx file to upload."),
    )
    password_form(check, page, url, language)
    notification_forms(check, page, url, language, User.objects.get(username="op_pu"))
    open_page(page, f"{url}/opd/pengisian/{world.submission.pk}/kirim/")
    check.submit(
        page,
        "submit",
        page.locator("main form button[type=submit]"),
        say(language, "Pengisian terkirim untuk verifikasi.", "Submission sent for verification."),
        intended=[
            r"submission #\d+: status ",
            r"submission #\d+: submitted_at ",
            r"submissionevent #\d+ added",
            r"notification #\d+ added",
        ],
    )
    assert not check.problems, "\n".join(check.problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_returned_sections_reply_box_saves_back_nothing(site, browser_page, language):
    world = build_world(status=Submission.Status.RETURNED)
    choice = world.submission.answers.get(question=world.questions["choice"])
    choice.needs_revision, choice.revision_note = True, "Lampirkan SK yang sudah disahkan."
    choice.save()
    RevisionReply.objects.create(
        answer=choice, author=User.objects.get(username="op_pu"), body="SK sedang ditandatangani.\nMenyusul."
    )
    Submission.objects.filter(pk=world.submission.pk).update(returned_at=timezone.now() - timedelta(hours=1))
    page, url, check = browser_page, site.url, Check()
    sign_in(page, url, "op_pu", language)
    open_page(page, f"{url}/opd/pengisian/{world.submission.pk}/bagian/{SECTION}/")
    expect(page.locator(f"[name='q{choice.question_id}-reply']")).to_have_value("")
    check.submit(
        page,
        "section with a reply box",
        page.locator(".save-bar button[value=save]"),
        say(language, "Tidak ada perubahan untuk disimpan.", "There were no changes to save."),
    )
    assert not check.problems, "\n".join(check.problems)


def review_score_form(check, page, question, answer, language):
    code = question.code
    card = page.locator(f"#jawaban-{answer.pk}")
    field = card.locator(f"[name='score-{answer.pk}-verified_score']")
    if not field.count():
        # Unscored (text, date, a number without score bands): no score field at all.
        if answer.self_score is not None:
            check.problems.append(f"verified score {code}: no score field for a scored answer")
        return
    shown = field.input_value()
    if answer.verified_score is not None:
        message = say(
            language, f"Skor verifikasi {code} tidak berubah.", f"The verified score of {code} did not change."
        )
    else:
        # Not verified yet: the field is empty (never the agency's score posing as verified), so
        # saving it unchanged is refused in the page's language and changes nothing.
        if shown:
            check.problems.append(f"verified score {code}: an unverified answer shows {shown!r}")
        message = say(language, "Isi skor verifikasi (0 sampai 4).", "Enter the verified score (0 to 4).")
    check.submit_in_place(
        page, f"verified score {code} (shown {shown!r})", card.locator("form[action*='/skor/'] button").first, message
    )


def review_revision_form(check, page, question, answer, language):
    code = question.code
    if answer.needs_revision:
        message = say(language, f"{code} ditandai perlu perbaikan.", f"{code} marked as needing revision.")
    else:
        message = say(language, f"Tanda perbaikan {code} dihapus.", f"Revision mark on {code} removed.")
    card = page.locator(f"#jawaban-{answer.pk}")
    check.submit_in_place(page, f"revision mark {code}", card.locator("form[action*='/perbaikan/'] button"), message)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coordinators_forms_save_back_what_they_show(site, browser_page, language):
    world = build_world(status=Submission.Status.SUBMITTED)
    answers = {a.question_id: a for a in world.submission.answers.all()}
    level = answers[world.questions["level"].pk]
    level.verified_score = Decimal("2.5")
    level.save()
    choice = answers[world.questions["choice"].pk]
    choice.needs_revision, choice.revision_note = True, "Lampirkan SK yang sudah disahkan.\nBukan rancangan."
    choice.save()
    coordinator = User.objects.get(username="koordinator")
    choice.add_comment(coordinator, "Mohon cek tanggal SK.", ReviewComment.Visibility.AGENCY)
    choice.add_comment(coordinator, "Catatan internal.", ReviewComment.Visibility.INTERNAL)
    page, url, check = browser_page, site.url, Check()
    sign_in(page, url, "koordinator", language)

    open_page(page, f"{url}/koordinator/pengisian/{world.submission.pk}/?bagian=A-LIV")
    for question in world.questions.values():
        review_score_form(check, page, question, answers[question.pk], language)
    # The revision form does not depend on the answer's type: one marked answer, one not.
    for question in (world.questions["choice"], world.questions["level"]):
        review_revision_form(check, page, question, answers[question.pk], language)
    card = page.locator(f"#jawaban-{level.pk}")
    card.locator("details summary").click()  # the comment form loads on demand
    card.locator("form[action*='/komentar/'] button").wait_for()
    check.submit_in_place(
        page,
        "empty comment",
        card.locator("form[action*='/komentar/'] button"),
        say(language, "Tulis komentarnya terlebih dahulu.", "Write the comment first."),
    )
    card = page.locator(f"#jawaban-{level.pk}")
    card.locator(f"[name='comment-{level.pk}-body']").fill("Skor diturunkan: SK belum ditandatangani.")
    card.locator(f"[name='comment-{level.pk}-visibility'][value=agency]").check()  # no default (issue 24)
    check.submit_in_place(
        page,
        "comment",
        card.locator("form[action*='/komentar/'] button"),
        say(language, "Komentar disimpan dan terlihat oleh perangkat daerah.", "Comment saved; the agency can see it."),
        intended=[r"reviewcomment #\d+ added"],
    )
    check.submit(
        page,
        "approve while marked",
        page.locator("form[action*='/setujui/'] button"),
        say(language, "masih bertanda Perlu perbaikan (A.3)", "still marked Needs revision (A.3)"),
    )
    page.locator("form[action*='/kembalikan/'] [name=confirm]").check()  # the confirmation (issue 24)
    check.submit(
        page,
        "return note",
        page.locator("form[action*='/kembalikan/'] button"),
        say(language, "Pengisian Dinas PU dikembalikan", "The submission of Dinas PU was returned"),
        intended=[
            r"submission #\d+: status ",
            r"submission #\d+: returned_at ",
            r"submissionevent #\d+ added",
            r"notification #\d+ added",
        ],
    )

    quick_win_edit(check, page, url, world.proposal, language)
    open_page(page, f"{url}/quick-wins/{world.proposal.pk}/")
    check.submit(
        page,
        "quick-win rejection without a reason",
        page.locator("form[action$='/tolak/'] button"),
        say(language, "Periksa isian: ", "Check the form: ") + required(language),
    )
    quick_win_move(
        check,
        page,
        url,
        world.proposal,
        "quick-win decision",
        "tetapkan",
        say(language, "Quick win ditetapkan.", "Quick win adopted."),
        notifies=True,
    )
    quick_win_move(
        check,
        page,
        url,
        world.established,
        "quick-win status move",
        "status",
        say(language, "Status quick win diubah.", "Quick-win status changed."),
    )
    open_page(page, f"{url}/quick-wins/{world.requested.pk}/")
    check.submit(
        page,
        "quick-win completion declined without a reason",
        page.locator("form[action$='/tolak-selesai/'] button"),
        say(language, "Periksa isian: ", "Check the form: ") + required(language),
    )
    open_page(page, f"{url}/quick-wins/{world.requested.pk}/")
    check.submit(
        page,
        "quick-win completion confirmed",
        page.locator("form[action$='/selesai/']:not([action$='/tolak-selesai/']) button"),
        say(language, "Quick win ditandai selesai.", "Quick win marked as completed."),
        intended=[
            rf"quickwin #{world.requested.pk}: status ",
            rf"quickwin #{world.requested.pk}: completion_requested_at ",
            r"quickwinchange #\d+ added",
            r"notification #\d+ added",  # the agency hears of it (issue 24)
        ],
        allowed=[rf"quickwin #{world.requested.pk}: status_note "],
    )
    password_form(check, page, url, language)
    assert not check.problems, "\n".join(check.problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admins_forms_save_back_what_they_show(site, browser_page, language, tmp_path, immediate_jobs):
    world = build_world()
    page, url, check = browser_page, site.url, Check()
    sign_in(page, url, "admin", language)

    open_page(page, f"{url}/kelola/periode/{world.period.pk}/")
    check.submit(
        page,
        "period deadline",
        page.locator("form[action$='/batas-akhir/'] button"),
        say(
            language, "Batas akhir Evaluasi Smart City 2031 Tahap I diubah", "The deadline of Evaluasi Smart City 2031"
        ),
    )
    # The grid with a pillar and a single question assigned, saved unchanged: nothing is written.
    Assignment.objects.create(
        period=world.period, agency=Agency.objects.get(abbreviation="Bappeda"), question=world.questions["yes_no"]
    )
    open_page(page, f"{url}/kelola/periode/{world.period.pk}/penugasan/")
    check.submit(
        page,
        "assignments grid",
        page.locator("form.assignment-grid button[type=submit]"),
        say(language, "Tidak ada perubahan penugasan.", "No assignment changed."),
    )
    open_page(page, f"{url}/kelola/periode/{world.period.pk}/penugasan/")
    check.submit(
        page,
        "bulk assignment",
        page.locator("form.assignment-bulk button[type=submit]"),
        say(language, "ditugaskan ke Smart Governance.", "assigned to Smart Governance."),
        intended=[r"assignment #\d+ added", r"evaluationperiod #\d+: assignments_version 0 -> 1"],
    )
    # The new period form as suggested: a copy of the latest period, in the next stage.
    open_page(page, f"{url}/kelola/periode/baru/")
    check.submit(
        page,
        "new period",
        page.locator("form.period-create button[type=submit]"),
        say(
            language,
            "Periode Evaluasi Smart City 2031 Tahap II dibuat sebagai salinan Evaluasi Smart City 2031 Tahap I",
            "Period Evaluasi Smart City 2031 Tahap II created as a copy of Evaluasi Smart City 2031 Tahap I",
        ),
        intended=[r"evaluationperiod #\d+ added", r"dimension #\d+ added", r"question #\d+ added"],
        allowed=[r"(indicator|assignment|answeroption|scoreband) #\d+ added"],
    )
    copy = EvaluationPeriod.objects.get(year=2031, stage="2")
    assert Question.objects.for_period(copy).count() == Question.objects.for_period(world.period).count()
    assert copy.assignments.count() == world.period.assignments.count()
    open_page(page, f"{url}/kelola/instrumen/")
    check.submit(page, "instrument import without a file", page.locator("main form button"), required(language))
    open_page(page, f"{url}/kelola/instrumen/")
    with page.expect_download() as download:
        page.locator(f"a[href='/kelola/instrumen/{world.period.pk}/unduh/']").click()
    exported = tmp_path / f"instrumen-{language}.xlsx"
    download.value.save_as(exported)
    page.select_option("select[name=period]", str(world.period.pk))
    page.set_input_files("input[name=file]", str(exported))
    page.uncheck("input[name=dry_run]")
    check.submit(
        page,
        "instrument file imported back unchanged",
        page.locator("main form button"),
        say(language, "Tidak ada perubahan: berkas sama dengan instrumen", "No changes: the file is the same as"),
    )
    password_form(check, page, url, language)
    assert not check.problems, "\n".join(check.problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leaders_password_form_sent_empty_changes_nothing(site, browser_page, language):
    build_world()
    page, check = browser_page, Check()
    sign_in(page, site.url, "pimpinan", language)
    password_form(check, page, site.url, language)
    assert not check.problems, "\n".join(check.problems)
