"""The Django admin (evaluations/admin.py): statuses, scores and audit rows cannot be changed there
(transitions only through the app's pages), and every change to the configuration it does allow
(periods, dimensions, indicators, questions, options, assignments, agency members) leaves a
history with old and new values.

Forms are posted the way a browser would: the change page is read and its fields posted back
with the changes a person would make (admin_form)."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from evaluations import quickwins
from evaluations.models import (
    AdminChange,
    AgencyMember,
    AnswerChange,
    Assignment,
    Dimension,
    Question,
    QuickWin,
    QuickWinChange,
    Submission,
    SubmissionEvent,
)
from pillars.models import Pillar

from .factories import make_answer, make_quick_win, make_submission, make_user

pytestmark = pytest.mark.django_db
S = Submission.Status


class _FormFields(HTMLParser):
    """The name/value pairs a browser posts from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.pairs = []
        self._in_form = False
        self._select = None  # [name, multiple, options, selected]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
                return
            self.pairs.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = [name, "multiple" in attrs, [], []]
        elif tag == "option" and self._select is not None:
            self._select[2].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select[3].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            if not selected and not multiple and options:
                selected = options[:1]
            self.pairs.extend((name, value) for value in selected)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def admin_form(client, url):
    """The change form at `url` as a browser would post it back: {name: [values]}."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return data


def post_changed(client, url, **changes):
    data = admin_form(client, url)
    data.update({name: [value] for name, value in changes.items()})
    return client.post(url, data)


@pytest.fixture
def submitted(period, agency_a):
    return make_submission(period, agency_a, status=S.SUBMITTED)


@pytest.fixture
def answer(submitted):
    question = Question.objects.for_period(submitted.period).filter(answer_type="level").first()
    return make_answer(submitted, question, score=3, verified=Decimal(3))


def url(obj, action="change"):
    return f"/admin/evaluations/{obj._meta.model_name}/{obj.pk}/{action}/"


# --- statuses, scores and audit rows: not through the admin -----------------------------------
def test_the_admin_cannot_change_a_submissions_status_or_reopen_it(as_admin, submitted):
    post_changed(
        as_admin,
        url(submitted),
        status=S.APPROVED,
        reopened="on",
        approved_at_0="2024-06-01",
        approved_at_1="10:00:00",
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reopened, submitted.approved_at) == (S.SUBMITTED, False, None)
    assert not SubmissionEvent.objects.exists()


def test_the_admin_cannot_change_an_answers_scores_or_value(as_admin, answer):
    response = post_changed(as_admin, url(answer), verified_score="1", self_score="0", text_value="Diubah")
    answer.refresh_from_db()
    assert response.status_code == 403
    assert (answer.verified_score, answer.self_score, answer.text_value) == (Decimal(3), Decimal(3), "")


def test_the_admin_cannot_delete_a_submission_and_its_history_with_it(as_admin, submitted, coordinator):
    submitted.approve(by=coordinator)
    response = as_admin.post(url(submitted, "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert Submission.objects.filter(pk=submitted.pk).exists()


def test_the_admin_cannot_set_a_quick_wins_status(as_admin, period, agency_a):
    proposal = make_quick_win(period, agency_a)
    post_changed(as_admin, url(proposal), status=QuickWin.Status.ESTABLISHED, status_note="Lewat admin")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_note) == (QuickWin.Status.PROPOSED, "")


def test_a_quick_win_corrected_in_the_admin_is_recorded_like_an_edit_on_its_page(
    as_admin, admin_user, period, agency_a
):
    proposal = make_quick_win(period, agency_a, name="Lama")
    post_changed(as_admin, url(proposal), name="Baru")
    change = proposal.changes.get(kind=QuickWinChange.Kind.EDITED)
    assert change.actor == admin_user
    assert [(c.field, c.old_value, c.new_value) for c in change.field_changes.all()] == [("name", "Lama", "Baru")]


@pytest.fixture
def audit_rows(submitted, answer, coordinator, operator_a, period, agency_a):
    submitted.approve(by=coordinator)
    change = AnswerChange.objects.create(answer=answer, changed_by=operator_a, field="value", new_value="Level 3")
    quick_win = quickwins.propose(
        operator_a, period=period, agency=agency_a, pillar=Pillar.objects.get(code="GOV"), name="X"
    )
    return [SubmissionEvent.objects.get(), change, QuickWinChange.objects.get(quick_win=quick_win)]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["SubmissionEvent", "AnswerChange", "QuickWinChange"])
def test_audit_rows_cannot_be_deleted_changed_or_added_in_the_admin(as_admin, audit_rows, index):
    row = audit_rows[index]
    model = type(row)
    before = model.objects.values().get(pk=row.pk)
    assert as_admin.get(url(row, "delete")).status_code == 403
    assert as_admin.post(url(row, "delete"), {"post": "yes"}).status_code == 403
    assert as_admin.post(url(row), {"note": "diubah", "new_value": "diubah"}).status_code == 403
    assert as_admin.get(f"/admin/evaluations/{model._meta.model_name}/add/").status_code == 403
    assert model.objects.values().get(pk=row.pk) == before


def test_audit_rows_can_still_be_read_in_the_admin(as_admin, audit_rows):
    for row in audit_rows:
        assert as_admin.get(url(row)).status_code == 200


# --- configuration: every admin change leaves old and new values -------------------------------
def test_a_dimension_weight_changed_in_the_admin_is_recorded_with_old_and_new_value(as_admin, admin_user, period):
    dimension = Dimension.objects.filter(national_id=period.national_id).order_by("code").first()
    old = dimension.weight
    post_changed(as_admin, url(dimension), weight="7")
    dimension.refresh_from_db()
    assert dimension.weight == Decimal(7)
    change = AdminChange.objects.get(object_id=str(dimension.pk), field="weight")
    assert (change.action, change.actor, change.new_value) == (AdminChange.Action.CHANGED, admin_user, "7")
    assert change.old_value == f"{old.normalize():f}"
    history = as_admin.get(url(dimension, "history")).content.decode()
    assert "Bobot" in history and change.old_value in history and "7" in history


def test_an_option_changed_on_its_questions_page_is_recorded(as_admin, period):
    question = Question.objects.for_period(period).filter(answer_type="level").first()
    option = question.options.order_by("order").first()
    data = admin_form(as_admin, url(question))
    position = next(n for n in range(question.options.count()) if data[f"options-{n}-id"] == [str(option.pk)])
    data[f"options-{position}-label"] = ["Belum ada sama sekali"]
    response = as_admin.post(url(question), data)
    assert response.status_code == 302
    change = AdminChange.objects.get(object_id=str(option.pk), field="label")
    assert (change.old_value, change.new_value) == (option.label, "Belum ada sama sekali")
    assert "Belum ada sama sekali" in as_admin.get(url(question, "history")).content.decode()


def test_an_assignment_deleted_in_the_admin_is_recorded_with_its_values(as_admin, period, agency_a):
    assignment = Assignment.objects.filter(period=period).select_related("agency").first()
    as_admin.post(url(assignment, "delete"), {"post": "yes"})
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    changes = AdminChange.objects.filter(object_id=str(assignment.pk), action=AdminChange.Action.DELETED)
    assert {c.field: c.old_value for c in changes}["agency"] == str(assignment.agency)


def test_an_agency_member_added_in_the_admin_is_recorded(as_admin, agency_b):
    user = make_user("baru")
    response = as_admin.post("/admin/evaluations/agencymember/add/", {"user": user.pk, "agency": agency_b.pk})
    assert response.status_code == 302
    member = AgencyMember.objects.get(user=user)
    change = AdminChange.objects.get(object_id=str(member.pk), field="agency")
    assert (change.action, change.old_value, change.new_value) == (AdminChange.Action.ADDED, "", str(agency_b))
