"""One history reader: the API, the change-log page and the export read the same
entries, a deep page costs what the first does, and no page parameter is a 500."""

import datetime
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from compliance.history import TRACKED, HistoryFilters, history_page
from facilities.history import change_context
from facilities.models import RegistryModel
from tests.factories import FacilityFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def changes(admin_user, own_facility):
    """Rows of several models written at the very same instant (ties on history_date),
    then a few more a minute apart."""
    with (
        time_machine.travel(MOMENT, tick=False),
        change_context(user=admin_user, reason="cùng lúc"),
    ):
        for n in range(3):
            facility = FacilityFactory(enterprise=own_facility.enterprise, code=f"TIE-{n}")
            FindingFactory(inspection=InspectionFactory(facility=facility))
    for minute in range(1, 4):
        with (
            time_machine.travel(MOMENT + datetime.timedelta(minutes=minute), tick=False),
            change_context(user=admin_user, reason=f"lần {minute}"),
        ):
            own_facility.name = f"Tên {minute}"
            own_facility.save()


def keys(entries):
    return [(e["model"], e["object_id"], e["id"]) for e in entries]


def walk(client, url):
    """Every entry, following the ``next`` links; and the pages seen."""
    seen, pages = [], []
    while url:
        body = client.get(url).json()
        pages.append(keys(body["results"]))
        seen += pages[-1]
        url = body["next"]
    return seen, pages


def test_the_tracked_models_are_every_registry_model_with_history():
    registry_models = {
        m for m in RegistryModel.__subclasses__() if hasattr(m, "history") and not m._meta.abstract
    }
    assert set(TRACKED.values()) == registry_models
    assert {"facility", "clean_tech_measure", "attachment"} <= set(TRACKED)


def test_cursor_pages_list_every_entry_once_in_order_even_on_ties(auditor, changes):
    client = APIClient()
    client.force_authenticate(auditor)
    everything = keys(client.get("/api/v1/history/?page_size=500").json()["results"])
    seen, pages = walk(client, "/api/v1/history/?page_size=4")
    assert seen == everything
    assert len(set(seen)) == len(seen) > 12
    assert all(len(page) == 4 for page in pages[:-1])
    # Back again with the previous links: the same pages, in reverse.
    last = client.get("/api/v1/history/?page_size=4").json()
    for _ in range(len(pages) - 1):
        last = client.get(last["next"]).json()
    back = [keys(last["results"])]
    while last["previous"]:
        last = client.get(last["previous"]).json()
        back.append(keys(last["results"]))
    assert back[::-1] == pages


def test_page_numbers_still_work_and_link_by_cursor(auditor, changes):
    client = APIClient()
    client.force_authenticate(auditor)
    first = client.get("/api/v1/history/?page_size=4").json()
    second = client.get("/api/v1/history/?page_size=4&page=2").json()
    assert keys(client.get(first["next"]).json()["results"]) == keys(second["results"])
    assert "after=" in first["next"] and "page=" not in first["next"]
    assert first["previous"] is None and second["previous"]


def test_the_change_log_page_and_the_api_list_the_same_entries(
    auditor, admin_user, changes, client
):
    api = APIClient()
    api.force_authenticate(auditor)
    client.force_login(auditor)
    # (the API's query, the page's query): the page picks the user from a list by id.
    for api_query, page_query in [
        ("", ""),
        ("model=facility", "model=facility"),
        ("since=2026-06-01&until=2026-06-01", "since=01/06/2026&until=01/06/2026"),
        (f"user={admin_user.username}", f"user={admin_user.pk}"),
    ]:
        from_api, _pages = walk(api, f"/api/v1/history/?page_size=50&{api_query}")
        from_page, url = [], f"/changes/?{page_query}"
        while url:
            response = client.get(url)
            assert response.status_code == 200
            assert not response.context["form"].errors
            from_page += [(r.label, r.object_id, r.history_id) for r in response.context["rows"]]
            cursor = response.context["next_cursor"]
            url = f"/changes/?{page_query}&after={cursor}" if cursor else None
        assert from_page == from_api, api_query
        assert from_page


