"""Admin of certificates and clean-technology measures."""

from django.contrib import admin

from compliance.models import Certificate, CleanTechMeasure
from facilities.admin_base import RegistryAdmin


@admin.register(Certificate)
class CertificateAdmin(RegistryAdmin):
    list_display = ["number", "facility", "issuer", "issued_on", "valid_until", "revoked_on"]
    list_filter = ["issuer", "facility__district"]
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
