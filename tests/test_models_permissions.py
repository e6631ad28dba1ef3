"""The models check permissions (user.has_perm), not group names: each role, made here from the
group names the data migrations create, may do exactly what its role allows. This module does not
import evaluations.roles: the permissions the groups hold are all the models rely on."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied

from evaluations import permissions
from evaluations.models import AgencyMember, QuickWin, Submission

from .factories import make_answer, make_question, make_quick_win, make_submission

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    "evaluations.fill_submission",
    "evaluations.review_submission",
    "evaluations.reopen_submission",
    "evaluations.manage_periods",
    "evaluations.view_all_agencies",
    "evaluations.view_national",
    "evaluations.view_province",
    "evaluations.manage_national",
    "evaluations.review_assigned",
]
# What each group holds, in the order of PERMISSIONS. Above the regions, the ministry and the
# provinces read what a region's leaders read; only the ministry manages national periods.
EXPECTED = {
    "Operator OPD": [True, False, False, False, False, False, False, False, False],
    "Koordinator": [False, True, False, False, True, False, False, False, False],
    "Admin": [False, True, True, True, True, False, False, False, False],
    "Pimpinan": [False, False, False, False, True, False, False, False, False],
    "Kementerian": [False, False, False, False, True, True, False, True, False],
    "Provinsi": [False, False, False, False, True, False, True, False, False],
    "Peninjau": [False, False, False, False, False, False, False, False, True],
}


def test_the_permissions_checked_are_the_ones_named_in_one_module():
    assert set(PERMISSIONS) == set(permissions.ALL)


def test_every_permission_name_is_declared_by_exactly_one_model_and_every_declared_one_is_named():
    declared = [
        f"{model._meta.app_label}.{codename}"
        for model in apps.get_models()
        for codename, _label in model._meta.permissions
    ]
    assert sorted(declared) == sorted(permissions.ALL)


def member_of(group_name, agency=None):
    user = User.objects.create_user(f"u-{group_name.split()[0].lower()}-{User.objects.count()}", password="x")
    user.groups.add(Group.objects.get(name=group_name))
    if agency is not None:
        AgencyMember.objects.create(user=user, agency=agency)
    return User.objects.get(pk=user.pk)  # fresh: no permission cache


@pytest.mark.parametrize("group_name", sorted(EXPECTED))
def test_each_role_group_holds_exactly_its_permissions(group_name):
    user = member_of(group_name)
    assert [user.has_perm(p) for p in PERMISSIONS] == EXPECTED[group_name]


@pytest.mark.parametrize("group_name", ["Koordinator", "Admin"])
def test_coordinators_and_admin_may_approve_and_score(period, agency_a, group_name):
    question = make_question(period, pillar="GOV")
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    answer = make_answer(submission, question, score=3)
    user = member_of(group_name)
    assert answer.set_verified_score(user, 2) is True
    submission.approve(by=user)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.APPROVED


@pytest.mark.parametrize("group_name", ["Operator OPD", "Pimpinan"])
def test_operators_and_leaders_may_not_approve(period, agency_a, group_name):
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        submission.approve(by=member_of(group_name, agency_a if group_name == "Operator OPD" else None))


@pytest.mark.parametrize(("group_name", "allowed"), [("Admin", True), ("Koordinator", False), ("Pimpinan", False)])
def test_only_the_admin_reopens_an_approved_submission(period, agency_a, group_name, allowed):
    submission = make_submission(period, agency_a, status=Submission.Status.APPROVED)
    user = member_of(group_name)
    if allowed:
        submission.reopen(by=user)
        assert Submission.objects.get(pk=submission.pk).reopened is True
    else:
        with pytest.raises(PermissionDenied):
            submission.reopen(by=user)


def test_an_operator_submits_only_for_their_own_agency(period, agency_a, agency_b):
    submission = make_submission(period, agency_a)
    with pytest.raises(PermissionDenied):
        submission.submit(by=member_of("Operator OPD", agency_b))
    assert submission.can_edit(member_of("Operator OPD", agency_a)) is True
    assert submission.can_edit(member_of("Operator OPD", agency_b)) is False


@pytest.mark.parametrize(
    ("group_name", "sees_proposal_of_b"),
    [("Operator OPD", False), ("Koordinator", True), ("Admin", True), ("Pimpinan", True)],
)
def test_quick_win_proposals_of_another_agency_are_seen_only_by_those_who_view_all(
    period, agency_a, agency_b, group_name, sees_proposal_of_b
):
    own = make_quick_win(period, agency_a)
    other = make_quick_win(period, agency_b)
    user = member_of(group_name, agency_a if group_name == "Operator OPD" else None)
    visible = set(QuickWin.objects.visible_to(user))
    assert own in visible
    assert (other in visible) is sees_proposal_of_b
