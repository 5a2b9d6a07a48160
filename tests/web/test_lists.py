"""The registry list and the list behind a dashboard figure: sortable columns (a
whitelist, with a deterministic tie-break), page numbers and counts written the
Vietnamese way, filter labels that match their pickers, counts per reason, paging, the
same rows as a workbook, and a deep page costing the same queries as the first."""

import io

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from facilities.history import change_context
from facilities.models import District, Facility, Sector
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

BEHIND = "/indicators/establishments_meeting_standards/facilities/"


def bulk_facilities(n, enterprise, *, district="106", prefix="BK"):
    """``n`` facilities at once (the lists are about rows, not about history)."""
    sector = Sector.objects.get(code="manufacturing")
    place = District.objects.get(code=district)
    Facility.objects.bulk_create(
        FacilityFactory.build(
            enterprise=enterprise,
            sector=sector,
            district=place,
            code=f"{prefix}-{i:05d}",
            name=f"Cơ sở {i:05d}",
        )
        for i in range(n)
    )


def codes(response):
    rows = response.context["page_obj"].object_list
    return [getattr(r, "code", None) or r["code"] for r in rows]


@pytest.fixture
def three(own_enterprise):
    with change_context(reason="dữ liệu thử"):
        return [
            FacilityFactory(enterprise=own_enterprise, code="C-1", name="Bến xe"),
            FacilityFactory(enterprise=own_enterprise, code="A-1", name="Cơ sở chè"),
            FacilityFactory(enterprise=own_enterprise, code="B-1", name="An Khang"),
        ]


def test_the_registry_sorts_by_a_column_both_ways(client, admin_user, three):
    client.force_login(admin_user)
    assert codes(client.get("/facilities/")) == ["A-1", "B-1", "C-1"]  # by code by default
    assert codes(client.get("/facilities/?sort=name")) == ["B-1", "C-1", "A-1"]
    assert codes(client.get("/facilities/?sort=-name")) == ["A-1", "C-1", "B-1"]
    page = client.get("/facilities/?sort=name").content.decode()
    assert 'aria-sort="ascending"' in page
    # The sorted column's link turns the order around; the others sort ascending.
    assert 'href="?sort=-name" data-sort="name"' in page
    assert 'href="?sort=code" data-sort="code"' in page


@pytest.mark.parametrize("sort", ["search_key", "-enterprise__tax_code", "pk;drop", "-"])
def test_an_unknown_sort_key_falls_back_to_the_code_order(client, admin_user, three, sort):
    client.force_login(admin_user)
    response = client.get(f"/facilities/?sort={sort}")
    assert response.status_code == 200
    assert codes(response) == ["A-1", "B-1", "C-1"]


def test_equal_values_keep_one_order_across_pages(client, admin_user, own_enterprise):
    bulk_facilities(120, own_enterprise)  # all in the same district: the tie-break decides
    client.force_login(admin_user)
    seen = []
    for page in (1, 2, 3):
        seen += codes(client.get(f"/facilities/?sort=district&page={page}"))
    assert len(seen) == len(set(seen)) == 120
    by_id = list(Facility.objects.order_by("pk").values_list("code", flat=True))
    assert seen == by_id


def test_counts_and_page_numbers_are_written_the_vietnamese_way(client, admin_user, own_enterprise):
    bulk_facilities(1234, own_enterprise)
    client.force_login(admin_user)
    page = client.get("/facilities/?page=13").content.decode()
    assert "1.234 cơ sở" in page
    assert "Trang 13 / 25" in page
    assert '<a aria-current="page" href="?page=13">13</a>' in page
    assert 'href="?page=1">1</a>' in page and 'href="?page=25">25</a>' in page
    assert 'href="?page=11">11</a>' in page and 'href="?page=15">15</a>' in page
    assert 'href="?page=10">' not in page  # elided: 1 … 11 12 13 14 15 … 25
    assert page.count("<span>…</span>") == 2


def test_page_numbers_beyond_a_thousand_have_a_separator(rf):
    page_obj = Paginator(range(60_000), 50).get_page(1000)
    html = render_to_string(
        "includes/_pagination.html", {"page_obj": page_obj, "querystring_without_page": ""}
    )
    assert "Trang 1.000 / 1.200" in html
    assert 'href="?page=1200">1.200</a>' in html


def test_the_filter_labels_match_their_pickers(client, admin_user, three):
    client.force_login(admin_user)
    page = client.get("/facilities/").content.decode()
    assert '<label for="id_district">Huyện / Thành phố</label>' in page
    assert '<label for="id_commune">Xã / Phường</label>' in page
    assert '<label for="id_sector">Ngành, lĩnh vực</label>' in page
    assert "Mã huyện" not in page and "Mã ngành" not in page
    assert "---------" not in page
    # Seven pickers, each with one empty option saying "all".
    assert page.count('<option value="" selected>Tất cả</option>') == 7
    assert page.count('<option value=""') == 7
    # Relabelled pickers still filter.
    assert client.get("/facilities/?activity=production").context["page_obj"].paginator.count == 3
    assert client.get("/facilities/?activity=business").context["page_obj"].paginator.count == 0
    response = client.get("/facilities/?compliance_status=not_assessed&district=106")
    assert response.context["page_obj"].paginator.count == 3
    assert '<option value="not_assessed" selected>' in response.content.decode()


