"""The access helpers: outsiders get 404, those who may look but not change get 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from evaluations import access
from evaluations.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission_b(period, agency_b):
    return Submission.objects.create(period=period, agency=agency_b)


def test_an_operator_of_agency_a_gets_404_for_agency_bs_submission(operator_a, submission_b):
    with pytest.raises(Http404):
        access.get_submission_for_user(operator_a, submission_b.pk)


def test_an_operator_reads_and_writes_their_own_agencys_submission(operator_b, submission_b):
    assert access.get_submission_for_user(operator_b, submission_b.pk) == submission_b
    assert access.get_rw_submission_for_user(operator_b, submission_b.pk) == submission_b


def test_a_leader_reads_any_submission_but_gets_403_for_writing(leader, submission_b):
    assert access.get_submission_for_user(leader, submission_b.pk) == submission_b
    with pytest.raises(PermissionDenied):
        access.get_rw_submission_for_user(leader, submission_b.pk)


def test_a_user_without_an_agency_or_role_gets_404(submission_b, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x")
    with pytest.raises(Http404):
        access.get_submission_for_user(stranger, submission_b.pk)


def test_visible_agencies_of_an_operator_is_only_their_own(operator_a, agency_a, coordinator):
    assert list(access.visible_agencies(operator_a)) == [agency_a]
    assert access.visible_agencies(coordinator).count() > 30
