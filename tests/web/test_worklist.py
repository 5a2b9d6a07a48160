"""The work list: one list by urgency, filtered and paged in SQL, each row with the one
action that does the work, which brings the inspector back to the same page
(docs/web.md, "Work list"). Today is 20/11/2026 (tests/web/conftest.py)."""

import datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.choices import MeasureKind
from compliance.indicators.stored import forget_figures
from compliance.models import CleanTechMeasure
from compliance.worklist import KINDS, Filters, counts, page
from facilities.choices import Activity
from facilities.history import change_context
from facilities.models import Commune, District, Facility
from inspections.choices import InspectionStatus
from inspections.models import Finding, Inspection
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)
from tests.web.conftest import TODAY

pytestmark = pytest.mark.django_db

YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)
# The last visit still current today (3 years, same day) and the first expired one.
WINDOW_START = datetime.date(2023, 11, 20)
RECENT = datetime.date(2026, 3, 1)


def facility(**kwargs):
    """An active production facility of Tam Đường with a verified measure and a current
    visit: nothing due, unless the test says otherwise."""
    visited = kwargs.pop("visited_on", RECENT)
    verified = kwargs.pop("verified", True)
    with change_context(reason="dữ liệu thử"):
        f = FacilityFactory(**kwargs)
        if visited:
            InspectionFactory(facility=f, visited_on=visited)
        if verified:
            CleanTechMeasureFactory(facility=f, verified_on=datetime.date(2016, 5, 1))
    return f


def rows(response):
    return [(item.kind.code, item.facility_code) for item in response.context["page_obj"]]


def kinds_of(response, code):
    return [kind for kind, facility_code in rows(response) if facility_code == code]


@pytest.fixture
def one_of_each(db):
    """One row of each kind in Tam Đường, created in the reverse of their urgency."""
    with change_context(reason="dữ liệu thử"):
        drafted = facility(code="TD-DRAFT")
        InspectionFactory(
            facility=drafted, status=InspectionStatus.DRAFT, outcome="", visited_on=YESTERDAY
        )
        measured = facility(code="TD-MEASURE")
        CleanTechMeasureFactory(facility=measured, kind=MeasureKind.CLEAN_TECHNOLOGY)
        facility(code="TD-NEW", verified=False)
        facility(code="TD-NEVER", visited_on=None)
        facility(code="TD-OLD", visited_on=datetime.date(2020, 1, 1))
        late = facility(code="TD-LATE")
        visit = late.inspections.get()
        FindingFactory(inspection=visit, deadline=datetime.date(2026, 6, 1))
        FindingFactory(inspection=visit, deadline=datetime.date(2026, 5, 1))


def test_the_list_is_ordered_by_urgency_and_within_a_kind_oldest_first(
    client, inspector_tam_duong, one_of_each
):
    client.force_login(inspector_tam_duong)
    response = client.get("/worklist/")
    assert rows(response) == [
        ("overdue", "TD-LATE"),
        ("overdue", "TD-LATE"),
        ("expired", "TD-OLD"),
        ("not_assessed", "TD-NEVER"),
        ("no_measure", "TD-NEW"),
        ("unverified", "TD-MEASURE"),
        ("draft", "TD-DRAFT"),
    ]
    deadlines = [item.since for item in response.context["page_obj"]][:2]
    assert deadlines == [datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)]
    html = response.content.decode()
    assert '01/05/2026 <span class="muted">(thời hạn khắc phục)</span>' in html
    assert '01/01/2020 <span class="muted">(lần kiểm tra gần nhất)</span>' in html


def test_each_row_offers_its_one_action_with_the_way_back(client, inspector_tam_duong, one_of_each):
    client.force_login(inspector_tam_duong)
    response = client.get("/worklist/?q=td")
    back = quote("/worklist/?q=td", safe="")
    actions = {}
    for item in response.context["page_obj"]:
        actions.setdefault(item.kind.code, item.action_url)
    finding = Finding.objects.order_by("deadline").first()
    assert actions["overdue"] == f"/findings/{finding.pk}/resolve/?next={back}"
    assert actions["expired"].endswith(f"/inspections/new/?next={back}")
    assert actions["unverified"].startswith("/measures/")
    assert actions["draft"].endswith(f"/edit/?next={back}")
    html = response.content.decode()
    for label in ("Ghi nhận khắc phục", "Ghi nhận kiểm tra", "Xác nhận", "Tiếp tục bản nháp"):
        assert label in html


