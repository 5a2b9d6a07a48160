"""The indicators endpoints answer as docs/api.md says, to whom they should, and 400 on bad input."""

import datetime

import pytest
import time_machine

URL = "/api/v1/indicators/"
FACILITIES = "/api/v1/indicators/facilities/"
SERIES = "/api/v1/indicators/series/"

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def as_inspector(api_client, inspector_tam_duong):
    api_client.force_authenticate(inspector_tam_duong)
    return api_client


def test_it_gives_the_worked_example_figures(as_inspector, worked_example):
    response = as_inspector.get(URL, {"as_of": "2020-12-31"})
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == "2020-12-31"
    assert data["scope"] == {"district": None, "commune": None, "sector": None}
    assert [
        (i["code"], i["numerator"], i["population"], i["value"], i["met"])
        for i in data["indicators"]
    ] == [
        ("establishments_meeting_standards", 1, 4, 25.0, False),
        ("new_production_clean_tech", 1, 1, 100.0, True),
        ("businesses_certified", 2, 3, 66.7, False),
    ]
    assert data["indicators"][0]["title"]


def test_as_of_defaults_to_today(as_inspector, worked_example):
    assert as_inspector.get(URL).json()["as_of"] == "2026-03-15"


def test_it_narrows_to_a_district_and_a_sector(as_inspector, worked_example):
    data = as_inspector.get(
        URL, {"as_of": "2020-12-31", "district": "109", "sector": "mining"}
    ).json()
    assert data["scope"] == {"district": "109", "commune": None, "sector": "mining"}
    assert data["indicators"][0]["population"] == 0
    assert data["indicators"][0]["value"] is None
    assert data["indicators"][0]["by_district"] == []


def test_it_lists_the_population_with_reasons(as_inspector, worked_example):
    response = as_inspector.get(FACILITIES, {"code": "businesses_certified", "as_of": "2020-12-31"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["code"], r["counted"], r["reason"]) for r in rows] == [
        ("B", True, None),
        ("C", False, "certificate_revoked"),
        ("D", True, None),
    ]
    assert set(rows[0]) == {
        "facility",
        "code",
        "name",
        "district",
        "commune",
        "sector",
        "counted",
        "reason",
    }
    assert rows[0]["facility"] == worked_example["B"].pk


def test_the_series_gives_one_entry_a_year(as_inspector, worked_example):
    response = as_inspector.get(SERIES, {"from": 2019, "to": 2020})
    assert response.status_code == 200
    data = response.json()
    assert [(p["year"], p["as_of"]) for p in data] == [(2019, "2019-12-31"), (2020, "2020-12-31")]
    assert data[1]["indicators"][0] == {
        "code": "establishments_meeting_standards",
        "numerator": 1,
        "population": 4,
        "value": 25.0,
        "met": False,
    }


def test_the_series_adds_today_when_asked(as_inspector, worked_example):
    data = as_inspector.get(SERIES, {"from": 2025, "include_today": "true"}).json()
    assert [p["as_of"] for p in data] == ["2025-12-31", "2026-12-31", "2026-03-15"]


def test_the_series_defaults_to_2012_until_this_year(as_inspector, db):
    data = as_inspector.get(SERIES).json()
    assert data[0]["year"] == 2012
    assert data[-1]["year"] == 2026


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (URL, {"as_of": "31/12/2020"}, "as_of"),
        (URL, {"as_of": "2020-02-30"}, "as_of"),
        (URL, {"as_of": "1999-12-31"}, "as_of"),
        (URL, {"as_of": "2028-01-01"}, "as_of"),
        (URL, {"district": "999"}, "district"),
        (URL, {"sector": "fishing"}, "sector"),
        (FACILITIES, {}, "code"),
        (FACILITIES, {"code": "happiness"}, "code"),
        (FACILITIES, {"code": "businesses_certified", "as_of": "x"}, "as_of"),
        (SERIES, {"from": 1999}, "from"),
        (SERIES, {"to": 2028}, "to"),
        (SERIES, {"from": "abc"}, "from"),
        (SERIES, {"from": 2020, "to": 2015}, "from"),
        (SERIES, {"district": "000"}, "district"),
        ("/api/v1/indicators/reports/1999/", {}, "year"),
        ("/api/v1/indicators/reports/2020/facilities/", {"code": "x"}, "code"),
    ],
)
def test_bad_parameters_get_400_with_a_vietnamese_message(as_inspector, db, url, params, field):
    response = as_inspector.get(url, params)
    assert response.status_code == 400, response.content
    message = response.json()[field][0]
    assert isinstance(message, str) and len(message) > 10


def test_the_message_for_a_malformed_date_shows_the_expected_form(as_inspector, db):
    response = as_inspector.get(URL, {"as_of": "31/12/2020"})
    assert "YYYY-MM-DD" in response.json()["as_of"][0]


def test_next_year_is_still_accepted(as_inspector, db):
    assert as_inspector.get(URL, {"as_of": "2027-12-31"}).status_code == 200
    assert as_inspector.get(SERIES, {"from": 2027, "to": 2027}).status_code == 200


def test_anonymous_visitors_are_refused(api_client, db):
    for url in (URL, FACILITIES, SERIES, "/api/v1/indicators/reports/"):
        assert api_client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("persona", ["admin_user", "auditor", "inspector_phong_tho"])
