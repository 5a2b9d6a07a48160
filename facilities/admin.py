"""Admin of the registry's reference data, enterprises, facilities and user profiles."""

from django.contrib import admin

from facilities.admin_base import RegistryAdmin
from facilities.models import District, Enterprise, Facility, Profile, Sector


@admin.register(District)
class DistrictAdmin(RegistryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Sector)
class SectorAdmin(RegistryAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(Enterprise)
class EnterpriseAdmin(RegistryAdmin):
    list_display = ["name", "tax_code", "representative", "phone"]
    search_fields = ["search_key", "tax_code"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Facility)
class FacilityAdmin(RegistryAdmin):
    list_display = [
        "code",
        "name",
        "enterprise",
        "activity",
        "sector",
        "district",
        "operating_since",
        "closed_on",
    ]
    list_filter = ["district", "sector", "activity"]
    search_fields = ["search_key", "code"]
    list_select_related = ["enterprise", "sector", "district"]
    # A <select> of every enterprise would list the whole table: type the id instead.
    raw_id_fields = ["enterprise"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "operating_since"


@admin.register(Profile)
class ProfileAdmin(RegistryAdmin):
    list_display = ["user", "role", "enterprise"]
    list_filter = ["role", "districts"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user", "enterprise"]
    filter_horizontal = ["districts"]
