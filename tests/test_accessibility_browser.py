"""Accessibility in a real browser (issue 17, point 5).

axe-core (from npm, read from node_modules) checks every page of every role against the WCAG 2.1 A
and AA rules, on a desktop and on a phone; one test per role and viewport logs in once and reports
each page as its own subtest, so a failure names the page, the role and the viewport. Then a
keyboard-only pass over a section page, and the section's "Kirim untuk verifikasi" link on a phone.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from evaluations import quickwins, roles
from evaluations.excel.instrument_export import write_instrument
from evaluations.models import (
    Agency,
    Answer,
    AnswerChange,
    AnswerOption,
    Dimension,
    EvaluationPeriod,
    Evidence,
    Indicator,
    InstrumentChange,
    Job,
    Notification,
    Question,
    QuickWin,
    QuickWinChange,
    Region,
    ReviewComment,
    RevisionReply,
    Submission,
)

from .browser import PHONE, log_in, screenshot
from .factories import (
    make_answer,
    make_operator,
    make_period,
    make_question,
    make_quick_win,
    make_reviewer,
    make_submission,
    make_user,
    open_period,
    plan_review,
    upload_all_datasets,
)
from .filling import upload

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}
SECTION = "A-GOV"  # Diskominfo's first section; the world below gives it a question of every type
T = Question.AnswerType

# The pages each role works with: (name, path built from the world).
PAGES = {
    "anonymous": [
        ("login", lambda w: "/akun/masuk/"),
    ],
    "operator": [
        ("home", lambda w: "/"),
        ("questionnaire", lambda w: "/opd/"),
        ("submission", lambda w: f"/opd/pengisian/{w.submission.pk}/"),
        ("section", lambda w: f"/opd/pengisian/{w.submission.pk}/bagian/{SECTION}/"),
        ("submit", lambda w: f"/opd/pengisian/{w.submission.pk}/kirim/"),
        ("quick-wins", lambda w: "/quick-wins/"),
        ("quick-win", lambda w: f"/quick-wins/{w.proposal.pk}/"),
        ("quick-win-new", lambda w: "/quick-wins/baru/"),
        ("quick-win-edit", lambda w: f"/quick-wins/{w.proposal.pk}/ubah/"),
        ("quick-win-running", lambda w: f"/quick-wins/{w.running.pk}/"),
        ("quick-win-evidence-remove", lambda w: f"/quick-wins/bukti/{w.running_evidence.pk}/hapus/"),
        ("quick-win-continuation", lambda w: "/quick-wins/lanjutan/"),
        ("datasets", lambda w: "/data/"),
        ("roads", lambda w: "/data/jalan/"),
        ("password", lambda w: "/akun/kata-sandi/"),
        ("notifications", lambda w: "/notifikasi/"),
    ],
    "coordinator": [
        ("home", lambda w: "/"),
        ("dashboard", lambda w: "/koordinator/"),
        ("review", lambda w: f"/koordinator/pengisian/{w.reviewed.pk}/"),
        ("results", lambda w: "/hasil/"),
        ("report-notes", lambda w: f"/hasil/{w.period.pk}/catatan/"),
        ("quick-wins", lambda w: "/quick-wins/"),
        ("quick-win", lambda w: f"/quick-wins/{w.proposal.pk}/"),
        ("quick-win-coverage", lambda w: "/quick-wins/cakupan/"),
        ("quick-win-continuation", lambda w: "/quick-wins/lanjutan/"),
        ("quick-win-completion-request", lambda w: f"/quick-wins/{w.requested.pk}/"),
        ("roads", lambda w: "/data/jalan/"),
        ("notifications", lambda w: "/notifikasi/"),
        ("job", lambda w: f"/pekerjaan/{w.job.pk}/"),
        ("review-queue", lambda w: "/koordinator/antrean/"),
    ],
    "admin": [
        ("periods", lambda w: "/kelola/periode/"),
        ("period", lambda w: f"/kelola/periode/{w.period.pk}/"),
        ("period-closed", lambda w: f"/kelola/periode/{w.previous.pk}/"),
        ("period-new", lambda w: "/kelola/periode/baru/"),
        ("assignments", lambda w: f"/kelola/periode/{w.period.pk}/penugasan/"),
        ("assignments-badan", lambda w: f"/kelola/periode/{w.period.pk}/penugasan/?jenis=badan"),
        ("review-plan", lambda w: f"/kelola/periode/{w.period.pk}/peninjau/"),
        ("instrument", lambda w: "/kelola/instrumen/"),
    ],
    "reviewer": [
        ("review-queue", lambda w: "/koordinator/antrean/"),
        ("review", lambda w: f"/koordinator/pengisian/{w.reviewed.pk}/"),
    ],
    "leader": [
        ("home", lambda w: "/"),
        ("dashboard", lambda w: "/koordinator/"),
        ("review", lambda w: f"/koordinator/pengisian/{w.reviewed.pk}/"),
        ("results", lambda w: "/hasil/"),
        ("report-notes", lambda w: f"/hasil/{w.period.pk}/catatan/"),
        ("pillars", lambda w: "/pilar/"),
        ("pillar", lambda w: "/pilar/GOV/"),
    ],
}
USERS = {
    "anonymous": None,
    "operator": "op_diskominfo",
    "coordinator": "koordinator",
    "admin": "admin",
    "leader": "pimpinan",
    "reviewer": "peninjau_pu",
}


@pytest.fixture(scope="module")
def world(module_db):
    """The shipped 2024 Tahap I period, open, with something on every page: Diskominfo's returned
    submission whose first section holds an answer of every type (with evidence, a revision mark, a
    comment, one carried forward and one left open); Bappeda's submitted one with verified scores,
    comments and history; Dinas PU's approved one; quick wins in several states; road data rows.
    Built once for the module: what a test changes is put back after it (see browser.site)."""
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    previous = make_period(
        year=2023, stage="2", name="Evaluasi Smart City 2023 Tahap II", status=EvaluationPeriod.Status.CLOSED
    )
    previous.opens, previous.closes = period.opens - timedelta(days=365), period.closes - timedelta(days=365)
    previous.save(update_fields=["opens", "closes"])
    diskominfo = Agency.objects.get(abbreviation="Diskominfo Staper")
    bappeda = Agency.objects.get(abbreviation="Bappeda")
    pu = Agency.objects.get(abbreviation="Dinas PU")
    operator = make_operator(diskominfo, "op_diskominfo")
    make_operator(bappeda, "op_bappeda")
    make_operator(pu, "op_pu")
    coordinator = make_user("koordinator", roles.COORDINATOR, first_name="Rina", last_name="Koordinator")
    make_user("admin", roles.ADMIN, is_staff=True, first_name="Admin")
    make_user("pimpinan", roles.LEADER, first_name="Sekda")

    # Section A-GOV ships with level, yes/no and date questions; add the other types to it.
    dimension = Dimension.objects.get(national_id=period.national_id, code="A")
    indicator = Indicator.objects.create(dimension=dimension, code="A.9", name="Indikator uji aksesibilitas", order=9)
    extra = {
        answer_type: make_question(period, code=f"A.9.{n}", answer_type=answer_type, indicator=indicator, unit=unit)
        for n, (answer_type, unit) in enumerate(
            [(T.CHOICE, ""), (T.NUMBER, "aplikasi"), (T.PERCENT, ""), (T.TEXT, "")], start=1
        )
    }
    AnswerOption.objects.bulk_create(
        AnswerOption(question=extra[T.CHOICE], value=v, label=label, score=Decimal(s), order=s)
        for s, (v, label) in enumerate([("a", "Belum ada"), ("b", "Sebagian OPD"), ("c", "Seluruh OPD")])
    )

    submission = make_submission(period, diskominfo, Submission.Status.RETURNED, review_note="Lengkapi bukti.")
    questions = list(
        Question.objects.filter(indicator__dimension=dimension, pillar__code="GOV").order_by(
            "indicator__order", "order"
        )
    )
    for question in questions[1:]:  # the first one stays unanswered
        value = {
            T.LEVEL: {"score": 2},
            T.CHOICE: {"score": 1},
            T.YES_NO: {"bool_value": True},
            T.NUMBER: {"number_value": Decimal("12")},
            T.PERCENT: {"number_value": Decimal("72.5")},
            T.TEXT: {"text_value": "Portal Satu Data berjalan sejak 2022."},
            T.DATE: {"date_value": timezone.localdate() - timedelta(days=30)},
        }[question.answer_type]
        make_answer(
            submission, question, explanation="Sudah berjalan, lihat bukti dukung.", updated_by=operator, **value
        )
    answers = list(submission.answers.select_related("question").order_by("pk"))
    assert {answer.question.answer_type for answer in answers} == set(T)
    Evidence.objects.create(answer=answers[0], title="Perbup Masterplan", url="https://kutaitimurkab.go.id/perbup")
    answers[0].needs_revision, answers[0].revision_note = True, "Lampirkan Perbup yang sudah ditandatangani."
    answers[0].save()
    ReviewComment.objects.create(answer=answers[0], author=coordinator, body="Level 3 belum didukung dokumen.")
    RevisionReply.objects.create(answer=answers[0], author=operator, body="Perbup sedang ditandatangani.")
    answers[1].carried_forward = True
    answers[1].save()

    # Bappeda: submitted, every GOV question answered; the coordinator has started reviewing.
    reviewed = make_submission(period, bappeda)
    for question in Question.objects.filter(indicator__dimension__national_id=period.national_id, pillar__code="GOV"):
        make_answer(reviewed, question, score=3 if question.uses_options else None, explanation="Lihat dokumen.")
    reviewed.status, reviewed.submitted_at = Submission.Status.SUBMITTED, timezone.now()
    reviewed.save()
    first = reviewed.answers.order_by("pk").first()
    first.set_verified_score(coordinator, Decimal("2.5"), note="Belum ada SK.")
    first.add_comment(coordinator, "Perlu SK penetapan.", ReviewComment.Visibility.AGENCY)
    first.add_comment(coordinator, "Cek ulang dengan Bappeda.", ReviewComment.Visibility.INTERNAL)
    AnswerChange.objects.create(answer=first, changed_by=operator, field="value", old_value="2", new_value="3")
    # An open revision mark with the agency's reply, and answers without a verified score: the
    # approve form lists the mark and asks to confirm the self scores.
    first.mark_for_revision(coordinator, True, "Lampirkan SK penetapan.")
    RevisionReply.objects.create(answer=first, author=operator, body="SK menyusul minggu depan.")

    # Dinas PU: approved; its answers count in the official index.
    approved = make_submission(period, pu, Submission.Status.APPROVED, submitted_at=timezone.now())
    for question in Question.objects.filter(indicator__dimension__national_id=period.national_id, pillar__code="LIV"):
        make_answer(approved, question, score=4 if question.uses_options else None, verified=3)

    proposal = make_quick_win(
        period,
        diskominfo,
        name="Portal Satu Data",
        description="Satu portal data.",
        target_pct=100,
        created_by=operator,
    )
    proposal.supporting_agencies.set([bappeda])
    proposal.record(operator, QuickWinChange.Kind.CREATED)
    make_quick_win(period, bappeda, status=QuickWin.Status.ESTABLISHED, name="E-Planning", achievement_pct=60)
    make_quick_win(period, pu, status=QuickWin.Status.REJECTED, pillar="LIV", name="Polder", status_note="Lengkapi.")
    make_quick_win(previous, diskominfo, status=QuickWin.Status.ESTABLISHED, name="PBB Online")
    # Quick wins carried to the end: one running with a report and its file, one whose agency
    # asked for completion, one completed (badge in the list and coverage).
    running = make_quick_win(period, diskominfo, status=QuickWin.Status.RUNNING, pillar="SOC", name="Cap Jempol")
    quickwins.report(
        running, operator, 40, timezone.localdate(), "Sosialisasi di 3 kecamatan.", upload("foto.pdf"), "Foto"
    )
    running_evidence = running.evidence.get()
    requested = make_quick_win(period, diskominfo, status=QuickWin.Status.RUNNING, pillar="ENV", name="Bank Sampah")
    quickwins.request_completion(
        requested, operator, timezone.localdate(), "Selesai.", upload("akhir.pdf"), "Laporan akhir"
    )
    make_quick_win(
        period, bappeda, status=QuickWin.Status.COMPLETED, pillar="ECO", name="E-SPTPD", completed_on=period.opens
    )

    # Notices, read and unread, one with the coordinator's note.
    names = {"agency": diskominfo.name, "period": period.name, "name": proposal.name}
    Notification.objects.create(
        region=Region.objects.default(),
        recipient=operator,
        kind=Notification.Kind.RETURNED,
        params=names,
        note="Lengkapi bukti.",
        link="/opd/",
    )
    Notification.objects.create(
        region=Region.objects.default(),
        recipient=operator,
        kind=Notification.Kind.QUICK_WIN_ESTABLISHED,
        params=names,
        link="/quick-wins/",
        read_at=timezone.now(),
    )
    Notification.objects.create(
        region=Region.objects.default(),
        recipient=coordinator,
        kind=Notification.Kind.SUBMITTED,
        params=names,
        link=f"/koordinator/pengisian/{reviewed.pk}/",
    )

    upload_all_datasets(period, diskominfo, copies=3)
    # Finished, so the page holds still for axe (a running job's page refreshes itself).
    job = Job.objects.create(
        kind=Job.Kind.WORKBOOK,
        key="a11y",
        period=period,
        requested_by=coordinator,
        state=Job.State.DONE,
        file=SimpleUploadedFile("evaluasi.xlsx", b"PK"),
    )
    # The review plan: Dinas PU's reviewer and the coordinator (secondary, so that the coordinator's
    # review page keeps its forms) review GOV; the reviewer's pages below.
    plan_review(period, make_reviewer(pu, "peninjau_pu", first_name="Peninjau"), "GOV")
    plan_review(period, coordinator, "GOV", role="secondary")
    return SimpleNamespace(
        period=period,
        previous=previous,
        submission=submission,
        reviewed=reviewed,
        proposal=proposal,
        running=running,
        running_evidence=running_evidence,
        requested=requested,
        job=job,
    )


def run_axe(page):
    """axe-core's WCAG 2.1 A/AA violations on the page as loaded (one line per element)."""
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