# --- each kind at its boundary date (docs/methodology.md, "Terms") ----------------------


def test_a_deadline_yesterday_is_overdue_and_a_deadline_today_is_not(client, admin_user):
    due_yesterday, due_today = facility(code="TD-Y"), facility(code="TD-T")
    with change_context(reason="dữ liệu thử"):
        FindingFactory(inspection=due_yesterday.inspections.get(), deadline=YESTERDAY)
        FindingFactory(inspection=due_today.inspections.get(), deadline=TODAY)
        resolved = facility(code="TD-R")
        FindingFactory(inspection=resolved.inspections.get(), deadline=YESTERDAY, resolved_on=TODAY)
    client.force_login(admin_user)
    assert rows(client.get("/worklist/?kind=overdue")) == [("overdue", "TD-Y")]


def test_an_assessment_expires_the_day_after_its_third_anniversary(client, admin_user):
    facility(code="TD-CURRENT", visited_on=WINDOW_START)
    facility(code="TD-EXPIRED", visited_on=WINDOW_START - datetime.timedelta(days=1))
    client.force_login(admin_user)
    response = client.get("/worklist/")
    assert kinds_of(response, "TD-CURRENT") == []
    assert kinds_of(response, "TD-EXPIRED") == ["expired"]


def test_only_finalized_visits_up_to_today_assess_a_facility(client, admin_user):
    drafted = facility(code="TD-DRAFTED", visited_on=None)
    with change_context(reason="dữ liệu thử"):
        InspectionFactory(
            facility=drafted, status=InspectionStatus.DRAFT, outcome="", visited_on=YESTERDAY
        )
    facility(code="TD-VISITED-TODAY", visited_on=TODAY)
    client.force_login(admin_user)
    response = client.get("/worklist/")
    assert kinds_of(response, "TD-DRAFTED") == ["not_assessed", "draft"]
    assert kinds_of(response, "TD-VISITED-TODAY") == []


def test_the_latest_visit_up_to_today_decides_and_a_same_day_pair_is_one_visit(client, admin_user):
    # Read from the facility standing: the row of the latest finalized visit up to today.
    before_window = WINDOW_START - datetime.timedelta(days=1)
    old_then_future = facility(code="TD-FUTURE", visited_on=before_window)
    pair = facility(code="TD-PAIR", visited_on=before_window)
    renewed = facility(code="TD-RENEWED", visited_on=datetime.date(2019, 4, 1))
    only_future = facility(code="TD-ONLY-FUTURE", visited_on=None)
    with change_context(reason="dữ liệu thử"):
        InspectionFactory(facility=old_then_future, visited_on=TOMORROW)
        InspectionFactory(facility=pair, visited_on=before_window)
        InspectionFactory(facility=renewed, visited_on=WINDOW_START)
        InspectionFactory(facility=only_future, visited_on=TOMORROW)
        InspectionFactory(
            facility=renewed, status=InspectionStatus.CANCELLED, outcome="", visited_on=TODAY
        )
    client.force_login(admin_user)
    response = client.get("/worklist/")
    items = {item.facility_code: item for item in response.context["page_obj"]}
    assert kinds_of(response, "TD-FUTURE") == ["expired"]
    assert items["TD-FUTURE"].since == before_window
    assert kinds_of(response, "TD-PAIR") == ["expired"]
    assert kinds_of(response, "TD-RENEWED") == []
    assert kinds_of(response, "TD-ONLY-FUTURE") == ["not_assessed"]


def test_a_facility_is_due_from_the_day_it_operates_until_the_day_it_closes(client, admin_user):
    facility(code="TD-OPENS-TODAY", visited_on=None, operating_since=TODAY)
    facility(code="TD-OPENS-TOMORROW", visited_on=None, operating_since=TOMORROW)
    facility(code="TD-CLOSED-TODAY", visited_on=None, closed_on=TODAY)
    facility(code="TD-CLOSES-TOMORROW", visited_on=None, closed_on=TOMORROW)
    client.force_login(admin_user)
    response = client.get("/worklist/?kind=not_assessed")
    assert rows(response) == [
        ("not_assessed", "TD-CLOSES-TOMORROW"),
        ("not_assessed", "TD-OPENS-TODAY"),
    ]


