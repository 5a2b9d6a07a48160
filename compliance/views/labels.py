"""Words shown for the codes of indicators.md (statuses and reasons), in Vietnamese."""

from django.utils.translation import gettext_lazy as _

from compliance.selectors import ComplianceStatus, Reason

COMPLIANCE_STATUS_LABELS = {
    ComplianceStatus.COMPLIANT: _("Đạt tiêu chuẩn môi trường"),
    ComplianceStatus.NOT_ASSESSED: _("Chưa được kiểm tra"),
    ComplianceStatus.ASSESSMENT_EXPIRED: _("Kết quả kiểm tra đã quá hạn"),
    ComplianceStatus.NON_COMPLIANT: _("Không đạt"),
    ComplianceStatus.OVERDUE_REMEDIATION: _("Quá hạn khắc phục"),
}

REASON_LABELS = {
    Reason.NOT_ASSESSED: _("Chưa được kiểm tra"),
    Reason.ASSESSMENT_EXPIRED: _("Kết quả kiểm tra đã quá hạn"),
    Reason.NON_COMPLIANT: _("Lần kiểm tra gần nhất: không đạt"),
    Reason.OVERDUE_REMEDIATION: _("Quá hạn khắc phục"),
    Reason.NO_VERIFIED_MEASURE: _("Chưa có biện pháp công nghệ sạch được xác nhận"),
    Reason.NO_CERTIFICATE: _("Chưa có giấy chứng nhận"),
    Reason.CERTIFICATE_EXPIRED: _("Giấy chứng nhận hết hiệu lực"),
    Reason.CERTIFICATE_REVOKED: _("Giấy chứng nhận đã bị thu hồi"),
}


def status_css(status: str | None) -> str:
    """Badge colour of a compliance or certificate status."""
    if status in (ComplianceStatus.COMPLIANT, "valid"):
        return "ok"
    if status in (None, ComplianceStatus.NOT_ASSESSED, "not_yet_valid"):
        return "none"
    if status == ComplianceStatus.ASSESSMENT_EXPIRED:
        return "warn"
    return "bad"
