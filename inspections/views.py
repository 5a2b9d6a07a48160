"""Pages of the inspector's field workflow: record a visit (draft, then finalize), look
at one inspection, resolve a finding, open an attachment; and the business's side of a
corrective action: evidence it sends, requests for a re-inspection, and the inspector's
decisions on both. Made for a phone screen.

Visibility comes from facilities.access (404 for what the user may not see); the right
to write is checked by the services (403), which also write the history.
"""

from __future__ import annotations

import contextlib
import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import BaseFormSet
from django.forms.utils import ErrorDict, ErrorList
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from facilities.access import (
    can_answer_for,
    can_decide_evidence,
    can_discard_draft,
    can_inspect,
    can_record_inspections,
    facilities_for,
    restrict_inspection_rows,
    restrict_to_inspectable,
    restrict_to_visible,
)
from facilities.middleware import undecodable_uploads
from facilities.services import facility_locate
from facilities.views import capability_required, redirect_next, safe_next, with_next
from inspections import remediation, services
from inspections.attachments import attachment_add
from inspections.choices import EvidenceStatus, InspectionStatus, Outcome, ReinspectionStatus
from inspections.forms import (
    AcceptEvidenceForm,
    AttachmentForm,
    DiscardForm,
    EvidenceForm,
    FindingFormSet,
    InspectionForm,
    LocationForm,
    ReinspectionAnswerForm,
    ReinspectionRequestForm,
    ResolveForm,
    ReturnEvidenceForm,
)
from inspections.models import (
    Attachment,
    EvidenceFile,
    Finding,
    Inspection,
    ReinspectionRequest,
    RemediationEvidence,
)

VISIT_FIELDS = ("kind", "visited_on", "summary")
FINDINGS_PREFIX = "findings"


def _visible_inspection(user, pk: int) -> Inspection:
    return get_object_or_404(
        restrict_inspection_rows(Inspection.objects.select_related("facility"), user), pk=pk
    )


@login_required
def inspection_create(request, facility_pk: int):
    """Record a new site visit at a facility of the inspector's districts."""
    facility = get_object_or_404(facilities_for(request.user), pk=facility_pk)
    if not can_inspect(request.user, facility):
        raise PermissionDenied
    return _visit_form(request, facility=facility, inspection=None)


@login_required
def inspection_edit(request, pk: int):
    """Continue a draft visit; a finalized one is shown, not edited."""
    inspection = _visible_inspection(request.user, pk)
    if not can_inspect(request.user, inspection.facility):
        raise PermissionDenied
    if inspection.status != InspectionStatus.DRAFT:
        messages.warning(request, _("Đợt kiểm tra này đã hoàn tất hoặc đã hủy, không sửa được."))
        return redirect("inspection_detail", pk=inspection.pk)
    return _visit_form(request, facility=inspection.facility, inspection=inspection)


# The header static/js/offline-visits.js sends with a save: the answer is then JSON
# ({"url": where to go}) instead of a redirect, so that the page script knows the save
# arrived (docs/web.md, "Field workflow").
OUTBOX_HEADER = "X-Visit-Outbox"


def _visit_saved(request, url: str):
    if request.headers.get(OUTBOX_HEADER):
        return JsonResponse({"url": url})
    return redirect(url)


def _already_sent(request, inspection: Inspection, *, created: bool = True):
    """The answer to a save already applied: its submission key made ``inspection``
    (``created``), or its save key was already applied to the draft."""
    visible = restrict_inspection_rows(Inspection.objects.all(), request.user)
    if not visible.filter(pk=inspection.pk).exists():
        raise Http404
    if created:
        messages.info(request, _("Đợt kiểm tra này đã được gửi trước đó; không tạo bản thứ hai."))
    else:
        messages.info(request, _("Lần lưu này đã được ghi nhận trước đó; không ghi lại lần hai."))
    if inspection.status == InspectionStatus.DRAFT and can_inspect(
        request.user, inspection.facility
    ):
        return _visit_saved(request, reverse("inspection_edit", args=[inspection.pk]))
    return _visit_saved(request, reverse("inspection_detail", args=[inspection.pk]))


