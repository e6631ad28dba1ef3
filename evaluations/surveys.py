"""The impact survey's use cases (survei dampak, Tahap II): what composes a page's numbers or writes
several rows, on the rows of models/surveys.py and models/survey_responses.py. Views check access,
read, call one of these and render.

- Setup: the overview of every pillar, one pillar's programmes and targets saved together, the
  forms with their enumerator links.
- The public form: recording one response with its programme uses and ratings (all or nothing;
  duplicates refused; a burst from one network held for review). Who sent it (keyed hashes of a
  contact, a device, a network) and the rate limits are in survey_senders.py.
- The monitor's pages are assembled in survey_monitor.py (reads only).
- Results: the survey's means (survey_results, scored by survey_scoring) and filling the impact
  questions' answers from them (fill_impact_answers).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pillars.models import Pillar

from . import survey_scoring
from .answering import write_answer
from .models import (
    Agency,
    Answer,
    AnswerChange,
    Assignment,
    Enumerator,
    ProgrammeUse,
    Question,
    QuickWin,
    Submission,
    SurveyForm,
    SurveyProgramme,
    SurveyRating,
    SurveyResponse,
    SurveyStatement,
    TransitionError,
)
from .models.instrument import format_score
from .models.survey_responses import HELD_REASON, burst_rule
from .permissions import REVIEW

# --- Setup: programmes, forms, targets and enumerator links (surveys-setup) --------------------


def setup_overview(survey):
    """The setup page: every pillar with its sub-dimensions' programmes (None where none is chosen
    yet) and its forms; and all forms in order, for the public links. Each form carries its
    response_count and whether its link is live (`ready`: its programmes are chosen). Four
    queries whatever the number of forms and responses."""
    programmes = {p.subdimension_id: p for p in SurveyProgramme.objects.filter(survey=survey).select_related("agency")}
    forms = list(
        SurveyForm.objects.filter(survey=survey)
        .select_related("pillar", "subdimension")
        .annotate(response_count=Count("responses"))
    )
    pillars = []
    for pillar in Pillar.objects.prefetch_related("subdimensions"):
        pillar_forms = [form for form in forms if form.pillar_id == pillar.pk]
        subdimensions = [(sub, programmes.get(sub.pk)) for sub in pillar.subdimensions.all()]
        for form in pillar_forms:
            # A form's link is live only once every programme it asks about is chosen
            # (views.surveys.public_form refuses it before): "Program ini" must name one.
            form.ready = all(
                programme is not None
                for sub, programme in subdimensions
                if not form.subdimension_id or sub.pk == form.subdimension_id
            )
        pillars.append(
            {
                "pillar": pillar,
                "subdimensions": subdimensions,
                "forms": pillar_forms,
                "split": any(form.subdimension_id for form in pillar_forms),
                "missing": sum(1 for _sub, programme in subdimensions if programme is None),
            }
        )
    return pillars, forms


@dataclass
class PillarSetup:
    """What one pillar's setup page shows and binds its forms to."""

    subdimensions: list
    programmes: dict  # sub-dimension id -> SurveyProgramme
    forms: list  # the pillar's survey forms, each with its response_count
    quick_wins: list  # the period's quick wins of the pillar that may be a programme (not rejected)
    agencies: list

    @property
    def split(self):
        return any(form.subdimension_id for form in self.forms)

    @property
    def has_responses(self):
        return any(form.response_count for form in self.forms)

    def quick_wins_for(self, subdimension):
        """The quick wins that may be the sub-dimension's programme: its own and the pillar's."""
        return [qw for qw in self.quick_wins if qw.subdimension_id in (None, subdimension.pk)]


def pillar_setup(survey, pillar):
    """One pillar's setup (`pillar` read with its sub-dimensions prefetched). Four queries."""
    return PillarSetup(
        subdimensions=list(pillar.subdimensions.all()),
        programmes={
            p.subdimension_id: p
            for p in SurveyProgramme.objects.filter(survey=survey, subdimension__pillar=pillar).select_related(
                "quick_win"
            )
        },
        forms=list(
            SurveyForm.objects.filter(survey=survey, pillar=pillar)
            .select_related("pillar", "subdimension")
            .annotate(response_count=Count("responses"))
        ),
        quick_wins=list(
            QuickWin.objects.filter(period=survey.period, pillar=pillar)
            .exclude(status=QuickWin.Status.REJECTED)
            .select_related("agency")
            .order_by("name")
        ),
        agencies=list(Agency.objects.order_by("abbreviation")),
    )


