"""The dashboard: the three indicators against their targets, on any date, with the
yearly series as a chart and the figures by unit (district until 30 June 2025, commune
from 1 July 2025, with former districts beside) and by sector, each figure linking to the
facilities behind it with their reasons (compliance.indicators does the counting), and
the data gaps in where facilities are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django import forms
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.choices import Reason, label_of
from compliance.excel.export import write_table
from compliance.excel.views import xlsx_response
from compliance.indicators import facility_rows_page
from compliance.indicators.engine import last_year_ended
from compliance.indicators.reasons import facility_ids, listed_count, reason_counts
from compliance.indicators.rules import BY_CODE, FIRST_SERIES_YEAR
from compliance.indicators.stored import stored_indicators, stored_series
from compliance.views.chart import line_chart
from compliance.views.listing import (
    Casefold,
    Column,
    Sort,
    header_cells,
    ranked,
    requested_sort,
)
from facilities.access import can_read_province_figures, facilities_for
from facilities.choices import UnitGap
from facilities.dates import validate_date
from facilities.models import (
    REFORM_DATE,
    Commune,
    District,
    Sector,
    place_district_expression,
    unit_gap_q,
)
from facilities.views import capability_required, paginate, querystring_without
from inspections.forms import DayField


class ScopeForm(forms.Form):
    """The date and scope of the figures; an invalid value falls back to the default."""

    as_of = DayField(label=_("Tính đến ngày"), required=False, validators=[validate_date])
    district = forms.ModelChoiceField(
        label=_("Huyện / Thành phố"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Toàn tỉnh"),
    )
    commune = forms.ModelChoiceField(
        label=_("Xã / Phường"),
        queryset=Commune.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Toàn tỉnh"),
    )
    sector = forms.ModelChoiceField(
        label=_("Ngành, lĩnh vực"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả các ngành"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()

    def scope(self) -> tuple[datetime.date, str | None, str | None, str | None]:
        """(as of, district, commune, sector) codes; today and the province by default."""
        today = timezone.localdate()
        if not self.is_valid():
            return today, None, None, None
        data = self.cleaned_data
        return (
            data.get("as_of") or today,
            data["district"].code if data.get("district") else None,
            data["commune"].code if data.get("commune") else None,
            data["sector"].code if data.get("sector") else None,
        )


def place_query(district: str | None, commune: str | None) -> str:
    """ "&district=…&commune=…" for the links that keep the place of the scope."""
    query = QueryDict(mutable=True)
    if district:
        query["district"] = district
    if commune:
        query["commune"] = commune
    return f"&{query.urlencode()}" if query else ""


def unit_names() -> tuple[dict, dict]:
    """({district code: name}, {commune code: full name}); None is "no unit assigned"."""
    missing = _("Chưa xác định địa bàn")
    districts = dict(District.objects.values_list("code", "name"))
    communes = {c.code: c.full_name for c in Commune.objects.all()}
    return {**districts, None: missing}, {**communes, None: missing}


@capability_required(can_read_province_figures)
def dashboard(request):
    """Indicators on the chosen date, yearly series chart, unit and sector tables."""
    form = ScopeForm(request.GET or None)
    as_of, district, commune, sector = form.scope()
    # Today's and the series' figures are stored, kept current by every write (stored.py);
    # another date is computed.
    report = stored_indicators(as_of, district=district, commune=commune, sector=sector).to_dict()
    today = timezone.localdate()
    series = stored_series(
        FIRST_SERIES_YEAR,
        last_year_ended(today),
        district=district,
        commune=commune,
        sector=sector,
        include_today=True,
    )
    district_names, commune_names = unit_names()
    sectors = {s.code: s.name for s in Sector.objects.all()}
    # The series' first point on or after 1 July 2025: the units change there.
    reform_index = next((i for i, p in enumerate(series) if p.as_of >= REFORM_DATE), None)
    indicators = []
    for figures in report["indicators"]:
        code = figures["code"]
        entries = []
        for point in series:
            summary = next(i for i in point.to_dict()["indicators"] if i["code"] == code)
            label = (
                str(point.year) if point.as_of == datetime.date(point.year, 12, 31) else _("Nay")
            )
            entries.append((str(label), summary["value"], summary))
        indicators.append(
            {
                **figures,
                "chart": line_chart(
                    [(e[0], e[1]) for e in entries],
                    figures["target"]["percent"],
                    break_before=reform_index,
                    break_label=str(_("01/07/2025: 38 xã, phường thay cho 8 huyện")),
                ),
                "series": entries,
                "by_district": [
                    {**row, "name": district_names.get(row["district"], row["district"])}
                    for row in figures["by_district"]
                ],
                "by_commune": [
                    {**row, "name": commune_names.get(row["commune"], row["commune"])}
                    for row in figures.get("by_commune", [])
                ],
                "by_sector": [
                    {**row, "name": sectors.get(row["sector"], row["sector"])}
                    for row in figures["by_sector"]
                ],
            }
        )
    return render(
        request,
        "compliance/dashboard.html",
        {
            "form": form,
            "as_of": as_of,
            "scope_district": district,
            "scope_commune": commune,
            "place_query": place_query(district, commune),
            "scope_sector": sector,
            "after_reform": as_of >= REFORM_DATE,
            "indicators": indicators,
            "unit_gaps": unit_gaps(request.user),
        },
    )


def unit_gaps(user) -> list[dict]:
    """The data-quality list: how many facilities the user sees lack the unit their
    dates call for, each linking to the facility list filtered on that gap."""
    # One count a gap rather than one aggregate of both: each is read from its partial
    # index (facilities.models, NO_DISTRICT_BEFORE_REFORM...) instead of a pass over
    # every facility (docs/performance.md, "National scale").
    visible = facilities_for(user)
    counts = {gap: visible.filter(unit_gap_q(gap)).count() for gap in UnitGap.values}
    return [{"gap": gap, "label": label, "count": counts[gap]} for gap, label in UnitGap.choices]


class BehindForm(ScopeForm):
    counted = forms.TypedChoiceField(
        label=_("Hiển thị"),
        choices=[("", _("Tất cả")), ("no", _("Chưa đạt")), ("yes", _("Đạt"))],
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("Lý do chưa đạt"),
        choices=[("", _("Tất cả")), *Reason.choices],
        required=False,
    )


BEHIND_COLUMNS = (
    Column(_("Mã cơ sở"), "code"),
    Column(_("Tên cơ sở"), "name"),
    Column(_("Huyện / Thành phố"), "district"),
    Column(_("Xã / Phường"), "commune"),
    Column(_("Ngành, lĩnh vực"), "sector"),
    Column(_("Đạt"), "counted"),
    Column(_("Lý do"), "reason"),
)
BEHIND_SORTS = tuple(column.key for column in BEHIND_COLUMNS)


def behind_order(sort: Sort, district_names: dict, commune_names: dict, sectors: dict) -> list:
    """The ORDER BY of the list behind a figure for ``sort``: by the value the column
    shows (names and labels folded as ``str.casefold``), equal values in code order
    (codes are unique), also when descending — so a page never shifts (docs/web.md,
    "Lists"). Units, sectors and reasons are ranked by their shown labels
    (listing.ranked); a name by its folded text (listing.Casefold)."""
    if sort.key == "code":
        return ["-code" if sort.descending else "code"]
    key = {
        "name": lambda: Casefold("name"),
        "district": lambda: ranked(place_district_expression(), district_names),
        "commune": lambda: ranked(F("commune_id"), commune_names),
        "sector": lambda: ranked(F("sector_id"), sectors),
        # Not counted (a reason) before counted, as False before True.
        "counted": lambda: Case(
            When(reason__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        "reason": lambda: ranked(F("reason"), dict(Reason.choices)),
    }[sort.key]()
    return [key.desc() if sort.descending else key.asc(), "code"]


class KnownCount:
    """A sliceable list of ids whose length is already known (from ``reason_counts``),
    for the Paginator: no second pass over the population to count the filtered list."""

    def __init__(self, ids, count: int):
        self.ids, self._count = ids, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return list(self.ids[index])


@capability_required(can_read_province_figures)
def indicator_facilities(request, code: str):
    """The population of one indicator: every facility, counted or not, and why not;
    counts per reason, sortable columns, 50 a page, and the same rows as a workbook
    (``?format=xlsx``: every page, in the page's order).

    In the database, whatever the size of the registry (compliance/indicators/
    reasons.py): the counts in one grouped statement, the page's 50 ids filtered and
    sorted in SQL, then the rows of those 50 only (docs/performance.md)."""
    if code not in BY_CODE:
        raise Http404
    form = BehindForm(request.GET or None)
    as_of, district, commune, sector = form.scope()
    counted = form.cleaned_data.get("counted") if form.is_valid() else ""
    reason = form.cleaned_data.get("reason") if form.is_valid() else ""
    only = {"yes": True, "no": False}.get(counted)
    scope = {
        "district": district,
        "commune": commune,
        "sector": sector,
        "queryset": facilities_for(request.user),
    }
    counts = reason_counts(code, as_of, **scope)
    district_names, commune_names = unit_names()
    sectors = {s.code: s.name for s in Sector.objects.all()}
    sort = requested_sort(request, BEHIND_SORTS, default="code")
    ids = facility_ids(
        code,
        as_of,
        counted=only,
        reason=reason or None,
        order_by=behind_order(sort, district_names, commune_names, sectors),
        **scope,
    )

    def shown(rows):
        return (
            {
                **r.to_dict(),
                "district_name": district_names.get(r.district, r.district),
                "commune_name": commune_names.get(r.commune, r.commune),
                "sector_name": sectors.get(r.sector, r.sector),
                "reason_label": label_of(Reason, r.reason),
            }
            for r in rows
        )

    indicator = BY_CODE[code]
    if request.GET.get("format") == "xlsx":
        return _behind_workbook(indicator, as_of, shown(rows_in_order(code, as_of, ids)))
    page_obj = paginate(request, KnownCount(ids, listed_count(counts, counted=only, reason=reason)))
    page_obj.object_list = list(shown(rows_in_order(code, as_of, page_obj.object_list)))
    reasons = counts["reasons"]
    reason_query = querystring_without(request, "reason", "page", "counted")
    return render(
        request,
        "compliance/indicator_facilities.html",
        {
            "form": form,
            "indicator": indicator,
            "as_of": as_of,
            "total": counts["total"],
            "numerator": counts["counted"],
            "reasons": [
                {
                    "reason": key,
                    "label": label,
                    "count": reasons[key],
                    "url": f"?{reason_query}counted=no&reason={key}",
                    "current": key == reason,
                }
                for key, label in Reason.choices
                if reasons.get(key)
            ],
            "page_obj": page_obj,
            "headers": header_cells(request, BEHIND_COLUMNS, sort),
            "querystring_without_page": querystring_without(request, "page"),
            "export_query": querystring_without(request, "page", "format"),
        },
    )


# Facilities read per statement by the workbook: its rows stream from the ids in the
# list's order, a chunk at a time, so memory stays flat whatever the list's length.
EXPORT_CHUNK = 2000


def rows_in_order(code: str, as_of: datetime.date, ids) -> Iterator:
    """The engine's rows of ``ids`` (a list, or the ordered ids queryset of the whole
    list, read in chunks), in the order of the ids."""
    chunk: list[int] = []
    source = ids.iterator(chunk_size=EXPORT_CHUNK) if hasattr(ids, "iterator") else ids
    for pk in source:
        chunk.append(pk)
        if len(chunk) == EXPORT_CHUNK:
            yield from _in_order(code, as_of, chunk)
            chunk = []
    if chunk:
        yield from _in_order(code, as_of, chunk)


def _in_order(code: str, as_of: datetime.date, ids: list[int]):
    rows = {row.facility: row for row in facility_rows_page(code, as_of, ids)}
    return (rows[pk] for pk in ids if pk in rows)


def _behind_workbook(indicator, as_of, rows):
    """The rows of the page's list (all pages), with the project's safe sheet writer."""
    handle = write_table(
        title=str(indicator.title),
        as_of=as_of,
        headers=[
            _("Mã cơ sở"),
            _("Tên cơ sở"),
            _("Huyện / Thành phố"),
            _("Xã / Phường"),
            _("Ngành, lĩnh vực"),
            _("Đạt"),
            _("Lý do"),
        ],
        widths=[14, 36, 20, 24, 24, 8, 40],
        rows=(
            (
                r["code"],
                r["name"],
                r["district_name"] or "",
                r["commune_name"] or "",
                r["sector_name"] or "",
                _("Đạt") if r["counted"] else _("Chưa đạt"),
                r["reason_label"],
            )
            for r in rows
        ),
    )
    return xlsx_response(handle, f"{indicator.code}-{as_of:%Y%m%d}.xlsx")
