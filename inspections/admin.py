"""Admin of inspections, findings and attachments — through the same services as the API
and the pages, so that the admin obeys the same rules (history read-only, reasons
recorded):

* a finalized or cancelled inspection changes only with a reason; its status, outcome
  date and finalizer are never edited here (finalizing is the services' lifecycle);
* a finalized inspection is never deleted, singly or in bulk;
* the history page's "revert" goes through the same update, so it cannot un-finalize;
* attachments pass the visit form's size and content checks, and leave no file behind
  when they are refused.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from facilities.admin_base import ReasonForm, RegistryAdmin
from facilities.history import current_reason
from inspections.attachments import attachment_add, attachment_check, check_upload
from inspections.choices import InspectionStatus
from inspections.models import (
    Attachment,
    EvidenceFile,
    Finding,
    Inspection,
    ReinspectionRequest,
    RemediationEvidence,
)
from inspections.services import (
    FINDING_FIELDS,
    INSPECTION_FIELDS,
    finding_create,
    finding_create_check,
    finding_delete,
    finding_update,
    finding_update_check,
    inspection_create,
    inspection_delete,
    inspection_update,
    inspection_update_check,
)


def _reason(form, default) -> str:
    return form.cleaned_data.get("change_reason") or current_reason() or str(default)


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ServiceForm(ReasonForm):
    """An admin form that asks the service's check before saving; ``check`` is set by
    the ModelAdmin with the request's user."""

    request_user = None

    def check(self, cleaned: dict) -> None:
        """Ask the service whether this write is allowed (raise to refuse)."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.check(cleaned)
            except ValidationError as error:
                _add_service_errors(self, error)
            except PermissionDenied as error:
                self.add_error(None, str(error))
        return cleaned


class InspectionForm(ServiceForm):
    def check(self, cleaned):
        if self.instance.pk is None:
            return
        current = Inspection.objects.get(pk=self.instance.pk)
        inspection_update_check(
            inspection=current,
            user=self.request_user,
            reason=cleaned.get("change_reason"),
            changes={k: v for k, v in cleaned.items() if k in INSPECTION_FIELDS},
        )


class FindingForm(ServiceForm):
    def check(self, cleaned):
        fields = {k: v for k, v in cleaned.items() if k in FINDING_FIELDS}
        if self.instance.pk is None:
            inspection = fields.pop("inspection", None)
            if inspection is not None:
                finding_create_check(
                    user=self.request_user,
                    inspection=inspection,
                    reason=cleaned.get("change_reason"),
                    fields=fields,
                )
            return
        current = Finding.objects.select_related("inspection__facility").get(pk=self.instance.pk)
        finding_update_check(
            finding=current,
            user=self.request_user,
            reason=cleaned.get("change_reason"),
            changes=fields,
        )


class ServiceAdmin(RegistryAdmin):
    """Hands the request's user to the form's service check."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})


class FindingInline(admin.TabularInline):
    """A draft's findings, saved through the finding services (InspectionAdmin.save_formset);
    read-only once the inspection is finalized or cancelled."""

    model = Finding
    extra = 0
    fields = ["category", "severity", "description", "corrective_action", "deadline", "resolved_on"]

    def _open(self, obj) -> bool:
        return obj is None or not obj.is_locked

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