@transaction.atomic
def save_pillar_setup(survey, programmes, targets):
    """Save one pillar's page: `programmes` [(sub-dimension, name, agency, quick win)] and its
    forms' `targets` [(form, target, enumerator_only)]. One transaction: the coordinator sent them
    as one page, so they are saved together or not at all."""
    for subdimension, name, agency, quick_win in programmes:
        survey.set_programme(subdimension, name, agency, quick_win)
    for form, target, enumerator_only in targets:
        # An update, never an insert: a form removed meanwhile (split) stays removed.
        SurveyForm.objects.filter(pk=form.pk).update(target=target, enumerator_only=enumerator_only)


def enumerator_overview(survey, agency=None):
    """The enumerator links page: per form of the survey (with `agency`, only the forms of its
    programmes) the form's programmes, the agencies that may get a link (`agency`, or the
    programmes' owners) and its links (only `agency`'s), each with its response_count. Three
    queries whatever the number of forms and links."""
    forms = SurveyForm.objects.filter(survey=survey).select_related("pillar", "subdimension")
    links = (
        Enumerator.objects.filter(form__survey=survey)
        .select_related("agency")
        .annotate(response_count=Count("responses"))
    )
    if agency is not None:
        forms, links = forms.owned_by(agency), links.filter(agency=agency)
    links = list(links.order_by("agency__abbreviation", "name"))
    programmes = list(SurveyProgramme.objects.filter(survey=survey).select_related("agency", "subdimension"))
    rows = []
    for form in forms:
        own = [
            p
            for p in programmes
            if (
                p.subdimension_id == form.subdimension_id
                if form.subdimension_id
                else p.subdimension.pillar_id == form.pillar_id
            )
        ]
        form_links = [link for link in links if link.form_id == form.pk]
        for link in form_links:
            link.form = form  # read already: public_path() needs its token
        owners = [agency] if agency is not None else list({p.agency_id: p.agency for p in own}.values())
        rows.append({"form": form, "programmes": own, "owners": owners, "links": form_links})
    return rows


# --- The public form: its one write (surveys-form) -------------------------------------------


class ResponseRefused(Exception):
    """A response that is not saved: `reason` is REPLAYED (this loaded form was already sent),
    SAME_DEVICE or SAME_CONTACT (this form already has a response from that device or contact)."""

    REPLAYED = "replayed"
    SAME_DEVICE = "same_device"
    SAME_CONTACT = "same_contact"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sender:
    """Who sent a response, as keyed hashes (survey_senders): the contact they chose to give (and
    its hash under the first rule, for responses stored before it changed), the device cookie, the
    network (IPv4 address or IPv6 /64)."""

    contact_hash: str = ""
    legacy_contact_hash: str = ""
    device_hash: str = ""
    network_hash: str = ""


def record_response(form, *, nonce, started_at, profile, uses, ratings, enumerator=None, sender=None):
    """Save one respondent's submission to `form`: the response with its `profile` (age_band,
    occupation, kecamatan), `uses` {programme: frequency} and `ratings` {statement: score or None};
    None, and every statement of a programme the respondent never used, is recorded as never_used.

    All or nothing, in one transaction. The form's row is locked first so that two submissions of
    the same form are checked for duplicates one after the other: two taps on "Kirim" from one
    phone must not both pass the check. Raises ResponseRefused, saving nothing, when the nonce was
    used, or when a public-link response of the same device, or any response with the same contact,
    exists. An enumerator's link is exempt from the device check: one enumerator's phone collects
    many respondents. A public-link response of a burst from one network is saved held for review
    (_in_burst). Five queries on an enumerator link (lock, duplicate check, three inserts), six on
    the public link (the burst count), seven in a burst (holding the earlier ones)."""
    sender = sender or Sender()
    never = {
        programme.subdimension_id for programme, frequency in uses.items() if frequency == ProgrammeUse.Frequency.NEVER
    }
    try:
        with transaction.atomic():
            # No ordering: the default one joins the nullable sub-dimension, which FOR UPDATE refuses.
            list(SurveyForm.objects.select_for_update().filter(pk=form.pk).order_by().values_list("pk"))
            _refuse_duplicate(form, nonce, enumerator, sender)
            now = timezone.now()
            held = _in_burst(form, enumerator, sender.network_hash, now)
            response = SurveyResponse.objects.create(
                form=form,
                enumerator=enumerator,
                nonce=nonce,
                started_at=started_at,
                submitted_at=now,
                contact_hash=sender.contact_hash,
                device_hash=sender.device_hash,
                network_hash=sender.network_hash,
                burst=held,
                excluded_at=now if held else None,
                exclusion_reason=HELD_REASON if held else "",
                **profile,
            )
            ProgrammeUse.objects.bulk_create(
                ProgrammeUse(response=response, programme=programme, frequency=frequency)
                for programme, frequency in uses.items()
            )
            SurveyRating.objects.bulk_create(
                SurveyRating(
                    response=response,
                    statement=statement,
                    score=None if score is None or statement.subdimension_id in never else score,
                    never_used=score is None or statement.subdimension_id in never,
                )
                for statement, score in ratings.items()
            )
    except IntegrityError as error:
        # The nonce's unique constraint: the same form sent twice at the same instant on a
        # database that does not lock rows (SQLite); the first one won.
        if SurveyResponse.objects.filter(nonce=nonce).exists():
            raise ResponseRefused(ResponseRefused.REPLAYED) from error
        raise
    return response