@pytest.fixture
def behind(own_enterprise, inspector_tam_duong):
    """60 facilities never inspected (Tam Đường), 5 in Phong Thổ."""
    bulk_facilities(60, own_enterprise)
    bulk_facilities(5, own_enterprise, district="109", prefix="PT")


def test_the_list_behind_a_figure_counts_each_reason_and_pages(client, admin_user, behind):
    client.force_login(admin_user)
    response = client.get(f"{BEHIND}?counted=no")
    page = response.content.decode()
    assert [(r["reason"], r["count"]) for r in response.context["reasons"]] == [
        ("not_assessed", 65)
    ]
    assert "65 cơ sở trong danh sách" in page
    assert len(response.context["page_obj"]) == 50
    assert codes(client.get(f"{BEHIND}?counted=no&page=2")) == [
        *(f"BK-{i:05d}" for i in range(50, 60)),
        *(f"PT-{i:05d}" for i in range(5)),
    ]
    assert client.get(f"{BEHIND}?reason=non_compliant").context["page_obj"].paginator.count == 0
    assert client.get(f"{BEHIND}?reason=not_assessed").context["page_obj"].paginator.count == 65


def test_the_list_behind_a_figure_sorts_with_a_whitelist(client, admin_user, behind):
    client.force_login(admin_user)
    first = codes(client.get(f"{BEHIND}?sort=-code"))
    assert first[:2] == ["PT-00004", "PT-00003"]
    # Phong Thổ sorts before Tam Đường by name; equal names keep the code order.
    assert codes(client.get(f"{BEHIND}?sort=district"))[:6] == [
        *(f"PT-{i:05d}" for i in range(5)),
        "BK-00000",
    ]
    assert codes(client.get(f"{BEHIND}?sort=-district&page=2"))[-6:] == [
        "BK-00059",
        *(f"PT-{i:05d}" for i in range(5)),
    ]
    assert codes(client.get(f"{BEHIND}?sort=__class__"))[0] == "BK-00000"


def test_the_workbook_holds_the_same_rows_in_the_same_order(client, admin_user, behind):
    client.force_login(admin_user)
    response = client.get(f"{BEHIND}?sort=-code&counted=no&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã cơ sở"
    assert len(rows) == 1 + 65  # every page, not only the first
    assert [r[0] for r in rows[1:3]] == ["PT-00004", "PT-00003"]
    assert rows[1][5:] == ("Chưa đạt", "Chưa được kiểm tra")
    page = client.get(f"{BEHIND}?sort=-code&counted=no&page=2").content.decode()
    assert 'href="?sort=-code&amp;counted=no&amp;format=xlsx"' in page


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_deep_page_of_the_registry_costs_what_the_first_does(client, admin_user, own_enterprise):
    bulk_facilities(260, own_enterprise)
    client.force_login(admin_user)
    count_queries(client, "/facilities/")  # warm: session, content types
    first = count_queries(client, "/facilities/?sort=-name")
    deep = count_queries(client, "/facilities/?sort=-name&page=5")
    # session, user, profile; count of the page; the ids of the page; those facilities
    # with their standing (one query); districts, communes and sectors for the filter
    # pickers; the department's name in the header.
    assert first == deep == 10


def test_a_deep_page_behind_a_figure_costs_what_the_first_does(client, admin_user, behind):
    client.force_login(admin_user)
    count_queries(client, BEHIND)
    first = count_queries(client, f"{BEHIND}?sort=name")
    deep = count_queries(client, f"{BEHIND}?sort=name&page=2")
    # session, user, profile; the counts per reason (one grouped statement); district,
    # commune and sector names; the page's ids; the rows of those ids; the department's
    # name in the header; districts, communes and sectors for the scope pickers.
    assert first == deep == 13
    assert count_queries(client, f"{BEHIND}?sort=name&page=1&counted=no") == 13


def test_the_workbook_is_refused_to_a_business(client, business_owner, behind):
    client.force_login(business_owner)
    assert client.get(f"{BEHIND}?format=xlsx").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sort=-name&page=2",
        "?sort=district",
        "?sort=-commune&counted=no",
        "?sort=sector&page=2",
        "?sort=counted",
        "?sort=-reason&page=2",
        "?counted=yes",
        "?reason=not_assessed&sort=-code&page=2",
    ],
)
def test_behind_a_figure_the_queries_of_a_page_do_not_grow_with_the_registry(
    client, admin_user, own_enterprise, query
):
    bulk_facilities(5, own_enterprise, prefix="S")
    client.force_login(admin_user)
    count_queries(client, BEHIND)  # warm: session, content types
    small = count_queries(client, f"{BEHIND}{query}")
    bulk_facilities(120, own_enterprise, district="109", prefix="L")
    assert count_queries(client, f"{BEHIND}{query}") == small
