"""The scoring functions, checked against the ministry's published figures."""

from decimal import Decimal

from evaluations import scoring
from evaluations.scoring import AnswerScore, QuestionInfo

D = Decimal


def test_it_reproduces_kab_malang_2022_from_the_published_dimension_scores():
    dimensions = {
        "baseline": D("1.40"),
        "output": D("1.54"),
        "outcome": D("2.92"),
        "impact": D("2.56"),
        "quickwin": D("3.08"),
    }
    weights = {"baseline": 10, "output": 20, "outcome": 30, "impact": 10, "quickwin": 30}
    final = scoring.final_index(dimensions, weights)
    assert final == D("2.504")
    assert abs(scoring.round_score(final) - D("2.51")) <= D("0.01")
    assert scoring.round_score(final) == D("2.50")


def test_rounding_is_half_up_and_only_at_display():
    assert scoring.round_score(D("2.505")) == D("2.51")
    assert scoring.round_score(D("2.5049999")) == D("2.50")
    assert scoring.round_score(None) is None


def test_a_question_answered_by_several_agencies_scores_the_mean():
    answers = [AnswerScore(1, D(4), None), AnswerScore(1, D(2), None), AnswerScore(1, D(3), None)]
    assert scoring.question_scores(answers, scoring.SELF) == {1: D(3)}


def test_the_verified_score_counts_and_falls_back_to_the_agencys_score():
    answers = [AnswerScore(1, D(4), D(2)), AnswerScore(2, D(3), None)]
    assert scoring.question_scores(answers, scoring.VERIFIED) == {1: D(2), 2: D(3)}
    assert scoring.question_scores(answers, scoring.SELF) == {1: D(4), 2: D(3)}


def test_a_dimension_scores_the_mean_of_its_questions_unanswered_counting_zero():
    questions = [QuestionInfo(1, "A"), QuestionInfo(2, "A"), QuestionInfo(3, "A"), QuestionInfo(4, "B")]
    scores = {1: D(4), 2: D(2)}
    means = scoring.group_means(questions, scores, "dimension")
    # B has no scored question: no data (None), never a 0 nobody gave.
    assert means == {"A": D(2), "B": None}


def test_a_real_zero_stays_zero_and_only_a_group_without_any_score_is_no_data():
    questions = [QuestionInfo(1, "A"), QuestionInfo(2, "A"), QuestionInfo(3, "B")]
    means = scoring.group_means(questions, {1: D(0)}, "dimension")
    assert means == {"A": D(0), "B": None}
    assert scoring.final_index(means, {"A": 50, "B": 50}) == D(0)
    assert scoring.final_index({"A": None, "B": None}, {"A": 50, "B": 50}) is None


def test_unscorable_questions_are_left_out_of_the_mean():
    questions = [QuestionInfo(1, "A"), QuestionInfo(2, "A", scorable=False)]
    assert scoring.group_means(questions, {1: D(3)}, "dimension") == {"A": D(3)}


def test_an_empty_dimension_has_no_score_and_adds_nothing_to_the_index():
    questions = [QuestionInfo(1, "A"), QuestionInfo(2, "B", scorable=False)]
    result = scoring.score(questions, [AnswerScore(1, D(4))], {"A": 50, "B": 50})
    assert result.dimensions == {"A": D(4), "B": None}
    assert result.final == D(2)


def test_pillar_and_subdimension_scores_are_means_of_their_questions():
    questions = [
        QuestionInfo(1, "A", "GOV", "GOV-1"),
        QuestionInfo(2, "A", "GOV", "GOV-2"),
        QuestionInfo(3, "B", "ENV", "ENV-1"),
    ]
    answers = [AnswerScore(1, D(4)), AnswerScore(2, D(1)), AnswerScore(3, D(2))]
    result = scoring.evaluate(questions, answers, {"A": 60, "B": 40})
    assert result.self.pillars == {"GOV": D("2.5"), "ENV": D(2)}
    assert result.self.subdimensions == {"GOV-1": D(4), "GOV-2": D(1), "ENV-1": D(2)}
    assert result.self.final == D("2.5") * D("0.6") + D(2) * D("0.4")


