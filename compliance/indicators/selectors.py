"""Reads behind the annual reports: a year's draft and the published-vs-now difference.

``annual_report_diff`` compares a published report with a fresh computation for the
same date, facility by facility and indicator by indicator, and attaches the change
history (simple-history rows of the facility and of its certificates, measures,
inspections and findings written since publication) that explains each difference.
Constant number of queries: one for the recomputation, two per history model.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Model

from compliance.indicators import rules
from compliance.indicators.engine import Snapshot, compute_snapshot
from compliance.models import AnnualReport, Certificate, CleanTechMeasure
from facilities.models import Facility
from inspections.models import Finding, Inspection

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# History fields that are bookkeeping, not registry facts.
_SKIPPED_FIELDS = {"version", "updated_at", "created_at", "search_key"}


def annual_report_get(year: int) -> AnnualReport | None:
    """The published report of ``year``, or None."""
    return AnnualReport.objects.filter(year=year).select_related("published_by").first()


def annual_report_draft(year: int) -> Snapshot:
    """Year ``year``'s report as the registry computes it today (31 December ``year``)."""
    return compute_snapshot(rules.year_end(year))


@dataclass
class HistoryEntry:
    """One change-history row (api.md's change-history shape)."""

    model: str
    object_id: int
    type: str
    at: datetime.datetime
    user: str | None
    reason: str | None
    changes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "object_id": self.object_id,
            "type": self.type,
            "at": self.at.isoformat(),
            "user": self.user,
            "reason": self.reason,
            "changes": self.changes,
        }


@dataclass
class FacilityDifference:
    """One facility whose standing in one indicator differs from the published report."""

    facility: int
    code: str
    name: str
    indicator: str
    published: dict | None  # {"counted", "reason"}; None when it was not in the population
    current: dict | None  # likewise, as computed now
    history: list[HistoryEntry] | None = None

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


def annual_report_diff(report: AnnualReport, *, with_history: bool = True) -> ReportDiff:
    """Facility by facility, what a fresh computation of ``report.as_of`` changes.

    ``with_history=False`` leaves the history out (``None``) for users who may not read
    the change log.
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
    if with_history and differences:
        history = facility_history_since({d.facility for d in differences}, report.published_at)
        for difference in differences:
            difference.history = history.get(difference.facility, [])
    return ReportDiff(report=report, figures=figures, facilities=differences)


# (model name in api.md, model, path from the model to its facility id)
_HISTORY_SOURCES: tuple[tuple[str, type[Model], str], ...] = (
    ("facility", Facility, "id"),
    ("certificate", Certificate, "facility_id"),
    ("clean_tech_measure", CleanTechMeasure, "facility_id"),
    ("inspection", Inspection, "facility_id"),
    ("finding", Finding, "inspection__facility_id"),
)


def facility_history_since(
    facility_ids: set[int], since: datetime.datetime
) -> dict[int, list[HistoryEntry]]:
    """{facility id: history entries since ``since``, oldest first} for the facilities
    and their certificates, measures, inspections and findings. Two queries per model:
    the objects touched since, then all their history rows (to show what changed)."""
    entries: dict[int, list[HistoryEntry]] = defaultdict(list)
    for name, model, path in _HISTORY_SOURCES:
        history = model.history.model
        if name == "finding":
            # A finding's historical row holds its inspection id, not the facility's.
            inspection_facility = dict(
                Inspection.history.filter(facility_id__in=facility_ids)
                .values_list("id", "facility_id")
                .distinct()
            )
            touched = history.objects.filter(
                inspection_id__in=list(inspection_facility), history_date__gt=since
            )
        else:
            touched = history.objects.filter(**{f"{path}__in": facility_ids}).filter(
                history_date__gt=since
            )
        object_ids = set(touched.values_list("id", flat=True))
        if not object_ids:
            continue
        rows = (
            history.objects.filter(id__in=object_ids)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in _SKIPPED_FIELDS and f.attname != "id"
        ]
        previous = None
        for row in rows:
            if previous is not None and previous.id != row.id:
                previous = None
            if row.history_date > since:
                facility_id = (
                    inspection_facility.get(row.inspection_id)
                    if name == "finding"
                    else getattr(row, path)
                )
                changes = []
                if previous is not None and row.history_type == "~":
                    changes = [
                        {
                            "field": f,
                            "old": _json(getattr(previous, f)),
                            "new": _json(getattr(row, f)),
                        }
                        for f in fields
                        if getattr(previous, f) != getattr(row, f)
                    ]
                entries[facility_id].append(
                    HistoryEntry(
                        model=name,
                        object_id=row.id,
                        type=HISTORY_TYPES.get(row.history_type, row.history_type),
                        at=row.history_date,
                        user=row.history_user.get_username() if row.history_user else None,
                        reason=row.history_change_reason,
                        changes=changes,
                    )
                )
            previous = row
    for facility_entries in entries.values():
        facility_entries.sort(key=lambda e: e.at)
    return dict(entries)


def _json(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
