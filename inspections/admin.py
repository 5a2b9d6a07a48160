"""Admin of inspections and findings (history read-only, reasons recorded)."""

from django.contrib import admin

from facilities.admin_base import RegistryAdmin
from inspections.models import Attachment, Finding, Inspection


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["category", "severity", "description", "corrective_action", "deadline", "resolved_on"]


@admin.register(Inspection)
class InspectionAdmin(RegistryAdmin):
    list_display = ["facility", "visited_on", "kind", "status", "outcome"]
    list_filter = ["status", "outcome", "kind", "facility__district"]
    search_fields = ["facility__search_key", "facility__code"]
    list_select_related = ["facility"]
    raw_id_fields = ["facility", "finalized_by"]
    filter_horizontal = ["inspectors"]
    readonly_fields = ["version", "finalized_at", "created_at", "updated_at"]
    date_hierarchy = "visited_on"
    inlines = [FindingInline]


@admin.register(Finding)
class FindingAdmin(RegistryAdmin):
    list_display = ["inspection", "category", "severity", "deadline", "resolved_on"]
    list_filter = ["category", "severity"]
    search_fields = ["description", "inspection__facility__code"]
    list_select_related = ["inspection__facility"]
    raw_id_fields = ["inspection"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Attachment)
class AttachmentAdmin(RegistryAdmin):
    list_display = ["inspection", "original_name", "content_type", "size", "uploaded_by"]
    list_select_related = ["inspection__facility", "uploaded_by"]
    raw_id_fields = ["inspection", "uploaded_by"]
    readonly_fields = ["version", "created_at", "updated_at", "size", "content_type"]