def _refuse_duplicate(form, nonce, enumerator, sender):
    """Raise ResponseRefused when the nonce was used, or `form` has a response of the same contact
    (under the current rule or the first one), or (on the public link) of the same device. One
    query."""
    contacts = [h for h in (sender.contact_hash, sender.legacy_contact_hash) if h]
    duplicate = Q(nonce=nonce)
    if contacts:
        duplicate |= Q(form=form, contact_hash__in=contacts)
    if sender.device_hash and enumerator is None:
        duplicate |= Q(form=form, enumerator__isnull=True, device_hash=sender.device_hash)
    earlier = SurveyResponse.objects.filter(duplicate).values_list("nonce", "contact_hash").first()
    if earlier is not None:
        if earlier[0] == nonce:
            raise ResponseRefused(ResponseRefused.REPLAYED)
        if earlier[1] in contacts:
            raise ResponseRefused(ResponseRefused.SAME_CONTACT)
        raise ResponseRefused(ResponseRefused.SAME_DEVICE)


def _in_burst(form, enumerator, network_hash, now):
    """Whether a public-link response of `form` from the network `network_hash`, sent `now`, is one
    of a burst: more than SURVEY_BURST_LIMIT such responses within SURVEY_BURST_WINDOW. The earlier
    ones of the burst are then held for review too (the first ones are part of it as much as the
    last). A device cookie is no evidence against a burst: a script keeps the fresh one each page
    it loads sets. An enumerator's link is never a burst: a named person of the agency collects
    many respondents on one phone and one network. One query, two in a burst; run under the
    form's lock, so two responses at once are counted one after the other."""
    limit, window = burst_rule()
    if enumerator is not None or not network_hash or limit <= 0:
        return False
    earlier = SurveyResponse.objects.burst_from(form, network_hash, now - timedelta(seconds=window))
    if earlier.count() < limit:
        return False
    earlier.hold_for_review(now)
    return True


# --- Results: the survey's means, and the impact questions' answers filled from them ----------
# (the scores themselves are plain functions in evaluations.survey_scoring)


def survey_results(period):
    """The impact survey's means and respondents of `period` (survey_scoring.SurveyResult; `exists`
    is False when the period has no survey form). Two queries whatever the number of responses:
    the statements with their ratings summed up by the database, over all responses and over
    those not excluded (one aggregate query), and the responses counted per form."""
    return survey_scoring.survey_results(_statement_tallies(period), _form_counts(period))


def _statement_tallies(period):
    """[survey_scoring.StatementTally] of the period's statements in form order. One query."""
    kept = Q(ratings__response__excluded_at__isnull=True)
    scored = Q(ratings__score__isnull=False)
    never = Q(ratings__never_used=True)
    statements = (
        SurveyStatement.objects.filter(national_id=period.national_id)
        .order_by("subdimension__pillar__order", "subdimension__order", "order", "code")
        .values(
            "id",
            "code",
            "text",
            "subdimension__code",
            "subdimension__name",
            "subdimension__pillar__code",
            "subdimension__pillar__name",
        )
        .annotate(
            all_sum=models.Sum("ratings__score", default=0),
            all_scored=models.Count("ratings", filter=scored),
            all_never=models.Count("ratings", filter=never),
            kept_sum=models.Sum("ratings__score", filter=kept, default=0),
            kept_scored=models.Count("ratings", filter=kept & scored),
            kept_never=models.Count("ratings", filter=kept & never),
        )
    )
    return [
        survey_scoring.StatementTally(
            id=row["id"],
            code=row["code"],
            text=row["text"],
            pillar=row["subdimension__pillar__code"],
            pillar_name=row["subdimension__pillar__name"],
            subdimension=row["subdimension__code"],
            subdimension_name=row["subdimension__name"],
            **{name: row[name] for name in ("all_scored", "all_never", "kept_scored", "kept_never")},
            all_sum=Decimal(row["all_sum"]),
            kept_sum=Decimal(row["kept_sum"]),
        )
        for row in statements
    ]


