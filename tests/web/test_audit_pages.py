"""The auditor's pages (docs/web.md): a facility's history tab covers the facility and
everything it holds; the change log filters by facility, certificate number, user,
action, object type, dates and text, exports what it lists, shows values as people read
them, and shows no rows at all under a filter it could not read."""

import datetime
import re
from collections import Counter
from io import BytesIO
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from facilities.history import change_context
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db


def keys(rows):
    return {(r.label, r.object_id) for r in rows}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


# --- the facility's history tab -------------------------------------------------------


def test_the_facility_tab_covers_what_the_facility_holds_and_nothing_of_another(
    client, auditor, registry
):
    client.force_login(auditor)
    rows = page(client, f"/facilities/{registry['own'].pk}/history/").context["rows"]
    shown = keys(rows)
    own = registry["own"]
    assert ("facility", own.pk) in shown
    assert ("inspection", registry["visit"].pk) in shown
    assert ("finding", registry["finding"].pk) in shown  # held through its inspection
    assert ("clean_tech_measure", registry["measure"].pk) in shown
    assert ("certificate", own.certificates.get().pk) in shown
    assert ("inspection", registry["competitor_visit"].pk) not in shown
    assert ("facility", registry["competitor"].pk) not in shown
    assert not {label for label, _pk in shown} & {"enterprise"}
    # newest first
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_the_facility_tab_keeps_a_finding_whose_inspection_was_deleted_since(
    client, auditor, registry, admin_user
):
    draft = registry["draft"]
    with change_context(user=admin_user, reason="nhập nhầm"):
        finding = FindingFactory(inspection=draft, description="Ghi nhầm vào nháp")
        finding_pk, draft_pk = finding.pk, draft.pk
        finding.delete()
        draft.delete()
    client.force_login(auditor)
    rows = page(client, f"/facilities/{registry['own'].pk}/history/").context["rows"]
    deleted = {(r.label, r.object_id) for r in rows if r.type == "deleted"}
    assert deleted == {("finding", finding_pk), ("inspection", draft_pk)}
    other = page(client, f"/facilities/{registry['competitor'].pk}/history/").context["rows"]
    assert ("finding", finding_pk) not in keys(other)


def test_a_business_reads_its_facility_tab_without_inspections(client, business_owner, registry):
    client.force_login(business_owner)
    shown = keys(page(client, f"/facilities/{registry['own'].pk}/history/").context["rows"])
    assert ("facility", registry["own"].pk) in shown
    assert ("clean_tech_measure", registry["measure"].pk) in shown
    assert not {label for label, _pk in shown} & {"inspection", "finding", "attachment"}
    assert client.get(f"/facilities/{registry['competitor'].pk}/history/").status_code == 404


def test_the_facility_page_leads_to_its_history_tab(client, request, registry):
    for persona in ("auditor", "inspector_tam_duong", "business_owner"):
        client.force_login(request.getfixturevalue(persona))
        html = page(client, f"/facilities/{registry['own'].pk}/").content.decode()
        assert f'href="/facilities/{registry["own"].pk}/history/"' in html, persona


def test_the_facility_tab_pages_by_cursor_without_overlap(client, auditor, registry, admin_user):
    own = registry["own"]
    with change_context(user=admin_user, reason="nhiều lần sửa"):
        for n in range(60):
            own.address = f"Địa chỉ {n}"
            own.save()
    client.force_login(auditor)
    url = f"/facilities/{own.pk}/history/"
    first = page(client, url)
    second = page(client, f"{url}?after={first.context['next_cursor']}")
    one = [(r.label, r.history_id) for r in first.context["rows"]]
    two = [(r.label, r.history_id) for r in second.context["rows"]]
    assert len(one) == 50 and two and not set(one) & set(two)
    assert len(one) + len(two) == first.context["total"]


def test_the_facility_tab_costs_the_same_queries_for_more_history(
    client, auditor, registry, admin_user
):
    own = registry["own"]
    client.force_login(auditor)
    url = f"/facilities/{own.pk}/history/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        page(client, url)
    with change_context(user=admin_user, reason="thêm dữ liệu"):
        for n in range(10):
            visit = InspectionFactory(facility=own, visited_on=datetime.date(2024, 1, n + 1))
            FindingFactory(inspection=visit)
            CertificateFactory(facility=own)
    with CaptureQueriesContext(connection) as after:
        page(client, url)
    assert len(after) == len(before)


# --- the change log's filters ---------------------------------------------------------