def test_a_new_build_is_listed_until_a_measure_is_verified_and_in_place(client, admin_user):
    facility(code="TD-BASELINE", verified=False, operating_since=datetime.date(2012, 11, 30))
    facility(code="TD-OLDER", verified=False, operating_since=datetime.date(2012, 11, 29))
    facility(code="TD-SHOP", verified=False, activity=Activity.BUSINESS)
    removed = facility(code="TD-REMOVED", verified=False)
    with change_context(reason="dữ liệu thử"):
        CleanTechMeasureFactory(
            facility=removed, verified_on=datetime.date(2016, 5, 1), removed_on=TODAY
        )
    client.force_login(admin_user)
    response = client.get("/worklist/?kind=no_measure")
    assert rows(response) == [("no_measure", "TD-BASELINE"), ("no_measure", "TD-REMOVED")]


def test_a_measure_counts_from_the_day_it_is_verified_until_the_day_it_is_removed(
    client, admin_user
):
    verified_today = facility(code="TD-VERIFIED-TODAY", verified=False)
    verified_tomorrow = facility(code="TD-VERIFIED-TOMORROW", verified=False)
    removed_tomorrow = facility(code="TD-REMOVED-TOMORROW", verified=False)
    installed_tomorrow = facility(code="TD-INSTALLED-TOMORROW", verified=False)
    with change_context(reason="dữ liệu thử"):
        CleanTechMeasureFactory(facility=verified_today, verified_on=TODAY)
        CleanTechMeasureFactory(facility=verified_tomorrow, verified_on=TOMORROW)
        CleanTechMeasureFactory(
            facility=removed_tomorrow, verified_on=datetime.date(2016, 5, 1), removed_on=TOMORROW
        )
        CleanTechMeasureFactory(
            facility=installed_tomorrow, installed_on=TOMORROW, verified_on=TOMORROW
        )
    client.force_login(admin_user)
    response = client.get("/worklist/?kind=no_measure")
    assert sorted(code for _kind, code in rows(response)) == [
        "TD-INSTALLED-TOMORROW",
        "TD-VERIFIED-TOMORROW",
    ]


def test_measures_to_verify_are_those_unverified_and_not_removed(client, admin_user):
    f = facility(code="TD-M")
    with change_context(reason="dữ liệu thử"):
        waiting = CleanTechMeasureFactory(facility=f, installed_on=datetime.date(2026, 1, 5))
        CleanTechMeasureFactory(facility=f, removed_on=datetime.date(2026, 2, 1))
    client.force_login(admin_user)
    response = client.get("/worklist/?kind=unverified")
    assert [item.obj_id for item in response.context["page_obj"]] == [waiting.pk]
    assert '05/01/2026 <span class="muted">(ngày lắp đặt)</span>' in response.content.decode()


# --- filters, search, counts, pages -----------------------------------------------------


@pytest.fixture
def two_districts(db):
    facility(code="TD-A", visited_on=None, name="Nhà máy chè Bình Lư", verified=False)
    facility(code="TD-B", visited_on=None, name="Xưởng gạch Tam Đường")
    facility(
        code="PT-A",
        visited_on=None,
        name="Mỏ đá Phong Thổ",
        district=District.objects.get(code="109"),
    )
    facility(
        code="TD-C",
        visited_on=None,
        name="Cơ sở theo xã",
        district=None,
        commune=Commune.objects.get(code="03390"),
    )


def test_an_inspector_never_sees_other_districts(client, inspector_tam_duong, two_districts):
    client.force_login(inspector_tam_duong)
    response = client.get("/worklist/")
    assert {code for _kind, code in rows(response)} == {"TD-A", "TD-B", "TD-C"}
    # Asking for another district is refused in words and still shows only their own.
    response = client.get("/worklist/?district=109")
    assert response.status_code == 200
    assert "PT-A" not in response.content.decode()
    assert response.context["form"].errors["district"]
    options = [d.code for d in response.context["form"].fields["district"].queryset]
    assert options == ["106"]