def _with_one_more_finding(data):
    """The POST with one more (empty) finding row: the "add a finding" button without
    JavaScript."""
    data = data.copy()
    total = f"{FINDINGS_PREFIX}-TOTAL_FORMS"
    with contextlib.suppress(ValueError):  # a forged count: the formset reports it
        data[total] = str(int(data.get(total, 0)) + 1)
    return data


def _quiet(*forms_and_formsets) -> None:
    """Show bound forms as typed without judging them yet (adding a row is not saving)."""
    for item in forms_and_formsets:
        if isinstance(item, BaseFormSet):
            item._errors, item._non_form_errors = [], ErrorList()
            _quiet(*item.forms)
        else:
            item._errors = ErrorDict()


def _visit_form(request, *, facility, inspection: Inspection | None):
    findings = inspection.findings.all() if inspection else Finding.objects.none()
    from_script = bool(request.headers.get(OUTBOX_HEADER))
    saved_by = request.headers.get("X-Visit-User")
    if request.method == "POST" and saved_by and saved_by != str(request.user.pk):
        # Kept on a phone by another account than the one signed in now: never recorded
        # in this one's name (the page script asks to sign in again).
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "add_finding":
        form = InspectionForm(request.POST, instance=inspection)
        formset = FindingFormSet(
            _with_one_more_finding(request.POST), queryset=findings, prefix=FINDINGS_PREFIX
        )
        location = LocationForm(request.POST, prefix="location")
        attachments = AttachmentForm()
        _quiet(form, formset, location)
        if request.FILES:
            messages.warning(
                request, _("Tệp đã chọn chưa được lưu: hãy chọn lại tệp trước khi lưu nháp.")
            )
    elif request.method == "POST":
        form = InspectionForm(request.POST, instance=inspection)
        formset = FindingFormSet(request.POST, queryset=findings, prefix=FINDINGS_PREFIX)
        location = LocationForm(request.POST, prefix="location")
        attachments = AttachmentForm(
            request.POST, request.FILES, dropped_uploads=undecodable_uploads(request)
        )
        finalize = request.POST.get("action") == "finalize"
        form_ok = form.is_valid()
        sent = (
            services.inspection_sent_with(form.cleaned_data.get("submission_key"))
            if inspection is None and form_ok
            else None
        )
        if sent is not None:
            return _already_sent(request, sent)
        for finding_form in formset.forms:
            finding_form.visited_on = form.cleaned_data.get("visited_on") if form_ok else None
        valid = form_ok & formset.is_valid() & attachments.is_valid() & location.is_valid()
        if finalize and form_ok:
            # Said next to the outcome together with any other error, not one at a time.
            valid = form.require_outcome() and valid
        if valid:
            try:
                with transaction.atomic():
                    if inspection is not None and not services.inspection_save_claim(
                        inspection=inspection, save_key=form.cleaned_data.get("save_key")
                    ):
                        return _already_sent(request, inspection, created=False)
                    saved = _save_visit(
                        request.user, facility, inspection, form, formset, attachments, location
                    )
            except services.AlreadySubmitted as sent:
                return _already_sent(request, sent.inspection)
            except ValidationError as exc:
                _errors_to_form(exc, form, location)
            else:
                # The list the visit was opened from travels on (docs/web.md).
                back = safe_next(request)
                if finalize:
                    # Saved as a draft; finalizing is the confirmation page's POST.
                    return _visit_saved(
                        request, with_next(reverse("inspection_finalize", args=[saved.pk]), back)
                    )
                messages.success(request, _("Đã lưu bản nháp."))
                return _visit_saved(
                    request, with_next(reverse("inspection_edit", args=[saved.pk]), back)
                )
        if request.FILES and not from_script:
            # The page script keeps the chosen files and puts them back (docs/web.md).
            messages.warning(
                request, _("Trình duyệt không giữ tệp đã chọn khi có lỗi: vui lòng chọn lại tệp.")
            )
    else:
        form = InspectionForm(instance=inspection)
        formset = FindingFormSet(queryset=findings, prefix=FINDINGS_PREFIX)
        location = LocationForm(
            prefix="location",
            initial={"latitude": facility.latitude, "longitude": facility.longitude},
        )
        attachments = AttachmentForm()
    return render(
        request,
        "inspections/visit_form.html",
        {
            "facility": facility,
            "inspection": inspection,
            "form": form,
            "formset": formset,
            "location_form": location,
            "attachment_form": attachments,
            "existing_attachments": inspection.attachments.all() if inspection else [],
            "next": safe_next(request),
            "can_discard": inspection is not None and can_discard_draft(request.user, inspection),
        },
    )


