"""The ModelAdmin every registry model uses: history with user and reason, read-only.

* Forms carry a "reason for change" field; what is typed there (or a description of
  the admin action) is stored on the history row with the user.
* simple-history 3.13 accepts a POST on its "revert to this version" page from anyone
  who may merely *view* history (hiding the button does not stop the POST): such a
  POST is refused with 403 here unless the user may change the object.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from facilities.history import change_context, current_reason


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Lý do thay đổi"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Được lưu vào lịch sử thay đổi cùng tên người sửa."),
    )


class RegistryAdmin(SimpleHistoryAdmin):
    form = ReasonForm
    history_list_display = ["history_change_reason"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "change_reason" in fields:
            fields.remove("change_reason")
        if self.has_change_permission(request, obj) or obj is None:
            fields.append("change_reason")
        return fields

    def save_model(self, request, obj, form, change):
        # A typed reason wins; otherwise the surrounding one (e.g. "restore version N").
        reason = (
            form.cleaned_data.get("change_reason")
            or current_reason()
            or (_("admin: sửa") if change else _("admin: tạo mới"))
        )
        with change_context(user=request.user, reason=str(reason)):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        reason = form.cleaned_data.get("change_reason") or current_reason() or _("admin: sửa")
        with change_context(user=request.user, reason=str(reason)):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        with change_context(user=request.user, reason=str(_("admin: xóa"))):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with change_context(user=request.user, reason=str(_("admin: xóa hàng loạt"))):
            super().delete_queryset(request, queryset)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            # A deleted object has no live row: the model-level change permission decides.
            obj = self.get_object(request, object_id)
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            with change_context(
                user=request.user,
                reason=str(_("admin: khôi phục phiên bản %(id)s") % {"id": version_id}),
            ):
                return super().history_form_view(request, object_id, version_id, extra_context)
        return super().history_form_view(request, object_id, version_id, extra_context)
