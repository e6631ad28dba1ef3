"""Two reminder runs at the same moment (two coordinators' clicks, or a click and the daily
command): each agency is claimed once (ReminderSent's unique constraint), so its operators get
one e-mail."""

import pytest
from django.core import mail

from evaluations import reminders
from evaluations.models import EvaluationPeriod, ReminderSent

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_operator


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_remind_each_agency_once(reference_data, period, agency_a, agency_b):  # noqa: F811
    operators = [make_operator(agency_a, "ra1"), make_operator(agency_a, "ra2"), make_operator(agency_b, "rb1")]

    def click():
        return reminders.send_reminders(EvaluationPeriod.objects.get(pk=period.pk), on_request=True)

    outcomes = at_once(click, click)
    assert [error for _result, error in outcomes] == [None, None]
    results = [result for result, _error in outcomes]
    assert sum(r.agencies for r in results) == 2
    assert sum(r.skipped for r in results) == 2
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(u.email for u in operators)
    assert ReminderSent.objects.filter(period=period).count() == 2