def _save_visit(user, facility, inspection, form, formset, attachments, location) -> Inspection:
    """Write the visit, its findings and files through the services (one transaction)."""
    visit = {name: form.cleaned_data[name] for name in VISIT_FIELDS}
    visit["outcome"] = form.cleaned_data.get("outcome") or ""
    if inspection is None:
        inspection = services.inspection_create(
            user=user,
            facility=facility,
            submission_key=form.cleaned_data.get("submission_key"),
            **visit,
        )
    else:
        # Validating the ModelForm already wrote the new values onto this instance; reload
        # it so that the service sees (and saves, with history) what changed.
        inspection.refresh_from_db()
        inspection = services.inspection_update(inspection=inspection, user=user, **visit)
    latitude, longitude = location.cleaned_data["latitude"], location.cleaned_data["longitude"]
    if latitude is not None and longitude is not None:
        facility_locate(user=user, facility=facility, latitude=latitude, longitude=longitude)
    for finding_form in formset.forms:
        if not finding_form.has_changed() and not finding_form.instance.pk:
            continue
        data = {
            name: finding_form.cleaned_data.get(name)
            for name in ("category", "severity", "description", "corrective_action", "deadline")
        }
        data["corrective_action"] = data["corrective_action"] or ""
        if finding_form.instance.pk:
            if finding_form.cleaned_data.get("DELETE"):
                services.finding_delete(finding=finding_form.instance, user=user)
            else:
                services.finding_update(finding=finding_form.instance, user=user, **data)
        elif not (finding_form.cleaned_data.get("DELETE")):
            services.finding_create(user=user, inspection=inspection, **data)
    for upload in attachments.cleaned_data.get("files") or []:
        attachment_add(
            inspection=inspection,
            user=user,
            upload=upload,
            content_type=upload.sniffed_type,
            caption=attachments.cleaned_data.get("caption") or "",
        )
    return inspection


