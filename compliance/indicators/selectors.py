"""Reads behind the annual reports: a year's draft and the published-vs-now difference.

``annual_report_diff`` compares a published report with a fresh computation for the
same date, facility by facility and indicator by indicator, and attaches the change
history (simple-history rows of the facility and of its certificates, measures,
inspections and findings written since publication) that explains each difference, read
through compliance/history.py like the change-log pages, the API and the export.
Constant number of queries: the recomputation, one per history model, and the
inspections' facilities.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.history import Entry, history_by_facility
from compliance.indicators import rules
from compliance.indicators.engine import Snapshot, compute_snapshot
from compliance.models import AnnualReport
from facilities.access import can_read_history

# The objects whose history explains a facility's standing.
_EXPLAINING_MODELS = ("facility", "certificate", "clean_tech_measure", "inspection", "finding")


def annual_report_get(year: int) -> AnnualReport | None:
    """The published report of ``year``, or None."""
    return AnnualReport.objects.filter(year=year).select_related("published_by").first()


def annual_report_draft(year: int) -> Snapshot:
    """Year ``year``'s report as the registry computes it today (31 December ``year``)."""
    return compute_snapshot(rules.year_end(year))


@dataclass
class FacilityDifference:
    """One facility whose standing in one indicator differs from the published report."""

    facility: int
    code: str
    name: str
    indicator: str
    published: dict | None  # {"counted", "reason"}; None when it was not in the population
    current: dict | None  # likewise, as computed now
    history: list[Entry] | None = None

    def to_dict(self) -> dict:
        return {
            "facility": self.facility,
            "code": self.code,
            "name": self.name,
            "indicator": self.indicator,
            "published": self.published,
            "current": self.current,
            "history": None
            if self.history is None
            else [entry.to_dict() for entry in self.history],
        }


@dataclass
class ReportDiff:
    """What changed between a published report and today's computation of its date."""

    report: AnnualReport
    figures: list[dict]
    facilities: list[FacilityDifference]

    def to_dict(self) -> dict:
        return {
            "year": self.report.year,
            "as_of": self.report.as_of.isoformat(),
            "published_at": self.report.published_at.isoformat(),
            "figures": self.figures,
            "facilities": [difference.to_dict() for difference in self.facilities],
        }


def _summary(figure: dict) -> dict:
    return {k: figure[k] for k in ("numerator", "population", "value", "met")}


def annual_report_diff(report: AnnualReport, *, reader) -> ReportDiff:
    """Facility by facility, what a fresh computation of ``report.as_of`` changes.

    The history that explains each difference is shown to ``reader`` only if they may
    read the change log (facilities/access.py); otherwise it is ``None``.
    """
    snapshot = compute_snapshot(report.as_of)
    now_figures = {f.code: f.to_dict() for f in snapshot.report.indicators}
    published_figures = {f["code"]: f for f in report.figures["indicators"]}
    figures = [
        {
            "code": code,
            "published": _summary(published_figures[code]),
            "current": _summary(now_figures[code]),
        }
        for code in rules.CODES
    ]
    differences: list[FacilityDifference] = []
    for code in rules.CODES:
        before = {row["facility"]: row for row in report.rows.get(code, [])}
        after = {row.facility: row.to_dict() for row in snapshot.rows[code]}
        for facility_id in sorted(before.keys() | after.keys()):
            old, new = before.get(facility_id), after.get(facility_id)
            old_state = None if old is None else {k: old[k] for k in ("counted", "reason")}
            new_state = None if new is None else {k: new[k] for k in ("counted", "reason")}
            if old_state == new_state:
                continue
            known = new or old
            differences.append(
                FacilityDifference(
                    facility=facility_id,
                    code=known["code"],
                    name=known["name"],
                    indicator=code,
                    published=old_state,
                    current=new_state,
                )
            )
    differences.sort(key=lambda d: (d.code, rules.CODES.index(d.indicator)))
    if can_read_history(reader) and differences:
        history = history_by_facility(
            reader, {d.facility for d in differences}, report.published_at, _EXPLAINING_MODELS
        )
        for difference in differences:
            difference.history = history.get(difference.facility, [])
    return ReportDiff(report=report, figures=figures, facilities=differences)
