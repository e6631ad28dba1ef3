"""The review page of a submission, read in sections: a section is a dimension x pillar of the
form ("A-GOV"), with its counts, and its cards (question and answer). Submission inherits these
reads (ReviewPage); they only read, never decide."""

from typing import NamedTuple

from django.db import models
from django.db.models import FilteredRelation, Q

from .answering import ANSWERED, SELF_SCORED, Answer, Evidence, RevisionReply, answered_q
from .instrument import Question

# The review page's sections are keyed like the answering sections: "<dimension>-<pillar>" (e.g.
# "A-GOV"), questions without a pillar under "<dimension>-UMUM".
NO_PILLAR = "UMUM"
# The review page's filters (?tampil=).
REVIEW_UNVERIFIED = "belum"
REVIEW_MARKED = "perbaikan"


def section_key(dimension_code, pillar_code):
    return f"{dimension_code}-{pillar_code or NO_PILLAR}"


class ReviewSection:
    """One section of the review page with its counts (verified / scorable, marked), counted in SQL
    (Submission.review_sections)."""

    def __init__(self, key, dimension, pillar, questions=0):
        self.key, self.dimension, self.pillar, self.questions = key, dimension, pillar, questions
        self.answered = self.scorable = self.verified = self.marked = 0

    @property
    def is_verified(self):
        return 0 < self.scorable <= self.verified


class ReviewMark(NamedTuple):
    """An answer marked for revision as the approve box links to it (ReviewPage.approval_checks)."""

    pk: int
    code: str
    review_key: str