def test_the_facility_filter_takes_a_code_or_words_of_the_name(client, auditor, registry):
    client.force_login(auditor)
    tab = keys(page(client, f"/facilities/{registry['own'].pk}/history/").context["rows"])
    for query in ("TD-001", "td-001", "nha may che", "Nhà máy chè Tam Đường", " TD-001 "):
        rows = page(client, f"/changes/?{urlencode({'facility': query})}").context["rows"]
        assert keys(rows) == tab, query
    assert page(client, "/changes/?facility=TD-0011").context["total"] == 0
    # a code is that facility only, not every code that starts with it
    with change_context(reason="mã gần giống"):
        FacilityFactory(code="TD-0010", name="Xưởng khác")
    assert keys(page(client, "/changes/?facility=TD-001").context["rows"]) == tab
    assert page(client, "/changes/?facility=nha may gach").context["total"] == 0
    competitor = page(client, "/changes/?facility=PT-001").context["rows"]
    assert ("inspection", registry["competitor_visit"].pk) in keys(competitor)
    assert ("inspection", registry["visit"].pk) not in keys(competitor)


def test_the_certificate_number_filter_finds_every_version_of_that_certificate(
    client, auditor, registry, admin_user
):
    certificate = registry["own"].certificates.get()
    with change_context(user=admin_user, reason="đổi số"):
        certificate.number = "GCN-TD-002"
        certificate.save()
    with change_context(user=admin_user, reason="khác"):
        other = CertificateFactory(facility=registry["competitor"], number="GCN-TD-0010")
    client.force_login(auditor)
    rows = page(client, "/changes/?certificate=gcn-td-001").context["rows"]
    assert [(r.label, r.object_id, r.type) for r in rows] == [
        ("certificate", certificate.pk, "changed"),
        ("certificate", certificate.pk, "created"),
    ]
    assert page(client, "/changes/?certificate=GCN-TD-00").context["total"] == 0
    assert keys(page(client, "/changes/?certificate=GCN-TD-0010").context["rows"]) == {
        ("certificate", other.pk)
    }


def test_the_action_filter_keeps_only_that_kind_of_change(client, auditor, registry, admin_user):
    measure = registry["measure"]
    measure_pk = measure.pk
    with change_context(user=admin_user, reason="tháo bỏ"):
        measure.delete()
    client.force_login(auditor)
    deleted = page(client, "/changes/?action=-").context["rows"]
    assert [(r.label, r.object_id, r.type) for r in deleted] == [
        ("clean_tech_measure", measure_pk, "deleted")
    ]
    created = page(client, "/changes/?action=%2B").context["rows"]
    assert created and {r.type for r in created} == {"created"}


def test_the_text_filter_reads_reasons_and_values(client, auditor, registry):
    client.force_login(auditor)

    def shown(**query):
        return keys(page(client, f"/changes/?{urlencode(query)}").context["rows"])

    # in a value, whatever the case as typed, on SQLite as on PostgreSQL
    competitor_visit = {("inspection", registry["competitor_visit"].pk)}
    assert shown(text="bí mật của") == competitor_visit
    assert shown(text="BÍ MẬT CỦA ĐỐI THỦ") == competitor_visit
    assert shown(text="mỏ đá phong thổ", model="facility") == {
        ("facility", registry["competitor"].pk)
    }
    # in the reason
    assert shown(text="DỮ LIỆU THỬ", model="finding") == {("finding", registry["finding"].pk)}
    assert shown(text="không có ở đâu cả") == set()


def test_the_filters_combine(client, auditor, registry, inspector_tam_duong, admin_user):
    client.force_login(auditor)
    url = f"/changes/?facility=TD-001&model=inspection&user={inspector_tam_duong.pk}&action=%2B"
    assert keys(page(client, url).context["rows"]) == {
        ("inspection", registry["visit"].pk),
        ("inspection", registry["draft"].pk),
    }
    url = f"/changes/?facility=TD-001&user={admin_user.pk}"
    assert page(client, url).context["total"] == 0
    # a certificate number and a model that holds no certificate: nothing, not an error
    response = page(client, "/changes/?certificate=GCN-TD-001&model=finding")
    assert response.context["total"] == 0 and not response.context["form"].errors


