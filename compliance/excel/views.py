"""Excel endpoints (API, mounted at /api/v1/) and the import page (site root).

Permissions come from facilities.access: every registry role may download the template
and export what it can see (the queryset scopes it); only administrators import; only
administrators and auditors export the change history (others 403); a job belongs to
the user who started it (anyone else: 404).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.api.history import HistoryTextFilters
from compliance.excel import jobs
from compliance.excel.export import (
    InvalidFilters,
    facility_csv_rows,
    facility_export_queryset,
    write_facilities,
    write_history,
    write_inspections,
)
from compliance.excel.importer import import_workbook
from compliance.excel.models import ExcelJob
from compliance.excel.report_workbook import build_report_workbook, report_data
from compliance.excel.safety import WorkbookRefused, check_size
from compliance.excel.template import build_template
from compliance.history import TRACKED, HistoryFilters, end_of_day, history_stream, start_of_day
from compliance.indicators.api import ReadsProvinceFigures
from facilities.access import can_manage_registry, can_read_history
from facilities.api.permissions import HasRegistryRole
from facilities.dates import validate_date, validate_year
from facilities.views import capability_required
from inspections.filtersets import InspectionFilterSet
from inspections.selectors import findings_for, inspections_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnyAccept(BaseContentNegotiation):
    """Files are files whatever the Accept header says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class IsRegistryAdmin(BasePermission):
    """Registry administrators only (anonymous: 401; other roles: 403)."""

    def has_permission(self, request, view):
        return can_manage_registry(request.user)


class ExcelAPIView(APIView):
    permission_classes = [HasRegistryRole]
    content_negotiation_class = AnyAccept


