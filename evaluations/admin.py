"""The Django admin: configuration only.

Periods, the instrument (dimensions, indicators, questions, options, score bands), kecamatan,
agencies, their members and assignments are edited here, and every change, inline rows included,
is recorded field by field with old and new value (AdminChange, shown on each object's History
page). What has a life cycle or an audit trail of its own is read-only here: submissions and their
answers, evidence and timeline, answer history, quick-win status and history, data-set uploads.
Those change only through the app's pages, whose model methods check the rules and write the
audit rows.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartcity import lockout

from . import quickwins
from .models import (
    AdminChange,
    Agency,
    AgencyMember,
    Answer,
    AnswerChange,
    AnswerOption,
    Assignment,
    DatasetUpload,
    Dimension,
    EvaluationPeriod,
    Evidence,
    HealthFacility,
    Indicator,
    Kecamatan,
    NationalPeriod,
    Question,
    QuickWin,
    QuickWinChange,
    QuickWinEvidence,
    QuickWinFieldChange,
    Region,
    RegionStaff,
    ReviewComment,
    RoadSegment,
    School,
    ScoreBand,
    Submission,
    SubmissionEvent,
    TransportFacility,
)


class ReadOnlyMixin:
    """For a model admin or inline: look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(admin.ModelAdmin):
    """A configuration model: every change made here, on its inlines too, is recorded field by
    field (AdminChange), and the object's History page lists them with old and new values."""

    object_history_template = "evaluations/admin/object_history.html"

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        action = AdminChange.Action.CHANGED if change else AdminChange.Action.ADDED
        AdminChange.record(request.user, action, obj, before)

    def delete_model(self, request, obj):
        with transaction.atomic():
            AdminChange.record(request.user, AdminChange.Action.DELETED, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                AdminChange.record(request.user, AdminChange.Action.DELETED, obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        parent = form.instance
        before = formset.model._default_manager.in_bulk(
            [inline.instance.pk for inline in formset.forms if inline.instance.pk is not None]
        )
        # Deleted rows lose their primary key when deleted: recorded first.
        for inline in formset.deleted_forms:
            if inline.instance.pk is not None:
                AdminChange.record(request.user, AdminChange.Action.DELETED, inline.instance, parent=parent)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            AdminChange.record(request.user, AdminChange.Action.ADDED, obj, parent=parent)
        for obj, _fields in formset.changed_objects:
            AdminChange.record(request.user, AdminChange.Action.CHANGED, obj, before[obj.pk], parent=parent)

    def history_view(self, request, object_id, extra_context=None):
        changes = AdminChange.objects.of(self.model, unquote(object_id))
        return super().history_view(request, object_id, {**(extra_context or {}), "field_changes": changes})


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    show_change_link = True


@admin.register(NationalPeriod)
class NationalPeriodAdmin(HistoryAdmin):
    list_display = ["name", "year", "stage", "opens", "closes"]
    search_fields = ["name"]
    inlines = [DimensionInline]


class RegionStaffInline(admin.TabularInline):
    model = RegionStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
    """Only the superuser holds the region permissions: it adds regions and names their staff
    (each region's admin among them)."""

    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]
    inlines = [RegionStaffInline]


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(HistoryAdmin):
    list_display = ["name", "region", "year", "stage", "opens", "closes", "status"]
    list_filter = ["status", "year", "stage", "region"]
    search_fields = ["name"]
    # Opening, closing and reopening check the instrument and lock submissions: only through the
    # period page's buttons (EvaluationPeriod.open / close / reopen), never a free choice here.
    readonly_fields = ["status"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    show_change_link = True


@admin.register(Dimension)
class DimensionAdmin(HistoryAdmin):
    list_display = ["code", "name", "weight", "national", "order"]
    list_filter = ["national"]
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
class IndicatorAdmin(HistoryAdmin):
    list_display = ["code", "name", "dimension"]
    list_filter = ["dimension__national", "dimension"]
    search_fields = ["code", "name"]
    inlines = [QuestionInline]


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    extra = 0


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    extra = 0


@admin.register(Question)
class QuestionAdmin(HistoryAdmin):
    list_display = ["code", "short_text", "answer_type", "pillar", "subdimension", "evidence_required", "indicator"]
    list_filter = ["indicator__dimension__national", "answer_type", "pillar", "evidence_required"]
    search_fields = ["code", "text"]
    list_select_related = ["pillar", "subdimension", "indicator"]
    inlines = [AnswerOptionInline, ScoreBandInline]

    @admin.display(description=_("pertanyaan"))
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(Kecamatan)
class KecamatanAdmin(HistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class AgencyMemberInline(admin.TabularInline):
    model = AgencyMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["abbreviation", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "abbreviation"]
    inlines = [AgencyMemberInline]


@admin.register(AgencyMember)
class AgencyMemberAdmin(HistoryAdmin):
    list_display = ["user", "agency"]
    list_filter = ["agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__abbreviation"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    list_display = ["period", "agency", "pillar", "question"]
    list_filter = ["period", "pillar", "agency"]
    search_fields = ["agency__abbreviation", "agency__name", "question__code"]
    list_select_related = ["period", "agency", "pillar", "question"]
    raw_id_fields = ["question"]


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "self_score", "verified_score", "needs_revision", "version"]
    readonly_fields = fields
    show_change_link = True


class SubmissionEventInline(ReadOnlyMixin, admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    readonly_fields = ["created_at", "actor", "kind", "from_status", "to_status", "note"]
    fields = readonly_fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: status, reopening and their timestamps change only through the transitions on
    the app's pages (Submission.submit / return_for_revision / approve / reopen)."""

    list_display = ["agency", "period", "status", "submitted_at", "approved_at", "reopened"]
    list_filter = ["period", "status", "reopened"]
    search_fields = ["agency__name", "agency__abbreviation"]
    list_select_related = ["agency", "period"]
    inlines = [AnswerInline, SubmissionEventInline]


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "original_name", "url", "size", "uploaded_by", "uploaded_at", "removed_at"]
    readonly_fields = fields


class AnswerChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = AnswerChange
    extra = 0
    fields = ["changed_at", "changed_by", "field", "old_value", "new_value"]
    readonly_fields = fields


@admin.register(Answer)
class AnswerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: values, scores and marks change only on the answering and review pages, which
    write AnswerChange and SubmissionEvent rows."""

    list_display = ["submission", "question", "self_score", "verified_score", "needs_revision", "updated_at"]
    list_filter = ["submission__period", "needs_revision", "question__pillar"]
    search_fields = ["question__code", "submission__agency__abbreviation", "text_value", "explanation"]
    list_select_related = ["submission__agency", "submission__period", "question"]
    inlines = [EvidenceInline, AnswerChangeInline]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: evidence is added and removed on the answering page, which records it."""

    list_display = ["title", "original_name", "url", "answer", "uploaded_by", "uploaded_at", "removed_at"]
    list_filter = ["answer__submission__period"]
    search_fields = ["title", "original_name", "url"]
    list_select_related = ["answer__submission__agency", "answer__question", "uploaded_by"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["answer", "author", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["body"]
    raw_id_fields = ["answer"]


# --- audit rows: readable, never added, changed or deleted here ---------------------------------
@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["submission", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["note", "submission__agency__abbreviation"]
    list_select_related = ["submission__agency", "submission__period", "actor"]


@admin.register(AnswerChange)
class AnswerChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["answer", "field", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["field", "answer__submission__period"]
    search_fields = ["old_value", "new_value", "answer__question__code", "answer__submission__agency__abbreviation"]
    list_select_related = ["answer__submission__agency", "answer__question", "changed_by"]


class QuickWinFieldChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = QuickWinFieldChange
    extra = 0
    fields = ["field", "old_value", "new_value"]
    readonly_fields = fields


@admin.register(QuickWinChange)
class QuickWinChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["quick_win", "kind", "from_status", "to_status", "actor", "at"]
    list_filter = ["kind", "quick_win__period"]
    search_fields = ["quick_win__name", "note", "fields"]
    list_select_related = ["quick_win", "actor"]
    inlines = [QuickWinFieldChangeInline]


@admin.register(AdminChange)
class AdminChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "content_type", "object_repr", "action", "field", "old_value", "new_value"]
    list_filter = ["content_type", "action"]
    search_fields = ["object_repr", "field", "old_value", "new_value", "actor__username"]
    list_select_related = ["actor", "content_type"]


# --- quick wins and data sets -----------------------------------------------------------------
class QuickWinChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = QuickWinChange
    extra = 0
    fields = ["at", "actor", "kind", "from_status", "to_status", "fields", "note"]
    readonly_fields = fields
    show_change_link = True


class QuickWinEvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = QuickWinEvidence
    extra = 0
    fields = ["title", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(QuickWin)
class QuickWinAdmin(admin.ModelAdmin):
    """The fields may be corrected here, recorded like an edit on the quick-win page (old and new
    values); the status moves only through the life cycle on the app's pages, and quick wins are
    proposed there."""

    list_display = ["name", "period", "pillar", "agency", "status", "is_new", "achievement_pct"]
    list_filter = ["period", "pillar", "status", "budget_source"]
    search_fields = ["name", "description", "agency__abbreviation", "partners"]
    list_select_related = ["period", "pillar", "agency"]
    filter_horizontal = ["supporting_agencies"]
    readonly_fields = ["period", "status", "status_note", "continued_from", "created_by", "created_at", "updated_at"]
    inlines = [QuickWinEvidenceInline, QuickWinChangeInline]
    # As the quick-win form's LinkField: a link typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        quickwins.save_edit(obj, request.user, supporting_agencies=form.cleaned_data.get("supporting_agencies"))


@admin.register(DatasetUpload)
class DatasetUploadAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the upload history; an upload is deleted (its rows with it, the row kept) on the
    data-set page."""

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


# --- Users: lifting a login lockout (smartcity/lockout.py) --------------------------------------


@admin.action(description=_("Buka kunci masuk (terlalu banyak percobaan gagal)"), permissions=["change"])
def unlock_sign_in(modeladmin, request, queryset):
    """Whichever address the person was locked out from, with the lockout in the database or Redis."""
    users = list(queryset)
    for user in users:
        lockout.unlock(user.get_username())
    message = ngettext(
        "Kunci masuk dibuka untuk %(n)s pengguna.", "Kunci masuk dibuka untuk %(n)s pengguna.", len(users)
    )
    modeladmin.message_user(request, message % {"n": len(users)})


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    actions = [unlock_sign_in]
