"""The review plan of a period: who reviews which pillar (or single question), for every agency or
one, as primary or secondary reviewer, with the history of who changed the plan; and the rules
that follow from it for one user on one submission's answers (ReviewScope) and a reviewer's queue.

A period without a plan is reviewed as before: every coordinator sees and acts on every answer.
With a plan, an answer its plan gives to reviewers is acted on by those reviewers (and the admin);
an answer the plan gives to nobody stays with every coordinator. A reviewer is a coordinator, or
someone of a lead agency holding the reviewer role (REVIEW_ASSIGNED), who sees only what the plan
gives them. Nobody reviews the answers of their own agency.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..permissions import MANAGE, REVIEW, REVIEW_ASSIGNED, VIEW_ALL
from .agencies import AgencyMember
from .answering import ANSWERED, REVISING_FIELDS, Answer, AnswerChange, RevisionReply
from .audit import FieldChange
from .instrument import Question
from .regions import region_scoped
from .submissions import Submission

# The queue's states (?status=): what waits on a reviewer.
QUEUE_UNVERIFIED = "belum"
QUEUE_REPLIED = "ditanggapi"
QUEUE_STATES = (QUEUE_UNVERIFIED, QUEUE_REPLIED)
# The most answers the queue lists at once (the counts cover them all).
QUEUE_LIMIT = 200


def is_reviewer(user):
    """Holds a reviewer's permission: a coordinator, or someone given the reviewer role."""
    return user.has_perm(REVIEW) or user.has_perm(REVIEW_ASSIGNED)


class ReviewAssignmentQuerySet(models.QuerySet):
    def for_period(self, period):
        return self.filter(period=period)

    def of_reviewer(self, user):
        return self.filter(reviewer=user)

    def in_plan_order(self):
        return self.select_related("pillar", "question", "agency", "reviewer").order_by(
            "pillar__order", "question__code", "agency__name", "role", "reviewer__username"
        )

    def answers_q(self, prefix=""):
        """A Q over answers (`prefix` leads to the Answer) that these assignments cover. The rows are
        read (one query): a plan has a few rows per reviewer."""
        return _covering_q(self.values_list(*COVERING_FIELDS), prefix)


# What a plan row covers, as read for _covering_q.
COVERING_FIELDS = ("period_id", "pillar_id", "question_id", "agency_id")


def _covering_q(rows, prefix=""):
    """A Q over the answers that plan rows (COVERING_FIELDS tuples) cover."""
    covered = Q(pk__in=[])
    for period_id, pillar_id, question_id, agency_id in rows:
        one = Q(**{f"{prefix}submission__period_id": period_id})
        if pillar_id is not None:
            one &= Q(**{f"{prefix}question__pillar_id": pillar_id})
        else:
            one &= Q(**{f"{prefix}question_id": question_id})
        if agency_id is not None:
            one &= Q(**{f"{prefix}submission__agency_id": agency_id})
        covered |= one
    return covered