def test_the_date_range_counts_whole_days_in_vietnam_time(client, auditor, registry, admin_user):
    own = registry["own"]
    # 19/11/2026 17:30 UTC is 20/11/2026 00:30 in Lai Châu
    with (
        time_machine.travel(datetime.datetime(2026, 11, 19, 17, 30, tzinfo=datetime.UTC)),
        change_context(user=admin_user, reason="sau nửa đêm"),
    ):
        own.address = "Bản Mới"
        own.save()
    client.force_login(auditor)

    def reasons(query):
        rows = page(client, f"/changes/?user={admin_user.pk}&{query}").context["rows"]
        return [r.reason for r in rows]

    assert reasons("since=20/11/2026&until=20/11/2026") == ["sau nửa đêm"]
    assert reasons("until=19/11/2026") == []
    assert reasons("since=21/11/2026") == []
    html = page(client, f"/changes/?user={admin_user.pk}").content.decode()
    assert "20/11/2026 00:30" in html


@pytest.mark.parametrize(
    "query",
    [
        "since=31/02/2026",
        "since=20/11/2026&until=19/11/2026",
        "action=xoa",
        "model=nothing",
        "user=999999",
        "since=01/01/1800",
        "since=31/02/2026&format=xlsx",
    ],
)
def test_an_invalid_filter_shows_the_error_and_no_rows(client, auditor, registry, query):
    client.force_login(auditor)
    response = client.get(f"/changes/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors
    assert response.context["rows"] == [] and response.context["total"] == 0
    html = response.content.decode()
    assert 'class="error-summary' in html
    assert 'class="change"' not in html
    assert 'id="export"' not in html


# --- values as people read them -------------------------------------------------------


def test_values_show_names_labels_and_local_dates_never_raw_ids(
    client, auditor, registry, admin_user
):
    finding = registry["finding"]
    client.force_login(auditor)
    response = page(client, "/changes/?model=finding&facility=TD-001")
    (row,) = response.context["rows"]
    shown = {c.name: (c.old_text, c.new_text) for c in row.changes}
    # the inspection by its date and status, and its facility by code and name
    assert shown["inspection"] == ("—", f"{registry['visit']} · TD-001 — Nhà máy chè Tam Đường")
    assert shown["deadline"][1] == "31/12/2026"
    assert shown["severity"][1] == finding.get_severity_display()
    html = response.content.decode()
    assert "<ins>31/12/2026</ins>" in html
    assert "Nhà máy chè Tam Đường" in row.object_name
    certificate = page(client, "/changes/?model=certificate").context["rows"][-1]
    facility_shown = {c.name: c.new_text for c in certificate.changes}["facility"]
    assert facility_shown == "TD-001 — Nhà máy chè Tam Đường"
    everything = page(client, "/changes/").content.decode()
    assert " as of " not in everything and "+00:00" not in everything
    assert "Cơ sở: " not in everything


def test_a_change_of_facility_shows_both_facilities_by_name(client, auditor, registry, admin_user):
    certificate = registry["own"].certificates.get()
    with change_context(user=admin_user, reason="chuyển giấy"):
        certificate.facility = registry["competitor"]
        certificate.save()
    client.force_login(auditor)
    row = page(client, f"/changes/?user={admin_user.pk}&model=certificate").context["rows"][0]
    assert [(c.name, c.old_text, c.new_text) for c in row.changes] == [
        ("facility", "TD-001 — Nhà máy chè Tam Đường", "PT-001 — Mỏ đá Phong Thổ")
    ]


def test_a_deleted_object_is_still_named(client, auditor, registry, admin_user):
    draft = registry["draft"]
    with change_context(user=admin_user, reason="xóa nháp"):
        finding = FindingFactory(inspection=draft)
        draft_started = str(draft)
    with change_context(user=admin_user, reason="xóa nháp"):
        finding.delete()
        draft.delete()
    client.force_login(auditor)
    rows = page(client, f"/changes/?user={admin_user.pk}&model=finding").context["rows"]
    created = next(r for r in rows if r.type == "created")
    inspection = {c.name: c.new_text for c in created.changes}["inspection"]
    assert inspection == draft_started


def test_the_change_log_queries_do_not_grow_with_the_names_shown(
    client, auditor, registry, admin_user
):
    def more(n, start):
        # a minute apart, so that the newest page mixes every model as the first did
        for i in range(start, start + n):
            with (
                time_machine.travel(datetime.datetime(2026, 11, 20, 10, i, tzinfo=datetime.UTC)),
                change_context(user=admin_user, reason="thêm"),
            ):
                facility = FacilityFactory(code=f"MORE-{i}")
                FindingFactory(inspection=InspectionFactory(facility=facility))
                CertificateFactory(facility=facility)
                CleanTechMeasureFactory(facility=facility)

    client.force_login(auditor)
    more(3, 0)  # the first page shows the same models before and after
    client.get("/changes/")
    with CaptureQueriesContext(connection) as before:
        page(client, "/changes/")
    more(15, 3)
    with CaptureQueriesContext(connection) as after:
        page(client, "/changes/")
    assert len(after) == len(before)


# --- the export -----------------------------------------------------------------------


def workbook_rows(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(sheet["History"].iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize(
    "query", ["facility=TD-001", "model=finding", "action=%2B&text=thử", "facility=nope"]
)
def test_the_export_holds_the_rows_the_page_lists(client, auditor, registry, query):
    client.force_login(auditor)
    listed = Counter()
    url = f"/changes/?{query}"
    while url:
        response = page(client, url)
        for r in response.context["rows"]:
            listed[(r.label, r.object_id, r.type, r.reason)] += 1
        cursor = response.context["next_cursor"]
        url = f"/changes/?{query}&after={cursor}" if cursor else None
    exported = Counter()
    seen = set()
    for row in workbook_rows(client.get(f"/changes/?{query}&format=xlsx")):
        # one line per changed field: count an entry once
        key = (row[0], row[1], row[2], row[3], row[5])
        if row[2] == "changed" and key in seen:
            continue
        seen.add(key)
        exported[(row[0], row[1], row[2], row[5])] += 1
    assert exported == listed


def test_the_export_link_keeps_the_filters(client, auditor, registry):
    client.force_login(auditor)
    html = page(client, "/changes/?facility=TD-001&model=finding").content.decode()
    assert 'href="?facility=TD-001&amp;model=finding&amp;format=xlsx"' in html


def test_an_annual_report_explains_its_differences_in_readable_values(
    client, admin_user, inspector_tam_duong, registry
):
    from compliance.models import AnnualReport

    client.force_login(admin_user)
    client.post("/reports/2025/publish/", {"confirm": "yes"})
    assert AnnualReport.objects.filter(year=2025).exists()
    with (
        time_machine.travel(datetime.datetime(2026, 11, 20, 11, 0, tzinfo=datetime.UTC)),
        change_context(user=inspector_tam_duong, reason="bổ sung biên bản 2025"),
    ):
        InspectionFactory(facility=registry["own"], visited_on=datetime.date(2025, 6, 1))
    html = page(client, "/reports/2025/").content.decode()
    assert "bổ sung biên bản 2025" in html
    assert "Nguyễn Thị Hoa" in html
    assert "→ TD-001 — Nhà máy chè Tam Đường" in html  # the facility, not its id
    assert "→ 01/06/2025" in html


def test_the_tab_links_each_object_to_its_timeline_only_for_who_may_open_it(
    client, request, registry
):
    url = f"/facilities/{registry['own'].pk}/history/"
    for persona, links in [("auditor", True), ("inspector_tam_duong", False)]:
        client.force_login(request.getfixturevalue(persona))
        html = page(client, url).content.decode()
        assert ('href="/changes/facility/' in html) is links, persona


@pytest.mark.parametrize("query", ["after=garbage", "before=e30"])
def test_a_bad_page_link_on_the_tab_shows_the_error_and_no_rows(client, auditor, registry, query):
    client.force_login(auditor)
    response = page(client, f"/facilities/{registry['own'].pk}/history/?{query}")
    assert response.context["form"].errors
    assert response.context["rows"] == []
    html = response.content.decode()
    assert 'class="error-summary' in html and 'class="change"' not in html


def test_an_object_timeline_is_titled_by_name_and_leads_to_the_facility_tab(
    client, auditor, registry
):
    client.force_login(auditor)
    finding = page(client, f"/changes/finding/{registry['finding'].pk}/").content.decode()
    assert "TD-001 — Nhà máy chè Tam Đường" in finding.split("</h1>")[0]
    facility = page(client, f"/changes/facility/{registry['own'].pk}/").content.decode()
    assert f'href="/facilities/{registry["own"].pk}/history/"' in facility


def test_the_facility_tab_exports_its_own_rows(client, auditor, inspector_tam_duong, registry):
    client.force_login(auditor)
    response = page(client, f"/facilities/{registry['own'].pk}/history/")
    listed = Counter((r.label, r.object_id, r.type, r.reason) for r in response.context["rows"])
    href = re.search(r'id="export" href="([^"]+)"', response.content.decode())[1]
    exported = Counter(
        (row[0], row[1], row[2], row[5])
        for row in workbook_rows(client.get(href.replace("&amp;", "&")))
        if row[2] != "changed"  # the registry's rows are all creations: one line each
    )
    assert exported == listed
    # the export is the change log's: not offered to those who may not open it
    client.force_login(inspector_tam_duong)
    html = page(client, f"/facilities/{registry['own'].pk}/history/").content.decode()
    assert 'id="export"' not in html