def test_the_filters_are_folded_away_until_used(client, inspector_tam_duong, two_districts):
    client.force_login(inspector_tam_duong)
    assert 'class="card filter-box">' in client.get("/worklist/?kind=overdue").content.decode()
    for used in ("?q=binh", "?district=109"):
        html = client.get(f"/worklist/{used}").content.decode()
        assert 'class="card filter-box" open>' in html, used


def test_the_administrator_filters_by_district_and_commune(client, admin_user, two_districts):
    client.force_login(admin_user)
    by_district = client.get("/worklist/?district=109&kind=not_assessed")
    assert rows(by_district) == [("not_assessed", "PT-A")]
    # A facility recorded only by its commune belongs to the commune's district.
    by_106 = client.get("/worklist/?district=106&kind=not_assessed")
    assert [code for _kind, code in rows(by_106)] == ["TD-A", "TD-B", "TD-C"]
    by_commune = client.get("/worklist/?commune=03390&kind=not_assessed")
    assert rows(by_commune) == [("not_assessed", "TD-C")]
    html = by_commune.content.decode()
    assert "Xã Bình Lư" in html
    labels = by_commune.context["form"]
    assert labels.fields["district"].label == "Huyện / Thành phố"
    assert labels.fields["commune"].label == "Xã / Phường"


def test_search_ignores_diacritics_and_case(client, admin_user, two_districts):
    client.force_login(admin_user)
    response = client.get("/worklist/?q=NHA MAY CHE binh lu&kind=not_assessed")
    assert rows(response) == [("not_assessed", "TD-A")]
    response = client.get("/worklist/?q=xuong gach&kind=not_assessed")
    assert rows(response) == [("not_assessed", "TD-B")]


def test_counts_per_kind_follow_the_place_and_search_but_not_the_kind(
    client, admin_user, two_districts
):
    client.force_login(admin_user)
    response = client.get("/worklist/?district=106&kind=not_assessed")
    links = {k["code"]: k["count"] for k in response.context["kind_counts"]}
    assert links["not_assessed"] == 3
    assert links["no_measure"] == 1  # TD-A: a new build (2015) without a measure
    assert links["overdue"] == 0
    assert links[""] == 4
    assert response.context["page_obj"].paginator.count == 3
    current = [k["code"] for k in response.context["kind_counts"] if k["current"]]
    assert current == ["not_assessed"]


def test_pages_of_fifty_never_repeat_or_skip_a_row(client, admin_user):
    with change_context(reason="dữ liệu thử"):
        for n in range(60):
            FacilityFactory(code=f"TD-{n:03d}", operating_since=datetime.date(2015, 1, 1))
    client.force_login(admin_user)
    first = client.get("/worklist/?kind=not_assessed")
    second = client.get("/worklist/?kind=not_assessed&page=2")
    assert len(rows(first)) == 50 and len(rows(second)) == 10
    codes = [code for _kind, code in rows(first) + rows(second)]
    assert codes == [f"TD-{n:03d}" for n in range(60)]
    assert second.context["page_obj"].paginator.num_pages == 2
    assert "120 việc" not in second.content.decode()
    assert "60 việc" in second.content.decode()
    # Past the last page: the last page.
    assert rows(client.get("/worklist/?kind=not_assessed&page=99")) == rows(second)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def many(n):
    with change_context(reason="dữ liệu thử"):
        for _ in range(n):
            f = FacilityFactory()
            visit = InspectionFactory(facility=f, visited_on=datetime.date(2020, 5, 5))
            FindingFactory(inspection=visit, deadline=datetime.date(2020, 12, 1))
            CleanTechMeasureFactory(facility=f)
            InspectionFactory(facility=f, status=InspectionStatus.DRAFT, outcome="")