class ReviewAssignment(models.Model):
    """One reviewer of one pillar (or one question) of a period, for every agency or for one."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Utama")
        SECONDARY = "secondary", _("Pendamping")

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod",
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("periode"),
    )
    pillar = models.ForeignKey(
        "pillars.Pillar", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("pilar")
    )
    question = models.ForeignKey(
        "evaluations.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pertanyaan"),
    )
    agency = models.ForeignKey(
        "evaluations.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("perangkat daerah"),
        help_text=_("Kosongkan untuk semua perangkat daerah."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("peninjau"),
    )
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, default=Role.PRIMARY)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = region_scoped("period__region", ReviewAssignmentQuerySet)

    class Meta:
        verbose_name = _("penugasan peninjau")
        verbose_name_plural = _("rencana peninjauan")
        constraints = [
            models.CheckConstraint(
                condition=(Q(pillar__isnull=False) & Q(question__isnull=True))
                | (Q(pillar__isnull=True) & Q(question__isnull=False)),
                name="reviewassignment_pillar_xor_question",
            ),
            # One row per reviewer and what they review (four, as a NULL never equals another).
            *(
                models.UniqueConstraint(
                    fields=["period", "reviewer", what, *(["agency"] if one_agency else [])],
                    condition=Q(**{f"{what}__isnull": False, "agency__isnull": not one_agency}),
                    name=f"reviewassignment_unique_{what}{'_agency' if one_agency else ''}",
                    violation_error_message=_("Peninjau ini sudah ditugaskan untuk itu."),
                )
                for what in ("pillar", "question")
                for one_agency in (False, True)
            ),
        ]
        permissions = [("review_assigned", _("Meninjau jawaban pilar yang ditugaskan kepadanya"))]

    def __str__(self):
        return f"{self.reviewer} · {self.scope_text()}"

    def scope_text(self):
        """What the row gives, as the plan's page and its history name it."""
        what = self.pillar.name if self.pillar_id else self.question.code
        whom = self.agency.abbreviation if self.agency_id else _("semua perangkat daerah")
        return f"{what} · {whom} · {self.get_role_display()}"

    def clean(self):
        """A reviewer of an agency's answers is never that agency's operator."""
        if self.agency_id and self.reviewer_id:
            member = AgencyMember.objects.filter(user_id=self.reviewer_id).first()
            if member is not None and member.agency_id == self.agency_id:
                raise ValidationError(
                    {
                        "reviewer": _(
                            "%(user)s bekerja di %(agency)s: peninjau tidak boleh meninjau jawaban perangkat "
                            "daerahnya sendiri."
                        )
                        % {"user": self.reviewer, "agency": self.agency}
                    },
                    code="own_agency",
                )

    @transaction.atomic
    def add(self, by):
        """Save this new row and its line in the plan's history, together."""
        self.save()
        ReviewPlanChange.record(by, self, added=True)

    @transaction.atomic
    def remove(self, by):
        """Delete this row and write its line in the plan's history, together."""
        ReviewPlanChange.record(by, self, added=False)
        self.delete()

    @classmethod
    def may_act_on(cls, user, answer):
        """ReviewScope.may_act for one answer: the check before a review action (Answer's, which
        reaches it through the app registry, as this module builds on answering.py)."""
        return ReviewScope.of(user, answer.submission).may_act(answer.question)

    def covers(self, question, agency_id):
        return (self.agency_id is None or self.agency_id == agency_id) and (
            self.question_id == question.pk if self.question_id else self.pillar_id == question.pillar_id
        )


class ReviewPlanChange(FieldChange):
    """The plan's history: a reviewer added to or removed from a pillar (or question), by whom,
    when. `field` is "added" or "removed"; the value is the row's text as it was."""

    ADDED = "added"
    REMOVED = "removed"

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("periode")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    changed_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = region_scoped("period__region")

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("riwayat rencana peninjauan")
        verbose_name_plural = _("riwayat rencana peninjauan")

    def __str__(self):
        return f"{self.field}: {self.new_value or self.old_value}"

    def is_added(self):
        return self.field == self.ADDED

    @classmethod
    def record(cls, by, assignment, added):
        text = f"{assignment.reviewer} · {assignment.scope_text()}"
        return cls.objects.create(
            period_id=assignment.period_id,
            changed_by=by,
            field=cls.ADDED if added else cls.REMOVED,
            old_value="" if added else text,
            new_value=text if added else "",
        )


