"""The impact survey's scores (DESIGN §2, "Impact survey"), beside scoring.py and, like it, plain
functions over plain data: no database access here, so the results page, the impact questions'
answers and the workbook compute the same numbers from one read (surveys.survey_results).

- a statement's mean: the mean of its 0–4 scores; an answer "never used this programme" and the
  responses a coordinator excluded are left out;
- a sub-dimension's mean: the plain mean of its statements' means (a statement nobody scored is
  left out, it does not count 0: nobody judged it);
- a pillar's mean: the plain mean of its sub-dimensions' means, whether the pillar had one form or
  was split into three (each sub-dimension weighs the same either way);
- respondents: the responses to the forms that cover a sub-dimension (its pillar's form, or its own
  form when the pillar is split), before and after exclusions.

Full precision throughout (Decimal); round only to show (models.instrument.format_score) or to
store as a score (`as_score`). Every mean is also computed over all responses, excluded ones
included (`mean_before`), so the workbook can show what cleaning changed.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .scoring import ZERO, mean, round_score


@dataclass(frozen=True)
class StatementTally:
    """One statement's ratings summed up: over every response (`all_*`) and over the responses not
    excluded (`kept_*`). `*_scored` counts ratings with a score, `*_never` the "never used" ones."""

    id: int
    code: str
    pillar: str
    subdimension: str
    text: str = ""
    pillar_name: str = ""
    subdimension_name: str = ""
    all_sum: Decimal = ZERO
    all_scored: int = 0
    all_never: int = 0
    kept_sum: Decimal = ZERO
    kept_scored: int = 0
    kept_never: int = 0


@dataclass(frozen=True)
class FormCount:
    """How many responses one public form received, before (`total`) and after (`kept`) exclusions.
    `subdimension` is None for a whole-pillar form."""

    pillar: str
    subdimension: str | None
    total: int = 0
    kept: int = 0
    target: int = 0


@dataclass
class Respondents:
    total: int = 0  # before exclusions
    kept: int = 0  # after exclusions

    @property
    def excluded(self):
        return self.total - self.kept

    def add(self, form):
        self.total += form.total
        self.kept += form.kept


@dataclass
class StatementResult:
    tally: StatementTally
    mean: Decimal | None = None  # after exclusions
    mean_before: Decimal | None = None  # every response, excluded ones included


@dataclass
class GroupResult:
    """A sub-dimension or a pillar: its mean, before and after exclusions, and its respondents."""

    code: str
    name: str = ""
    pillar: str = ""  # a sub-dimension's pillar code (a pillar's own code for a pillar)
    mean: Decimal | None = None
    mean_before: Decimal | None = None
    respondents: Respondents = field(default_factory=Respondents)
    statements: list = field(default_factory=list)  # a sub-dimension's StatementResults
    subdimensions: list = field(default_factory=list)  # a pillar's GroupResults
    split: bool = False  # a pillar answered on one form per sub-dimension


@dataclass
class SurveyResult:
    statements: list = field(default_factory=list)  # StatementResult, in instrument order
    subdimensions: dict = field(default_factory=dict)  # code -> GroupResult
    pillars: dict = field(default_factory=dict)  # code -> GroupResult, in pillar order
    respondents: Respondents = field(default_factory=Respondents)
    forms: int = 0

    @property
    def exists(self):
        """The period has an impact survey with at least one form."""
        return self.forms > 0

    def mean_for(self, pillar=None, subdimension=None):
        """The mean an impact question takes: its sub-dimension's, else its pillar's; None when
        nobody (after exclusions) scored it."""
        group = self.subdimensions.get(subdimension) if subdimension else self.pillars.get(pillar)
        return group.mean if group else None

    def group_for(self, pillar=None, subdimension=None):
        return self.subdimensions.get(subdimension) if subdimension else self.pillars.get(pillar)


def statement_mean(total, count):
    """Sum / count at full precision; None when nothing was scored."""
    return Decimal(total) / count if count else None


def as_score(value):
    """A survey mean stored as a score (Answer.self_score has 2 decimals): rounded half up once."""
    return round_score(value)


def survey_results(statements, forms):
    """The survey's means and respondents from the statements' tallies (in instrument order) and
    the forms' response counts."""
    result = SurveyResult()
    for tally in statements:
        statement = StatementResult(
            tally=tally,
            mean=statement_mean(tally.kept_sum, tally.kept_scored),
            mean_before=statement_mean(tally.all_sum, tally.all_scored),
        )
        result.statements.append(statement)
        pillar = result.pillars.setdefault(
            tally.pillar, GroupResult(code=tally.pillar, name=tally.pillar_name, pillar=tally.pillar)
        )
        if tally.subdimension not in result.subdimensions:
            sub = GroupResult(code=tally.subdimension, name=tally.subdimension_name, pillar=tally.pillar)
            result.subdimensions[tally.subdimension] = sub
            pillar.subdimensions.append(sub)
        result.subdimensions[tally.subdimension].statements.append(statement)

    forms = list(forms)
    result.forms = len(forms)
    for form in forms:
        result.respondents.add(form)
        pillar = result.pillars.setdefault(form.pillar, GroupResult(code=form.pillar, pillar=form.pillar))
        pillar.respondents.add(form)
        if form.subdimension is not None:
            pillar.split = True
            covered = [result.subdimensions[form.subdimension]] if form.subdimension in result.subdimensions else []
        else:
            covered = pillar.subdimensions
        for sub in covered:
            sub.respondents.add(form)

    for sub in result.subdimensions.values():
        sub.mean = mean(s.mean for s in sub.statements)
        sub.mean_before = mean(s.mean_before for s in sub.statements)
    for pillar in result.pillars.values():
        pillar.mean = mean(s.mean for s in pillar.subdimensions)
        pillar.mean_before = mean(s.mean_before for s in pillar.subdimensions)
    return result