def xlsx_response(handle, filename: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def _truthy(value) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def _query_dict(request) -> dict:
    return {k: request.query_params.get(k) for k in request.query_params if k != "background"}


class TemplateDownload(ExcelAPIView):
    """``GET /api/v1/imports/template.xlsx``: the import template."""

    @extend_schema(summary="The import template workbook", responses={200: OpenApiTypes.BINARY})
    def get(self, request):
        response = HttpResponse(build_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-du-lieu.xlsx"'
        return response


class ImportUpload(ExcelAPIView):
    """``POST /api/v1/imports/`` (multipart ``file``, ``dry_run``, ``background``)."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsRegistryAdmin]

    @extend_schema(
        summary="Import a workbook (all rows or none); dry_run=true only reports",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "dry_run": {"type": "boolean"},
                    "background": {"type": "boolean"},
                },
            }
        },
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": [_("Hãy chọn tệp .xlsx để nhập.")]}, status=400)
        try:
            check_size(upload.size)  # before reading a byte of it
        except WorkbookRefused as exc:
            return Response({"file": [exc.message]}, status=400)
        data = upload.read()
        dry_run = _truthy(request.data.get("dry_run"))
        if _truthy(request.data.get("background")):
            job = jobs.start_import(
                user=request.user,
                upload_name=upload.name,
                data=data,
                commit=not dry_run,
                language=translation.get_language() or "vi",
            )
            return Response(job_payload(job, request), status=status.HTTP_202_ACCEPTED)
        try:
            # A request must end well inside gunicorn's timeout (config/gunicorn.conf.py):
            # larger files are refused here and pointed at background=true.
            report = import_workbook(
                data=data,
                file_name=upload.name,
                user=request.user,
                commit=not dry_run,
                row_limit=settings.EXCEL_SYNC_IMPORT_MAX_ROWS,
            )
        except WorkbookRefused as exc:
            return Response({"file": [exc.message]}, status=400)
        body = report.to_dict()
        if not report.valid and not dry_run:
            return Response(body, status=400)
        return Response(body, status=200)


def job_payload(job: ExcelJob, request=None) -> dict:
    url = reverse("excel-api:job", args=[job.pk])
    download = reverse("excel-api:job-download", args=[job.pk]) if job.output else None
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "stage": job.stage,
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "file": job.file_name,
        "result": job.result,
        "error": job.error,
        "url": url,
        "download": download,
        # A failed job (refused file, time limit, worker died) can be run again.
        "start_again": (
            reverse("excel-api:job-again", args=[job.pk])
            if job.status == ExcelJob.Status.FAILED
            else None
        ),
    }


class JobStatus(ExcelAPIView):
    """``GET /api/v1/jobs/<id>/``: a background job's status, progress and result."""

    @extend_schema(summary="Status of a background Excel job", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        return Response(job_payload(_own_job(request, pk), request))


class JobStartAgain(ExcelAPIView):
    """``POST /api/v1/jobs/<id>/again/``: a new run of a failed job (same file)."""

    @extend_schema(
        summary="Start a failed background job again",
        request=None,
        responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk):
        job = _own_job(request, pk)
        if job.kind != ExcelJob.Kind.EXPORT_FACILITIES and not can_manage_registry(request.user):
            raise PermissionDenied
        if job.status != ExcelJob.Status.FAILED:
            return Response(
                {"detail": _("Chỉ chạy lại được tác vụ đã thất bại.")},
                status=status.HTTP_409_CONFLICT,
            )
        again = jobs.start_again(job, language=translation.get_language() or "vi")
        return Response(job_payload(again, request), status=status.HTTP_202_ACCEPTED)


def _own_job(request, pk) -> ExcelJob:
    """The user's job, first marked failed if its worker died or it ran too long."""
    jobs.expire_stale_jobs(ExcelJob.objects.filter(pk=pk, user=request.user))
    return get_object_or_404(ExcelJob, pk=pk, user=request.user)


class JobDownload(ExcelAPIView):
    """``GET /api/v1/jobs/<id>/download/``: the file an export job produced."""

    @extend_schema(summary="The file produced by an export job", responses=OpenApiTypes.BINARY)
    def get(self, request, pk):
        job = get_object_or_404(ExcelJob, pk=pk, user=request.user)
        if not job.output:
            raise Http404
        return xlsx_response(job.output.open("rb"), job.file_name or "export.xlsx")


class FacilityExport(ExcelAPIView):
    """``GET /api/v1/facilities/export.xlsx``: the registry, same filters as the list."""

    @extend_schema(
        summary="The facility registry as a workbook (the list's filters apply)",
        parameters=[OpenApiParameter("background", OpenApiTypes.BOOL)],
        responses={200: OpenApiTypes.BINARY, 202: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = _query_dict(request)
        try:
            queryset, as_of = facility_export_queryset(request.user, query)
        except InvalidFilters as exc:
            return Response(exc.errors, status=400)
        if _truthy(request.query_params.get("background")):
            job = jobs.start_facility_export(
                user=request.user, query=query, language=translation.get_language() or "vi"
            )
            return Response(job_payload(job, request), status=status.HTTP_202_ACCEPTED)
        handle = write_facilities(queryset, as_of=as_of)
        return xlsx_response(handle, f"co-so-{as_of:%Y%m%d}.xlsx")


class FacilityExportCsv(ExcelAPIView):
    """``GET /api/v1/facilities/export.csv``: the same rows as CSV, formula-safe."""

    @extend_schema(summary="The facility registry as CSV", responses=OpenApiTypes.BINARY)
    def get(self, request):
        try:
            queryset, as_of = facility_export_queryset(request.user, _query_dict(request))
        except InvalidFilters as exc:
            return Response(exc.errors, status=400)
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in facility_csv_rows(queryset)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="co-so-{as_of:%Y%m%d}.csv"'
        return response


class InspectionExport(ExcelAPIView):
    """``GET /api/v1/inspections/export.xlsx``: inspections and findings, list filters."""

    @extend_schema(summary="Inspections and findings as a workbook", responses=OpenApiTypes.BINARY)
    def get(self, request):
        filterset = InspectionFilterSet(
            request.query_params, queryset=inspections_for(request.user)
        )
        if not filterset.is_valid():
            return Response(
                {k: [str(m) for m in v] for k, v in filterset.errors.items()}, status=400
            )
        inspections = filterset.qs
        findings = findings_for(request.user).filter(
            inspection__in=inspections.order_by().values("pk")
        )
        handle = write_inspections(inspections, findings)
        return xlsx_response(handle, f"kiem-tra-{timezone.localdate():%Y%m%d}.xlsx")


class HistoryExport(ExcelAPIView):
    """``GET /api/v1/history/export.xlsx``: the change history, for auditors and admins."""

    @extend_schema(
        summary="The change history as a workbook (administrators and auditors)",
        parameters=[
            OpenApiParameter("model", OpenApiTypes.STR, enum=list(TRACKED)),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
            OpenApiParameter("facility", OpenApiTypes.STR),
            OpenApiParameter("certificate", OpenApiTypes.STR),
            OpenApiParameter("type", OpenApiTypes.STR, enum=["created", "changed", "deleted"]),
            OpenApiParameter("text", OpenApiTypes.STR),
        ],
        responses=OpenApiTypes.BINARY,
    )
    def get(self, request):
        if not can_read_history(request.user):
            raise PermissionDenied
        text_filters = HistoryTextFilters(request.query_params)
        if not text_filters.is_valid():
            return Response(
                {k: [str(m) for m in v] for k, v in text_filters.errors.items()}, status=400
            )
        label = request.query_params.get("model")
        if label and label not in TRACKED:
            return Response({"model": [_("Bảng không hợp lệ.")]}, status=400)
        bounds = {}
        for name in ("since", "until"):
            raw = request.query_params.get(name)
            if raw:
                try:
                    day = datetime.date.fromisoformat(raw)
                except ValueError:
                    return Response({name: [_("Ngày dạng YYYY-MM-DD.")]}, status=400)
                try:
                    validate_date(day)
                except ValidationError as exc:
                    return Response({name: exc.messages}, status=400)
                bounds[name] = end_of_day(day) if name == "until" else start_of_day(day)
        filters = HistoryFilters(
            models=(label,) if label else (),
            since=bounds.get("since"),
            until=bounds.get("until"),
            **text_filters.extra(),
        )
        handle = write_history(history_stream(request.user, filters))
        return xlsx_response(handle, f"lich-su-{timezone.localdate():%Y%m%d}.xlsx")


class ReportWorkbook(ExcelAPIView):
    """``GET /api/v1/indicators/report.xlsx?year=Y``: the annual report workbook.

    Province-wide figures and every facility's standing: the same readers as the
    indicators API (administrators, auditors, inspectors; business users 403). A
    published year prints from its frozen snapshot.
    """

    permission_classes = [ReadsProvinceFigures]

    @extend_schema(
        summary="The annual report workbook of year Y (figures on 31 December)",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)],
        responses=OpenApiTypes.BINARY,
    )
    def get(self, request):
        raw = request.query_params.get("year", "").strip()
        try:
            if not raw.isdigit() or len(raw) > 6:
                raise ValidationError(_("Năm phải là một số nguyên, ví dụ 2020."))
            validate_year(int(raw))
        except ValidationError as exc:
            return Response({"year": exc.messages}, status=400)
        year = int(raw)
        data = report_data(year)
        response = HttpResponse(build_report_workbook(data), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="bao-cao-nam-{year}.xlsx"'
        return response


# --- the import page (HTML) -----------------------------------------------------------


@capability_required(can_manage_registry)
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a workbook: its dry run starts as a job, then the job page shows it."""
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Hãy chọn tệp .xlsx để nhập.")
        else:
            try:
                check_size(upload.size)
            except WorkbookRefused as exc:
                error = exc.message
            else:
                job = jobs.start_import(
                    user=request.user,
                    upload_name=upload.name,
                    data=upload.read(),
                    commit=False,
                    language=translation.get_language() or "vi",
                )
                return redirect("excel:job", pk=job.pk)
    jobs.expire_stale_jobs(ExcelJob.objects.filter(user=request.user))
    recent = ExcelJob.objects.filter(user=request.user)[:10]
    return render(
        request,
        "excel/import.html",
        {
            "error": error,
            "recent": recent,
            "max_mb": settings.EXCEL_IMPORT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if error else 200,
    )


@capability_required(can_manage_registry)
def job_page(request, pk):
    """A job's progress bar, then its report; a valid dry run offers the commit."""
    job = _own_job(request, pk)
    result = job.result or {}
    return render(
        request,
        "excel/job.html",
        {
            "job": job,
            "result": result,
            "rows_shown": (result.get("rows") or [])[:500],
            "status_url": reverse("excel-api:job", args=[job.pk]),
            "can_commit": job.kind == ExcelJob.Kind.IMPORT_DRY_RUN
            and job.status == ExcelJob.Status.DONE
            and result.get("valid"),
            "can_start_again": job.status == ExcelJob.Status.FAILED,
        },
    )


@capability_required(can_manage_registry)
@require_http_methods(["POST"])
def start_again_page(request, pk):
    """«Chạy lại»: a new run of a failed job with the same file."""
    job = _own_job(request, pk)
    if job.status != ExcelJob.Status.FAILED:
        return redirect("excel:job", pk=job.pk)
    again = jobs.start_again(job, language=translation.get_language() or "vi")
    return redirect("excel:job", pk=again.pk)


@capability_required(can_manage_registry)
@require_http_methods(["POST"])
def commit_page(request, pk):
    """Commit the file of a dry run the user has seen."""
    dry_run = get_object_or_404(
        ExcelJob, pk=pk, user=request.user, kind=ExcelJob.Kind.IMPORT_DRY_RUN
    )
    job = jobs.start_commit_of(dry_run, language=translation.get_language() or "vi")
    return redirect("excel:job", pk=job.pk)
