"""REST endpoints of the indicators (docs/api.md, "Indicators") and of the annual reports.

Who may read what (documented in docs/api.md's addendum and in the lead's report):

* administrators, auditors and inspectors read every figure, series, facility list and
  report — they are the province's statistics and every such role reads the registry;
* a business user reads ``/indicators/facilities/`` restricted to its own facilities
  (how its own establishments stand, with the reasons), and gets 403 on the figures,
  the series and the reports: a district × sector cell can hold a single competitor,
  so an aggregate would disclose another enterprise's standing;
* only administrators publish a report; the history inside a report's diff is shown
  only to those who may read the change log (administrators, auditors).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.indicators import (
    facility_rows_page,
    population,
    rules,
)
from compliance.indicators import serializers as s
from compliance.indicators.selectors import (
    annual_report_diff,
    annual_report_draft,
    annual_report_get,
)
from compliance.indicators.stored import stored_indicators, stored_series
from compliance.models import AnnualReport
from compliance.services import ReportAlreadyPublished, annual_report_publish
from facilities.access import (
    can_publish_reports,
    can_read_province_figures,
    facilities_for,
)
from facilities.api.pagination import RegistryPagination
from facilities.api.permissions import HasRegistryRole


class ReadsProvinceFigures(BasePermission):
    """Administrators, auditors and inspectors; not business users (see module doc)."""

    message = _("Tài khoản doanh nghiệp chỉ xem được danh sách cơ sở của mình.")

    def has_permission(self, request, view):
        return can_read_province_figures(request.user)


class PublishesReports(BasePermission):
    message = _("Chỉ quản trị viên được công bố báo cáo năm.")

    def has_permission(self, request, view):
        return can_publish_reports(request.user)


def _params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _year(year: int) -> int:
    serializer = s.YearPath(data={"year": year})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["year"]


SCOPE_PARAMETERS = [
    OpenApiParameter("district", OpenApiTypes.STR, description=_("Mã huyện/thành phố, ví dụ 106")),
    OpenApiParameter("commune", OpenApiTypes.STR, description=_("Mã xã / phường, ví dụ 03390")),
    OpenApiParameter("sector", OpenApiTypes.STR, description=_("Mã ngành, ví dụ mining")),
]
AS_OF_PARAMETER = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description=_("Ngày tính số liệu (mặc định hôm nay)")
)
ERRORS = {400: s.IndicatorErrorSerializer, 403: s.IndicatorErrorSerializer}


class IndicatorsView(APIView):
    """The three indicators on a date, with every district and sector."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_retrieve",
        parameters=[AS_OF_PARAMETER, *SCOPE_PARAMETERS],
        responses={200: s.IndicatorReportSerializer, **ERRORS},
    )
    def get(self, request):
        params = _params(s.AsOfQuery, request)
        # Stored figures on today and the series' dates (stored.py), computed on others.
        report = stored_indicators(
            params.get("as_of") or timezone.localdate(),
            district=params.get("district"),
            commune=params.get("commune"),
            sector=params.get("sector"),
        )
        return Response(report.to_dict())


