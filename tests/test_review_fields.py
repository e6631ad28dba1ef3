"""The review card's and the actions box's form fields drawn without crispy-forms' templates
(review_extras.review_field) are the fields crispy draws: the same elements, classes, ids,
attributes and values, whitespace aside; a field with an error is drawn by crispy itself. A field
of an unbound form written without its BoundField (review_extras.unbound_field) is, to the byte,
what review_field draws."""

import re
from decimal import Decimal

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import Context, Template
from django.utils import translation

from evaluations.forms.review import ApproveForm, ReturnForm, RevisionForm, ScoreForm
from evaluations.templatetags.review_extras import review_field, unbound_field


def normalised(html):
    """HTML as a browser reads it: whitespace beside tags dropped, runs of it made one space."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


FORMS = {
    "score, empty": lambda: ScoreForm(prefix="score-7"),
    "score, verified": lambda: ScoreForm(
        prefix="score-7", initial={"verified_score": Decimal("1234.5"), "seen": "1234.50"}
    ),
    "revision, empty": lambda: RevisionForm(prefix="rev-7"),
    "revision, marked": lambda: RevisionForm(
        prefix="rev-7", initial={"needs_revision": True, "revision_note": 'Lampirkan "SK" <terbaru> & tanda tangan.'}
    ),
    "return": lambda: ReturnForm(marked=[1, 2]),
    "approve, with self scores": lambda: ApproveForm(self_scored=["A.1.1", "B.2.3"]),
    "approve": lambda: ApproveForm(),
    "score, refused": lambda: _refused(ScoreForm(data={"score-7-verified_score": "7"}, prefix="score-7")),
    "revision, refused": lambda: _refused(RevisionForm(data={"rev-7-needs_revision": "on"}, prefix="rev-7")),
    "return, refused": lambda: _refused(ReturnForm(data={"note": "x"})),
}


def _refused(form):
    assert not form.is_valid()
    return form


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", FORMS)
def test_each_field_is_drawn_as_crispy_draws_it(name, language):
    with translation.override(language):
        for field_name in FORMS[name]().fields:
            ours = review_field(FORMS[name]()[field_name])
            crispy = as_crispy_field(FORMS[name]()[field_name])
            assert normalised(ours) == normalised(crispy), field_name


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", FORMS)
def test_a_field_of_an_unbound_form_is_drawn_without_its_bound_field_as_review_field_draws_it(name, language):
    with translation.override(language):
        for field_name in FORMS[name]().fields:
            ours = str(unbound_field(FORMS[name](), field_name))
            theirs = str(review_field(FORMS[name]()[field_name]))
            assert ours == theirs, field_name


def test_a_revision_note_shown_in_its_field_is_escaped_and_a_mark_checked():
    form = RevisionForm(prefix="rev-7", initial={"needs_revision": True, "revision_note": "<b>SK</b> & ttd"})
    note, mark = str(unbound_field(form, "revision_note")), str(unbound_field(form, "needs_revision"))
    assert ">\n&lt;b&gt;SK&lt;/b&gt; &amp; ttd</textarea>" in note
    assert 'id="id_rev-7-needs_revision" checked>' in mark


def test_the_revision_form_drawn_field_by_field_is_the_form_crispy_draws():
    ours = Template("{% load review_extras %}{% for field in form %}{% review_field field %}{% endfor %}")
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    form = RevisionForm(prefix="rev-7", initial={"needs_revision": True, "revision_note": "Perbaiki."})
    assert normalised(ours.render(Context({"form": form}))) == normalised(crispy.render(Context({"form": form})))


def test_a_value_is_escaped():
    form = RevisionForm(prefix="rev-7", initial={"revision_note": "<script>alert(1)</script>"})
    html = str(review_field(form["revision_note"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
