"""`manage.py indicators` prints the figures as a table, or docs/api.md's JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


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
    assert data["scope"] == {"district": "106", "sector": None}
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
