"""Every rule of docs/methodology.md at its boundary, one facility (or a handful) at a time."""

import datetime

import pytest
from django.test import override_settings

from compliance.indicators import compute_indicators, facility_rows
from compliance.indicators.rules import met, value
from facilities.choices import Activity
from inspections.choices import InspectionStatus, Outcome
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

D = datetime.date(2020, 12, 31)
MEETS = "establishments_meeting_standards"
CLEAN = "new_production_clean_tech"
CERTIFIED = "businesses_certified"


def reason(code, as_of=D, facility_code=None):
    """(counted, reason) of the only facility (or the named one) in ``code``'s population."""
    rows = facility_rows(code, as_of)
    if facility_code is not None:
        rows = [r for r in rows if r.code == facility_code]
    assert len(rows) == 1, rows
    return rows[0].counted, rows[0].reason


def figure(code, as_of=D):
    f = compute_indicators(as_of)[code]
    return f.numerator, f.population, f.value, f.met


# --- the assessment window ------------------------------------------------------------


@pytest.mark.parametrize(
    ("visited_on", "as_of", "expected"),
    [
        (datetime.date(2017, 12, 31), D, (True, None)),  # exactly D − 3 years: current
        (datetime.date(2017, 12, 30), D, (False, "assessment_expired")),
        # D on 29 February: the window starts on 28 February three years before.
        (datetime.date(2017, 2, 28), datetime.date(2020, 2, 29), (True, None)),
        (datetime.date(2017, 2, 27), datetime.date(2020, 2, 29), (False, "assessment_expired")),
        # A visit on 29 February: current until 28 February + 3 years... and 1 March.
        (datetime.date(2016, 2, 29), datetime.date(2019, 2, 28), (True, None)),
        (datetime.date(2016, 2, 29), datetime.date(2019, 3, 1), (False, "assessment_expired")),
        (datetime.date(2016, 2, 28), datetime.date(2019, 2, 28), (True, None)),
    ],
)
def test_the_assessment_window_includes_its_first_day(db, visited_on, as_of, expected):
    f = FacilityFactory(operating_since=datetime.date(2010, 1, 1))
    InspectionFactory(facility=f, visited_on=visited_on, outcome=Outcome.COMPLIANT)
    assert reason(MEETS, as_of) == expected


def test_an_inspection_visited_on_d_counts_and_one_visited_the_day_after_does_not(db):
    f = FacilityFactory()
    InspectionFactory(facility=f, visited_on=D, outcome=Outcome.NON_COMPLIANT)
    InspectionFactory(facility=f, visited_on=D + datetime.timedelta(1))
    assert reason(MEETS) == (False, "non_compliant")


@override_settings(ASSESSMENT_VALID_YEARS=1)
def test_the_window_length_is_a_setting(db):
    f = FacilityFactory()
    InspectionFactory(facility=f, visited_on=datetime.date(2019, 12, 30))
    assert reason(MEETS) == (False, "assessment_expired")


# --- latest inspection: ties, drafts, cancelled -----------------------------------------


def test_of_two_finalized_inspections_the_same_day_the_last_created_decides(db):
    f = FacilityFactory()
    InspectionFactory(facility=f, visited_on=datetime.date(2020, 5, 5), outcome=Outcome.COMPLIANT)
    InspectionFactory(
        facility=f, visited_on=datetime.date(2020, 5, 5), outcome=Outcome.NON_COMPLIANT
    )
    g = FacilityFactory()
    InspectionFactory(
        facility=g, visited_on=datetime.date(2020, 5, 5), outcome=Outcome.NON_COMPLIANT
    )
    InspectionFactory(facility=g, visited_on=datetime.date(2020, 5, 5), outcome=Outcome.COMPLIANT)
    assert reason(MEETS, facility_code=f.code) == (False, "non_compliant")
    assert reason(MEETS, facility_code=g.code) == (True, None)


@pytest.mark.parametrize("status", [InspectionStatus.DRAFT, InspectionStatus.CANCELLED])
def test_drafts_and_cancelled_inspections_are_ignored(db, status):
    f = FacilityFactory()
    InspectionFactory(facility=f, visited_on=datetime.date(2020, 1, 1), outcome=Outcome.COMPLIANT)
    InspectionFactory(facility=f, visited_on=datetime.date(2020, 6, 1), status=status, outcome="")
    g = FacilityFactory()
    InspectionFactory(facility=g, visited_on=datetime.date(2020, 6, 1), status=status, outcome="")
    assert reason(MEETS, facility_code=f.code) == (True, None)
    assert reason(MEETS, facility_code=g.code) == (False, "not_assessed")


def test_findings_of_a_draft_inspection_are_not_overdue(db):
    f = FacilityFactory()
    InspectionFactory(facility=f, visited_on=datetime.date(2020, 1, 1))
    draft = InspectionFactory(
        facility=f, visited_on=datetime.date(2020, 2, 1), status=InspectionStatus.DRAFT, outcome=""
    )
    FindingFactory(inspection=draft, deadline=datetime.date(2020, 3, 1))
    assert reason(MEETS) == (True, None)


