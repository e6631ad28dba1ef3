"""Everything that belongs to an evaluation period, one module per topic.

regions.py     regions (kabupaten, kota, provinces), their staff, the national period; the scoped managers
periods.py     a region's evaluation period and its life cycle
instrument.py  dimension -> indicator -> question -> answer options / score bands; its change history
agencies.py    kecamatan, agencies (Perangkat Daerah), their people, who answers what
submissions.py one submission per agency per period, its transitions and its timeline
review_sections.py  the review page's sections and cards, read for a submission (Submission's mixin)
answering.py   answers, their evidence, change history, review comments and the agency's replies
transitions.py the error a refused transition raises and the permissions the models check
quickwins.py   quick wins per pillar, their history (old and new values) and evidence
notifications.py in-app notices, and the reminders sent (once a day per agency)
datasets.py    the four supporting data sets and their upload history
files.py       what every stored file has (evidence, quick-win evidence, data-set uploads)
surveys.py     the impact survey (Tahap II): statements, dates, programmes, public forms, enumerator links
survey_responses.py the survey's responses, programme use, ratings, the monitor's flags and exclusions
jobs.py        long work off the request (workbook, reminders): state, progress, heartbeat, result file
review_plan.py the review plan (who reviews which pillar), its history, a reviewer's queue
reports.py     the report's Kekuatan / Kelemahan / Rekomendasi, every version kept
input_counts.py how often the results' inputs changed, counted by database triggers (the results' stamp)
audit.py       the history of what the Django admin changes; how history rows write values

Models sit at the bottom: they import nothing else of evaluations/ but scoring.py, survey_scoring.py and
permissions.py (free of Django), and they check permissions with user.has_perm and the names in
permissions.py, never through evaluations.roles.
"""

from .agencies import Agency, AgencyMember, Assignment, Kecamatan, RegionStaff
from .answering import Answer, AnswerChange, Evidence, PendingEvidence, ReviewComment, RevisionReply
from .audit import AdminChange
from .datasets import (
    DATASET_MODELS,
    DatasetKind,
    DatasetUpload,
    HealthFacility,
    RoadSegment,
    School,
    TransportFacility,
)
from .input_counts import InputCount
from .instrument import AnswerOption, Dimension, Indicator, InstrumentChange, Question, ScoreBand
from .jobs import Job, WorkerBeat
from .notifications import Notification, ReminderSent
from .periods import AssignmentConflict, EvaluationPeriod
from .quickwins import QuickWin, QuickWinChange, QuickWinEvidence, QuickWinFieldChange, QuickWinReport
from .regions import NationalPeriod, Region
from .reports import ReportNote
from .review_plan import ReviewAssignment, ReviewPlanChange
from .submissions import Submission, SubmissionEvent
from .survey_responses import ProgrammeUse, SurveyRating, SurveyResponse, SurveyResponseEvent
from .surveys import (
    Enumerator,
    ImpactSurvey,
    SurveyForm,
    SurveyProgramme,
    SurveySetupRefused,
    SurveyStatement,
)
from .transitions import TransitionError

__all__ = [
    "AdminChange",
    "InputCount",
    "Agency",
    "AgencyMember",
    "Answer",
    "AnswerChange",
    "AnswerOption",
    "Assignment",
    "AssignmentConflict",
    "Dimension",
    "EvaluationPeriod",
    "Evidence",
    "PendingEvidence",
    "Indicator",
    "InstrumentChange",
    "Job",
    "WorkerBeat",
    "Kecamatan",
    "Notification",
    "NationalPeriod",
    "Region",
    "RegionStaff",
    "ReminderSent",
    "ReportNote",
    "ReviewAssignment",
    "ReviewPlanChange",
    "Question",
    "ReviewComment",
    "RevisionReply",
    "ScoreBand",
    "Submission",
    "SubmissionEvent",
    "TransitionError",
    "QuickWin",
    "QuickWinChange",
    "QuickWinEvidence",
    "QuickWinFieldChange",
    "QuickWinReport",
    "DATASET_MODELS",
    "DatasetKind",
    "DatasetUpload",
    "HealthFacility",
    "RoadSegment",
    "School",
    "TransportFacility",
    "Enumerator",
    "ImpactSurvey",
    "ProgrammeUse",
    "SurveyForm",
    "SurveyProgramme",
    "SurveyRating",
    "SurveyResponse",
    "SurveyResponseEvent",
    "SurveyStatement",
    "SurveySetupRefused",
]