class ReviewScope:
    """What `user` may see and do on the answers of `submission` under its period's plan, read once
    (one query: the plan's rows for this agency) so that a page of cards asks no more."""

    def __init__(self, user, submission, rows=None):
        self.user, self.submission = user, submission
        if rows is None:
            # No region filter (and its join): the submission, read in its region's scope, says the period.
            rows = (
                ReviewAssignment.objects.with_scopes_disabled()
                .filter(period_id=submission.period_id)
                .filter(Q(agency__isnull=True) | Q(agency_id=submission.agency_id))
            )
            rows = rows.only("pillar_id", "question_id", "agency_id", "reviewer_id")
        self.rows = list(rows)
        self.own_agency = AgencyMember.objects.agency_of(user) == submission.agency

    @classmethod
    def of(cls, user, submission):
        """The scope of `user` on `submission`, read once per submission object: the access
        helper, the page and the model's check of one request share it."""
        scopes = submission.__dict__.setdefault("_review_scopes", {})
        if user.pk not in scopes:
            scopes[user.pk] = cls(user, submission)
        return scopes[user.pk]

    @classmethod
    def of_many(cls, user, submissions):
        """The scopes of `user` on several submissions (a bulk action's), from one query of their
        periods' plans, so that screening 300 answers asks no more than screening one."""
        submissions = list(submissions)
        rows = list(
            ReviewAssignment.objects.filter(period_id__in={s.period_id for s in submissions}).only(
                "period_id", "pillar_id", "question_id", "agency_id", "reviewer_id"
            )
        )
        for submission in submissions:
            mine = [
                row
                for row in rows
                if row.period_id == submission.period_id and row.agency_id in (None, submission.agency_id)
            ]
            submission.__dict__.setdefault("_review_scopes", {})[user.pk] = cls(user, submission, mine)

    @property
    def has_plan(self):
        return bool(self.rows)

    def _covering(self, question):
        return [row for row in self.rows if row.covers(question, self.submission.agency_id)]

    def is_assigned(self, question):
        return any(row.reviewer_id == self.user.pk for row in self._covering(question))

    def refusal(self, question):
        """None when the user may act on the answer to `question`; else why not, in words (a bulk
        action reports it for each answer it skips). The rule of may_act."""
        if self.user.has_perm(MANAGE):
            return None
        if self.own_agency:
            return _("jawaban perangkat daerah Anda sendiri")
        covering = self._covering(question)
        if not covering:
            return None if self.user.has_perm(REVIEW) else _("bukan bagian Anda dalam rencana peninjauan")
        if not any(row.reviewer_id == self.user.pk for row in covering):
            return _("diberikan kepada peninjau lain")
        return None if is_reviewer(self.user) else _("bukan bagian Anda dalam rencana peninjauan")

    def may_act(self, question):
        """Score, mark and comment: the admin always; nobody on their own agency's answers; the
        plan's reviewers of the answer; every coordinator where the plan names nobody."""
        return self.refusal(question) is None

    def may_see(self, question):
        """Who views all agencies sees everything; a reviewer of a lead agency what the plan gives."""
        return self.user.has_perm(VIEW_ALL) or (not self.own_agency and self.is_assigned(question))

    def questions_q(self, prefix=""):
        """A Q over questions this user may see (for the review page of a reviewer who does not view
        all agencies)."""
        mine = [row for row in self.rows if row.reviewer_id == self.user.pk]
        pillars = [row.pillar_id for row in mine if row.pillar_id]
        questions = [row.question_id for row in mine if row.question_id]
        return Q(**{f"{prefix}pillar_id__in": pillars}) | Q(**{f"{prefix}pk__in": questions})


def actionable_q(user, period):
    """A Q over the answers of `period` that `user` may act on under its plan: ReviewScope.refusal's
    rule for a whole list at once (the bulk page counts and sends only these). The admin every
    answer; nobody their own agency's; an answer the plan gives to reviewers only those; one it
    gives nobody every coordinator. One query (the plan's rows)."""
    if user.has_perm(MANAGE):
        return Q()
    rows = list(ReviewAssignment.objects.filter(period=period).values_list("reviewer_id", *COVERING_FIELDS))
    mine = _covering_q([row[1:] for row in rows if row[0] == user.pk])
    others = _covering_q([row[1:] for row in rows if row[0] != user.pk])
    allowed = (mine | ~others) if user.has_perm(REVIEW) else mine
    own = AgencyMember.objects.agency_of(user)
    return allowed & ~Q(submission__agency=own) if own is not None else allowed


def replied_q():
    """Marked for revision and replied to or changed by the agency since the submission was last
    returned (the other side of Submission.untouched_revisions)."""
    since = OuterRef("submission__returned_at")
    return Q(needs_revision=True) & (
        Q(Exists(RevisionReply.objects.filter(answer=OuterRef("pk"), created_at__gt=since)))
        | Q(Exists(AnswerChange.objects.filter(answer=OuterRef("pk"), field__in=REVISING_FIELDS, changed_at__gt=since)))
    )


def replied_answers(submission):
    """The answers of a submission the agency dealt with after a revision mark (replied_q)."""
    return submission.answers.filter(replied_q())


def unverified_q():
    """Scored by the agency and not yet verified, not marked for revision: the queue's "belum"."""
    return Q(ANSWERED, Question.scorable_q("question__"), verified_score__isnull=True, needs_revision=False)