def test_a_deep_page_costs_the_same_queries_as_the_first(auditor, changes):
    first = history_page(auditor, HistoryFilters(), limit=2)
    with CaptureQueriesContext(connection) as at_start:
        history_page(auditor, HistoryFilters(), limit=2)
    page = first
    while page.next_cursor:
        last_cursor = page.next_cursor
        page = history_page(auditor, HistoryFilters(), limit=2, after=last_cursor)
    with CaptureQueriesContext(connection) as at_end:
        history_page(auditor, HistoryFilters(), limit=2, after=last_cursor)
    assert len(at_end) <= len(at_start)
    # The deep page seeks: no OFFSET in the statement that reads the keys.
    assert not any(re.search(r"\bOFFSET\b", q["sql"]) for q in at_end.captured_queries)


@pytest.mark.parametrize(
    "query", ["page=9223372036854775808", "after=garbage", "before=%00", "after=e30"]
)
def test_no_page_or_cursor_value_makes_the_change_log_fail(client, auditor, changes, query):
    client.force_login(auditor)
    response = client.get(f"/changes/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["after=garbage", "before=e30", "after=WyJ4IiwieSIsMV0"])
def test_a_malformed_cursor_is_a_400_in_the_api(auditor, changes, query):
    client = APIClient()
    client.force_authenticate(auditor)
    assert client.get(f"/api/v1/history/?{query}").status_code == 400


def test_a_page_number_beyond_any_offset_is_a_404_in_the_api(auditor, changes):
    client = APIClient()
    client.force_authenticate(auditor)
    assert client.get("/api/v1/history/?page=9223372036854775808").status_code == 404
    assert client.get("/api/v1/history/?page=999").status_code == 404


def test_the_export_reads_the_same_changes_as_the_api(auditor, changes):
    client = APIClient()
    client.force_authenticate(auditor)
    response = client.get("/api/v1/history/export.xlsx?model=facility")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    exported = {
        (row[1], row[6], row[7], row[8])
        for row in sheet["History"].iter_rows(min_row=2, values_only=True)
        if row[2] == "changed"
    }
    from_api = {
        (e["object_id"], c["field"], c["old"], c["new"])
        for e in client.get("/api/v1/history/?model=facility").json()["results"]
        if e["type"] == "changed"
        for c in e["changes"]
    }
    assert exported == from_api
    assert exported


def test_next_links_keep_the_filters(auditor, changes):
    client = APIClient()
    client.force_authenticate(auditor)
    first = client.get("/api/v1/history/?model=facility&page_size=2").json()
    assert parse_qs(urlparse(first["next"]).query)["model"] == ["facility"]


# --- what a facility holds, and values as people read them ----------------------------


def test_what_a_facility_holds_is_derived_from_the_foreign_keys():
    from compliance.history import _held_q, held_labels

    # every tracked model but the enterprise (which holds facilities, not the reverse)
    # reaches a facility through its foreign keys, some through another tracked model
    assert set(held_labels()) == set(TRACKED) - {"enterprise"}
    assert "inspection_id__in" in str(_held_q(TRACKED["attachment"], [1]))
    assert _held_q(TRACKED["enterprise"], [1]) is None


def test_history_by_facility_reads_the_held_rows(admin_user, own_facility):
    from compliance.history import HistoryFilters, history_stream

    with change_context(user=admin_user, reason="giữ"):
        finding = FindingFactory(inspection=InspectionFactory(facility=own_facility))
        elsewhere = FindingFactory(inspection=InspectionFactory(facility=FacilityFactory()))
    filters = HistoryFilters(held_by=frozenset({own_facility.pk}))
    held = {(e.label, e.object_id) for e in history_stream(admin_user, filters)}
    assert ("finding", finding.pk) in held
    assert ("finding", elsewhere.pk) not in held
    assert {label for label, _pk in held} <= set(TRACKED) - {"enterprise"}


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        (models.BooleanField(), True, "Có"),
        (models.BooleanField(), False, "Không"),
        (models.CharField(), None, "—"),
        (models.CharField(), "", "—"),
        (models.DateField(), datetime.date(2026, 2, 28), "28/02/2026"),
        # 19:40 UTC is 02:40 the next day in Lai Châu (UTC+7)
        (
            models.DateTimeField(),
            datetime.datetime(2026, 11, 11, 19, 40, tzinfo=datetime.UTC),
            "12/11/2026 02:40",
        ),
        (models.DecimalField(), Decimal("22.3967"), "22,3967"),
        (models.CharField(choices=[("a", "Nhãn A")]), "a", "Nhãn A"),
        (models.CharField(choices=[("a", "Nhãn A")]), "gone", "gone"),
    ],
)
def test_a_stored_value_is_shown_as_people_read_it(field, value, shown):
    from compliance.history import show

    assert show(field, value) == shown


