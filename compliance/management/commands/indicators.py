"""Print the three indicators on a date, for the province or a district and/or sector.

    python manage.py indicators [--as-of 2020-12-31] [--district 106] [--sector mining] [--json]

Without ``--json``: a table of value, target, met and numerator/population for each
indicator, then the same by district and by sector. ``--json`` prints exactly the JSON
of ``GET /api/v1/indicators/`` (docs/api.md).
"""

from __future__ import annotations

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.indicators import IndicatorFigures, compute_indicators
from facilities.dates import validate_date
from facilities.models import Commune, District, Sector


def _date(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("Ngày “%(text)s” không hợp lệ, cần dạng YYYY-MM-DD.") % {"text": text}
        ) from exc
    try:
        validate_date(day)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    return day


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _met(met: bool | None) -> str:
    return {True: _("đạt"), False: _("không đạt"), None: "—"}[met]


class Command(BaseCommand):
    help = _("In ba chỉ tiêu môi trường tại một ngày (toàn tỉnh, theo huyện, theo ngành).")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help=_("ngày tính, YYYY-MM-DD (mặc định hôm nay)"))
        parser.add_argument("--district", help=_("mã huyện/thành phố, ví dụ 106"))
        parser.add_argument("--commune", help=_("mã xã / phường, ví dụ 03390"))
        parser.add_argument("--sector", help=_("mã ngành, ví dụ mining"))
        parser.add_argument("--json", action="store_true", help=_("in JSON như API"))

    def handle(
        self, *args, as_of=None, district=None, commune=None, sector=None, json=False, **options
    ):
        as_of = _date(as_of) if as_of else timezone.localdate()
        missing = str(_("Chưa xác định địa bàn"))
        districts = {d.code: d.name for d in District.objects.all()}
        communes = {c.code: c.full_name for c in Commune.objects.all()}
        sectors = {s.code: s.name for s in Sector.objects.all()}
        if district is not None and district not in districts:
            raise CommandError(_("Không có huyện/thành phố mã “%(code)s”.") % {"code": district})
        if commune is not None and commune not in communes:
            raise CommandError(_("Không có xã / phường mã “%(code)s”.") % {"code": commune})
        if sector is not None and sector not in sectors:
            raise CommandError(_("Không có ngành mã “%(code)s”.") % {"code": sector})
        report = compute_indicators(as_of, district=district, commune=commune, sector=sector)
        if json:
            self.stdout.write(_dumps(report.to_dict()))
            return
        scope = ", ".join(
            part
            for part in (
                districts.get(district) if district else None,
                communes.get(commune) if commune else None,
                sectors.get(sector) if sector else None,
            )
            if part
        ) or _("toàn tỉnh")
        self.stdout.write(
            _("Chỉ tiêu môi trường tính đến ngày %(date)s — %(scope)s")
            % {"date": as_of.strftime("%d/%m/%Y"), "scope": scope}
        )
        self.stdout.write("")
        self._table(report.indicators)
        breakdowns = [(_("Theo huyện/thành phố"), "by_district", {**districts, None: missing})]
        if report.indicators[0].by_commune is not None:
            breakdowns.append((_("Theo xã / phường"), "by_commune", {**communes, None: missing}))
        breakdowns.append((_("Theo ngành"), "by_sector", sectors))
        for title, attr, names in breakdowns:
            self.stdout.write("")
            self.stdout.write(title)
            self._breakdown(report.indicators, attr, names)

    def _table(self, indicators: list[IndicatorFigures]) -> None:
        header = (_("Chỉ tiêu"), _("Giá trị"), _("Mục tiêu"), _("Kết quả"), _("Số cơ sở"))
        rows = [
            (
                figures.code,
                _value(figures.value),
                f"{figures.target.comparator} {figures.target.percent} %",
                _met(figures.met),
                f"{figures.numerator}/{figures.population}",
            )
            for figures in indicators
        ]
        self._print(header, rows)

    def _breakdown(self, indicators: list[IndicatorFigures], attr: str, names: dict) -> None:
        units = sorted(
            {unit for figures in indicators for unit in getattr(figures, attr)},
            key=lambda unit: (unit is None, unit or ""),  # facilities with no unit last
        )
        header = ("", *(f"{i + 1}. {f.code}" for i, f in enumerate(indicators)))
        rows = []
        for unit in units:
            cells = []
            for figures in indicators:
                figure = getattr(figures, attr).get(unit)
                if figure is None or figure.population == 0:
                    cells.append("—")
                else:
                    cells.append(
                        f"{_value(figure.value)} ({figure.numerator}/{figure.population}, "
                        f"{_met(figure.met(figures.code))})"
                    )
            rows.append((f"{unit or ''} {names.get(unit, '')}".strip(), *cells))
        if not rows:
            self.stdout.write("  " + _("(không có cơ sở nào đang hoạt động)"))
            return
        self._print(header, rows)

    def _print(self, header, rows) -> None:
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            self.stdout.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