def reviewer_answers(user, periods, pillar=None, agency=None):
    """Every answer the plan gives `user` in `periods` (a period or several) in submissions under
    review (handed in, not yet approved by anyone: one awaiting its second sign-off is no longer
    scored or marked), not of their own agency; `pillar` and `agency` (ids) narrow to one. One
    query to read the user's plan rows, none more until evaluated."""
    periods = periods if isinstance(periods, (list, tuple)) else [periods]
    covered = ReviewAssignment.objects.filter(period__in=periods).of_reviewer(user).answers_q()
    answers = Answer.objects.filter(
        covered, submission__status=Submission.Status.SUBMITTED, submission__approved_by__isnull=True
    )
    own = AgencyMember.objects.agency_of(user)
    if own is not None:
        answers = answers.exclude(submission__agency=own)
    if pillar:
        answers = answers.filter(question__pillar_id=pillar)
    if agency:
        answers = answers.filter(submission__agency_id=agency)
    return answers


def queue_answers(user, period, pillar=None, agency=None, state=""):
    """The answers waiting on `user` in `period` (reviewer_answers): either scored and not yet
    verified (QUEUE_UNVERIFIED) or marked for revision and replied to or changed by the agency
    since it was returned (QUEUE_REPLIED); `state` narrows to one. A QuerySet, for the queue page
    and for actions on the same set. One query to read the user's plan rows, none more until
    evaluated."""
    answers = reviewer_answers(user, period, pillar, agency)
    waiting = {
        QUEUE_UNVERIFIED: unverified_q(),
        QUEUE_REPLIED: replied_q(),
    }
    if state in waiting:
        return answers.filter(waiting[state])
    return answers.filter(waiting[QUEUE_UNVERIFIED] | waiting[QUEUE_REPLIED])


def waiting_per_submission(user, periods):
    """What waits on `user` in `periods` (queue_answers' rule), counted per submission and pillar:
    [{"period", "agency", "agency_name", "pillar", "pillar_name", "n"}], for the home's to-do list.
    Two queries (the plan rows, the counts); one when the plan gives the user nothing."""
    # Without plan rows the filter is empty and Django runs no query for it.
    answers = reviewer_answers(user, list(periods)).filter(unverified_q() | replied_q())
    return list(
        answers.values(
            period=F("submission__period_id"),
            agency=F("submission__agency_id"),
            agency_name=F("submission__agency__name"),
            pillar=F("question__pillar_id"),
            pillar_name=F("question__pillar__name"),
        )
        .annotate(n=Count("pk"))
        .order_by("submission__agency__name", "question__pillar__order")
    )


def queue_submissions_ready(user, period):
    """Submissions under review that the plan gives `user` answers of, with no answer marked for
    revision and none of theirs left unverified: ready for a coordinator's approval. Empty for a
    reviewer who may not approve. A QuerySet (one query when evaluated, after one for the plan)."""
    if not user.has_perm(REVIEW):
        return Submission.objects.none()
    mine = ReviewAssignment.objects.for_period(period).of_reviewer(user)
    covered = mine.answers_q()
    open_answers = queue_answers(user, period, state=QUEUE_UNVERIFIED).filter(submission=OuterRef("pk"))
    ready = (
        Submission.objects.for_period(period)
        .awaiting_review()
        .filter(approved_by__isnull=True)  # one awaiting its second sign-off is a to-do item of its own
        .filter(Exists(Answer.objects.filter(covered, submission=OuterRef("pk"))))
        .exclude(Exists(Answer.objects.filter(submission=OuterRef("pk"), needs_revision=True)))
        .exclude(Exists(open_answers))
    )
    own = AgencyMember.objects.agency_of(user)
    if own is not None:
        ready = ready.exclude(agency=own)
    return ready.select_related("agency").order_by("agency__name")


def reviewers_told_of(submission):
    """{reviewer: [answer, …]} of a submission just handed in: each reviewer the plan gives some of
    its answers, with those answers (the agency's own people excluded). Two queries."""
    rows = list(
        ReviewAssignment.objects.filter(period_id=submission.period_id)
        .filter(Q(agency__isnull=True) | Q(agency_id=submission.agency_id))
        .select_related("reviewer")
    )
    if not rows:
        return {}
    answers = list(submission.answers.filter(ANSWERED).select_related("question__pillar"))
    operators = set(AgencyMember.objects.filter(agency_id=submission.agency_id).values_list("user_id", flat=True))
    told = {}
    for row in rows:
        if row.reviewer_id in operators or not row.reviewer.is_active:
            continue
        for answer in answers:
            if row.covers(answer.question, submission.agency_id):
                told.setdefault(row.reviewer, {})[answer.pk] = answer
    return {reviewer: list(found.values()) for reviewer, found in told.items()}