# --- corrective actions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "resolved_on", "expected"),
    [
        (D, None, (True, None)),  # deadline == D: not overdue yet
        (D - datetime.timedelta(1), None, (False, "overdue_remediation")),
        (D - datetime.timedelta(1), D, (True, None)),  # resolved on D
        (D - datetime.timedelta(1), D + datetime.timedelta(1), (False, "overdue_remediation")),
        (None, None, (True, None)),  # no deadline: never overdue
    ],
)
def test_a_corrective_action_is_overdue_only_after_its_deadline(
    db, deadline, resolved_on, expected
):
    f = FacilityFactory()
    visit = InspectionFactory(facility=f, visited_on=datetime.date(2020, 1, 1))
    FindingFactory(inspection=visit, deadline=deadline, resolved_on=resolved_on)
    assert reason(MEETS) == expected


def test_an_overdue_action_of_an_older_inspection_still_counts(db):
    f = FacilityFactory()
    old = InspectionFactory(facility=f, visited_on=datetime.date(2019, 1, 1))
    FindingFactory(inspection=old, deadline=datetime.date(2019, 6, 1))
    InspectionFactory(facility=f, visited_on=datetime.date(2020, 6, 1))
    assert reason(MEETS) == (False, "overdue_remediation")


def test_non_compliance_comes_before_an_overdue_action(db):
    f = FacilityFactory()
    visit = InspectionFactory(
        facility=f, visited_on=datetime.date(2020, 1, 1), outcome=Outcome.NON_COMPLIANT
    )
    FindingFactory(inspection=visit, deadline=datetime.date(2020, 2, 1))
    assert reason(MEETS) == (False, "non_compliant")


# --- activity dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operating_since", "closed_on", "active"),
    [
        (D, None, True),  # operating_since == D
        (D + datetime.timedelta(1), None, False),
        (datetime.date(2015, 1, 1), D, False),  # closed_on == D
        (datetime.date(2015, 1, 1), D + datetime.timedelta(1), True),
        (None, None, False),  # planned: never active
    ],
)
def test_a_facility_is_active_from_its_first_day_until_the_day_before_closing(
    db, operating_since, closed_on, active
):
    FacilityFactory(operating_since=operating_since, closed_on=closed_on)
    assert figure(MEETS)[1] == (1 if active else 0)


@pytest.mark.parametrize(
    ("operating_since", "in_population"),
    [(datetime.date(2012, 11, 30), True), (datetime.date(2012, 11, 29), False)],
)
def test_new_builds_start_on_the_baseline_date(db, operating_since, in_population):
    FacilityFactory(activity=Activity.BOTH, operating_since=operating_since)
    assert figure(CLEAN)[1] == (1 if in_population else 0)


@override_settings(NEW_BUILD_SINCE="2016-01-01")
def test_the_new_build_baseline_is_a_setting(db):
    FacilityFactory(activity=Activity.PRODUCTION, operating_since=datetime.date(2015, 1, 1))
    assert figure(CLEAN)[1] == 0


def test_business_facilities_are_not_in_the_clean_tech_population(db):
    FacilityFactory(activity=Activity.BUSINESS)
    assert figure(CLEAN)[1] == 0
    assert figure(CERTIFIED)[1] == 1


# --- measures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("installed_on", "verified_on", "removed_on", "counted"),
    [
        (datetime.date(2016, 1, 1), D, None, True),  # verified on D
        (datetime.date(2016, 1, 1), D + datetime.timedelta(1), None, False),
        (datetime.date(2016, 1, 1), None, None, False),  # self-declared, never verified
        (datetime.date(2016, 1, 1), datetime.date(2016, 2, 1), D, False),  # removed on D
        (datetime.date(2016, 1, 1), datetime.date(2016, 2, 1), D + datetime.timedelta(1), True),
        (D, D, None, True),  # installed and verified on D
    ],
)
def test_only_a_verified_measure_in_place_counts(
    db, installed_on, verified_on, removed_on, counted
):
    f = FacilityFactory(activity=Activity.PRODUCTION, operating_since=datetime.date(2015, 1, 1))
    CleanTechMeasureFactory(
        facility=f, installed_on=installed_on, verified_on=verified_on, removed_on=removed_on
    )
    assert reason(CLEAN) == ((True, None) if counted else (False, "no_verified_measure"))


