"""Badge colours of statuses (display only); the words are the choices' labels
(compliance/choices.py)."""

from compliance.choices import CertificateStatus, ComplianceStatus


def status_css(status: str | None) -> str:
    """Badge colour of a compliance or certificate status."""
    if status in (ComplianceStatus.COMPLIANT, CertificateStatus.VALID):
        return "ok"
    if status in (None, ComplianceStatus.NOT_ASSESSED, CertificateStatus.NOT_YET_VALID):
        return "none"
    if status == ComplianceStatus.ASSESSMENT_EXPIRED:
        return "warn"
    return "bad"
