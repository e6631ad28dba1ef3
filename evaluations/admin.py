from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Agency,
    AgencyMember,
    Answer,
    AnswerChange,
    AnswerOption,
    Assignment,
    Dimension,
    EvaluationPeriod,
    Evidence,
    Indicator,
    Kecamatan,
    Question,
    ReviewComment,
    ScoreBand,
    Submission,
    SubmissionEvent,
)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    show_change_link = True


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "stage", "opens", "closes", "status"]
    list_filter = ["status", "year", "stage"]
    search_fields = ["name"]
    inlines = [DimensionInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    show_change_link = True


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "weight", "period", "order"]
    list_filter = ["period"]
    search_fields = ["code", "name"]
    inlines = [IndicatorInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True
    fields = [
        ("code", "order"),
        "text",
        "help_text",
        ("answer_type", "unit"),
        ("pillar", "subdimension"),
        ("required", "evidence_required"),
    ]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dimension"]
    list_filter = ["dimension__period", "dimension"]
    search_fields = ["code", "name"]
    inlines = [QuestionInline]


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    extra = 0


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "short_text", "answer_type", "pillar", "subdimension", "evidence_required", "indicator"]
    list_filter = ["indicator__dimension__period", "answer_type", "pillar", "evidence_required"]
    search_fields = ["code", "text"]
    list_select_related = ["pillar", "subdimension", "indicator"]
    inlines = [AnswerOptionInline, ScoreBandInline]

    @admin.display(description=_("pertanyaan"))
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class AgencyMemberInline(admin.TabularInline):
    model = AgencyMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["abbreviation", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "abbreviation"]
    inlines = [AgencyMemberInline]


@admin.register(AgencyMember)
class AgencyMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "agency"]
    list_filter = ["agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__abbreviation"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["period", "agency", "pillar", "question"]
    list_filter = ["period", "pillar", "agency"]
    search_fields = ["agency__abbreviation", "agency__name", "question__code"]
    list_select_related = ["period", "agency", "pillar", "question"]
    raw_id_fields = ["question"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "self_score", "verified_score", "needs_revision", "version"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    readonly_fields = ["created_at", "actor", "kind", "from_status", "to_status", "note"]
    fields = readonly_fields
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["agency", "period", "status", "submitted_at", "approved_at", "reopened"]
    list_filter = ["period", "status", "reopened"]
    search_fields = ["agency__name", "agency__abbreviation"]
    list_select_related = ["agency", "period"]
    inlines = [AnswerInline, SubmissionEventInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "original_name", "url", "size", "uploaded_by", "uploaded_at", "removed_at"]
    readonly_fields = fields
    can_delete = False


class AnswerChangeInline(admin.TabularInline):
    model = AnswerChange
    extra = 0
    fields = ["changed_at", "changed_by", "field", "old_value", "new_value"]
    readonly_fields = fields
    can_delete = False


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["submission", "question", "self_score", "verified_score", "needs_revision", "updated_at"]
    list_filter = ["submission__period", "needs_revision", "question__pillar"]
    search_fields = ["question__code", "submission__agency__abbreviation", "text_value", "explanation"]
    list_select_related = ["submission__agency", "submission__period", "question"]
    raw_id_fields = ["submission", "question", "option"]
    inlines = [EvidenceInline, AnswerChangeInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["title", "original_name", "url", "answer", "uploaded_by", "uploaded_at", "removed_at"]
    list_filter = ["answer__submission__period"]
    search_fields = ["title", "original_name", "url"]
    raw_id_fields = ["answer", "carried_from"]
    list_select_related = ["answer__submission__agency", "answer__question", "uploaded_by"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["answer", "author", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["body"]
    raw_id_fields = ["answer"]


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(admin.ModelAdmin):
    list_display = ["submission", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["note", "submission__agency__abbreviation"]
    raw_id_fields = ["submission", "answer"]


# --- quick wins and data sets -----------------------------------------------------------------
from .models import (  # noqa: E402  (kept next to the registrations they serve)
    DatasetUpload,
    HealthFacility,
    QuickWin,
    QuickWinChange,
    QuickWinEvidence,
    RoadSegment,
    School,
    TransportFacility,
)


class QuickWinChangeInline(admin.TabularInline):
    model = QuickWinChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "kind", "from_status", "to_status", "fields", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class QuickWinEvidenceInline(admin.TabularInline):
    model = QuickWinEvidence
    extra = 0
    readonly_fields = ["original_name", "size", "uploaded_by", "uploaded_at"]


@admin.register(QuickWin)
class QuickWinAdmin(admin.ModelAdmin):
    list_display = ["name", "period", "pillar", "agency", "status", "is_new", "achievement_pct"]
    list_filter = ["period", "pillar", "status", "budget_source"]
    search_fields = ["name", "description", "agency__abbreviation", "partners"]
    list_select_related = ["period", "pillar", "agency"]
    raw_id_fields = ["continued_from"]
    filter_horizontal = ["supporting_agencies"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [QuickWinEvidenceInline, QuickWinChangeInline]


@admin.register(DatasetUpload)
class DatasetUploadAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "kind",
        "period",
        "agency",
        "outcome",
        "row_count",
        "error_count",
        "uploaded_by",
        "uploaded_at",
        "deleted_at",
    ]
    list_filter = ["kind", "outcome", "period"]
    search_fields = ["original_name", "agency__abbreviation"]
    list_select_related = ["period", "agency", "uploaded_by"]
    readonly_fields = ["uploaded_by", "uploaded_at", "deleted_by", "deleted_at"]


class DatasetRowAdmin(admin.ModelAdmin):
    list_filter = ["period", "kecamatan"]
    list_select_related = ["period", "agency", "kecamatan"]
    raw_id_fields = ["upload"]


@admin.register(RoadSegment)
class RoadSegmentAdmin(DatasetRowAdmin):
    list_display = [
        "road_number",
        "name",
        "kecamatan",
        "status",
        "length_km",
        "baik_km",
        "sedang_km",
        "agency",
        "period",
    ]
    list_filter = [*DatasetRowAdmin.list_filter, "status", "function"]
    search_fields = ["road_number", "name"]


@admin.register(School)
class SchoolAdmin(DatasetRowAdmin):
    list_display = ["npsn", "name", "level", "ownership", "kecamatan", "students", "capacity", "period"]
    list_filter = [*DatasetRowAdmin.list_filter, "level", "ownership"]
    search_fields = ["npsn", "name"]


@admin.register(HealthFacility)
class HealthFacilityAdmin(DatasetRowAdmin):
    list_display = ["code", "name", "type", "kecamatan", "beds", "doctors", "nurses", "midwives", "period"]
    list_filter = [*DatasetRowAdmin.list_filter, "type", "accreditation"]
    search_fields = ["code", "name"]


@admin.register(TransportFacility)
class TransportFacilityAdmin(DatasetRowAdmin):
    list_display = ["name", "type", "status", "kecamatan", "capacity", "condition", "period"]
    list_filter = [*DatasetRowAdmin.list_filter, "type", "status"]
    search_fields = ["name", "operator"]
