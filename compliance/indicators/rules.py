"""The three indicators as pure data and pure functions (docs/methodology.md).

Everything that turns counts into figures lives here — value, met, targets, codes,
titles — so that the engine, the series, the annual reports, the API, the pages, the
Excel workbook and the test reference all agree to the last digit. No database access.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ESTABLISHMENTS_MEETING_STANDARDS = "establishments_meeting_standards"
NEW_PRODUCTION_CLEAN_TECH = "new_production_clean_tech"
BUSINESSES_CERTIFIED = "businesses_certified"

# The first year the dashboard's series shows (the plan dates from November 2012).
# Which years may be asked about at all is facilities/dates.py's rule.
FIRST_SERIES_YEAR = 2012


@dataclass(frozen=True)
class Target:
    """A target of the plan: ``value <comparator> percent``, compared in integers."""

    comparator: str  # ">=" or ">"
    percent: int

    def met(self, numerator: int, population: int) -> bool | None:
        """Exact comparison ``numerator × 100 ⋚ percent × population``; None if empty.

        Never compares the rounded value: 89.96 % rounds to 90.0 but does not meet ≥ 90.
        """
        if population == 0:
            return None
        left, right = numerator * 100, self.percent * population
        if self.comparator == ">=":
            return left >= right
        if self.comparator == ">":
            return left > right
        raise ValueError(self.comparator)

    def to_dict(self) -> dict:
        return {"comparator": self.comparator, "percent": self.percent}


@dataclass(frozen=True)
class Indicator:
    """One indicator: its code, Vietnamese title (translatable) and target."""

    code: str
    title: str | Promise
    target: Target


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        ESTABLISHMENTS_MEETING_STANDARDS,
        _("Tỷ lệ cơ sở sản xuất kinh doanh đạt tiêu chuẩn về môi trường"),
        Target(">=", 80),
    ),
    Indicator(
        NEW_PRODUCTION_CLEAN_TECH,
        _(
            "Tỷ lệ cơ sở sản xuất mới xây dựng áp dụng công nghệ sạch hoặc được trang bị"
            " các thiết bị giảm thiểu ô nhiễm"
        ),
        Target(">", 90),
    ),
    Indicator(
        BUSINESSES_CERTIFIED,
        _("Tỷ lệ cơ sở kinh doanh được cấp giấy chứng nhận đạt tiêu chuẩn môi trường"),
        Target(">=", 90),
    ),
)
CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS)
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def indicator(code: str) -> Indicator:
    """The indicator with ``code``; ``KeyError`` if there is none."""
    return BY_CODE[code]


def value(numerator: int, population: int) -> float | None:
    """``numerator × 100 / population`` to one decimal, halves rounded up; None if empty.

    Rounded in integers (no binary floating point on the way): 2/3 → 66.7, 1/8 → 12.5.
    """
    if population == 0:
        return None
    tenths, remainder = divmod(numerator * 1000, population)
    if 2 * remainder >= population:
        tenths += 1
    return tenths / 10


def met(code: str, numerator: int, population: int) -> bool | None:
    """Does ``numerator`` of ``population`` meet the target of indicator ``code``?"""
    return BY_CODE[code].target.met(numerator, population)


def year_end(year: int) -> datetime.date:
    """The reference date of year ``year``'s figures and annual report: 31 December."""
    return datetime.date(year, 12, 31)