# Boxes that scroll sideways and are not a focusable, named region (axe flags them only when they
# hold nothing focusable; a keyboard user needs the region either way), and whether the page itself
# is wider than the window.
SCROLL_BOXES = """
() => {
  const boxes = Array.from(document.querySelectorAll('main *')).filter(el =>
    el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX));
  const named = el => el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') || '')
    .split(' ').some(id => (document.getElementById(id) || {}).textContent);
  const bad = boxes.filter(el => !(el.tabIndex === 0 && el.getAttribute('role') === 'region' && named(el)));
  const wide = document.documentElement.scrollWidth > window.innerWidth;
  return bad.map(el => el.outerHTML.slice(0, 120)).concat(wide ? ['the page scrolls sideways'] : []);
}
"""


def open_phone_menu(page):
    """On a phone the navbar's links sit in a collapsed menu: open it so that axe sees them too."""
    toggler = page.get_by_role("button", name="Buka menu")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#main-nav.show")).to_be_visible()


@pytest.fixture
def axe_context(chromium_browser):
    """A browser context per viewport with axe-core injected into every page it loads (an init
    script runs before the page's own scripts and is not subject to the page's CSP). Reduced
    motion makes the phone menu open without its animation."""
    contexts = []

    def new(viewport):
        context = chromium_browser.new_context(locale="id-ID", reduced_motion="reduce", **VIEWPORTS[viewport])
        context.add_init_script(path=str(AXE))
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


