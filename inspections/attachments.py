"""Writes of inspection attachments (photos, documents): kept apart from services.py
because they also touch the file storage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from facilities.history import change_context
from inspections.models import Attachment, Inspection
from inspections.services import effective_reason, require_inspectable


@transaction.atomic
def attachment_add(
    *,
    inspection: Inspection,
    user,
    upload,
    content_type: str,
    caption: str = "",
    reason: str | None = None,
) -> Attachment:
    """Attach a file, already size- and type-checked by the form, to ``inspection``.

    A finalized inspection is evidence: files are added to it only as a correction.
    """
    require_inspectable(user, inspection.facility)
    reason = effective_reason(reason)
    if inspection.is_locked and not reason:
        raise ValidationError(
            {"files": _("Đợt kiểm tra đã hoàn tất: chỉ được bổ sung tệp khi ghi rõ lý do.")}
        )
    attachment = Attachment(
        inspection=inspection,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size,
        caption=caption,
        uploaded_by=user,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    with change_context(user=user, reason=reason or _("đính kèm tệp")):
        attachment.save()
    return attachment