def _form_counts(period):
    """[survey_scoring.FormCount]: the responses per form, all and not excluded. One query."""
    forms = (
        SurveyForm.objects.filter(survey__period=period)
        .values("pk", "pillar__code", "subdimension__code", "target")
        .annotate(
            total=models.Count("responses"),
            kept_n=models.Count("responses", filter=Q(responses__excluded_at__isnull=True)),
        )
        .order_by()
    )
    return [
        survey_scoring.FormCount(
            pillar=row["pillar__code"],
            subdimension=row["subdimension__code"],
            total=row["total"],
            kept=row["kept_n"],
            target=row["target"],
        )
        for row in forms
    ]


# The answer types an impact question may have: the survey mean is a number on the 0–4 scale.
# A level question (always scored) counts in the index with the mean as its score; a number
# question holds the mean too but, like every number question, is scored only when the instrument
# gives it score bands (Question.type_is_scorable). Other types are left alone and reported.
IMPACT_ANSWER_TYPES = ("level", "number")
# What an impact answer holds besides the survey's mean (in number_value): nothing else.
IMPACT_VALUES = {"option_id": None, "bool_value": None, "text_value": "", "date_value": None}


@dataclass
class ImpactFill:
    """What filling the impact questions did, for the coordinator's messages."""

    written: list = field(default_factory=list)  # (agency, question code, score)
    unchanged: int = 0
    refused: list = field(default_factory=list)  # (agency, question code): approved submissions
    skipped: list = field(default_factory=list)  # (question code, reason)


def impact_questions(period):
    """The period's questions answered from the impact survey, in form order. One query."""
    return list(
        Question.objects.for_period(period)
        .filter(from_impact_survey=True)
        .select_related("pillar", "subdimension")
        .order_by("indicator__dimension__order", "indicator__order", "order", "code")
    )


@transaction.atomic
def fill_impact_answers(period, by):
    """Write the survey means into the answers of the impact questions (Question.from_impact_survey)
    in the submissions of every agency that answers them (by pillar or by name): the value and the
    self score are the mean of the question's sub-dimension, or of its pillar when it has none,
    rounded to 2 decimals as a score. One transaction, so either every answer is written or none.

    - an answer already holding that value is left alone: running it again changes nothing;
    - an approved submission is never changed (the admin reopens it first): reported as refused;
    - a verified score given to an older value is cleared, as when an operator changes an answer,
      so the index never counts a coordinator's score of something else;
    - every change writes an AnswerChange saying it came from the survey.

    Raises TransitionError when there is nothing to fill from (no response after exclusions, no
    impact question) or the period is closed."""
    if not by.has_perm(REVIEW):
        raise PermissionDenied
    if period.is_closed():
        raise TransitionError(_("Periode ini sudah ditutup: jawaban tidak dapat diisi lagi."))
    results = survey_results(period)
    if not results.respondents.kept:
        raise TransitionError(_("Belum ada respons survei dampak yang dihitung: tidak ada yang dapat diisi."))
    questions = impact_questions(period)
    if not questions:
        raise TransitionError(_("Instrumen periode ini tidak memiliki pertanyaan yang diisi dari survei dampak."))

    fill = ImpactFill()
    scores = _impact_scores(questions, results, fill)
    agencies = _agencies_answering(period, [q for q in questions if q.pk in scores])
    submissions = _locked_submissions(period, sorted({a for ids in agencies.values() for a in ids}))
    answers = {
        (a.submission_id, a.question_id): a
        for a in Answer.objects.filter(submission__in=list(submissions.values()), question_id__in=list(scores))
    }
    changes = []
    for question in questions:
        if question.pk not in scores:
            continue
        score, group = scores[question.pk]
        for agency_id in sorted(agencies[question.pk]):
            submission = submissions[agency_id]
            answer = answers.get((submission.pk, question.pk))
            if answer is not None and _holds(answer, score):
                fill.unchanged += 1
            elif submission.is_approved():
                fill.refused.append((submission.agency, question.code))
            else:
                write_answer(
                    submission,
                    question,
                    answer,
                    {**IMPACT_VALUES, "number_value": score},
                    by,
                    changes=changes,
                    self_score=score,
                    source=("impact_survey", str(_source(score, group))),
                )
                fill.written.append((submission.agency, question.code, score))
    AnswerChange.objects.bulk_create(changes)
    return fill