def test_a_reference_is_shown_by_name_or_as_a_number_when_unknown():
    from compliance.history import show
    from facilities.models import Facility

    field = models.ForeignKey(Facility, on_delete=models.PROTECT)
    field.set_attributes_from_name("facility")
    assert show(field, 7, {Facility: {7: "TD-001 — Nhà máy"}}) == "TD-001 — Nhà máy"
    assert show(field, 8, {Facility: {}}) == "#8"


def test_naming_a_page_costs_one_query_per_model_named(
    admin_user, own_facility, django_assert_num_queries
):
    from compliance.history import readable

    with change_context(user=admin_user, reason="tên"):
        for n in range(6):
            FindingFactory(inspection=InspectionFactory(facility=FacilityFactory(code=f"N-{n}")))
    page = history_page(admin_user, HistoryFilters(models=("finding", "inspection")), limit=50)
    # the inspections (with their facilities joined) and the facilities: 2 queries,
    # whether the page names 1 finding or 6
    with django_assert_num_queries(2):
        readable(page.entries)
    names = {c.new_text for e in page.entries for c in e.changes if c.name == "facility"}
    assert "N-0 — " in " ".join(names) and not any(n.startswith("#") for n in names)


@pytest.fixture
def held(admin_user, own_facility, competitor_facility):
    from tests.factories import CertificateFactory

    with change_context(user=admin_user, reason="cấp giấy"):
        certificate = CertificateFactory(facility=own_facility, number="GCN-77/STNMT")
        finding = FindingFactory(inspection=InspectionFactory(facility=own_facility))
        FindingFactory(inspection=InspectionFactory(facility=competitor_facility))
    with change_context(user=admin_user, reason="thu hồi nhầm"):
        certificate.delete()
    return {"finding": finding}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("certificate=gcn-77/stnmt", {("certificate", "created"), ("certificate", "deleted")}),
        ("certificate=GCN-77&type=deleted", set()),
        ("type=deleted", {("certificate", "deleted")}),
        ("text=thu hồi&type=deleted", {("certificate", "deleted")}),
        ("text=không khớp", set()),
    ],
)
def test_the_api_filters_like_the_change_log(auditor, held, query, expected):
    client = APIClient()
    client.force_authenticate(auditor)
    body = client.get(f"/api/v1/history/?{query}").json()
    assert {(e["model"], e["type"]) for e in body["results"]} == expected
    assert body["count"] == len(body["results"])


def test_the_api_facility_filter_reads_what_the_facility_holds(auditor, held, client):
    api = APIClient()
    api.force_authenticate(auditor)
    from_api = {
        (e["model"], e["object_id"])
        for e in api.get("/api/v1/history/?facility=TD-001&page_size=100").json()["results"]
    }
    client.force_login(auditor)
    tab = client.get(f"/facilities/{held['finding'].inspection.facility_id}/history/")
    assert from_api == {(r.label, r.object_id) for r in tab.context["rows"]}
    assert ("finding", held["finding"].pk) in from_api


@pytest.mark.parametrize("query", ["type=removed", f"text={'x' * 201}"])
def test_an_invalid_api_filter_is_a_400_in_the_list_and_the_export(auditor, held, query):
    client = APIClient()
    client.force_authenticate(auditor)
    assert client.get(f"/api/v1/history/?{query}").status_code == 400
    assert client.get(f"/api/v1/history/export.xlsx?{query}").status_code == 400


def test_the_export_takes_the_same_filters(auditor, held):
    client = APIClient()
    client.force_authenticate(auditor)
    response = client.get("/api/v1/history/export.xlsx?certificate=GCN-77/STNMT&type=created")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(sheet["History"].iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[2]) for r in rows} == {("certificate", "created")}
