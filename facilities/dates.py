"""The registry's date range: the one check of every as-of date, year and since/until
bound that pages, the API, exports and commands accept (docs/architecture.md,
"Dates").

The registry holds records from 1 January 2000 (FIRST_YEAR) and may be asked about
plans up to 31 December of next year. Outside that range a date is refused with a
message naming the range — a form error on a page, a 400 in the API, a CommandError in
a command — before any date arithmetic (a window three years back from 0001-01-01, a
day after 9999-12-31) could fail.

The validators raise django.core.exceptions.ValidationError, which Django forms and
DRF fields both turn into their own error: use them in ``validators=[...]``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2000


def last_year(today: datetime.date | None = None) -> int:
    """The latest year one may ask about: next year (plans are made a year ahead)."""
    return (today or timezone.localdate()).year + 1


def first_day() -> datetime.date:
    return datetime.date(FIRST_YEAR, 1, 1)


def last_day(today: datetime.date | None = None) -> datetime.date:
    return datetime.date(last_year(today), 12, 31)


def validate_year(year: int) -> None:
    """FIRST_YEAR ≤ year ≤ next year."""
    latest = last_year()
    if not FIRST_YEAR <= year <= latest:
        raise ValidationError(
            _("Năm phải trong khoảng %(min)s–%(max)s.") % {"min": FIRST_YEAR, "max": latest},
            code="year_range",
        )


def validate_date(value: datetime.date | datetime.datetime) -> None:
    """1 January FIRST_YEAR ≤ day ≤ 31 December of next year (a moment: its local day)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not first_day() <= value <= last_day():
        raise ValidationError(
            _("Ngày phải trong khoảng %(min)s–%(max)s.")
            % {
                "min": first_day().strftime("%d/%m/%Y"),
                "max": last_day().strftime("%d/%m/%Y"),
            },
            code="date_range",
        )


def validate_not_future(value: datetime.date) -> None:
    """A day that has already come (visits, resolutions: what happened, not what will)."""
    if value > timezone.localdate():
        raise ValidationError(_("Ngày không được sau hôm nay."), code="future")


def validate_past_date(value: datetime.date) -> None:
    """Within the registry's range and not after today."""
    validate_date(value)
    validate_not_future(value)
