"""Annual reports: see a year's figures (frozen once published, computed until then),
publish them (administrators), and what a recomputation changes since publication.

The figures, the freezing and the differences are compliance.indicators' and
compliance.services'; these pages only show them and ask for confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compliance.choices import Reason, label_of
from compliance.history import readable
from compliance.indicators import rules
from compliance.indicators.selectors import (
    annual_report_diff,
    annual_report_draft,
    annual_report_get,
)
from compliance.indicators.units import by_commune_applies, commune_breakdown
from compliance.models import AnnualReport
from compliance.services import ReportAlreadyPublished, annual_report_publish
from compliance.views.dashboard import unit_names
from facilities.access import can_publish_reports, can_read_province_figures
from facilities.views import capability_required

# The annual report workbook of the Excel feature, linked when that route exists.
WORKBOOK_PATH = "/api/v1/indicators/report.xlsx"


def _workbook_url(year: int) -> str | None:
    try:
        resolve(WORKBOOK_PATH)
    except Resolver404:
        return None
    return f"{WORKBOOK_PATH}?year={year}"


def _last_year() -> int:
    return timezone.localdate().year - 1


@capability_required(can_read_province_figures)
def report_list(request):
    """Every year from 2012 to last year: published (by whom, when) or not yet."""
    published = {
        r.year: r for r in AnnualReport.objects.select_related("published_by").defer("rows")
    }
    years = [
        {"year": year, "report": published.get(year)}
        for year in range(_last_year(), rules.FIRST_SERIES_YEAR - 1, -1)
    ]
    return render(
        request,
        "compliance/report_list.html",
        {"years": years, "can_publish": can_publish_reports(request.user)},
    )


def _rows_with_labels(rows: list[dict]) -> list[dict]:
    return [{**row, "reason_label": label_of(Reason, row.get("reason"))} for row in rows]


@capability_required(can_read_province_figures)
def report_detail(request, year: int):
    """Year ``year``: the published report and its differences from today's computation,
    or the draft computed now with a Publish button for administrators."""
    if not rules.FIRST_SERIES_YEAR <= year <= _last_year():
        raise Http404
    report = annual_report_get(year)
    context = {
        "year": year,
        "as_of": rules.year_end(year),
        "report": report,
        "can_publish": can_publish_reports(request.user) and report is None,
        "workbook_url": _workbook_url(year),
        "titles": {i.code: i.title for i in rules.INDICATORS},
    }
    if report is not None:
        context["figures"] = report.figures["indicators"]
        diff = annual_report_diff(report, reader=request.user)
        context["diff"] = diff
        for difference in diff.facilities:
            difference.published_label = _state_label(difference.published)
            difference.current_label = _state_label(difference.current)
        # the explaining changes with names, labels and local dates (one place: the reader)
        readable([entry for difference in diff.facilities for entry in difference.history])
    else:
        draft = annual_report_draft(year)
        context["figures"] = draft.report.to_dict()["indicators"]
    not_counted = {}
    rows_by_code = report.rows if report is not None else None
    if rows_by_code is None:
        rows_by_code = {code: [r.to_dict() for r in rows] for code, rows in draft.rows.items()}
    for code, rows in rows_by_code.items():
        not_counted[code] = _rows_with_labels([r for r in rows if not r["counted"]])
    for figure in context["figures"]:
        figure["not_counted"] = not_counted.get(figure["code"], [])
    # From 2025 on: by commune, with former-district subtotals; earlier years by district.
    if by_commune_applies(context["as_of"], rows_by_code):
        district_names, commune_names = unit_names()
        for figure in context["figures"]:
            figure["by_commune_subtotals"] = [
                {
                    **district,
                    "name": district_names.get(district["district"]),
                    "communes": [
                        {**c, "name": commune_names.get(c["commune"])} for c in district["communes"]
                    ],
                }
                for district in commune_breakdown(
                    figure["code"], rows_by_code.get(figure["code"], [])
                )
            ]
    else:
        district_names, _communes = unit_names()
        for figure in context["figures"]:
            figure["district_rows"] = [
                {**row, "name": district_names.get(row["district"])}
                for row in figure.get("by_district", [])
            ]
    return render(request, "compliance/report_detail.html", context)


def _state_label(state: dict | None) -> str:
    if state is None:
        return _("không thuộc đối tượng tính")
    if state["counted"]:
        return _("đạt")
    return label_of(Reason, state["reason"])


# The confirm button's name: a POST without it (a one-click form, a replayed request) is
# sent to the confirmation page instead of freezing the year.
CONFIRM_FIELD = "confirm"


@require_http_methods(["GET", "POST"])
@capability_required(can_read_province_figures)
def report_publish(request, year: int):
    """Check your answers, then freeze year ``year``'s report (administrators).

    GET shows what will be frozen for good: each figure with its counts, the number of
    facility rows kept, the reference day. Only the POST of that page's confirm button
    publishes; any other POST is redirected back to it (docs/web.md)."""
    if not can_publish_reports(request.user):
        raise PermissionDenied
    if not rules.FIRST_SERIES_YEAR <= year <= _last_year():
        raise Http404
    if annual_report_get(year) is not None:
        messages.error(request, _("Báo cáo năm %(year)s đã được công bố.") % {"year": year})
        return redirect("annual_report", year=year)
    if request.method == "GET" or request.POST.get(CONFIRM_FIELD) != "yes":
        if request.method == "POST":
            messages.warning(request, _("Hãy kiểm tra số liệu rồi bấm xác nhận để công bố."))
            return redirect("annual_report_publish", year=year)
        draft = annual_report_draft(year)
        titles = {i.code: i.title for i in rules.INDICATORS}
        figures = [
            {**figure, "title": titles.get(figure["code"], figure["code"])}
            for figure in draft.report.to_dict()["indicators"]
        ]
        return render(
            request,
            "compliance/report_publish_confirm.html",
            {
                "year": year,
                "as_of": rules.year_end(year),
                "figures": figures,
                "facility_rows": sum(len(rows) for rows in draft.rows.values()),
            },
        )
    try:
        annual_report_publish(year=year, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ReportAlreadyPublished:
        messages.error(request, _("Báo cáo năm %(year)s đã được công bố.") % {"year": year})
    else:
        messages.success(request, _("Đã công bố báo cáo năm %(year)s.") % {"year": year})
    return redirect("annual_report", year=year)
