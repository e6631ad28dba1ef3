"""Two submissions of the public survey form at the same moment (PostgreSQL only: row locks)."""

import pytest
from django.utils import timezone

from evaluations.models import Kecamatan, SurveyForm, SurveyResponse
from evaluations.survey_senders import keyed_hash
from evaluations.surveys import ResponseRefused, Sender, record_response

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_impact_survey

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]


def sender(form, nonce, device="telepon-1", contact="", network=""):
    """One tap on "Kirim": everything the view passes, read again on the thread's own connection."""
    form = SurveyForm.objects.get(pk=form.pk)
    programmes = list(form.survey.programmes.filter(subdimension__pillar=form.pillar))
    statements = list(form.survey.period.survey_statements.filter(subdimension__pillar=form.pillar))
    return lambda: record_response(
        form,
        nonce=nonce,
        started_at=timezone.now(),
        profile={"age_band": "30-39", "occupation": "tani", "kecamatan": Kecamatan.objects.first()},
        uses=dict.fromkeys(programmes, "often"),
        ratings=dict.fromkeys(statements, 3),
        sender=Sender(
            contact_hash=keyed_hash("contact", contact),
            device_hash=keyed_hash("device", device),
            network_hash=keyed_hash("network", network),
        ),
    )


@pytest.fixture
def form(reference_data, period):  # noqa: F811
    return SurveyForm.objects.get(survey=make_impact_survey(period), pillar__code="GOV")


def outcome_reasons(outcomes):
    return sorted(
        error.reason if isinstance(error, ResponseRefused) else repr(error) for _r, error in outcomes if error
    )


def test_two_taps_on_send_from_one_phone_save_one_response(form):
    outcomes = at_once(sender(form, "nonce-a"), sender(form, "nonce-b"))
    assert outcome_reasons(outcomes) == [ResponseRefused.SAME_DEVICE]
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().ratings.count() == 9


def test_the_same_loaded_form_sent_twice_at_once_saves_one_response(form):
    outcomes = at_once(sender(form, "nonce-a", device="a"), sender(form, "nonce-a", device="b"))
    assert outcome_reasons(outcomes) == [ResponseRefused.REPLAYED]
    assert SurveyResponse.objects.count() == 1


def test_one_contact_on_two_phones_at_once_saves_one_response(form):
    outcomes = at_once(
        sender(form, "nonce-a", device="a", contact="0812 1"), sender(form, "nonce-b", device="b", contact="0812 1")
    )
    assert outcome_reasons(outcomes) == [ResponseRefused.SAME_CONTACT]
    assert SurveyResponse.objects.count() == 1


def test_a_burst_sent_all_at_once_is_held_whole(form):
    """Six phones of one network send at the same instant: none slips past the burst count (the
    form's lock serialises them), so every one is held for review, the first three included."""
    outcomes = at_once(*(sender(form, f"nonce-{n}", device=f"d{n}", network="36.80.1.2") for n in range(6)))
    assert outcome_reasons(outcomes) == []
    assert SurveyResponse.objects.count() == 6
    assert SurveyResponse.objects.held().count() == 6
    assert SurveyResponse.objects.counted().count() == 0
