"""Everything that belongs to an evaluation period, split by topic.

period.py      the evaluation period and its life cycle
instrument.py  dimension -> indicator -> question -> answer options / score bands
agency.py      kecamatan, agencies (Perangkat Daerah), their people, who answers what
submission.py  one submission per agency per period, answers, evidence, review and audit trail
quickwins.py   quick wins per pillar, their history and evidence
datasets.py    the four supporting data sets and their upload history
"""

from .agency import Agency, AgencyMember, Assignment, Kecamatan
from .datasets import (
    DATASET_MODELS,
    DatasetKind,
    DatasetUpload,
    HealthFacility,
    RoadSegment,
    School,
    TransportFacility,
)
from .instrument import AnswerOption, Dimension, Indicator, Question, ScoreBand
from .period import EvaluationPeriod
from .quickwins import QuickWin, QuickWinChange, QuickWinEvidence
from .submission import (
    Answer,
    AnswerChange,
    Evidence,
    ReviewComment,
    Submission,
    SubmissionEvent,
    TransitionError,
)

__all__ = [
    "Agency",
    "AgencyMember",
    "Answer",
    "AnswerChange",
    "AnswerOption",
    "Assignment",
    "Dimension",
    "EvaluationPeriod",
    "Evidence",
    "Indicator",
    "Kecamatan",
    "Question",
    "ReviewComment",
    "ScoreBand",
    "Submission",
    "SubmissionEvent",
    "TransitionError",
    "QuickWin",
    "QuickWinChange",
    "QuickWinEvidence",
    "DATASET_MODELS",
    "DatasetKind",
    "DatasetUpload",
    "HealthFacility",
    "RoadSegment",
    "School",
    "TransportFacility",
]
