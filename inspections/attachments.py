"""Writes of inspection attachments (photos, documents): kept apart from services.py
because they also touch the file storage."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from facilities.history import change_context
from inspections.models import Attachment, Inspection
from inspections.services import effective_reason, require_inspectable

# What may be attached, recognised by the first bytes of the file (not by its name).
SIGNATURES: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "image/webp": ((b"RIFF",), (".webp",)),
    "application/pdf": ((b"%PDF-",), (".pdf",)),
}


def sniff_content_type(upload) -> str | None:
    """The content type of ``upload`` from its first bytes and its extension, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    suffix = Path(upload.name or "").suffix.lower()
    for content_type, (magics, suffixes) in SIGNATURES.items():
        if suffix in suffixes and any(head.startswith(m) for m in magics):
            if content_type == "image/webp" and head[8:12] != b"WEBP":
                continue
            return content_type
    return None


def check_upload(upload) -> str:
    """The content type of an acceptable upload; ValidationError when it is too large or
    not a JPEG, PNG, WebP or PDF by its first bytes. The visit page and the admin both
    check files here."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s; tối đa %(max)s).")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(
            _("Tệp %(name)s không phải ảnh JPEG, PNG, WebP hay tệp PDF.") % {"name": upload.name}
        )
    return content_type


def attachment_check(*, inspection: Inspection, user, reason: str | None) -> None:
    """May ``user`` attach files to ``inspection`` now (with ``reason``)?"""
    require_inspectable(user, inspection.facility)
    if inspection.is_locked and not effective_reason(reason):
        raise ValidationError(
            {"files": _("Đợt kiểm tra đã hoàn tất: chỉ được bổ sung tệp khi ghi rõ lý do.")}
        )


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
    """Attach a file, already checked by ``check_upload``, to ``inspection``.

    A finalized inspection is evidence: files are added to it only as a correction. If
    the row cannot be written, the stored file is removed again: no orphan on disk.
    """
    attachment_check(inspection=inspection, user=user, reason=reason)
    reason = effective_reason(reason)
    attachment = Attachment(
        inspection=inspection,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size,
        caption=caption,
        uploaded_by=user,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    try:
        with transaction.atomic(), change_context(user=user, reason=reason or _("đính kèm tệp")):
            attachment.full_clean()
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment
