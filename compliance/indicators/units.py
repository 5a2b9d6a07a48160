"""An annual report by commune with former-district subtotals (from 2025 on).

From 1 July 2025 the units are the 38 communes (docs/geography.md); reports for 2025
onward list every commune under its facilities' (former) district, with the district
as a subtotal, so that the figures stay comparable with earlier years' district tables.
Built from the per-facility rows of the report (live or frozen), so the subtotals are
exactly the sums of the rows they print.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from compliance.indicators import rules
from facilities.models import REFORM_DATE


def by_commune_applies(as_of: datetime.date, rows: dict[str, list[dict]]) -> bool:
    """Is a report of ``as_of`` printed by commune? From 1 July 2025, when its rows know
    each facility's commune (reports published before communes existed do not)."""
    if as_of < REFORM_DATE:
        return False
    return all("commune" in row for code_rows in rows.values() for row in code_rows)


def _figure(code: str, numerator: int, population: int) -> dict:
    return {
        "numerator": numerator,
        "population": population,
        "value": rules.value(numerator, population),
        "met": rules.met(code, numerator, population),
    }


def _unit_order(unit: str | None) -> tuple[bool, str]:
    return (unit is None, unit or "")  # the row of facilities with no unit last


def commune_breakdown(code: str, rows: list[dict]) -> list[dict]:
    """``[{"district", numerator, population, value, met, "communes": [{"commune", ...}]}]``
    for indicator ``code``: one subtotal per (former) district, its communes beneath."""
    cells: dict[str | None, dict[str | None, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for row in rows:
        cell = cells[row.get("district")][row.get("commune")]
        cell[0] += bool(row["counted"])
        cell[1] += 1
    breakdown = []
    for district in sorted(cells, key=_unit_order):
        communes = cells[district]
        n = sum(c[0] for c in communes.values())
        p = sum(c[1] for c in communes.values())
        breakdown.append(
            {
                "district": district,
                **_figure(code, n, p),
                "communes": [
                    {"commune": commune, **_figure(code, *communes[commune])}
                    for commune in sorted(communes, key=_unit_order)
                ],
            }
        )
    return breakdown
