"""The permissions the app checks, named once, free of Django so that any layer may import them:
the models ask `user.has_perm(REVIEW)`, roles.py gives them to the role groups and builds its
predicates on them.

Each name is "<app_label>.<codename>"; the codename is declared, with its label, by the model's
Meta.permissions named beside it (Django creates the Permission row from that declaration; the data
migrations and roles.sync_role_groups hand it to the groups). tests/test_models_permissions.py
checks that every name here is declared exactly there.
"""

# Fill in the questionnaire of one's own agency: operators. Submission.Meta.permissions.
FILL = "evaluations.fill_submission"
# Verify, score, return and approve submissions, establish or reject quick wins, remove data-set uploads,
# run the impact survey: coordinators and admins. Submission.Meta.permissions.
REVIEW = "evaluations.review_submission"
# Reopen an approved or locked submission, and act on any agency's submission as its operators
# may: admins. Submission.Meta.permissions.
REOPEN = "evaluations.reopen_submission"
# See every agency's data, read-only unless another permission allows more: coordinators, admins
# and leaders. Agency.Meta.permissions.
VIEW_ALL = "evaluations.view_all_agencies"
# Review (score, mark, comment) the answers a period's review plan gives one: the reviewer role of a
# lead agency's people (coordinators review by REVIEW). ReviewAssignment.Meta.permissions.
REVIEW_ASSIGNED = "evaluations.review_assigned"
# Manage periods, the instrument and the assignments: admins. EvaluationPeriod.Meta.permissions.
MANAGE = "evaluations.manage_periods"

# Above the regions (Region.Meta.permissions): read every region (the ministry), read the regions of
# one's province (Diskominfo provinsi), manage national periods and the instrument (the ministry).
VIEW_NATIONAL = "evaluations.view_national"
VIEW_PROVINCE = "evaluations.view_province"
MANAGE_NATIONAL = "evaluations.manage_national"

ALL = (FILL, REVIEW, REVIEW_ASSIGNED, REOPEN, VIEW_ALL, MANAGE, VIEW_NATIONAL, VIEW_PROVINCE, MANAGE_NATIONAL)


def codename(permission):
    """The codename part of a permission name ("review_submission"), as Meta.permissions and the
    Permission rows spell it."""
    return permission.partition(".")[2]
