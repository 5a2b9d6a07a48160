"""`manage.py indicators` prints the figures as a table, or docs/api.md's JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import FacilityFactory


def run(*args):
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_table_of_the_three_indicators(worked_example):
    text = run("--as-of", "2020-12-31")
    assert "31/12/2020" in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "25,0 %" in lines["establishments_meeting_standards"]
    assert "1/4" in lines["establishments_meeting_standards"]
    assert ">= 80 %" in lines["establishments_meeting_standards"]
    assert "100,0 %" in lines["new_production_clean_tech"]
    assert "66,7 %" in lines["businesses_certified"]
    assert "2/3" in lines["businesses_certified"]
    assert "Tam Đường" in text  # the district breakdown names the district


def test_it_prints_the_api_json(worked_example):
    data = json.loads(run("--as-of", "2020-12-31", "--json", "--district", "106"))
    assert data["scope"] == {"district": "106", "commune": None, "sector": None}
    assert data["indicators"][2]["numerator"] == 2


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "31/12/2020"),
        ("--as-of", "1999-12-31"),
        ("--district", "999"),
        ("--sector", "fishing"),
    ],
)
def test_bad_arguments_stop_with_a_message(db, args):
    with pytest.raises(CommandError):
        run(*args)


def test_it_prints_communes_and_the_unassigned_row_after_the_reform(db):
    FacilityFactory(district=None, commune_id="03408")  # no district derivable
    FacilityFactory(district_id="109")  # no commune
    out = io.StringIO()
    call_command("indicators", "--as-of", "2025-07-01", stdout=out)
    text = out.getvalue()
    assert "Theo xã / phường" in text
    assert "03408 Phường Tân Phong" in text
    assert "Chưa xác định địa bàn" in text
    out = io.StringIO()
    call_command("indicators", "--as-of", "2025-07-01", "--commune", "03408", "--json", stdout=out)
    assert json.loads(out.getvalue())["indicators"][0]["population"] == 1