def test_self_and_verified_indices_are_computed_side_by_side():
    questions = [QuestionInfo(1, "A")]
    result = scoring.evaluate(questions, [AnswerScore(1, D(4), D(3))], {"A": 100})
    assert result.self.final == D(4)
    assert result.provisional.final == D(3)


def test_three_indexes_each_take_their_own_answers():
    questions = [QuestionInfo(1, "A"), QuestionInfo(2, "A"), QuestionInfo(3, "B")]
    answers = [
        AnswerScore(1, D(4), D(4), scoring.DRAFT),
        AnswerScore(1, D(2), D(1), scoring.SUBMITTED),
        AnswerScore(2, D(3), None, scoring.RETURNED),
        AnswerScore(3, D(4), D(2), scoring.APPROVED),
    ]
    result = scoring.evaluate(questions, answers, {"A": 50, "B": 50})
    assert result.official.final == D(1)  # A: 0, B: 2
    assert result.provisional.final == D("0.5") * D(2) + D("0.5") * D(2)  # A: mean(1, 3), B: 2
    assert result.self.final == D("0.5") * D("2.5") + D("0.5") * D(4)


def test_an_approved_answer_without_a_verified_score_counts_with_its_self_score_and_coverage_says_so():
    result = scoring.evaluate([QuestionInfo(1, "A")], [AnswerScore(1, D(3), None, scoring.APPROVED)], {"A": 100})
    assert result.official.final == D(3)
    assert (result.coverage.total.approved, result.coverage.total.verified) == (1, 0)
    assert result.coverage.total.approved_self == 1


def test_coverage_counts_each_question_once_and_leaves_out_unassigned_and_unscorable_ones():
    questions = [
        QuestionInfo(1, "A", "GOV"),
        QuestionInfo(2, "A", "GOV", assigned=False),
        QuestionInfo(3, "A", "GOV", scorable=False),
        QuestionInfo(4, "B", "ENV"),
    ]
    answers = [
        AnswerScore(1, D(2), None, scoring.SUBMITTED),
        AnswerScore(1, D(3), D(3), scoring.APPROVED),
        AnswerScore(2, D(3), None, scoring.APPROVED),
        AnswerScore(4, D(1), None, scoring.DRAFT),
    ]
    coverage = scoring.coverage(questions, answers)
    total = coverage.total
    assert (total.assigned, total.answered, total.submitted, total.approved, total.verified) == (2, 1, 1, 1, 1)
    assert total.answered_percent == D(50)
    assert coverage.dimensions["B"].answered == 0
    assert coverage.pillars["GOV"].assigned == 1
    assert scoring.Coverage().answered_percent is None


def test_the_change_from_the_previous_period():
    assert scoring.change(D("2.75"), D("2.50")) == D("0.25")
    assert scoring.change(D("2.75"), None) is None


def test_weakest_lists_the_lowest_scores_first():
    assert scoring.weakest({"a": D(3), "b": D(1), "c": None, "d": D(2)}, n=2) == [("b", D(1)), ("d", D(2))]


def test_the_tally_counts_each_questions_handed_in_answers_by_status_leaving_drafts_out():
    answers = [
        AnswerScore(1, D(4), D(3), scoring.APPROVED),
        AnswerScore(1, D(2), None, scoring.SUBMITTED),
        AnswerScore(1, D(1), None, scoring.RETURNED),
        AnswerScore(1, D(4), D(4), scoring.DRAFT),
        AnswerScore(2, D(0), None, scoring.DRAFT),
    ]
    tallies = scoring.tally(answers)
    assert set(tallies) == {1}
    assert (tallies[1].handed_in, tallies[1].approved, tallies[1].verified) == (2, 1, 1)
    assert tallies[1].statuses() == {scoring.SUBMITTED: 1, scoring.RETURNED: 1, scoring.APPROVED: 1}