def instrument_with_a_refused_change(period, target):
    """The period's instrument file with one answered question's text changed and another
    answered question removed: a dry run then shows a difference and a refusal."""
    write_instrument(period, target)
    book = openpyxl.load_workbook(target)
    sheet = book["pertanyaan"]
    answered = set(Answer.objects.filter(submission__period=period).values_list("question__code", flat=True))
    rows = [row for row in sheet.iter_rows(min_row=2) if row[0].value in answered]
    rows[0][2].value = "Teks pertanyaan yang diperbaiki"
    sheet.delete_rows(rows[1][0].row)
    book.save(target)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_instrument_dry_run_with_differences_refusals_and_history_has_no_violations(
    site, world, axe_context, viewport, tmp_path, immediate_jobs
):
    InstrumentChange.objects.create(
        national_id=world.period.national_id,
        headline="0 ditambahkan, 1 diubah, 0 dihapus",
        summary="Pertanyaan A.1.1: Diubah\n  Teks: lama → baru",
        file_name="instrumen.xlsx",
    )
    upload = tmp_path / "instrumen.xlsx"
    instrument_with_a_refused_change(world.period, upload)
    page = axe_context(viewport).new_page()
    log_in(page, site.url, "admin")
    page.goto(f"{site.url}/kelola/instrumen/")
    page.select_option("select[name=period]", str(world.period.pk))
    page.set_input_files("input[name=file]", str(upload))
    with page.expect_navigation():
        page.locator("main form button").click()
    expect(page.locator("main")).to_contain_text("Pertanyaan yang menghalangi perubahan")
    expect(page.locator("main")).to_contain_text("Teks pertanyaan yang diperbaiki")
    page.locator("#instrument-rule summary").click()
    page.locator(".instrument-history summary").first.click()
    violations = run_axe(page) + [f"scroll box: {box}" for box in page.evaluate(SCROLL_BOXES)]
    if violations:
        screenshot(page, f"a11y-instrument-dry-run-{viewport}")
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_of_the_role_has_no_wcag_21_aa_violations(site, world, axe_context, subtests, role, viewport):
    assert AXE.exists(), "axe-core is missing: run `npm ci`"
    page = axe_context(viewport).new_page()
    if USERS[role]:
        log_in(page, site.url, USERS[role])
    for name, path in PAGES[role]:
        url = path(world)
        with subtests.test(msg=f"{name} as {role} on {viewport}", url=url):
            response = page.goto(f"{site.url}{url}")
            assert response.status == 200, f"{url} answered {response.status}"
            if viewport == "phone":
                open_phone_menu(page)
            violations = run_axe(page) + [f"scroll box: {box}" for box in page.evaluate(SCROLL_BOXES)]
            if violations:
                screenshot(page, f"a11y-{role}-{viewport}-{name}")
            assert not violations, f"{name} ({url}) as {role} on {viewport}:\n" + "\n".join(violations)


