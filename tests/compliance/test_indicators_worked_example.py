"""The worked example of docs/methodology.md, figure by figure and reason by reason."""

import pytest

from compliance.indicators import compute_indicators, compute_series, facility_rows
from facilities.models import Facility
from tests.compliance.conftest import WORKED_EXAMPLE_DATE as D


def rows_of(code):
    return {row.code: (row.counted, row.reason) for row in facility_rows(code, D)}


def figures(report, code):
    f = report[code]
    return (f.numerator, f.population, f.value, f.met)


def test_a_quarter_of_the_establishments_meet_standards(worked_example):
    report = compute_indicators(D)
    assert figures(report, "establishments_meeting_standards") == (1, 4, 25.0, False)


def test_every_new_production_facility_has_clean_technology(worked_example):
    report = compute_indicators(D)
    assert figures(report, "new_production_clean_tech") == (1, 1, 100.0, True)


def test_two_businesses_of_three_hold_a_certificate(worked_example):
    report = compute_indicators(D)
    assert figures(report, "businesses_certified") == (2, 3, 66.7, False)


def test_it_explains_every_establishment_not_meeting_standards(worked_example):
    assert rows_of("establishments_meeting_standards") == {
        "A": (True, None),
        "B": (False, "assessment_expired"),
        "C": (False, "overdue_remediation"),
        "D": (False, "not_assessed"),
    }


def test_it_leaves_old_production_facilities_out_of_the_clean_tech_population(worked_example):
    assert rows_of("new_production_clean_tech") == {"A": (True, None)}


def test_it_explains_every_business_without_a_valid_certificate(worked_example):
    assert rows_of("businesses_certified") == {
        "B": (True, None),
        "C": (False, "certificate_revoked"),
        "D": (True, None),
    }


def test_it_answers_in_the_json_shape_of_the_api(worked_example):
    data = compute_indicators(D).to_dict()
    assert data["as_of"] == "2020-12-31"
    assert data["scope"] == {"district": None, "commune": None, "sector": None}
    assert [i["code"] for i in data["indicators"]] == [
        "establishments_meeting_standards",
        "new_production_clean_tech",
        "businesses_certified",
    ]
    first = data["indicators"][0]
    assert set(first) == {
        "code",
        "title",
        "target",
        "numerator",
        "population",
        "value",
        "met",
        "by_district",
        "by_sector",
    }
    assert first["target"] == {"comparator": ">=", "percent": 80}
    assert data["indicators"][1]["target"] == {"comparator": ">", "percent": 90}
    assert first["by_district"] == [
        {"district": "106", "numerator": 1, "population": 4, "value": 25.0, "met": False}
    ]
    assert first["by_sector"] == [
        {"sector": "manufacturing", "numerator": 1, "population": 4, "value": 25.0, "met": False}
    ]


def test_the_series_gives_the_same_figures_on_31_december(worked_example):
    (point,) = compute_series(2020, 2020)
    assert point.to_dict()["indicators"] == [
        {
            "code": "establishments_meeting_standards",
            "numerator": 1,
            "population": 4,
            "value": 25.0,
            "met": False,
        },
        {
            "code": "new_production_clean_tech",
            "numerator": 1,
            "population": 1,
            "value": 100.0,
            "met": True,
        },
        {
            "code": "businesses_certified",
            "numerator": 2,
            "population": 3,
            "value": 66.7,
            "met": False,
        },
    ]


@pytest.mark.parametrize("code", ["establishments_meeting_standards", "businesses_certified"])
def test_rows_have_the_api_shape(worked_example, code):
    row = facility_rows(code, D)[0].to_dict()
    assert set(row) == {
        "facility",
        "code",
        "name",
        "district",
        "commune",
        "sector",
        "counted",
        "reason",
    }


def test_a_queryset_narrows_the_figures_to_its_facilities(worked_example):
    report = compute_indicators(D, queryset=Facility.objects.filter(code__in=["A", "C"]))
    assert figures(report, "establishments_meeting_standards") == (1, 2, 50.0, False)
    assert figures(report, "businesses_certified") == (0, 1, 0.0, False)