def test_the_queries_do_not_grow_with_the_registry_nor_with_the_page(client, inspector_tam_duong):
    client.force_login(inspector_tam_duong)
    many(2)
    count_queries(client, "/worklist/")  # warm: session, content types
    small = count_queries(client, "/worklist/")
    many(18)
    # Each write carried the stored counts by its delta: still a read.
    after_writes = count_queries(client, "/worklist/")
    large = count_queries(client, "/worklist/")
    # A write that forgets them (a bulk load): the next page counts the province again
    # and stores the counts (the generation, the counts per place, the communes' former
    # districts, the insert, the older counts' delete), whatever the size.
    forget_figures()
    after_forgetting = count_queries(client, "/worklist/")
    later_page = count_queries(client, "/worklist/?page=2&q=lc&district=106")
    # session, user, profile, the inspector's districts and communes; the stored counts
    # per kind; the page's keys; the page's rows; district and commune pickers; the
    # department's name in the header (+ the district picked, on the later page, whose
    # search is counted live: one statement too).
    assert small == after_writes == large == 11
    assert after_forgetting == 11 + 5
    assert later_page == 12


def test_the_stored_counts_follow_every_write_that_changes_them(
    admin_user, inspector_tam_duong, one_of_each, monkeypatch
):
    # The counts are stored per generation and carried by each write's delta
    # (compliance/worklist.py): after each write through the services, the counts read
    # equal the counts made live from the records, and the province is counted once.
    from compliance import services as compliance_services
    from compliance import worklist
    from compliance.worklist import KINDS, _live_counts

    recounts = []
    count_province = worklist.stored_cells

    def spy(today):
        recounts.append(today)
        return count_province(today)

    monkeypatch.setattr(worklist, "stored_cells", spy)
    from facilities.services import facility_update
    from inspections import services as inspection_services

    def check():
        for user in (admin_user, inspector_tam_duong):
            for filters in (Filters(), Filters(district="106"), Filters(district="109")):
                assert counts(user, TODAY, filters) == _live_counts(user, TODAY, filters, KINDS), (
                    user,
                    filters,
                )

    check()
    finding = Finding.objects.filter(deadline=datetime.date(2026, 5, 1)).get()
    inspection_services.finding_resolve(
        finding=finding, user=admin_user, resolved_on=TODAY, reason="đã khắc phục"
    )
    check()
    draft = Inspection.objects.get(status=InspectionStatus.DRAFT)
    inspection_services.inspection_finalize(
        inspection=draft, user=admin_user, outcome="compliant", reason="hoàn tất"
    )
    check()
    # A certificate feeds no kind: its write carries the counts unchanged.
    with change_context(reason="dữ liệu thử"):
        CertificateFactory(facility=Facility.objects.get(code="TD-NEVER"))
    check()
    measure = CleanTechMeasure.objects.get(verified_on__isnull=True)
    compliance_services.measure_verify(
        measure=measure, user=admin_user, verified_on=TODAY, reason="đã xem"
    )
    check()
    never = Facility.objects.get(code="TD-NEVER")
    facility_update(
        facility=never,
        user=admin_user,
        reason="chuyển huyện",
        district=District.objects.get(code="109"),
        commune=None,
    )
    check()
    facility_update(facility=never, user=admin_user, reason="đóng cửa", closed_on=TODAY)
    check()
    with change_context(reason="dữ liệu thử"):
        again = InspectionFactory(
            facility=never, status=InspectionStatus.DRAFT, outcome="", visited_on=TODAY
        )
    check()
    inspection_services.inspection_discard(inspection=again, user=admin_user, reason="nhầm")
    check()
    assert recounts == [TODAY]  # every write carried them: never counted again
    # And they are read, not counted again, while nothing changes.
    with CaptureQueriesContext(connection) as queries:
        counts(inspector_tam_duong, TODAY, Filters())
    assert len(queries) == 1


# --- every action returns to the list it was opened from --------------------------------


LIST = "/worklist/?kind=overdue&page=1"