# Computed style of the element that has focus, and whether it differs visibly from its unfocused
# look: an outline or box shadow whose colour contrasts at least 3:1 with what is behind it.
FOCUS_PROBE = """
() => {
  const el = document.activeElement;
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (fg, bg) => fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  const lum = rgb => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let bg = [255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c[3] > 0) { bg = over(c, [255, 255, 255]); break; }
  }
  const cs = getComputedStyle(el);
  const look = `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} | ${cs.boxShadow}`;
  const unfocused = window.__unfocused.get(el);
  let contrast = 0;
  if (cs.outlineStyle === 'auto') {
    contrast = 21;  // Chromium's own ring: two tones, drawn to show on any background
  } else if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) {
    contrast = ratio(over(parse(cs.outlineColor), bg), bg);
  }
  if (cs.boxShadow !== 'none') {
    const shadow = parse(cs.boxShadow);
    if (shadow) contrast = Math.max(contrast, ratio(over(shadow, bg), bg));
  }
  const label = (el.matches('a, button, summary') ? el.textContent : el.name || el.id).trim().slice(0, 40);
  return {
    key: el.type === 'radio' ? `radio:${el.name}` : `control:${window.__controls.indexOf(el)}`,
    what: `<${el.tagName.toLowerCase()}${el.type ? ' type=' + el.type : ''}> ${label}`,
    changed: unfocused !== undefined && unfocused !== look,
    contrast: contrast,
    look: look,
  };
}
"""