# --- certificates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_on", "valid_until", "revoked_on", "expected"),
    [
        (datetime.date(2018, 1, 1), D, None, (True, None)),  # valid_until == D
        (
            datetime.date(2018, 1, 1),
            D - datetime.timedelta(1),
            None,
            (False, "certificate_expired"),
        ),
        (datetime.date(2018, 1, 1), datetime.date(2023, 1, 1), D, (False, "certificate_revoked")),
        (
            datetime.date(2018, 1, 1),
            datetime.date(2023, 1, 1),
            D + datetime.timedelta(1),
            (True, None),
        ),
        (D, D, None, (True, None)),  # issued on D
        (D + datetime.timedelta(1), datetime.date(2023, 1, 1), None, (False, "no_certificate")),
    ],
)
def test_a_certificate_is_valid_from_issue_to_valid_until_unless_revoked(
    db, issued_on, valid_until, revoked_on, expected
):
    f = FacilityFactory(activity=Activity.BUSINESS)
    CertificateFactory(
        facility=f,
        issued_on=issued_on,
        valid_until=valid_until,
        revoked_on=revoked_on,
        revocation_reason="Thu hồi" if revoked_on else "",
    )
    assert reason(CERTIFIED) == expected


def test_a_business_that_never_had_a_certificate_has_none(db):
    FacilityFactory(activity=Activity.BUSINESS)
    assert reason(CERTIFIED) == (False, "no_certificate")


def test_the_most_recent_certificate_says_why_none_is_valid(db):
    f = FacilityFactory(activity=Activity.BUSINESS, code="REVOKED-LAST")
    CertificateFactory(
        facility=f, issued_on=datetime.date(2015, 1, 1), valid_until=datetime.date(2017, 1, 1)
    )
    CertificateFactory(
        facility=f,
        issued_on=datetime.date(2017, 1, 2),
        valid_until=datetime.date(2025, 1, 1),
        revoked_on=datetime.date(2019, 1, 1),
        revocation_reason="Vi phạm",
    )
    g = FacilityFactory(activity=Activity.BUSINESS, code="EXPIRED-LAST")
    CertificateFactory(
        facility=g,
        issued_on=datetime.date(2015, 1, 1),
        valid_until=datetime.date(2025, 1, 1),
        revoked_on=datetime.date(2016, 1, 1),
        revocation_reason="Vi phạm",
    )
    CertificateFactory(
        facility=g, issued_on=datetime.date(2017, 1, 1), valid_until=datetime.date(2019, 1, 1)
    )
    assert reason(CERTIFIED, facility_code="REVOKED-LAST") == (False, "certificate_revoked")
    assert reason(CERTIFIED, facility_code="EXPIRED-LAST") == (False, "certificate_expired")


def test_one_valid_certificate_among_expired_ones_is_enough(db):
    f = FacilityFactory(activity=Activity.BOTH)
    CertificateFactory(facility=f, issued_on=datetime.date(2018, 1, 1), valid_until=D)
    CertificateFactory(
        facility=f, issued_on=datetime.date(2019, 1, 1), valid_until=datetime.date(2019, 12, 31)
    )
    assert reason(CERTIFIED) == (True, None)


# --- targets ------------------------------------------------------------------------------


def make_compliant(n, *, compliant):
    for _ in range(n):
        f = FacilityFactory(activity=Activity.BOTH, operating_since=datetime.date(2015, 1, 1))
        if compliant:
            InspectionFactory(facility=f, visited_on=datetime.date(2020, 6, 1))
            CleanTechMeasureFactory(
                facility=f,
                installed_on=datetime.date(2016, 1, 1),
                verified_on=datetime.date(2016, 2, 1),
            )
            CertificateFactory(facility=f, issued_on=datetime.date(2020, 1, 1), valid_until=D)


def test_exactly_80_percent_meets_the_first_target(db):
    make_compliant(4, compliant=True)
    make_compliant(1, compliant=False)
    assert figure(MEETS) == (4, 5, 80.0, True)


def test_exactly_90_percent_does_not_meet_the_strict_target_but_meets_the_third(db):
    make_compliant(9, compliant=True)
    make_compliant(1, compliant=False)
    assert figure(CLEAN) == (9, 10, 90.0, False)
    assert figure(CERTIFIED) == (9, 10, 90.0, True)


def test_an_empty_population_has_no_value_and_no_verdict(db):
    report = compute_indicators(D)
    for code in (MEETS, CLEAN, CERTIFIED):
        assert figure(code) == (0, 0, None, None)
    assert report.to_dict()["indicators"][0]["by_district"] == []


def test_met_compares_in_integers_not_by_the_rounded_value():
    # 1799 / 2000 = 89.95 % → 90.0 once rounded, yet below 90.
    assert value(1799, 2000) == 90.0
    assert met(CERTIFIED, 1799, 2000) is False
    assert met(CERTIFIED, 1800, 2000) is True
    assert value(2, 3) == 66.7
    assert value(1, 8) == 12.5
    assert value(1, 16) == 6.3  # 6.25 rounds half up
    assert value(0, 0) is None and met(MEETS, 0, 0) is None


# --- scopes -------------------------------------------------------------------------------


def test_a_district_and_sector_scope_counts_only_facilities_in_both(db):
    FacilityFactory()  # 106, manufacturing
    FacilityFactory(district_id="109")
    FacilityFactory(sector_id="mining")
    report = compute_indicators(D, district="106", sector="manufacturing")
    assert report[MEETS].population == 1
    assert report.to_dict()["scope"] == {
        "district": "106",
        "commune": None,
        "sector": "manufacturing",
    }
