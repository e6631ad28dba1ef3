"""Scoring as the ministry computes it (DESIGN §2). Plain functions over plain data: no database
access here, so the results page and the Excel export compute the same numbers from one read.

- a question's score: the verified score (the agency's own score until a coordinator sets one);
  where several agencies answer one question, the mean of their scores. For the self-assessed
  index the agency's own score is used;
- a dimension's score: the mean of its scorable questions' scores, a question nobody scored
  counting 0 ("nothing / not taking part");
- the final index: the weighted sum of dimension scores (weights in percent) at full precision;
  round half up to 2 decimals only for display and export (`round_score`);
- pillar and sub-dimension scores: the mean of their questions' scores.

Which answers count (DESIGN §2, `evaluate`): drafts never. The official index takes approved
answers only (verified score, else the agency's); the provisional index every submitted, returned
or approved answer (verified where verified); the self-assessment index the agencies' own scores of
those same answers. Each comes with its coverage: how many questions were answered, submitted,
approved and verified of those assigned.

All of that needs, of a question's answers, only a few sums and counts (`Tally`): `tally` folds them
from answers here, and the period computes the very same numbers in SQL (`EvaluationPeriod.results`),
so a period's results cost the same whether 5 or 60 agencies answer each question. The tallies come
with the result too: per question, how many agencies' answers sit in each status (the workbook's
Kuesioner sheet).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SELF = "self"
VERIFIED = "verified"
# Submission statuses (Submission.Status values; repeated here so that this module stays free of Django).
DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    dimension: str
    pillar: str | None = None
    subdimension: str | None = None
    scorable: bool = True
    assigned: bool = True  # some agency is asked to answer it (by pillar or by question)


@dataclass(frozen=True)
class AnswerScore:
    question_id: int
    self_score: Decimal | None
    verified_score: Decimal | None = None
    status: str = SUBMITTED  # the status of the answer's submission

    def score(self, kind):
        if kind == SELF:
            return self.self_score
        return self.verified_score if self.verified_score is not None else self.self_score


@dataclass
class Scores:
    """One kind of scores (self or verified) for one period."""

    questions: dict = field(default_factory=dict)
    dimensions: dict = field(default_factory=dict)
    pillars: dict = field(default_factory=dict)
    subdimensions: dict = field(default_factory=dict)
    final: Decimal | None = None  # None: no dimension has a score


@dataclass
class Coverage:
    """How many of the assigned (scorable) questions have at least one answer that is answered
    (any non-draft answer), submitted (submitted or approved: handed in and not sent back),
    approved, verified (a coordinator set a score), and approved but counted with the agency's own
    score in the official index because nobody verified it (`approved_self`)."""

    assigned: int = 0
    answered: int = 0
    submitted: int = 0
    approved: int = 0
    verified: int = 0
    approved_self: int = 0

    def percent(self, count):
        """count as % of assigned (a Decimal at full precision); None when nothing is assigned."""
        return Decimal(count) * HUNDRED / self.assigned if self.assigned else None

    @property
    def answered_percent(self):
        return self.percent(self.answered)

    @property
    def submitted_percent(self):
        return self.percent(self.submitted)

    @property
    def approved_percent(self):
        return self.percent(self.approved)

    @property
    def verified_percent(self):
        return self.percent(self.verified)

    @property
    def approved_self_percent(self):
        return self.percent(self.approved_self)


@dataclass
class Coverages:
    total: Coverage = field(default_factory=Coverage)
    dimensions: dict = field(default_factory=dict)  # code -> Coverage
    pillars: dict = field(default_factory=dict)  # code -> Coverage


@dataclass
class Tally:
    """One question's handed-in answers (drafts never), summed up: for each index the sum and the
    number of its answers' scores (an answer without a score counts in neither), and how many of the
    answers reached each coverage stage."""

    official_sum: Decimal = ZERO  # approved answers: the verified score, else the agency's
    official_count: int = 0
    provisional_sum: Decimal = ZERO  # every handed-in answer: the verified score, else the agency's
    provisional_count: int = 0
    self_sum: Decimal = ZERO  # every handed-in answer: the agency's own score
    self_count: int = 0
    answered: int = 0
    submitted: int = 0  # of a submitted or approved submission: handed in and not sent back
    approved: int = 0
    verified: int = 0
    approved_self: int = 0  # approved, and nobody verified it

    @property
    def handed_in(self):
        """Agencies whose answer is submitted or approved (an agency answers a question at most once
        a period, so answers are agencies)."""
        return self.submitted

    @property
    def returned(self):
        return self.answered - self.submitted

    def statuses(self):
        """{status: number of answers} of the statuses present, in the life-cycle order."""
        counts = {SUBMITTED: self.submitted - self.approved, RETURNED: self.returned, APPROVED: self.approved}
        return {status: n for status, n in counts.items() if n}

    def mean(self, index):
        """The question's score in one index ("official", "provisional", "self"); None when none of
        its answers has one."""
        count = getattr(self, f"{index}_count")
        return getattr(self, f"{index}_sum") / count if count else None


@dataclass
class Result:
    """The three indexes of a period and their coverage."""

    official: Scores  # approved answers only, verified score (else self)
    provisional: Scores  # every non-draft answer, verified score (else self)
    self: Scores  # every non-draft answer, the agencies' own scores
    coverage: Coverages = field(default_factory=Coverages)
    tallies: dict = field(default_factory=dict)  # question id -> Tally (handed-in answers only)


def mean(values):
    """The plain mean of the values that are not None; None when there are none."""
    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return None
    return sum(present, ZERO) / len(present)


def round_score(value, places=2):
    """Round half up, once, for display and export. None stays None."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def question_scores(answers, kind=VERIFIED):
    """{question_id: mean score over the agencies that answered it}."""
    by_question = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer.score(kind))
    return {qid: score for qid, values in by_question.items() if (score := mean(values)) is not None}