@admin.register(Inspection)
class InspectionAdmin(ServiceAdmin):
    form = InspectionForm
    list_display = ["facility", "visited_on", "kind", "status", "outcome"]
    list_filter = ["status", "outcome", "kind", "facility__district"]
    search_fields = ["facility__search_key", "facility__code"]
    list_select_related = ["facility"]
    raw_id_fields = ["facility"]
    filter_horizontal = ["inspectors"]
    # The lifecycle (draft → finalized / cancelled) is the services' and the API's
    # actions, with their own checks; here it is only shown.
    readonly_fields = [
        "status",
        "finalized_at",
        "finalized_by",
        "version",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "visited_on"
    inlines = [FindingInline]

    def save_model(self, request, obj, form, change):
        fields = {k: v for k, v in form.cleaned_data.items() if k in INSPECTION_FIELDS}
        if change:
            saved = inspection_update(
                inspection=Inspection.objects.get(pk=obj.pk),
                user=request.user,
                reason=_reason(form, _("admin: sửa")),
                **fields,
            )
        else:
            saved = inspection_create(
                user=request.user, reason=_reason(form, _("admin: tạo mới")), **fields
            )
        # The admin goes on with ``obj`` (many-to-many, messages): make it the saved row.
        for f in Inspection._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Finding:
            return super().save_formset(request, form, formset, change)
        reason = _reason(form, _("admin: sửa"))
        inspection = Inspection.objects.get(pk=form.instance.pk)
        # What the admin's change message lists (ModelAdmin.construct_change_message).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for finding_form in formset.deleted_forms:
            if finding_form.instance.pk:
                finding_delete(finding=finding_form.instance, user=request.user, reason=reason)
                formset.deleted_objects.append(finding_form.instance)
        for finding_form in formset.forms:
            if finding_form in formset.deleted_forms or not finding_form.has_changed():
                continue
            fields = {
                k: v
                for k, v in finding_form.cleaned_data.items()
                if k in FINDING_FIELDS - {"inspection"}
            }
            if finding_form.instance.pk:
                current = Finding.objects.get(pk=finding_form.instance.pk)
                saved = finding_update(finding=current, user=request.user, reason=reason, **fields)
                formset.changed_objects.append((saved, finding_form.changed_data))
            else:
                saved = finding_create(
                    user=request.user, inspection=inspection, reason=reason, **fields
                )
                formset.new_objects.append(saved)

    def has_delete_permission(self, request, obj=None):
        # Evidence stays: the bulk action asks this for every selected row, too.
        if obj is not None and obj.status == InspectionStatus.FINALIZED:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        inspection_delete(inspection=obj, user=request.user, reason=str(_("admin: xóa")))

    def delete_queryset(self, request, queryset):
        if queryset.filter(status=InspectionStatus.FINALIZED).exists():
            raise PermissionDenied
        for inspection in queryset:
            inspection_delete(
                inspection=inspection, user=request.user, reason=str(_("admin: xóa hàng loạt"))
            )


@admin.register(Finding)
class FindingAdmin(ServiceAdmin):
    form = FindingForm
    list_display = ["inspection", "category", "severity", "deadline", "resolved_on"]
    list_filter = ["category", "severity"]
    search_fields = ["description", "inspection__facility__code"]
    list_select_related = ["inspection__facility"]
    raw_id_fields = ["inspection"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {k: v for k, v in form.cleaned_data.items() if k in FINDING_FIELDS}
        if change:
            current = Finding.objects.get(pk=obj.pk)
            saved = finding_update(
                finding=current, user=request.user, reason=_reason(form, _("admin: sửa")), **fields
            )
        else:
            saved = finding_create(
                user=request.user, reason=_reason(form, _("admin: tạo mới")), **fields
            )
        for f in Finding._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.inspection.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        finding_delete(finding=obj, user=request.user, reason=str(_("admin: xóa")))

    def delete_queryset(self, request, queryset):
        for finding in queryset.select_related("inspection__facility"):
            finding_delete(
                finding=finding, user=request.user, reason=str(_("admin: xóa hàng loạt"))
            )


class AttachmentForm(ServiceForm):
    """A new attachment: the file is checked as on the visit page (size, first bytes)."""

    class Meta:
        model = Attachment
        fields = ["inspection", "file", "caption"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and not getattr(upload, "_committed", False):
            upload.sniffed_type = check_upload(upload)
        return upload

    def check(self, cleaned):
        if self.instance.pk is None and cleaned.get("inspection") is not None:
            attachment_check(
                inspection=cleaned["inspection"],
                user=self.request_user,
                reason=cleaned.get("change_reason"),
            )


@admin.register(Attachment)
class AttachmentAdmin(ServiceAdmin):
    form = AttachmentForm
    list_display = ["inspection", "original_name", "content_type", "size", "uploaded_by"]
    list_select_related = ["inspection__facility", "uploaded_by"]
    raw_id_fields = ["inspection"]

    def get_readonly_fields(self, request, obj=None):
        bookkeeping = ["version", "created_at", "updated_at"]
        if obj is None:
            return bookkeeping
        # A stored file is evidence of its visit: only its caption may change.
        return [
            "inspection",
            "file",
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            *bookkeeping,
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["inspection", "file", "caption", "change_reason"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        upload = form.cleaned_data["file"]
        saved = attachment_add(
            inspection=form.cleaned_data["inspection"],
            user=request.user,
            upload=upload,
            content_type=upload.sniffed_type,
            caption=form.cleaned_data.get("caption", ""),
            reason=_reason(form, _("admin: tạo mới")),
        )
        for f in Attachment._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False
        return None


class ReadOnlyRecordAdmin(ServiceAdmin):
    """The business's evidence and requests, and the inspectors' decisions on them, are
    written only by inspections.remediation (its rights and states); the admin shows
    them, it never adds, edits or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RemediationEvidence)
class RemediationEvidenceAdmin(ReadOnlyRecordAdmin):
    list_display = ["finding", "status", "completed_on", "submitted_by", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["finding", "submitted_by"]
    search_fields = ["note", "finding__inspection__facility__code"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyRecordAdmin):
    list_display = ["evidence", "original_name", "content_type", "size"]
    list_select_related = ["evidence"]


@admin.register(ReinspectionRequest)
class ReinspectionRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ["facility", "status", "requested_by", "requested_at", "answered_by"]
    list_filter = ["status"]
    list_select_related = ["facility", "requested_by", "answered_by"]
    search_fields = ["facility__code", "reason"]