class IndicatorFacilitiesView(APIView):
    """The population of one indicator, one row a facility, with the reason, in pages.

    Paginated like every list (``page``, ``page_size``): the page's facility ids come
    from plain columns first (a count and one slice), then the standing is computed for
    those facilities only, so any page costs what the first does.
    """

    permission_classes = [IsAuthenticated, HasRegistryRole]
    pagination_class = RegistryPagination  # read by drf-spectacular too

    @extend_schema(
        operation_id="indicators_facilities_list",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                required=True,
                enum=list(rules.CODES),
                description=_("Mã chỉ tiêu"),
            ),
            AS_OF_PARAMETER,
            *SCOPE_PARAMETERS,
        ],
        responses={200: s.IndicatorFacilityRowSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        params = _params(s.FacilitiesQuery, request)
        code, as_of = params["code"], params.get("as_of") or timezone.localdate()
        ids = population(
            code,
            as_of,
            district=params.get("district"),
            commune=params.get("commune"),
            sector=params.get("sector"),
            queryset=facilities_for(request.user),
        ).values_list("pk", flat=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(ids, request, view=self)
        rows = facility_rows_page(code, as_of, page)
        return paginator.get_paginated_response([row.to_dict() for row in rows])


class IndicatorSeriesView(APIView):
    """The three indicators on 31 December of each year (and today if asked)."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_series_list",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, description=_("Năm đầu (mặc định 2012)")),
            OpenApiParameter("to", OpenApiTypes.INT, description=_("Năm cuối (mặc định năm nay)")),
            OpenApiParameter(
                "include_today", OpenApiTypes.BOOL, description=_("Thêm số liệu ngày hôm nay")
            ),
            *SCOPE_PARAMETERS,
        ],
        responses={200: s.IndicatorSeriesPointSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        params = _params(s.SeriesQuery, request)
        points = stored_series(
            params["from"],
            params["to"],
            district=params.get("district"),
            commune=params.get("commune"),
            sector=params.get("sector"),
            include_today=params.get("include_today", False),
        )
        return Response([point.to_dict() for point in points])


def _report_dict(report: AnnualReport) -> dict:
    return {
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "published": True,
        "published_at": report.published_at.isoformat(),
        "published_by": report.published_by.get_username(),
        "report": report.figures,
    }


class AnnualReportListView(APIView):
    """Every published annual report, newest first, with its three headline figures."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_reports_list",
        responses={
            200: s.AnnualReportListItemSerializer(many=True),
            403: s.IndicatorErrorSerializer,
        },
    )
    def get(self, request):
        reports = AnnualReport.objects.select_related("published_by").defer("rows")
        return Response(
            [
                {
                    "year": r.year,
                    "as_of": r.as_of.isoformat(),
                    "published_at": r.published_at.isoformat(),
                    "published_by": r.published_by.get_username(),
                    "indicators": [
                        {k: i[k] for k in ("code", "numerator", "population", "value", "met")}
                        for i in r.figures["indicators"]
                    ],
                }
                for r in reports
            ]
        )


class AnnualReportDetailView(APIView):
    """Year Y's report: the published snapshot, or (not yet published) computed now."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_reports_retrieve",
        responses={200: s.AnnualReportSerializer, **ERRORS},
    )
    def get(self, request, year: int):
        year = _year(year)
        report = annual_report_get(year)
        if report is not None:
            return Response(_report_dict(report))
        draft = annual_report_draft(year)
        return Response(
            {
                "year": year,
                "as_of": rules.year_end(year).isoformat(),
                "published": False,
                "published_at": None,
                "published_by": None,
                "report": draft.report.to_dict(),
            }
        )


class AnnualReportFacilitiesView(APIView):
    """Year Y's facility rows of one indicator: frozen if published, computed if not."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_reports_facilities_list",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                required=True,
                enum=list(rules.CODES),
                description=_("Mã chỉ tiêu"),
            )
        ],
        responses={200: s.IndicatorFacilityRowSerializer(many=True), **ERRORS},
    )
    def get(self, request, year: int):
        year = _year(year)
        code = request.query_params.get("code")
        if code not in rules.CODES:
            raise ApiValidationError(
                {
                    "code": [
                        _("Không có chỉ tiêu mã “%(code)s”. Các mã: %(codes)s.")
                        % {"code": code or "", "codes": ", ".join(rules.CODES)}
                    ]
                }
            )
        report = annual_report_get(year)
        if report is not None:
            return Response(report.rows.get(code, []))
        return Response([row.to_dict() for row in annual_report_draft(year).rows[code]])


class AnnualReportPublishView(APIView):
    """Publish year Y's report (administrators): freeze it for good."""

    permission_classes = [IsAuthenticated, PublishesReports]

    @extend_schema(
        operation_id="indicators_reports_publish",
        request=None,
        responses={201: s.AnnualReportSerializer, 409: s.IndicatorErrorSerializer, **ERRORS},
    )
    def post(self, request, year: int):
        year = _year(year)
        try:
            report = annual_report_publish(year=year, user=request.user)
        except DjangoValidationError as exc:
            raise ApiValidationError({"year": exc.messages}) from exc
        except ReportAlreadyPublished:
            return Response(
                {"detail": _("Báo cáo năm %(year)s đã được công bố.") % {"year": year}},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(_report_dict(report), status=status.HTTP_201_CREATED)


class AnnualReportDiffView(APIView):
    """Facility by facility, what changed since year Y's report was published, and why."""

    permission_classes = [IsAuthenticated, ReadsProvinceFigures]

    @extend_schema(
        operation_id="indicators_reports_diff",
        responses={200: s.AnnualReportDiffSerializer, 404: s.IndicatorErrorSerializer, **ERRORS},
    )
    def get(self, request, year: int):
        year = _year(year)
        report = annual_report_get(year)
        if report is None:
            raise NotFound(_("Báo cáo năm %(year)s chưa được công bố.") % {"year": year})
        diff = annual_report_diff(report, reader=request.user)
        return Response(diff.to_dict())
