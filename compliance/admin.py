"""Admin of certificates and clean-technology measures."""

from django.contrib import admin

from compliance.models import AnnualReport, Certificate, CleanTechMeasure
from facilities.access import can_read_history
from facilities.admin_base import RegistryAdmin


@admin.register(Certificate)
class CertificateAdmin(RegistryAdmin):
    list_display = [
        "number",
        "kind",
        "facility",
        "issuer",
        "issued_on",
        "valid_until",
        "revoked_on",
    ]
    list_filter = ["kind", "issuer", "facility__district", "facility__commune"]
    search_fields = ["number", "facility__code", "facility__search_key"]
    list_select_related = ["facility"]
    raw_id_fields = ["facility"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "valid_until"


@admin.register(CleanTechMeasure)
class CleanTechMeasureAdmin(RegistryAdmin):
    list_display = ["facility", "kind", "category", "installed_on", "removed_on", "verified_on"]
    list_filter = ["kind", "category", "facility__district"]
    search_fields = ["facility__code", "facility__search_key", "description"]
    list_select_related = ["facility"]
    raw_id_fields = ["facility", "verified_by"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    """Published reports can be looked at, never added, changed or deleted here
    (publishing is a service with its own checks; a published report is frozen)."""

    list_display = ["year", "as_of", "published_at", "published_by"]
    readonly_fields = [
        "year",
        "as_of",
        "new_build_since",
        "assessment_valid_years",
        "published_at",
        "published_by",
        "figures",
    ]
    exclude = ["rows"]  # up to one row per facility and indicator: too big for a form
    actions = None

    def has_view_permission(self, request, obj=None):
        # Those who read the whole record (administrators, auditors) read reports here;
        # no group permission is needed.
        return can_read_history(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