def group_means(questions, scores, key):
    """Mean question score per group (dimension, pillar, sub-dimension). Scorable questions that
    nobody scored count 0 once any question of the group has a score (the ministry's rule); a group
    with no scored question, or no scorable one, is None: no data, never a 0 that was not given."""
    groups = defaultdict(list)
    scored = set()
    for question in questions:
        group = getattr(question, key)
        if group is None:
            continue
        groups.setdefault(group, [])
        if question.scorable:
            groups[group].append(scores.get(question.id, ZERO))
            if question.id in scores:
                scored.add(group)
    return {group: mean(values) if group in scored else None for group, values in groups.items()}


def final_index(dimension_scores, weights):
    """Weighted sum of dimension scores, weights in percent. A dimension without a score
    contributes nothing; None when no dimension has one (no data, not an index of 0). Full
    precision: round only for display."""
    total, scored = ZERO, False
    for code, weight in weights.items():
        score = dimension_scores.get(code)
        if score is not None:
            total += Decimal(score) * Decimal(weight) / HUNDRED
            scored = True
    return total if scored else None


def score(questions, answers, weights, kind=VERIFIED):
    return scores_of(questions, question_scores(answers, kind), weights)


def scores_of(questions, per_question, weights):
    """Dimension, pillar and sub-dimension scores and the final index from question scores."""
    questions = list(questions)
    dimensions = group_means(questions, per_question, "dimension")
    return Scores(
        questions=per_question,
        dimensions=dimensions,
        pillars=group_means(questions, per_question, "pillar"),
        subdimensions=group_means(questions, per_question, "subdimension"),
        final=final_index(dimensions, weights),
    )


def tally(answers):
    """{question_id: Tally} of the answers; drafts are left out."""
    tallies = {}
    for answer in answers:
        if answer.status == DRAFT:
            continue
        t = tallies.setdefault(answer.question_id, Tally())
        approved = answer.status == APPROVED
        t.answered += 1
        t.submitted += answer.status in (SUBMITTED, APPROVED)
        t.approved += approved
        t.verified += answer.verified_score is not None
        t.approved_self += approved and answer.verified_score is None
        if (value := answer.score(VERIFIED)) is not None:
            t.provisional_sum += Decimal(value)
            t.provisional_count += 1
            if approved:
                t.official_sum += Decimal(value)
                t.official_count += 1
        if answer.self_score is not None:
            t.self_sum += Decimal(answer.self_score)
            t.self_count += 1
    return tallies


COVERAGE_STAGES = ("answered", "submitted", "approved", "verified", "approved_self")


def coverage(questions, answers):
    return coverage_of(questions, tally(answers))


def coverage_of(questions, tallies):
    """Coverage of the assigned scorable questions: in total, per dimension and per pillar. A
    question counts at a stage when at least one of its (non-draft) answers reached it."""
    result = Coverages()
    for question in questions:
        if not (question.scorable and question.assigned):
            continue
        targets = [result.total]
        if question.dimension is not None:
            targets.append(result.dimensions.setdefault(question.dimension, Coverage()))
        if question.pillar is not None:
            targets.append(result.pillars.setdefault(question.pillar, Coverage()))
        reached = tallies.get(question.id, Tally())
        for target in targets:
            target.assigned += 1
            for stage in COVERAGE_STAGES:
                if getattr(reached, stage):
                    setattr(target, stage, getattr(target, stage) + 1)
    return result


def evaluate(questions, answers, weights):
    """The official, provisional and self-assessment indexes with their coverage. Drafts are
    left out here too, whatever the caller passes."""
    return evaluate_tallies(questions, tally(answers), weights)


def evaluate_tallies(questions, tallies, weights):
    """`evaluate` from the answers' tallies ({question_id: Tally})."""
    questions = list(questions)

    def index(name):
        per_question = {qid: value for qid, t in tallies.items() if (value := t.mean(name)) is not None}
        return scores_of(questions, per_question, weights)

    return Result(
        official=index("official"),
        provisional=index("provisional"),
        self=index("self"),
        coverage=coverage_of(questions, tallies),
        tallies=tallies,
    )


def change(current, previous):
    """The change from the previous period; None when either side is missing."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


def weakest(group_scores, n=5):
    """The n lowest-scoring groups, lowest first (groups without a score left out)."""
    scored = [(code, value) for code, value in group_scores.items() if value is not None]
    return sorted(scored, key=lambda item: (item[1], item[0]))[:n]