def _errors_to_form(exc: ValidationError, form, *others) -> None:
    """A service's refusal, shown next to the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            owner = next((f for f in (form, *others) if field in f.fields), None)
            (owner or form).add_error(field if owner else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def inspection_finalize(request, pk: int):
    """Check your answers, then finalize a draft visit.

    GET shows what will be frozen (the visit, its outcome, findings and files); only the
    POST of its confirm button finalizes. Any other POST comes back to this page."""
    inspection = get_object_or_404(
        restrict_inspection_rows(
            Inspection.objects.select_related("facility").prefetch_related(
                "findings", "attachments"
            ),
            request.user,
        ),
        pk=pk,
    )
    if not can_inspect(request.user, inspection.facility):
        raise PermissionDenied
    if inspection.status != InspectionStatus.DRAFT:
        messages.warning(request, _("Đợt kiểm tra này đã hoàn tất hoặc đã hủy, không sửa được."))
        return redirect("inspection_detail", pk=inspection.pk)
    back = safe_next(request)
    edit_url = with_next(reverse("inspection_edit", args=[inspection.pk]), back)
    if inspection.outcome not in Outcome.values:
        messages.error(request, _("Cần chọn kết quả kiểm tra để hoàn tất."))
        return redirect(edit_url)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.warning(request, _("Hãy kiểm tra lại nội dung rồi bấm xác nhận để hoàn tất."))
            return redirect(with_next(reverse("inspection_finalize", args=[inspection.pk]), back))
        try:
            services.inspection_finalize(
                inspection=inspection, user=request.user, outcome=inspection.outcome
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(edit_url)
        messages.success(request, _("Đã hoàn tất đợt kiểm tra."))
        return redirect_next(request, "inspection_detail", pk=inspection.pk)
    return render(
        request,
        "inspections/inspection_finalize.html",
        {"inspection": inspection, "next": back, "edit_url": edit_url},
    )


@login_required
def inspection_discard(request, pk: int):
    """Throw away a draft that will not be finished, after a confirmation.

    GET asks (what will be thrown away, a reason); only the POST of its confirm button
    discards. A finalized visit is evidence: 403, like a draft of someone else."""
    inspection = get_object_or_404(
        restrict_inspection_rows(
            Inspection.objects.select_related("facility").prefetch_related(
                "findings", "attachments"
            ),
            request.user,
        ),
        pk=pk,
    )
    if not can_discard_draft(request.user, inspection):
        raise PermissionDenied
    form = DiscardForm(request.POST or None)
    if request.method == "POST" and request.POST.get("confirm") != "yes":
        # Only the confirm button discards (an old form, a replayed request: nothing).
        messages.warning(request, _("Hãy đọc lại rồi bấm xác nhận để bỏ bản nháp."))
        return redirect("inspection_discard", pk=inspection.pk)
    if request.method == "POST" and form.is_valid():
        services.inspection_discard(
            inspection=inspection, user=request.user, reason=form.cleaned_data["reason"] or None
        )
        messages.success(request, _("Đã bỏ bản nháp."))
        return redirect("worklist")
    return render(
        request, "inspections/inspection_discard.html", {"inspection": inspection, "form": form}
    )


@login_required
def inspection_detail(request, pk: int):
    """One visit: outcome, findings (with their resolution), attachments."""
    inspection = get_object_or_404(
        restrict_inspection_rows(
            Inspection.objects.select_related("facility", "finalized_by").prefetch_related(
                "inspectors", "findings", "attachments"
            ),
            request.user,
        ),
        pk=pk,
    )
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "can_inspect": can_inspect(request.user, inspection.facility),
        },
    )


@login_required
def finding_resolve(request, pk: int):
    """Record the day a corrective action was completed."""
    finding = get_object_or_404(
        restrict_inspection_rows(
            Finding.objects.select_related("inspection__facility"),
            request.user,
            inspection_path="inspection",
        ),
        pk=pk,
    )
    if not can_inspect(request.user, finding.inspection.facility):
        raise PermissionDenied
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_resolve(
                finding=finding,
                user=request.user,
                resolved_on=form.cleaned_data["resolved_on"],
                reason=form.cleaned_data["reason"] or None,
            )
        except ValidationError as exc:
            _errors_to_form(exc, form)
        else:
            messages.success(request, _("Đã ghi nhận khắc phục xong."))
            return redirect_next(request, "inspection_detail", pk=finding.inspection_id)
    return render(
        request,
        "inspections/finding_resolve.html",
        {"finding": finding, "form": form, "next": safe_next(request)},
    )


# What the service worker keeps when installed (the rest of a field page is kept when it
# opens online): every stylesheet and script the field pages load.
SERVICE_WORKER_SHELL = (
    "css/envreg.css",
    "css/lists.css",
    "js/error-summary.js",
    "js/day-input.js",
    "js/offline-visits.js",
)


@require_GET
def service_worker(request):
    """The service worker script, at the site's root so that it may serve every page.

    Its cache is named after the assets' URLs, which change with their content once the
    static files are collected with hashed names: a new release replaces the old cache.
    """
    shell = [static(name) for name in SERVICE_WORKER_SHELL]
    version = hashlib.sha256("|".join(shell).encode()).hexdigest()[:12]
    response = render(
        request,
        "offline/sw.js",
        # JSON of URLs made by the static files storage (no user input).
        {
            "shell_json": json.dumps(shell),
            "version": version,
            "login_url": reverse("login"),
            "logout_url": reverse("logout"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    # Checked by the browser at each visit, so that a new release is picked up.
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def attachment_download(request, pk: int):
    """An attachment, for those who may see its inspection (never a public media URL)."""
    attachment = get_object_or_404(
        restrict_inspection_rows(
            Attachment.objects.all(), request.user, inspection_path="inspection"
        ),
        pk=pk,
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )


# --- the business's side of a corrective action (docs/web.md, "Business portal") -------


def _service_errors(request, exc: ValidationError, form) -> None:
    """A remediation service's refusal next to its field; one about the state of things
    (evidence already waiting, sent a moment ago from another phone) as a message, since
    the page shown then may no longer offer the form."""
    if not hasattr(exc, "error_dict"):
        messages.error(request, " ".join(exc.messages))
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            messages.error(request, " ".join(errors))


@login_required
def finding_evidence(request, pk: int):
    """One corrective action and the evidence sent for it.

    The business of the facility sends evidence here (a note, the day it finished,
    photos or PDF); an inspector of the district accepts it or returns it with a reason.
    Everyone who may see the finding reads the exchange."""
    finding = get_object_or_404(
        restrict_inspection_rows(
            Finding.objects.select_related("inspection__facility"),
            request.user,
            inspection_path="inspection",
        ),
        pk=pk,
    )
    facility = finding.inspection.facility
    may_answer = can_answer_for(request.user, facility)
    may_decide = can_decide_evidence(request.user, facility)
    evidence_form = EvidenceForm()
    accept_form = AcceptEvidenceForm()
    return_form = ReturnEvidenceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "submit":
            if not may_answer:
                raise PermissionDenied
            evidence_form = EvidenceForm(
                request.POST, request.FILES, dropped_uploads=undecodable_uploads(request)
            )
            if evidence_form.is_valid():
                try:
                    remediation.submit_evidence(
                        user=request.user,
                        finding=finding,
                        note=evidence_form.cleaned_data["note"],
                        completed_on=evidence_form.cleaned_data["completed_on"],
                        files=evidence_form.cleaned_data["files"],
                    )
                except ValidationError as exc:
                    _service_errors(request, exc, evidence_form)
                else:
                    messages.success(
                        request, _("Đã gửi minh chứng khắc phục. Cán bộ kiểm tra sẽ xem xét.")
                    )
                    return redirect("finding_evidence", pk=finding.pk)
            if request.FILES:
                messages.warning(
                    request,
                    _("Trình duyệt không giữ tệp đã chọn khi có lỗi: vui lòng chọn lại tệp."),
                )
        elif action in ("accept", "return"):
            if not may_decide:
                raise PermissionDenied
            pending = finding.evidence.filter(status=EvidenceStatus.SUBMITTED).first()
            if pending is None:
                messages.warning(request, _("Không có minh chứng nào đang chờ xem xét."))
                return redirect("finding_evidence", pk=finding.pk)
            pending.finding = finding
            form = (
                AcceptEvidenceForm(request.POST)
                if action == "accept"
                else ReturnEvidenceForm(request.POST)
            )
            if form.is_valid():
                try:
                    if action == "accept":
                        remediation.accept_evidence(
                            user=request.user,
                            evidence=pending,
                            resolved_on=form.cleaned_data["resolved_on"],
                        )
                    else:
                        remediation.return_evidence(
                            user=request.user,
                            evidence=pending,
                            reason=form.cleaned_data["return_reason"],
                        )
                except ValidationError as exc:
                    _service_errors(request, exc, form)
                else:
                    messages.success(
                        request,
                        _("Đã chấp nhận minh chứng; biện pháp khắc phục đã hoàn thành.")
                        if action == "accept"
                        else _("Đã trả lại minh chứng cho doanh nghiệp."),
                    )
                    # Back to the work list the inspector came from, if any.
                    return redirect_next(request, "finding_evidence", pk=finding.pk)
            if action == "accept":
                accept_form = form
            else:
                return_form = form
        else:
            raise PermissionDenied
    evidence = list(
        finding.evidence.select_related("submitted_by", "decided_by").prefetch_related("files")
    )
    pending = next((e for e in evidence if e.status == EvidenceStatus.SUBMITTED), None)
    if pending is not None and not accept_form.is_bound:
        accept_form = AcceptEvidenceForm(initial={"resolved_on": pending.completed_on})
    is_open = finding.resolved_on is None and finding.inspection.status == (
        InspectionStatus.FINALIZED
    )
    return render(
        request,
        "inspections/finding_evidence.html",
        {
            "finding": finding,
            "facility": facility,
            "evidence": evidence,
            "pending": pending,
            "can_submit": may_answer and is_open and pending is None,
            "can_decide": may_decide and pending is not None,
            "evidence_form": evidence_form,
            "accept_form": accept_form,
            "return_form": return_form,
            "next": safe_next(request),
        },
    )


@capability_required(can_record_inspections)
def evidence_list(request):
    """Evidence waiting for a decision in the inspector's area (an administrator's: all),
    oldest first. One query, whatever the number."""
    waiting = list(
        restrict_to_inspectable(
            RemediationEvidence.objects.all(),
            request.user,
            facility_path="finding__inspection__facility",
        )
        .filter(status=EvidenceStatus.SUBMITTED)
        .select_related("finding__inspection__facility", "submitted_by")
        .order_by("submitted_at", "id")
    )
    return render(request, "inspections/evidence_list.html", {"waiting": waiting})


@login_required
def evidence_file_download(request, pk: int):
    """A file of remediation evidence, for those who may see its finding."""
    item = get_object_or_404(
        restrict_inspection_rows(
            EvidenceFile.objects.all(),
            request.user,
            inspection_path="evidence__finding__inspection",
        ),
        pk=pk,
    )
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.is_image,
        filename=item.original_name,
    )


@login_required
def reinspection_request(request, facility_pk: int):
    """The business asks for a re-inspection of one of its facilities."""
    facility = get_object_or_404(facilities_for(request.user), pk=facility_pk)
    if not can_answer_for(request.user, facility):
        raise PermissionDenied
    form = ReinspectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            remediation.request_reinspection(
                user=request.user, facility=facility, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _service_errors(request, exc, form)
        else:
            messages.success(request, _("Đã gửi đề nghị kiểm tra lại."))
            return redirect("portal")
    earlier = list(facility.reinspection_requests.select_related("answered_by")[:20])
    pending = any(r.status == ReinspectionStatus.PENDING for r in earlier)
    return render(
        request,
        "inspections/reinspection_request.html",
        {"facility": facility, "form": form, "earlier": earlier, "pending": pending},
    )


@capability_required(can_record_inspections)
def reinspection_list(request):
    """Requests for a re-inspection waiting for an answer in the inspector's area."""
    waiting = list(
        restrict_to_inspectable(ReinspectionRequest.objects.all(), request.user)
        .filter(status=ReinspectionStatus.PENDING)
        .select_related("facility", "requested_by")
        .order_by("requested_at", "id")
    )
    return render(request, "inspections/reinspection_list.html", {"waiting": waiting})


@login_required
def reinspection_answer(request, pk: int):
    """An inspector of the district answers one request for a re-inspection."""
    item = get_object_or_404(
        restrict_to_visible(
            ReinspectionRequest.objects.select_related("facility", "requested_by", "answered_by"),
            request.user,
        ),
        pk=pk,
    )
    if not can_decide_evidence(request.user, item.facility):
        raise PermissionDenied
    form = ReinspectionAnswerForm(request.POST or None)
    if request.method == "POST" and item.status == ReinspectionStatus.PENDING and form.is_valid():
        try:
            remediation.answer_reinspection(
                user=request.user,
                request=item,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as exc:
            _service_errors(request, exc, form)
        else:
            messages.success(request, _("Đã trả lời đề nghị kiểm tra lại."))
            return redirect_next(request, "reinspection_list")
    return render(
        request,
        "inspections/reinspection_answer.html",
        {"item": item, "form": form, "next": safe_next(request)},
    )
