"""What the section page renders, posted back unchanged, saves exactly what was there: in Indonesian
and in English, for an answer of every type (the date answer was erased this way in Indonesian: its
control rendered 15-03-2023, which a date control cannot show). The browser-level round trip of
every form is tests/test_roundtrip_browser.py; this one reads the server's HTML as a browser would."""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings

from evaluations.models import Answer, AnswerChange, Evidence, Question, ScoreBand

from .factories import assign, make_period, make_question
from .filling import submission_of

pytestmark = pytest.mark.django_db
T = Question.AnswerType


# The HTML value sanitization a browser applies: a value a control cannot hold becomes empty.
SANITIZE = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "number": re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?"),
}


class FormFields(HTMLParser):
    """The fields a browser would submit for the page's section form (no button, no file)."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea, self._in_form = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "section-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file"}:
            value = attrs.get("value", "on" if kind == "checkbox" else "")
            if kind in SANITIZE and not SANITIZE[kind].fullmatch(value):
                value = ""
            if kind not in {"radio", "checkbox"} or "checked" in attrs:
                self.fields.append((attrs["name"], value))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline right after <textarea> and posts line ends as CRLF.
            name, text = self._textarea
            text = text[1:] if text.startswith("\n") else text
            self.fields.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def rendered_post(html):
    parser = FormFields()
    parser.feed(html)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data["action"] = ["save"]
    return data


@pytest.fixture
def filled(agency_a):
    """A section with an answer of every type, numbers that need grouping and decimals, and evidence."""
    period = make_period(2033)
    assign(period, agency_a, "GOV")
    questions = {kind: make_question(period, code=f"R.{kind}", answer_type=kind) for kind in T.values}
    questions[T.CHOICE].options.create(value="a", label="Pilihan A", score=Decimal(1), order=1)
    questions[T.NUMBER].unit = "km"
    questions[T.NUMBER].save()
    ScoreBand.objects.create(question=questions[T.PERCENT], min_value=0, max_value=None, score=2)
    submission = submission_of(period, agency_a)
    values = {
        T.LEVEL: {"option": questions[T.LEVEL].options.get(value="3")},
        T.CHOICE: {"option": questions[T.CHOICE].options.get()},
        T.YES_NO: {"bool_value": False},
        T.NUMBER: {"number_value": Decimal("1234.5")},
        T.PERCENT: {"number_value": Decimal("75.5")},
        T.TEXT: {"text_value": 'Baris satu\nbaris dua <b>tebal</b> & "kutip"'},
        T.DATE: {"date_value": date(2023, 3, 15)},
    }
    for kind, fields in values.items():
        answer = Answer.objects.create(
            submission=submission, question=questions[kind], explanation=f"Penjelasan {kind}", **fields
        )
        Evidence.objects.create(answer=answer, title="Tautan", url="https://kutaitimurkab.go.id/sk")
    return submission


def snapshot(submission):
    return sorted(
        Answer.objects.filter(submission=submission).values_list(
            "question__code",
            "option_id",
            "bool_value",
            "number_value",
            "text_value",
            "date_value",
            "explanation",
            "version",
        )
    ), Evidence.objects.filter(answer__submission=submission, removed_at__isnull=True).count()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_section_posted_back_unchanged_changes_nothing(client_a, filled, language):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = f"/opd/pengisian/{filled.pk}/bagian/X-GOV/"
    before = snapshot(filled)
    for _round in range(3):  # the date answer used to vanish on the second save
        response = client_a.post(url, rendered_post(client_a.get(url).content.decode()))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot(filled) == before
    assert not AnswerChange.objects.filter(answer__submission=filled).exists()


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_control_gets_the_iso_date_in_every_language(client_a, filled, language):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client_a.get(f"/opd/pengisian/{filled.pk}/bagian/X-GOV/").content.decode()
    assert 'type="date"' in html and 'value="2023-03-15"' in html


@pytest.mark.parametrize(("language", "shown"), [("id", "1.234,5"), ("en", "1,234.5")])
def test_numbers_are_shown_in_the_users_language(client_a, filled, language, shown):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client_a.get(f"/opd/pengisian/{filled.pk}/bagian/X-GOV/").content.decode()
    assert f'value="{shown}"' in html
