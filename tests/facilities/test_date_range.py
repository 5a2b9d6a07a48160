"""One date range for every as-of, year and since/until input: out of range is a 400 or
a form error naming the range, never a 500; the range's own ends are accepted."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# "Today" is 20/11/2026: the range is 01/01/2000–31/12/2027.
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def api(auditor):
    client = APIClient()
    client.force_authenticate(auditor)
    return client


API_INPUTS = [
    "/api/v1/indicators/?as_of={day}",
    "/api/v1/indicators/facilities/?code=businesses_certified&as_of={day}",
    "/api/v1/history/?since={day}",
    "/api/v1/history/?until={day}",
    "/api/v1/history/export.xlsx?until={day}",
    "/api/v1/history/export.xlsx?since={day}",
    "/api/v1/facilities/?active_on={day}",
    "/api/v1/findings/?overdue_on={day}",
    "/api/v1/inspections/?visited_after={day}",
]


@pytest.mark.parametrize("url", API_INPUTS)
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2028-01-01", "9999-12-31"])
def test_the_api_refuses_a_date_outside_the_range_with_a_400(api, url, day):
    response = api.get(url.format(day=day))
    assert response.status_code == 400
    assert "2000" in str(response.json())


@pytest.mark.parametrize("url", API_INPUTS)
@pytest.mark.parametrize("day", ["2000-01-01", "2027-12-31"])
def test_the_api_accepts_both_ends_of_the_range(api, url, day):
    assert api.get(url.format(day=day)).status_code == 200


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/api/v1/indicators/series/?from=1999", False),
        ("/api/v1/indicators/series/?from=2000&to=2000", True),
        ("/api/v1/indicators/series/?to=2028", False),
        ("/api/v1/indicators/series/?from=2027&to=2027", True),
        ("/api/v1/indicators/report.xlsx?year=1999", False),
        ("/api/v1/indicators/report.xlsx?year=99999999999999999999", False),
        ("/api/v1/indicators/report.xlsx?year=2027", True),
    ],
)
def test_years_share_the_range(api, url, ok):
    assert api.get(url).status_code == (200 if ok else 400)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/?as_of=01/01/0001",
        "/dashboard/?as_of=01/01/2028",
        "/changes/?since=31/12/1999",
        "/changes/?until=31/12/9999",
    ],
)
def test_pages_show_a_form_error_for_a_date_outside_the_range(client, auditor, url):
    client.force_login(auditor)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "01/01/2000" in response.content.decode()


@pytest.mark.parametrize("url", ["/dashboard/?as_of=01/01/2000", "/changes/?until=31/12/2027"])
def test_pages_accept_the_ends_of_the_range(client, auditor, url):
    client.force_login(auditor)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["form"].errors


def test_the_indicators_command_refuses_a_date_outside_the_range():
    with pytest.raises(CommandError, match="01/01/2000"):
        call_command("indicators", "--as-of", "0001-01-01")