def _code(subdimension):
    return subdimension.code if subdimension is not None else None


def _impact_scores(questions, results, fill):
    """{question id: (score, GroupResult)} of the questions the survey can fill; the others are
    added to `fill.skipped` with the reason."""
    scores = {}
    for question in questions:
        group = results.group_for(question.pillar.code if question.pillar_id else None, _code(question.subdimension))
        if question.answer_type not in IMPACT_ANSWER_TYPES:
            fill.skipped.append((question.code, _("jenis jawabannya bukan level atau angka")))
        elif group is None or group.mean is None:
            fill.skipped.append((question.code, _("belum ada skor survei untuk sub-dimensi atau pilarnya")))
        else:
            scores[question.pk] = (survey_scoring.as_score(group.mean), group)
    return scores


def _locked_submissions(period, agency_ids):
    """{agency id: submission} of the period, created where missing, each locked in turn."""
    submissions = {}
    for agency_id in agency_ids:
        submission, _created = Submission.objects.select_related("agency").get_or_create(
            period=period, agency_id=agency_id
        )
        submission.lock()  # a transition of the same submission waits for this fill, or the other way round
        submissions[agency_id] = submission
    return submissions


def _source(score, group):
    """The change row's new value: where the answer came from."""
    return _("%(score)s: rata-rata survei dampak %(group)s, %(n)s responden") % {
        "score": format_score(score),
        "group": group.name or group.code,
        "n": group.respondents.kept,
    }


def _agencies_answering(period, questions):
    """{question id: {agency id}}: the agencies answering each question, by pillar or by name. One
    query."""
    by_pillar, by_question = {}, {}
    for agency_id, pillar_id, question_id in Assignment.objects.filter(period=period).values_list(
        "agency_id", "pillar_id", "question_id"
    ):
        if pillar_id is not None:
            by_pillar.setdefault(pillar_id, set()).add(agency_id)
        if question_id is not None:
            by_question.setdefault(question_id, set()).add(agency_id)
    return {q.pk: by_pillar.get(q.pillar_id, set()) | by_question.get(q.pk, set()) for q in questions}


def _holds(answer, score):
    """The answer already says what the survey says (and is no copy awaiting confirmation)."""
    return (
        answer.number_value == score
        and answer.self_score == score
        and answer.option_id is None
        and not answer.carried_forward
    )


# --- what the public form answers when it takes no response (views.surveys.public_form) ---------
NOT_FOUND, TOO_MANY, ENUMERATORS_ONLY, NOT_READY = "not_found", "too_many", "enumerators_only", "not_ready"
NOTICES = {
    ResponseRefused.REPLAYED: (
        _("Jawaban sudah terkirim"),
        _("Jawaban dari formulir ini sudah kami terima sebelumnya. Terima kasih, Anda tidak perlu mengirim lagi."),
        409,
    ),
    ResponseRefused.SAME_DEVICE: (
        _("Anda sudah mengisi formulir ini"),
        _("Anda sudah mengisi formulir ini dari perangkat ini. Setiap orang cukup mengisi satu kali. Terima kasih."),
        409,
    ),
    ResponseRefused.SAME_CONTACT: (
        _("Anda sudah mengisi formulir ini"),
        _(
            "Anda sudah mengisi formulir ini dengan kontak yang sama. "
            "Setiap orang cukup mengisi satu kali. Terima kasih."
        ),
        409,
    ),
    # Not the app's 404 page: that one links into the app.
    NOT_FOUND: (
        _("Formulir tidak ditemukan"),
        _("Tautan ini tidak dikenal. Periksa kembali tautan yang Anda terima."),
        404,
    ),
    TOO_MANY: (
        _("Terlalu banyak kiriman"),
        _(
            "Terlalu banyak kiriman dari jaringan atau tautan ini dalam waktu singkat. "
            "Tunggu beberapa menit, lalu coba lagi."
        ),
        429,
    ),
    NOT_READY: (
        _("Formulir belum siap"),
        _("Program yang dinilai lewat formulir ini belum ditentukan. Coba lagi nanti, atau hubungi pengirim tautan."),
        403,
    ),
    ENUMERATORS_ONLY: (
        _("Formulir ini diisi lewat petugas"),
        _(
            "Formulir ini hanya dapat diisi melalui petugas (enumerator) yang ditunjuk perangkat daerah. "
            "Hubungi perangkat daerah pemilik program bila Anda ingin mengisinya."
        ),
        403,
    ),
}
