"""Forms of the inspector's field workflow: the visit, its findings, its attachments.

They validate what was typed and show errors next to each field; the writes themselves
are inspections.services (history with user and reason).
"""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.attachments import check_upload
from inspections.choices import Outcome, ReinspectionStatus
from inspections.models import Finding, Inspection


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy, in the language's format whatever the browser's.

    Not <input type="date">: browsers show that in their own locale (mm/dd/yyyy on an
    English phone), which is how 03/04 gets read the wrong way round in the field.
    """

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": _("dd/mm/yyyy"),
            "autocomplete": "off",
            # The phone's number keyboard (which has no "/"): DayField also takes the
            # eight digits alone, 20112026, and static/js/day-input.js adds the slashes.
            "inputmode": "numeric",
            "pattern": r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}|[0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "data-day": "",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs)


# Eight digits typed on a number keyboard (ddmmyyyy), or dd.mm.yyyy.
DIGITS_ONLY = re.compile(r"(\d{2})(\d{2})(\d{4})")
WITH_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class DayField(forms.DateField):
    """A date field whose error says how to type the date (not only that it is wrong)."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 20/11/2026."),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            match = DIGITS_ONLY.fullmatch(value) or WITH_DOTS.fullmatch(value)
            if match:
                value = "/".join(match.groups())
        return super().to_python(value)


