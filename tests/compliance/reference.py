"""A deliberately simple reference implementation of docs/methodology.md, in plain Python.

It loops over facilities and their records one by one, reading the methodology's
sentences as literally as possible. Slow and obviously right; the set-based engine is
compared against it on random registries (test_indicators_property.py).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from compliance.models import Certificate, CleanTechMeasure
from facilities.models import Facility
from inspections.models import Finding, Inspection

CODES = ("establishments_meeting_standards", "new_production_clean_tech", "businesses_certified")
TARGETS = {
    "establishments_meeting_standards": (">=", 80),
    "new_production_clean_tech": (">", 90),
    "businesses_certified": (">=", 90),
}


def shift_back(day: datetime.date, years: int) -> datetime.date:
    if day.month == 2 and day.day == 29:
        candidate_year = day.year - years
        leap = candidate_year % 4 == 0 and (candidate_year % 100 != 0 or candidate_year % 400 == 0)
        return datetime.date(candidate_year, 2, 29 if leap else 28)
    return datetime.date(day.year - years, day.month, day.day)


def is_active(f: Facility, d: datetime.date) -> bool:
    if f.operating_since is None:
        return False
    return f.operating_since <= d and (f.closed_on is None or f.closed_on > d)


def is_new_build(f: Facility) -> bool:
    since = datetime.date.fromisoformat(str(settings.NEW_BUILD_SINCE))
    return f.operating_since is not None and f.operating_since >= since


def compliance_status(f: Facility, d: datetime.date) -> str:
    finalized = [i for i in Inspection.objects.filter(facility=f) if i.status == "finalized"]
    counting = [i for i in finalized if i.visited_on <= d]
    if not counting:
        return "not_assessed"
    latest = counting[0]
    for i in counting:
        if (i.visited_on, i.id) > (latest.visited_on, latest.id):
            latest = i
    if latest.visited_on < shift_back(d, settings.ASSESSMENT_VALID_YEARS):
        return "assessment_expired"
    if latest.outcome == "non_compliant":
        return "non_compliant"
    for finding in Finding.objects.filter(inspection__facility=f):
        inspection = finding.inspection
        if inspection.status != "finalized" or inspection.visited_on > d:
            continue
        if finding.deadline is None or not finding.deadline < d:
            continue
        if finding.resolved_on is None or finding.resolved_on > d:
            return "overdue_remediation"
    return "compliant"


def has_measure(f: Facility, d: datetime.date) -> bool:
    for m in CleanTechMeasure.objects.filter(facility=f):
        if m.kind not in ("clean_technology", "pollution_control"):
            continue
        if m.installed_on > d:
            continue
        if m.removed_on is not None and m.removed_on <= d:
            continue
        if m.verified_on is None or m.verified_on > d:
            continue
        return True
    return False


# Former districts of some of the 38 communes, copied by hand from the geography table
# (Đoàn Kết, Tân Phong, Sin Suối Hồ, Lê Lợi and Pa Tần straddle two districts).
FORMER_DISTRICTS = {
    "03388": {"105", "109"},
    "03408": {"105", "106"},
    "03394": {"106", "109"},
    "03487": {"112", "108"},
    "03503": {"112", "108"},
    "03390": {"106"},
    "03405": {"106"},
    "03549": {"109"},
    "03595": {"110"},
}
REFORM = datetime.date(2025, 7, 1)


def district_of(f: Facility) -> str | None:
    """Its recorded district; else its commune's former district if it has exactly one."""
    if f.district_id is not None:
        return f.district_id
    if f.commune_id is not None and len(FORMER_DISTRICTS[f.commune_id]) == 1:
        return next(iter(FORMER_DISTRICTS[f.commune_id]))
    return None


def certificate_valid(c: Certificate, d: datetime.date) -> bool:
    """Issued by d, not past its valid_until (none for a registration), not revoked by d."""
    if c.issued_on > d:
        return False
    if c.valid_until is not None and d > c.valid_until:
        return False
    return c.revoked_on is None or c.revoked_on > d


def certificate_reason(f: Facility, d: datetime.date) -> str | None:
    """None when a certificate is valid on d, else why not (the most recent decides)."""
    certificates = list(Certificate.objects.filter(facility=f))
    for c in certificates:
        if certificate_valid(c, d):
            return None
    before = [c for c in certificates if c.issued_on <= d]
    if not before:
        return "no_certificate"
    latest = max(before, key=lambda c: (c.issued_on, c.id))
    if latest.revoked_on is not None and latest.revoked_on <= d:
        return "certificate_revoked"
    return "certificate_expired"


def facility_reasons(f: Facility, d: datetime.date) -> dict[str, tuple[bool, str | None]]:
    """{code: (counted, reason)} for every indicator whose population holds ``f`` on d."""
    result = {}
    if not is_active(f, d):
        return result
    status = compliance_status(f, d)
    result["establishments_meeting_standards"] = (
        status == "compliant",
        None if status == "compliant" else status,
    )
    if f.activity in ("production", "both") and is_new_build(f):
        ok = has_measure(f, d)
        result["new_production_clean_tech"] = (ok, None if ok else "no_verified_measure")
    if f.activity in ("business", "both"):
        reason = certificate_reason(f, d)
        result["businesses_certified"] = (reason is None, reason)
    return result


def value(n: int, p: int):
    if p == 0:
        return None
    return float((Decimal(n) * 100 / Decimal(p)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def met(code: str, n: int, p: int):
    if p == 0:
        return None
    comparator, percent = TARGETS[code]
    return n * 100 >= percent * p if comparator == ">=" else n * 100 > percent * p


def reference_report(
    d: datetime.date,
    district: str | None = None,
    sector: str | None = None,
    commune: str | None = None,
):
    """Everything the engine returns on d for a scope, built by looping over facilities.

    {"figures": {code: (n, p, value, met)}, "by_district": {code: {district: (n, p, value,
    met)}}, "by_commune": ... (None before 1 July 2025), "by_sector": ..., "rows": {code:
    {facility code: (counted, reason)}}}. A unit of None holds facilities with no unit.
    """
    facilities = [
        f
        for f in Facility.objects.all()
        if (district is None or district_of(f) == district)
        and (commune is None or f.commune_id == commune)
        and (sector is None or f.sector_id == sector)
    ]
    rows = {code: {} for code in CODES}
    counts = {code: [0, 0] for code in CODES}
    by_district = {code: {} for code in CODES}
    by_commune = {code: {} for code in CODES}
    by_sector = {code: {} for code in CODES}
    for f in facilities:
        for code, (counted, reason) in facility_reasons(f, d).items():
            rows[code][f.code] = (counted, reason)
            counts[code][0] += counted
            counts[code][1] += 1
            units = [(district_of(f), by_district), (f.sector_id, by_sector)]
            if d >= REFORM:
                units.append((f.commune_id, by_commune))
            for key, unit in units:
                cell = unit[code].setdefault(key, [0, 0])
                cell[0] += counted
                cell[1] += 1

    def figure(code, n, p):
        return (n, p, value(n, p), met(code, n, p))

    return {
        "figures": {code: figure(code, *counts[code]) for code in CODES},
        "by_district": {
            code: {k: figure(code, *v) for k, v in by_district[code].items()} for code in CODES
        },
        "by_commune": {
            code: {k: figure(code, *v) for k, v in by_commune[code].items()} for code in CODES
        }
        if d >= REFORM
        else None,
        "by_sector": {
            code: {k: figure(code, *v) for k, v in by_sector[code].items()} for code in CODES
        },
        "rows": rows,
    }