# Every control of the section form a keyboard user must reach (one stop per radio group), and the
# unfocused look of everything focusable, before the first Tab.
FOCUS_SETUP = """
() => {
  const look = el => { const cs = getComputedStyle(el);
    return `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} | ${cs.boxShadow}`; };
  window.__unfocused = new Map();
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')) {
    window.__unfocused.set(el, look(el));
  }
  window.__controls = Array.from(document.querySelectorAll('form.section-form :is(input, select, textarea, button)'))
    .filter(el => el.type !== 'hidden' && el.tabIndex >= 0 && !el.disabled && el.checkVisibility());
  return Array.from(new Set(window.__controls.map(el =>
    el.type === 'radio' ? `radio:${el.name}` : `control:${window.__controls.indexOf(el)}`)));
}
"""


def test_the_keyboard_alone_reaches_every_control_of_a_section_with_a_visible_focus_ring(site, world, browser_page):
    page = browser_page
    page.emulate_media(reduced_motion="reduce")  # Bootstrap then draws its focus glow at once
    log_in(page, site.url, "op_diskominfo")
    page.goto(f"{site.url}/opd/pengisian/{world.submission.pk}/bagian/{SECTION}/")
    expected = set(page.evaluate(FOCUS_SETUP))
    assert len(expected) > 10

    reached, invisible, names = set(), [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_PROBE)
        if names and (focused["what"] == names[0] or focused["what"].startswith("<body>")):
            break  # once round the page
        if focused["what"] != (names or [None])[-1]:  # a date field takes a Tab per part
            names.append(focused["what"])
        reached.add(focused["key"])
        if not (focused["changed"] and focused["contrast"] >= 3):
            invisible.append(f"{focused['what']}: {focused['look']} (contrast {focused['contrast']:.2f})")
    missing = expected - reached
    assert not missing, f"not reachable by Tab: {missing}; reached in order: {names}"
    assert any("Simpan draf" in n for n in names) and any("Simpan & lanjut" in n for n in names)
    assert not invisible, "focus not visible on:\n" + "\n".join(invisible)


def test_on_a_phone_the_section_action_bar_offers_the_submit_link(site, world, phone_page):
    page = phone_page
    log_in(page, site.url, "op_diskominfo")
    page.goto(f"{site.url}/opd/pengisian/{world.submission.pk}/bagian/{SECTION}/")
    link = page.locator(".save-bar").get_by_role("link", name="Kirim untuk verifikasi…")
    expect(link).to_be_visible()
    screenshot(page, "a11y-section-phone-action-bar")
    with page.expect_navigation():
        link.click()
    assert page.url == f"{site.url}/opd/pengisian/{world.submission.pk}/kirim/"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