class CoordinateField(forms.DecimalField):
    """A latitude or longitude: a decimal comma or point alike (a phone's location comes
    with a point, a Vietnamese hand types a comma), never a thousands separator."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(max_digits=9, decimal_places=6, required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        # A phone gives more decimals than the registry keeps (6, about 10 cm).
        return number.quantize(Decimal("0.000001"))


class InspectionForm(forms.ModelForm):
    """The visit: kind, day, summary and (to finalize) the outcome."""

    class Meta:
        model = Inspection
        fields = ["kind", "visited_on", "summary", "outcome"]
        field_classes = {"visited_on": DayField}
        widgets = {
            "visited_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    # Made when the form is opened and sent with each save: the same save sent twice
    # makes one visit (inspections.services.inspection_create).
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Made each time the form is opened: one save of a draft is applied once
    # (inspections.services.inspection_save_claim).
    save_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault(
            "submission_key",
            (self.instance.submission_key if self.instance.pk else None) or uuid.uuid4(),
        )
        self.initial.setdefault("save_key", uuid.uuid4())
        self.fields["outcome"].required = False
        self.fields["outcome"].help_text = _("Bắt buộc khi hoàn tất đợt kiểm tra.")
        if not self.instance.pk:
            self.initial.setdefault("visited_on", timezone.localdate())

    def require_outcome(self) -> bool:
        """For finalizing: the outcome must be chosen (error shown next to it)."""
        if self.cleaned_data.get("outcome") in Outcome.values:
            return True
        self.add_error("outcome", _("Cần chọn kết quả kiểm tra để hoàn tất."))
        return False


class FindingForm(forms.ModelForm):
    """One checklist line: what was found, how serious, what to do and by when."""

    # Set by the view from the visit form so that a deadline before the visit is refused
    # here, next to the deadline, before anything is saved.
    visited_on: datetime.date | None = None

    class Meta:
        model = Finding
        fields = ["category", "severity", "description", "corrective_action", "deadline"]
        field_classes = {"deadline": DayField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "corrective_action": forms.Textarea(attrs={"rows": 2}),
            "deadline": DateInput(),
        }

    def clean(self):
        cleaned = super().clean()
        deadline = cleaned.get("deadline")
        if deadline and self.visited_on and deadline < self.visited_on:
            self.add_error(
                "deadline",
                _("Thời hạn khắc phục không được trước ngày kiểm tra (%(date)s).")
                % {"date": self.visited_on.strftime("%d/%m/%Y")},
            )
        return cleaned

    def _post_clean(self):
        # Model validation that needs the inspection runs in the service, which has it.
        pass


# A clean visit has no finding: the form starts with none and rows are added on demand
# ("Thêm tồn tại, vi phạm"), so no blank row is ever shown as required.
FindingFormSet = forms.modelformset_factory(
    Finding, form=FindingForm, extra=0, can_delete=True, max_num=50, validate_max=True
)


class LocationForm(forms.Form):
    """Where the facility is, offered from the phone's location on the visit form.

    Blank leaves the facility's coordinates as they are; the write is
    facilities.services.facility_locate (inside Lai Châu, with history)."""

    latitude = CoordinateField(label=_("Vĩ độ"))
    longitude = CoordinateField(label=_("Kinh độ"))

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not self.errors:
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Cần có đủ cả vĩ độ và kinh độ."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class AttachmentForm(forms.Form):
    """Photos and documents of the visit: JPEG, PNG, WebP or PDF, each within the size cap."""

    files = MultipleFileField(
        label=_("Ảnh, tài liệu đính kèm"),
        required=False,
        help_text=_("Ảnh JPEG, PNG, WebP hoặc tệp PDF; mỗi tệp tối đa %(size)s."),
    )
    caption = forms.CharField(label=_("Chú thích"), max_length=255, required=False)

    def __init__(self, *args, dropped_uploads: int = 0, **kwargs):
        # Parts of the request Django dropped for a file name that is not UTF-8
        # (facilities.middleware.undecodable_uploads): refused, never silently lost.
        self.dropped_uploads = dropped_uploads
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        errors = []
        if self.dropped_uploads:
            errors.append(
                _(
                    "Không đọc được tên của %(count)s tệp (tên không phải UTF-8), nên tệp"
                    " không được nhận. Hãy đổi tên tệp rồi chọn lại; chưa có gì được lưu."
                )
                % {"count": self.dropped_uploads}
            )
        for upload in files:
            try:
                upload.sniffed_type = check_upload(upload)
            except forms.ValidationError as error:
                errors += error.messages
        if errors:
            raise forms.ValidationError(errors)
        return files


class DiscardForm(forms.Form):
    """The reason a draft is thrown away (optional), kept in the history."""

    reason = forms.CharField(label=_("Lý do bỏ"), max_length=500, required=False)


class ResolveForm(forms.Form):
    """The day the facility finished the corrective action."""

    resolved_on = DayField(label=_("Ngày khắc phục xong"))
    reason = forms.CharField(label=_("Ghi chú (lý do thay đổi)"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("resolved_on", timezone.localdate())


class EvidenceForm(forms.Form):
    """What the business sends to show that a corrective action is done."""

    note = forms.CharField(
        label=_("Đã khắc phục những gì"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy ghi đã khắc phục những gì.")},
    )
    completed_on = DayField(
        label=_("Ngày hoàn thành khắc phục"),
        error_messages={"required": _("Hãy ghi ngày hoàn thành khắc phục.")},
    )
    files = MultipleFileField(
        label=_("Ảnh, tài liệu chứng minh"),
        required=False,
        help_text=_("Ảnh JPEG, PNG, WebP hoặc tệp PDF; mỗi tệp tối đa %(size)s."),
    )

    def __init__(self, *args, dropped_uploads: int = 0, **kwargs):
        self.dropped_uploads = dropped_uploads
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
        self.initial.setdefault("completed_on", timezone.localdate())

    # The same checks as a visit's files: size, and the first bytes.
    clean_files = AttachmentForm.clean_files


class AcceptEvidenceForm(forms.Form):
    """The inspector accepts: the finding is resolved on this day."""

    resolved_on = DayField(label=_("Ngày khắc phục xong"))


class ReturnEvidenceForm(forms.Form):
    """The inspector returns the evidence, saying what is missing."""

    return_reason = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do trả lại.")},
    )


class ReinspectionRequestForm(forms.Form):
    """The business asks for a re-inspection, saying why."""

    reason = forms.CharField(
        label=_("Lý do đề nghị kiểm tra lại"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy ghi lý do đề nghị kiểm tra lại.")},
    )


class ReinspectionAnswerForm(forms.Form):
    """The inspector's answer to a request for a re-inspection."""

    status = forms.ChoiceField(
        label=_("Trả lời"),
        choices=[
            ("", _("— Chọn —")),
            (ReinspectionStatus.SCHEDULED, ReinspectionStatus.SCHEDULED.label),
            (ReinspectionStatus.DECLINED, ReinspectionStatus.DECLINED.label),
        ],
        error_messages={"required": _("Hãy chọn kiểm tra lại hay không.")},
    )
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: ngày dự kiến kiểm tra lại, hoặc việc còn phải làm trước."),
        error_messages={"required": _("Hãy ghi nội dung trả lời.")},
    )