def test_resolving_a_finding_returns_to_the_same_filtered_page(client, inspector_tam_duong):
    f = facility(code="TD-LATE")
    with change_context(reason="dữ liệu thử"):
        finding = FindingFactory(inspection=f.inspections.get(), deadline=YESTERDAY)
    client.force_login(inspector_tam_duong)
    url = f"/findings/{finding.pk}/resolve/?next={quote(LIST, safe='')}"
    form = client.get(url)
    assert f'value="{LIST}"'.replace("&", "&amp;") in form.content.decode()
    response = client.post(url, {"resolved_on": "20/11/2026", "next": LIST})
    assert response.status_code == 302 and response.url == LIST
    finding.refresh_from_db()
    assert finding.resolved_on == TODAY
    assert rows(client.get(LIST)) == []


def test_a_next_page_on_another_site_is_ignored(client, inspector_tam_duong):
    f = facility(code="TD-LATE")
    with change_context(reason="dữ liệu thử"):
        finding = FindingFactory(inspection=f.inspections.get(), deadline=YESTERDAY)
    client.force_login(inspector_tam_duong)
    for evil in ("https://evil.example/worklist/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            f"/findings/{finding.pk}/resolve/", {"resolved_on": "20/11/2026", "next": evil}
        )
        assert response.url == f"/inspections/{finding.inspection_id}/", evil


def test_verifying_a_measure_returns_to_the_list(client, inspector_tam_duong):
    f = facility(code="TD-M")
    with change_context(reason="dữ liệu thử"):
        measure = CleanTechMeasureFactory(facility=f)
    client.force_login(inspector_tam_duong)
    back = "/worklist/?kind=unverified"
    response = client.post(
        f"/measures/{measure.pk}/verify/?next={quote(back, safe='')}",
        {"verified_on": "20/11/2026"},
    )
    assert response.status_code == 302 and response.url == back
    measure.refresh_from_db()
    assert measure.verified_on == TODAY


def test_a_visit_recorded_from_the_list_returns_to_it_once_finalized(client, inspector_tam_duong):
    f = facility(code="TD-NEVER", visited_on=None)
    client.force_login(inspector_tam_duong)
    back = "/worklist/?kind=not_assessed&page=1"
    encoded = quote(back, safe="")
    visit = {
        "kind": "periodic",
        "visited_on": "20/11/2026",
        "summary": "Kiểm tra định kỳ",
        "outcome": "compliant",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "next": back,
    }
    draft = client.post(f"/facilities/{f.pk}/inspections/new/", {**visit, "action": "draft"})
    inspection = f.inspections.get()
    assert draft.url == f"/inspections/{inspection.pk}/edit/?next={encoded}"
    # Continuing the draft (the list's action for drafts) keeps the way back.
    finalize = client.post(draft.url, {**visit, "action": "finalize"})
    assert finalize.url == f"/inspections/{inspection.pk}/finalize/?next={encoded}"
    page_html = client.get(finalize.url).content.decode()
    assert 'name="next"' in page_html
    done = client.post(f"/inspections/{inspection.pk}/finalize/", {"confirm": "yes", "next": back})
    assert done.status_code == 302 and done.url == back
    assert kinds_of(client.get("/worklist/"), "TD-NEVER") == []


# --- the selector, directly ------------------------------------------------------------


def test_a_kind_is_one_entry_of_the_registry(inspector_tam_duong, one_of_each):
    """Counts and pages come from KINDS alone: every kind counted, in its order."""
    found = counts(inspector_tam_duong, TODAY, Filters())
    assert list(found) == [kind.code for kind in KINDS]
    assert found == {
        "overdue": 2,
        "evidence": 0,
        "reinspection": 0,
        "expired": 1,
        "not_assessed": 1,
        "no_measure": 1,
        "unverified": 1,
        "draft": 1,
    }
    only = page(inspector_tam_duong, TODAY, Filters(kinds=("draft",)), offset=0)
    assert [(i.kind.code, i.facility_code) for i in only] == [("draft", "TD-DRAFT")]


def test_a_kind_with_nothing_to_do_has_no_link_unless_it_is_chosen(
    client, admin_user, two_districts
):
    client.force_login(admin_user)
    page = client.get("/worklist/?district=106").content.decode()
    assert 'data-kind="not_assessed"' in page
    assert 'data-kind="overdue"' not in page  # nothing overdue in the district
    assert 'data-kind="all"' in page
    chosen = client.get("/worklist/?district=106&kind=overdue").content.decode()
    assert 'data-kind="overdue" title=' in chosen
