"""Admin of the registry's reference data, enterprises, facilities and user profiles."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from facilities.admin_base import RegistryAdmin
from facilities.choices import Role
from facilities.history import change_context
from facilities.models import (
    ApiToken,
    Commune,
    DepartmentName,
    District,
    Enterprise,
    Facility,
    Profile,
    Sector,
)
from facilities.services import user_sync_role


@admin.register(District)
class DistrictAdmin(RegistryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(RegistryAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind", "former_districts"]
    search_fields = ["code", "name"]
    filter_horizontal = ["former_districts"]


@admin.register(DepartmentName)
class DepartmentNameAdmin(RegistryAdmin):
    list_display = ["effective_from", "name_vi", "name_en"]
    search_fields = ["name_vi", "name_en"]


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
        "commune",
        "operating_since",
        "closed_on",
    ]
    list_filter = ["district", "commune", "sector", "activity"]
    search_fields = ["search_key", "code"]
    list_select_related = ["enterprise", "sector", "district", "commune"]
    # A <select> of every enterprise would list the whole table: type the id instead.
    raw_id_fields = ["enterprise"]
    readonly_fields = ["version", "created_at", "updated_at"]
    date_hierarchy = "operating_since"


@admin.register(Profile)
class ProfileAdmin(RegistryAdmin):
    list_display = ["user", "role", "enterprise"]
    list_filter = ["role", "districts", "communes"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user", "enterprise"]
    filter_horizontal = ["districts", "communes"]


class ProfileInlineForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["role", "districts", "communes", "enterprise"]
        widgets = {
            "districts": forms.CheckboxSelectMultiple,
            "communes": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.INSPECTOR and not data.get("districts") and not data.get("communes"):
            self.add_error("districts", _("Cán bộ kiểm tra cần ít nhất một địa bàn."))
        if role == Role.BUSINESS and not data.get("enterprise"):
            self.add_error("enterprise", _("Tài khoản doanh nghiệp cần một doanh nghiệp."))
        if role != Role.BUSINESS:
            data["enterprise"] = None
        return data


class ProfileInline(admin.StackedInline):
    """The registry role of an account, edited with the account itself."""

    model = Profile
    form = ProfileInlineForm
    can_delete = False
    max_num = 1
    raw_id_fields = ["enterprise"]
    verbose_name_plural = _("vai trò trong sổ đăng ký")


admin.site.unregister(User)
# knox's own admin shows its English field names and can make tokens that nobody sees
# again; tokens are listed (and revoked) through ApiTokenAdmin instead.
admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: who holds one and until when; deleting one revokes it.

    Tokens are made only by their holders (POST /api/v1/auth/token/): the token itself
    is never stored, so there is nothing here to show or copy.
    """

    list_display = ["token_start", "holder", "created_on", "expires_on"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    fields = readonly_fields = ["token_start", "holder", "created_on", "expires_on"]

    @admin.display(description=_("mở đầu mã"), ordering="token_key")
    def token_start(self, obj):
        return f"{obj.token_key}…"

    @admin.display(description=_("người dùng"), ordering="user__username")
    def holder(self, obj):
        return obj.user

    @admin.display(description=_("tạo lúc"), ordering="created")
    def created_on(self, obj):
        return obj.created

    @admin.display(description=_("hết hạn lúc"), ordering="expiry")
    def expires_on(self, obj):
        return obj.expiry or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    """Accounts with their registry role: choosing the role sets its group too."""

    inlines = [ProfileInline]
    list_display = [*UserAdmin.list_display, "registry_role"]
    list_select_related = ["registry_profile"]

    @admin.display(description=_("vai trò"))
    def registry_role(self, obj):
        profile = getattr(obj, "registry_profile", None)
        return profile.get_role_display() if profile else "—"

    def save_related(self, request, form, formsets, change):
        with change_context(user=request.user, reason=str(_("admin: vai trò tài khoản"))):
            super().save_related(request, form, formsets, change)
            user_sync_role(user=form.instance)
