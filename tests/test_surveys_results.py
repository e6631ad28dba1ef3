"""The impact survey's results: the "Survei dampak" section of the results page (/hasil/) and
the coordinators' action that fills the impact questions' answers with the survey means
(POST /survei-dampak/<period>/hasil/isi-jawaban/)."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import Answer, AnswerChange, Dimension, Submission, SurveyForm, SurveyResponse, TransitionError
from evaluations.surveys import fill_impact_answers, survey_results

from .factories import (
    assign,
    make_agency,
    make_answer,
    make_impact_survey,
    make_operator,
    make_period,
    make_question,
    make_submission,
    make_survey_response,
)

D = Decimal
pytestmark = pytest.mark.django_db
SUBMITTED, APPROVED = Submission.Status.SUBMITTED, Submission.Status.APPROVED
# The results page's queries once the chosen period is remembered (tests/test_results_views.py:
# 21, less the 3 that remember it) plus the impact questions, read only when the period has a
# survey; 6 when the figures, charts and rows come from the cache.
RESULTS_WITH_SURVEY_QUERIES = 19
RESULTS_WITH_SURVEY_QUERIES_WARM = 6


def form_of(survey, code):
    if "-" in code:
        return SurveyForm.objects.get(survey=survey, subdimension__code=code)
    return SurveyForm.objects.get(survey=survey, pillar__code=code, subdimension__isnull=True)


class Setup:
    """A period weighing A (a plain question of Smart Governance) 60 and D (the impact questions)
    40; agency X answers Smart Governance, agency Y Smart Economy; both submitted. The survey
    (Smart Economy split into three forms):
      GOV form: 3 everywhere; GOV-1.1 = 1, rest 3; 0 everywhere but excluded
          -> GOV-1 = mean(2, 3, 3) = 8/3 -> 2.67;  GOV-2 = GOV-3 = 3;  GOV = (8/3 + 3 + 3) / 3 -> 2.89
      ECO-1 form: 4 everywhere -> 4;  ECO-2 form: 2 everywhere -> 2;  ECO-3: nobody -> ECO = 3.00
    Self-assessment index before filling: A = 2, D = 0 (no answers) -> 0.6 × 2 = 1.20."""

    def __init__(self, coordinator):
        self.period = make_period(year=2033)
        self.a = Dimension.objects.create(
            national_id=self.period.national_id, code="A", name="Kebijakan", weight=D(60), order=1
        )
        self.d = Dimension.objects.create(
            national_id=self.period.national_id, code="D", name="Dampak", weight=D(40), order=2
        )
        self.plain = make_question(self.period, code="A.1", pillar="GOV", dimension=self.a)
        self.q_gov = make_question(self.period, code="D.1", pillar="GOV", dimension=self.d, from_impact_survey=True)
        self.q_eco = make_question(
            self.period, code="D.2", pillar="ECO", subdimension=None, dimension=self.d, from_impact_survey=True
        )
        self.x, self.y = make_agency(), make_agency()
        assign(self.period, self.x, "GOV")
        assign(self.period, self.y, "ECO")
        self.sub_x = make_submission(self.period, self.x, status=SUBMITTED)
        self.sub_y = make_submission(self.period, self.y, status=SUBMITTED)
        make_answer(self.sub_x, self.plain, score=2)
        self.survey = make_impact_survey(self.period, split=("ECO",))
        gov = form_of(self.survey, "GOV")
        make_survey_response(gov, scores=3)
        make_survey_response(gov, scores={"GOV-1.1": 1})
        excluded = make_survey_response(gov, scores=0)
        excluded.excluded_at, excluded.excluded_by, excluded.exclusion_reason = timezone.now(), coordinator, "Uji"
        excluded.save()
        make_survey_response(form_of(self.survey, "ECO-1"), scores=4)
        make_survey_response(form_of(self.survey, "ECO-2"), scores=2)


@pytest.fixture
def setup(coordinator):
    return Setup(coordinator)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def fill_url(period):
    return f"/survei-dampak/{period.pk}/hasil/isi-jawaban/"


# --- the results page -------------------------------------------------------------------


def test_the_results_page_shows_the_survey_mean_and_respondents_per_pillar_and_sub_dimension(as_coordinator, setup):
    html = as_coordinator.get(f"/hasil/?periode={setup.period.pk}").content.decode()
    section = re.search(r'<section class="mb-4" id="survei-dampak".*?</section>', html, re.S).group(0)
    gov = re.search(r'<tr class="survey-pillar" data-survey="GOV">.*?</tr>', section, re.S).group(0)
    assert "Smart Governance" in gov
    assert '<td class="text-end survey-mean">2,89</td>' in gov
    assert "2 dari 3" in gov  # counted after exclusions, of all responses
    # The pillar's self score beside the survey's: A.1 scored 2, D.1 not answered yet (0).
    assert '<td class="text-end self">1,00</td>' in gov
    gov1 = re.search(r'<tr class="survey-subdimension" data-survey="GOV-1">.*?</tr>', section, re.S).group(0)
    assert '<td class="text-end survey-mean">2,67</td>' in gov1
    eco = re.search(r'<tr class="survey-pillar" data-survey="ECO">.*?</tr>', section, re.S).group(0)
    assert '<td class="text-end survey-mean">3,00</td>' in eco and "formulir per sub-dimensi" in eco
    eco3 = re.search(r'<tr class="survey-subdimension" data-survey="ECO-3">.*?</tr>', section, re.S).group(0)
    assert '<td class="text-end survey-mean">–</td>' in eco3 and "0 dari 0" in eco3
    assert "4 dari 5 responden dihitung" in _text(section)
    assert "Isi jawaban pertanyaan dampak" in section
    assert "D.1" in section and "D.2" in section  # the impact questions it fills


def test_a_leader_sees_the_survey_but_not_the_fill_button(client, leader, setup):
    client.force_login(leader)
    html = client.get(f"/hasil/?periode={setup.period.pk}").content.decode()
    assert 'id="survei-dampak"' in html
    assert "Isi jawaban pertanyaan dampak" not in html


def test_a_period_without_a_survey_has_no_survey_section(as_coordinator):
    html = as_coordinator.get(f"/hasil/?periode={make_period(year=2034).pk}").content.decode()
    assert 'id="survei-dampak"' not in html


def test_the_results_page_with_a_survey_runs_a_fixed_number_of_queries(as_coordinator, setup):
    def count(cold=True):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert as_coordinator.get(f"/hasil/?periode={setup.period.pk}").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first visit remembers the chosen period in the session (3 queries, once)
    small = (count(), count(cold=False))
    for n in range(60):
        make_survey_response(form_of(setup.survey, "GOV"), scores=n % 5)
    assert small == (count(), count(cold=False)) == (RESULTS_WITH_SURVEY_QUERIES, RESULTS_WITH_SURVEY_QUERIES_WARM)


# --- filling the impact questions -----------------------------------------------------------


def test_filling_writes_the_survey_mean_as_value_and_self_score(as_coordinator, setup):
    response = as_coordinator.post(fill_url(setup.period), follow=True)
    assert "2 jawaban pertanyaan dampak diisi dengan rata-rata survei dampak." in response.content.decode()
    gov = Answer.objects.get(submission=setup.sub_x, question=setup.q_gov)
    eco = Answer.objects.get(submission=setup.sub_y, question=setup.q_eco)
    assert (gov.number_value, gov.self_score, gov.option_id) == (D("2.67"), D("2.67"), None)
    assert (eco.number_value, eco.self_score) == (D("3.00"), D("3.00"))  # no sub-dimension: the pillar's mean
    change = AnswerChange.objects.get(answer=gov)
    assert change.field == "impact_survey"
    assert change.new_value == "2,67: rata-rata survei dampak Layanan publik, 2 responden"
    assert str(change.field_label()) == "Diisi dari survei dampak"
    gov.question = setup.q_gov
    assert gov.value_display() == "2,67"  # a level answer holding the mean: no unit


def test_the_index_changes_exactly_as_computed_by_hand(setup, coordinator):
    before = setup.period.results()
    assert before.self.final == D("1.2")  # A = 2 (× 0.6), D = 0: nothing answered yet
    fill_impact_answers(setup.period, by=coordinator)
    after = setup.period.results()
    # D = mean(2.67, 3.00) = 2.835; self index = 0.6 × 2 + 0.4 × 2.835 = 2.334.
    assert after.self.dimensions["D"] == D("2.835")
    assert after.self.final == D("2.334")
    assert after.provisional.final == D("2.334")  # nobody verified: the self scores count
    assert after.official.final is before.official.final is None  # nothing approved: no data


def test_filling_again_with_unchanged_data_changes_nothing(as_coordinator, setup):
    as_coordinator.post(fill_url(setup.period))
    versions = dict(Answer.objects.values_list("pk", "version"))
    changes = AnswerChange.objects.count()
    response = as_coordinator.post(fill_url(setup.period), follow=True)
    assert "2 jawaban sudah sama dengan rata-rata survei dan tidak diubah." in response.content.decode()
    assert dict(Answer.objects.values_list("pk", "version")) == versions
    assert AnswerChange.objects.count() == changes


def test_a_new_response_changes_the_answer_on_the_next_fill(setup, coordinator):
    fill_impact_answers(setup.period, by=coordinator)
    make_survey_response(form_of(setup.survey, "ECO-2"), scores=4)  # ECO-2: (2 + 4) / 2 = 3 -> ECO 3.50
    fill = fill_impact_answers(setup.period, by=coordinator)
    assert [(agency, code, score) for agency, code, score in fill.written] == [(setup.y, "D.2", D("3.50"))]
    assert fill.unchanged == 1
    eco = Answer.objects.get(submission=setup.sub_y, question=setup.q_eco)
    assert eco.self_score == D("3.50") and eco.version == 2
    assert AnswerChange.objects.filter(answer=eco).latest("id").old_value == "3"  # as the answer read


def test_an_approved_submission_is_refused_and_said_so(as_coordinator, setup):
    setup.sub_y.status = APPROVED
    setup.sub_y.save()
    response = as_coordinator.post(fill_url(setup.period), follow=True)
    html = response.content.decode()
    assert f"Pengisian yang sudah disetujui tidak diubah: {setup.y.abbreviation} (D.2)." in html
    assert not Answer.objects.filter(submission=setup.sub_y, question=setup.q_eco).exists()
    assert Answer.objects.get(submission=setup.sub_x, question=setup.q_gov).self_score == D("2.67")


def test_a_verified_score_of_an_older_value_is_cleared(setup, coordinator):
    make_answer(setup.sub_x, setup.q_gov, score=1, verified=1)
    fill_impact_answers(setup.period, by=coordinator)
    gov = Answer.objects.get(submission=setup.sub_x, question=setup.q_gov)
    assert (gov.self_score, gov.verified_score) == (D("2.67"), None)
    assert AnswerChange.objects.filter(answer=gov, field="verified_score", old_value="1,00").exists()


def test_nothing_is_filled_without_responses(as_coordinator, coordinator):
    period = make_period(year=2035)
    make_question(period, code="D.1", from_impact_survey=True)
    make_impact_survey(period)
    response = as_coordinator.post(fill_url(period), follow=True)
    assert "Belum ada respons survei dampak yang dihitung" in response.content.decode()
    assert not Answer.objects.filter(submission__period=period).exists()


def test_excluding_every_response_counts_as_no_response(setup, coordinator):
    SurveyResponse.objects.filter(form__survey=setup.survey).update(excluded_at=timezone.now())
    assert survey_results(setup.period).respondents.kept == 0
    with pytest.raises(TransitionError, match="Belum ada respons"):
        fill_impact_answers(setup.period, by=coordinator)


def test_an_operator_saving_the_section_keeps_the_survey_answer(client, setup, coordinator):
    fill_impact_answers(setup.period, by=coordinator)
    setup.sub_x.status = Submission.Status.DRAFT
    setup.sub_x.save()
    client.force_login(make_operator(setup.x))
    page = client.get(f"/opd/pengisian/{setup.sub_x.pk}/bagian/D-GOV/")
    assert "Diisi koordinator dari rata-rata survei dampak: 2,67." in page.content.decode()
    form = page.context["rows"][0][0]
    data = {field.html_name: field.value() for field in form if field.value() not in (None, "", [])}
    data[f"{form.prefix}-explanation"] = "Hasil survei Diskominfo"
    client.post(f"/opd/pengisian/{setup.sub_x.pk}/bagian/D-GOV/", data)
    gov = Answer.objects.get(submission=setup.sub_x, question=setup.q_gov)
    assert gov.explanation == "Hasil survei Diskominfo"
    assert (gov.number_value, gov.self_score) == (D("2.67"), D("2.67"))


def test_the_survey_section_and_its_messages_are_in_english_after_switching(as_coordinator, setup):
    as_coordinator.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = as_coordinator.get(f"/hasil/?periode={setup.period.pk}").content.decode()
    assert "Impact survey" in html and "Fill in the impact questions' answers" in html
    assert "2 of 3" in html
    response = as_coordinator.post(fill_url(setup.period), follow=True)
    assert "2 impact question answers filled in with the impact survey mean." in response.content.decode()