def test_every_staff_role_reads_the_figures(request, api_client, persona, worked_example):
    api_client.force_authenticate(request.getfixturevalue(persona))
    assert api_client.get(URL, {"as_of": "2020-12-31"}).status_code == 200
    assert api_client.get(SERIES).status_code == 200
    rows = api_client.get(
        FACILITIES, {"code": "establishments_meeting_standards", "as_of": "2020-12-31"}
    )
    assert rows.json()["count"] == 4


def test_a_business_user_sees_only_its_own_facilities_in_the_lists(
    api_client, business_owner, own_facility, competitor_facility
):
    api_client.force_authenticate(business_owner)
    rows = api_client.get(FACILITIES, {"code": "establishments_meeting_standards"}).json()
    assert [r["code"] for r in rows["results"]] == [own_facility.code]


def test_the_population_is_paginated_like_every_list(as_inspector, worked_example):
    params = {"code": "establishments_meeting_standards", "as_of": "2020-12-31"}
    first = as_inspector.get(FACILITIES, {**params, "page_size": 3}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 4 and first["previous"] is None
    assert [r["code"] for r in first["results"]] == ["A", "B", "C"]
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    last = as_inspector.get(FACILITIES, {**params, "page_size": 3, "page": 2}).json()
    assert [r["code"] for r in last["results"]] == ["D"]
    assert last["next"] is None and last["previous"]
    # each page's rows (standing and reason included) are those of the whole population
    from compliance.indicators import facility_rows

    whole = facility_rows("establishments_meeting_standards", datetime.date(2020, 12, 31))
    assert first["results"] + last["results"] == [r.to_dict() for r in whole]
    assert as_inspector.get(FACILITIES, {**params, "page": 3, "page_size": 3}).status_code == 404


def test_the_page_size_defaults_to_50_and_is_capped_at_500(as_inspector, db):
    from tests.factories import FacilityFactory

    FacilityFactory.create_batch(501, operating_since=datetime.date(2015, 1, 1))
    params = {"code": "establishments_meeting_standards", "as_of": "2020-12-31"}
    first = as_inspector.get(FACILITIES, params).json()
    assert first["count"] == 501 and len(first["results"]) == 50
    capped = as_inspector.get(FACILITIES, {**params, "page_size": 1000}).json()
    assert len(capped["results"]) == 500
    assert as_inspector.get(FACILITIES, {**params, "page_size": 500, "page": 2}).json()[
        "results"
    ] == [as_inspector.get(FACILITIES, {**params, "page": 11}).json()["results"][0]]


def test_a_deep_page_costs_the_queries_of_the_first(as_inspector, db, django_assert_num_queries):
    """A count, one slice of ids, the rows of that page: the same on page 1 and page 10."""
    from tests.factories import FacilityFactory

    FacilityFactory.create_batch(30, operating_since=datetime.date(2015, 1, 1))
    params = {"code": "establishments_meeting_standards", "as_of": "2020-12-31", "page_size": 3}
    as_inspector.get(FACILITIES, params)  # warm the session/user lookups
    with django_assert_num_queries(3) as first:
        assert as_inspector.get(FACILITIES, {**params, "page": 1}).status_code == 200
    with django_assert_num_queries(3) as deep:
        response = as_inspector.get(FACILITIES, {**params, "page": 10})
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    # OFFSET skips plain ids; the standing is computed for the page's facilities only
    _count, ids_sql, rows_sql = (q["sql"] for q in deep.captured_queries)
    assert "OFFSET 27" in ids_sql and "CASE" not in ids_sql
    page_ids = ", ".join(str(r["facility"]) for r in response.json()["results"])
    assert f"IN ({page_ids})" in rows_sql and "OFFSET" not in rows_sql
    assert len(first.captured_queries) == len(deep.captured_queries)


def test_a_business_user_cannot_read_province_figures(api_client, business_owner):
    api_client.force_authenticate(business_owner)
    for url in (URL, SERIES, "/api/v1/indicators/reports/", "/api/v1/indicators/reports/2020/"):
        response = api_client.get(url)
        assert response.status_code == 403, url


READS = [
    URL,
    f"{FACILITIES}?code=businesses_certified",
    SERIES,
    "/api/v1/indicators/reports/",
    "/api/v1/indicators/reports/2020/",
    "/api/v1/indicators/reports/2020/facilities/?code=businesses_certified",
]
# role → expected status of each read above (the diff: 404 until a report is published)
EXPECTED = {
    "anonymous": [401] * 6,
    "admin_user": [200] * 6,
    "auditor": [200] * 6,
    "inspector_tam_duong": [200] * 6,
    "inspector_phong_tho": [200] * 6,
    "business_owner": [403, 200, 403, 403, 403, 403],
    "competitor": [403, 200, 403, 403, 403, 403],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_gets_the_expected_status_on_every_read(request, api_client, persona, db):
    if persona != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(persona))
    statuses = [api_client.get(url).status_code for url in READS]
    assert statuses == EXPECTED[persona]
    diff = api_client.get("/api/v1/indicators/reports/2020/diff/").status_code
    assert diff == {200: 404}.get(EXPECTED[persona][0], EXPECTED[persona][0])
