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
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SELF = "self"
VERIFIED = "verified"
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    dimension: str
    pillar: str | None = None
    subdimension: str | None = None
    scorable: bool = True


@dataclass(frozen=True)
class AnswerScore:
    question_id: int
    self_score: Decimal | None
    verified_score: Decimal | None = None

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
    final: Decimal = ZERO


@dataclass
class Result:
    self: Scores
    verified: Scores


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
    nobody scored count 0; groups with no scorable question are None."""
    groups = defaultdict(list)
    for question in questions:
        group = getattr(question, key)
        if group is None:
            continue
        groups.setdefault(group, [])
        if question.scorable:
            groups[group].append(scores.get(question.id, ZERO))
    return {group: mean(values) for group, values in groups.items()}


def final_index(dimension_scores, weights):
    """Weighted sum of dimension scores, weights in percent. A dimension without a score
    contributes nothing. Full precision: round only for display."""
    total = ZERO
    for code, weight in weights.items():
        score = dimension_scores.get(code)
        if score is not None:
            total += Decimal(score) * Decimal(weight) / HUNDRED
    return total


def score(questions, answers, weights, kind=VERIFIED):
    questions = list(questions)
    per_question = question_scores(answers, kind)
    dimensions = group_means(questions, per_question, "dimension")
    return Scores(
        questions=per_question,
        dimensions=dimensions,
        pillars=group_means(questions, per_question, "pillar"),
        subdimensions=group_means(questions, per_question, "subdimension"),
        final=final_index(dimensions, weights),
    )


def evaluate(questions, answers, weights):
    """Self-assessed and verified scores side by side."""
    questions, answers = list(questions), list(answers)
    return Result(self=score(questions, answers, weights, SELF), verified=score(questions, answers, weights, VERIFIED))


def change(current, previous):
    """The change from the previous period; None when either side is missing."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


def weakest(group_scores, n=5):
    """The n lowest-scoring groups, lowest first (groups without a score left out)."""
    scored = [(code, value) for code, value in group_scores.items() if value is not None]
    return sorted(scored, key=lambda item: (item[1], item[0]))[:n]
