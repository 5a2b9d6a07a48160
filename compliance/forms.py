"""Office forms of the administrator: enterprises, facilities, certificates and measures,
each with a change reason (docs/web.md, "Office forms").

They validate what was typed with the model's own rules (``full_clean``: the tax code,
the unique codes and numbers, dates in order) and show each message next to its field;
the writes themselves are the services (facilities.services, compliance.services), which
check the right to write and record the user and the reason in the history.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from compliance.models import Certificate, CleanTechMeasure
from facilities.models import (
    Commune,
    District,
    Enterprise,
    Facility,
    Sector,
    canonical_tax_code,
    validate_tax_code,
)
from facilities.services import next_facility_code
from facilities.text import search_key
from inspections.forms import DateInput, DayField

CHOOSE_LABEL = _("— Chọn —")
# How many matches the search-then-choose step of the enterprise field offers.
ENTERPRISE_CHOICES_SHOWN = 20


class OfficeForm(forms.ModelForm):
    """A registry form with the change reason (required) and the version the page was
    opened at (optimistic concurrency: a save over someone else's change is refused)."""

    reason = forms.CharField(
        label=_("Lý do thay đổi"),
        max_length=500,
        help_text=_("Được lưu vào lịch sử thay đổi cùng tên của bạn."),
        error_messages={"required": _("Cần ghi lý do thay đổi.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        for field in self.fields.values():
            # An unchosen picker says so in words, not Django's "---------".
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = CHOOSE_LABEL
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    (value, CHOOSE_LABEL if value == "" else label)
                    for value, label in field.choices
                ]
        # The reason comes last, just above the button.
        self.order_fields([name for name in self.fields if name not in ("reason", "version")])

    def _post_clean(self):
        super()._post_clean()
        # The message of a one-field unique constraint (Đã có cơ sở với mã này.) belongs
        # next to that field, not above the form (as the API does, place_constraint_errors).
        general = self._errors.get(NON_FIELD_ERRORS)
        if not general:
            return
        owners = {
            str(constraint.violation_error_message): constraint.fields[0]
            for constraint in self._meta.model._meta.constraints
            if len(getattr(constraint, "fields", ())) == 1 and constraint.fields[0] in self.fields
        }
        kept = self.error_class(error_class="nonfield", renderer=self.renderer)
        for message in general:
            if message in owners:
                self._errors.setdefault(owners[message], self.error_class()).append(message)
            else:
                kept.append(message)
        if kept:
            self._errors[NON_FIELD_ERRORS] = kept
        else:
            del self._errors[NON_FIELD_ERRORS]

    def values(self) -> dict:
        """The model fields of the form, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EnterpriseForm(OfficeForm):
    class Meta:
        model = Enterprise
        fields = ["tax_code", "name", "representative", "address", "phone", "email"]
        labels = {
            "tax_code": _("Mã số thuế"),
            "name": _("Tên doanh nghiệp"),
            "representative": _("Người đại diện theo pháp luật"),
            "address": _("Địa chỉ"),
            "phone": _("Điện thoại"),
            "email": _("Thư điện tử"),
        }
        help_texts = {
            "tax_code": _("10 chữ số, hoặc 13 chữ số dạng 0123456789-001 cho chi nhánh."),
        }
        widgets = {
            "tax_code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "data-tax-code": ""}
            ),
        }


class EnterpriseChoiceField(forms.CharField):
    """The enterprise of a facility, typed as a tax code or a name and found by search.

    Without JavaScript: a tax code (or "Tên (MST)") names one enterprise; a name that
    matches several brings the form back with the matches to choose from.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Doanh nghiệp"))
        kwargs.setdefault(
            "help_text", _("Nhập mã số thuế hoặc tên doanh nghiệp (không cần gõ dấu).")
        )
        kwargs.setdefault("error_messages", {"required": _("Cần chọn doanh nghiệp.")})
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Enterprise):
            return str(value)
        if isinstance(value, int):
            found = Enterprise.objects.filter(pk=value).first()
            return str(found) if found else ""
        return value


class FacilityForm(OfficeForm):
    enterprise = EnterpriseChoiceField()

    class Meta:
        model = Facility
        fields = [
            "code",
            "name",
            "enterprise",
            "activity",
            "sector",
            "commune",
            "district",
            "address",
            "latitude",
            "longitude",
            "operating_since",
            "closed_on",
        ]
        field_classes = {"operating_since": DayField, "closed_on": DayField}
        labels = {
            "code": _("Mã cơ sở"),
            "name": _("Tên cơ sở"),
            "activity": _("Loại hình"),
            "sector": _("Ngành, lĩnh vực"),
            "commune": _("Xã / Phường (từ 01/07/2025)"),
            "district": _("Huyện / Thành phố (trước 01/07/2025)"),
            "address": _("Địa chỉ"),
            "latitude": _("Vĩ độ"),
            "longitude": _("Kinh độ"),
            "operating_since": _("Ngày đi vào hoạt động"),
            "closed_on": _("Ngày ngừng hoạt động"),
        }
        help_texts = {
            "code": _("Sổ đăng ký đề xuất mã tiếp theo còn trống; có thể sửa."),
            "commune": _("Cần xã / phường, hoặc huyện nếu cơ sở ngừng hoạt động trước 01/07/2025."),
            "latitude": _("Ví dụ 22,396 (để trống nếu chưa có tọa độ)."),
        }
        widgets = {"operating_since": DateInput(), "closed_on": DateInput()}
        localized_fields = ["latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches: list[Enterprise] = []
        if not self.instance.pk:
            # Left empty, a new facility takes the proposal (clean_code).
            self.fields["code"].required = False
            self.initial.setdefault("code", next_facility_code())
        self.fields["sector"].queryset = Sector.objects.order_by("name_vi")
        self.fields["sector"].label_from_instance = lambda sector: sector.name
        self.fields["commune"].queryset = Commune.objects.order_by("name")
        self.fields["commune"].label_from_instance = lambda commune: commune.full_name
        self.fields["district"].queryset = District.objects.order_by("name")
        if self.instance.pk and "enterprise" not in self.initial:
            self.initial["enterprise"] = self.instance.enterprise_id

    def clean_code(self):
        return self.cleaned_data.get("code") or next_facility_code()

    def clean_enterprise(self):
        # The match chosen in the search-then-choose step (radio buttons of the page,
        # templates/compliance/facility_form.html): an enterprise id.
        pick = self.data.get("enterprise_pick")
        if pick and str(pick).isdigit():
            found = Enterprise.objects.filter(pk=int(pick)).first()
            if found:
                return found
        typed = self.cleaned_data["enterprise"].strip()
        found = find_enterprise(typed)
        if isinstance(found, Enterprise):
            return found
        self.matches = found
        if not found:
            raise forms.ValidationError(
                _("Không tìm thấy doanh nghiệp “%(text)s”. Nhập mã số thuế hoặc tên khác."),
                params={"text": typed},
            )
        raise forms.ValidationError(
            _("Có nhiều doanh nghiệp khớp với “%(text)s”: chọn một trong danh sách dưới đây."),
            params={"text": typed},
        )


def find_enterprise(text: str) -> Enterprise | list[Enterprise]:
    """The enterprise ``text`` names, or the (few) enterprises it could mean.

    A tax code — alone or at the end in brackets, as "Tên (0101245486)" — names one;
    anything else is searched like the lists' ``q`` (no diacritics needed).
    """
    candidate = text
    if text.endswith(")") and "(" in text:
        candidate = text[text.rindex("(") + 1 : -1]
    try:
        validate_tax_code(candidate.strip())
    except ValidationError:
        code = None
    else:
        code = canonical_tax_code(candidate.strip())
    if code:
        found = Enterprise.objects.filter(tax_code=code).first()
        if found:
            return found
    key = search_key(text)
    if not key:
        return []
    matches = list(
        Enterprise.objects.filter(search_key__contains=key)[: ENTERPRISE_CHOICES_SHOWN + 1]
    )
    if len(matches) == 1:
        return matches[0]
    return matches


class CertificateForm(OfficeForm):
    class Meta:
        model = Certificate
        fields = ["kind", "number", "issuer", "issued_on", "valid_until"]
        field_classes = {"issued_on": DayField, "valid_until": DayField}
        labels = {
            "kind": _("Loại"),
            "number": _("Số giấy chứng nhận"),
            "issuer": _("Cơ quan cấp"),
            "issued_on": _("Ngày cấp"),
            "valid_until": _("Có giá trị đến"),
        }
        help_texts = {"valid_until": _("Để trống cho đăng ký môi trường (không thời hạn).")}
        widgets = {"issued_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, facility=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facility is not None:
            self.instance.facility = facility


class RevokeForm(forms.Form):
    """The revocation: from which day, and why (the reason is kept on the certificate)."""

    revoked_on = DayField(label=_("Ngày thu hồi"))
    revocation_reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần ghi lý do thu hồi.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeasureForm(OfficeForm):
    class Meta:
        model = CleanTechMeasure
        fields = ["kind", "category", "description", "installed_on", "removed_on"]
        field_classes = {"installed_on": DayField, "removed_on": DayField}
        labels = {
            "kind": _("Loại"),
            "category": _("Nhóm"),
            "description": _("Mô tả"),
            "installed_on": _("Ngày lắp đặt"),
            "removed_on": _("Ngày tháo dỡ"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "installed_on": DateInput(),
            "removed_on": DateInput(),
        }

    def __init__(self, *args, facility=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facility is not None:
            self.instance.facility = facility