class ReviewPage:
    """The review page's reads of a Submission (mixed into the model). The submission was looked up
    in its region's scope, so its answers and what hangs on them are that region's: they are read
    without a region filter (and its joins) of their own."""

    def _own_answers(self):
        """This submission's answers, without the region filter and the default ordering's joins."""
        return Answer.objects.with_scopes_disabled().filter(submission=self).order_by()

    def _review_questions(self, only=None):
        """The assigned questions plus any question answered here that is no longer assigned
        (its answer is still under review); `only` (a Q over questions) narrows them to what a
        reviewer of the review plan may see (ReviewScope.questions_q). Built once per submission
        object (the sections and the cards of a page both start from it), and handed out as a
        copy: each query that starts from it reads the database as it is when it runs."""
        questions = self.__dict__.get("_review_questions_qs")
        if questions is None:
            # The assigned questions' condition itself, not a subquery of their ids.
            assigned = Question.objects.assigned_q(self.agency, self.period)
            questions = Question.objects.filter(assigned | Q(pk__in=self._own_answers().values("question_id")))
            self.__dict__["_review_questions_qs"] = questions
        return questions.all() if only is None else questions.filter(only)

    def review_sections(self, only=None):
        """The review page's sections (dimension x pillar, in form order), each with how many
        questions, answers, scored answers, verified and marked answers it has. One aggregate
        query whatever the number of answers (the questions, each joined to this submission's
        answer to it): the page never loads every answer to count."""
        answer = "this_answer__"
        answered = answered_q(answer)
        rows = (
            self._review_questions(only)
            .annotate(this_answer=FilteredRelation("answers", condition=Q(answers__submission=self)))
            .values("indicator__dimension__code", "indicator__dimension__name", "pillar__code", "pillar__name")
            .annotate(
                questions=models.Count("pk"),
                first=models.Min("indicator__order"),
                answered=models.Count("this_answer", filter=answered),
                scorable=models.Count("this_answer", filter=answered & Question.scorable_q()),
                verified=models.Count("this_answer", filter=Q(**{f"{answer}verified_score__isnull": False})),
                marked=models.Count("this_answer", filter=Q(**{f"{answer}needs_revision": True})),
            )
            .order_by("indicator__dimension__order", "first", "pillar__order", "pillar__code")
        )
        sections = []
        for row in rows:
            key = section_key(row["indicator__dimension__code"], row["pillar__code"])
            section = ReviewSection(
                key, row["indicator__dimension__name"], row["pillar__name"] or "", questions=row["questions"]
            )
            section.answered, section.scorable = row["answered"], row["scorable"]
            section.verified, section.marked = row["verified"], row["marked"]
            sections.append(section)
        return sections

    def approval_checks(self):
        """What approving would meet, over every section, from one query: the answers marked for
        revision (ReviewMark: the answer's id, its question's code and the review section of its
        card) and the codes of the questions whose answers count with the agency's own score
        (Submission.self_scored_answers), both in code order. Values, not answers: a submission
        of 300 answers not yet verified would otherwise load 300 answers and their questions."""
        rows = (
            self._own_answers()
            .filter(Q(needs_revision=True) | SELF_SCORED)
            .values_list(
                "pk",
                "needs_revision",
                "self_score",
                "verified_score",
                "question__code",
                "question__indicator__dimension__code",
                "question__pillar__code",
            )
            .order_by("question__code")
        )
        marked, self_scored = [], []
        for pk, needs_revision, self_score, verified_score, code, dimension, pillar in rows:
            if needs_revision:
                marked.append(ReviewMark(pk, code, section_key(dimension, pillar)))
            if self_score is not None and verified_score is None:
                self_scored.append(code)
        return marked, self_scored

    def review_items(self, section_key=None, show="", question=None, start=0, limit=None, only=None):
        """[(question, answer or None)] of one section (all sections when `section_key` is None)
        in form order, from `start`, at most `limit`; `show` narrows them to answers "belum"
        (scored, not yet verified) or "perbaikan" (marked for revision), `question` (an id) to
        that one question. Each answer comes with its live evidence (`live_evidence`), the
        agency's replies (`review_replies`) and how many comments and history rows it has (those
        load on demand). Four queries whatever the number of questions and answers, three when
        no answer shown has a reply. `only` as for review_sections."""
        questions = self._review_questions(only).with_scorable()
        if question is not None:  # one answer's card, re-rendered after an action
            questions = questions.filter(pk=question)
        if section_key:
            dimension, _sep, pillar = section_key.partition("-")
            questions = questions.filter(indicator__dimension__code=dimension)
            if pillar == NO_PILLAR:
                questions = questions.filter(pillar__isnull=True)
            else:
                questions = questions.filter(pillar__code=pillar)
        answers = self._own_answers()
        if show == REVIEW_UNVERIFIED:
            answers = answers.filter(ANSWERED, Question.scorable_q("question__"), verified_score__isnull=True)
        elif show == REVIEW_MARKED:
            answers = answers.filter(needs_revision=True)
        if show:
            questions = questions.filter(pk__in=answers.values("question_id"))
        questions = questions.in_form_order()
        questions = list(questions[start : start + limit] if limit else questions)
        # Narrowed to the questions shown (and so to what `show` asks for): one answer each.
        answers = {
            a.question_id: a
            for a in self._own_answers()
            .filter(question_id__in=[q.pk for q in questions])
            .select_related("option")
            .annotate(
                comment_count=models.Count("comments", distinct=True),
                change_count=models.Count("changes", distinct=True),
                # Replies are rare (to a revision note): read only when an answer shown has any.
                has_replies=models.Exists(
                    RevisionReply.objects.with_scopes_disabled().filter(answer=models.OuterRef("pk"))
                ),
            )
        }
        _attach_evidence_and_replies(list(answers.values()))
        items = []
        for question in questions:
            answer = answers.get(question.id)
            if answer is not None:
                answer.question = question
            items.append((question, answer))
        return items


def _attach_evidence_and_replies(answers):
    """Each answer's live evidence (`live_evidence`, in upload order) and the agency's replies
    (`review_replies`, with their authors): one query each, by answer id (cheaper to build than
    prefetch_related's, which the page paid on every view); none without answers, the replies'
    none without an answer that `has_replies`. The answers are a scoped submission's: no region
    filter of their own."""
    by_id = {answer.pk: answer for answer in answers}
    for answer in answers:
        answer.live_evidence, answer.review_replies = [], []
    if not by_id:
        return
    # Evidence's own ordering (its answer's, then the upload's) would join the answer's
    # submission, period, agency and question.
    for evidence in (
        Evidence.objects.with_scopes_disabled().live().filter(answer_id__in=by_id).order_by("uploaded_at", "pk")
    ):
        by_id[evidence.answer_id].live_evidence.append(evidence)
    replied = [answer.pk for answer in answers if answer.has_replies]
    if not replied:
        return
    for reply in RevisionReply.objects.with_scopes_disabled().filter(answer_id__in=replied).select_related("author"):
        by_id[reply.answer_id].review_replies.append(reply)
