"""Each facility's standing on a date, on the worked example of indicators.md."""

import datetime

import pytest

from compliance.choices import CertificateStatus
from compliance.selectors import facilities_with_status
from facilities.choices import Activity
from facilities.models import Facility
from inspections.choices import Outcome
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

D = datetime.date(2020, 12, 31)


@pytest.fixture
def worked_example(db):
    a = FacilityFactory(
        code="A", activity=Activity.PRODUCTION, operating_since=datetime.date(2015, 3, 1)
    )
    InspectionFactory(facility=a, visited_on=datetime.date(2019, 6, 1), outcome=Outcome.COMPLIANT)
    CleanTechMeasureFactory(
        facility=a, installed_on=datetime.date(2016, 4, 1), verified_on=datetime.date(2016, 5, 10)
    )
    b = FacilityFactory(code="B", activity=Activity.BOTH, operating_since=datetime.date(2010, 1, 1))
    InspectionFactory(facility=b, visited_on=datetime.date(2017, 12, 30))
    CertificateFactory(
        facility=b, issued_on=datetime.date(2018, 1, 1), valid_until=datetime.date(2020, 12, 31)
    )
    c = FacilityFactory(
        code="C", activity=Activity.BUSINESS, operating_since=datetime.date(2014, 5, 5)
    )
    visit = InspectionFactory(
        facility=c, visited_on=datetime.date(2020, 2, 2), outcome=Outcome.COMPLIANT_WITH_REMARKS
    )
    FindingFactory(inspection=visit, deadline=datetime.date(2020, 6, 30))
    CertificateFactory(
        facility=c,
        issued_on=datetime.date(2019, 1, 1),
        valid_until=datetime.date(2023, 12, 31),
        revoked_on=datetime.date(2020, 11, 1),
        revocation_reason="Vi phạm xả thải",
    )
    d = FacilityFactory(
        code="D", activity=Activity.BUSINESS, operating_since=datetime.date(2019, 1, 1)
    )
    CertificateFactory(
        facility=d, issued_on=datetime.date(2019, 2, 1), valid_until=datetime.date(2022, 1, 31)
    )


def test_it_gives_each_facility_of_the_worked_example_its_status(worked_example):
    rows = {
        f.code: (
            f.is_active,
            f.is_new_build,
            f.compliance_status,
            f.certificate_status,
            f.has_verified_measure,
        )
        for f in facilities_with_status(Facility.objects.all(), D)
    }
    assert rows == {
        "A": (True, True, "compliant", None, True),
        "B": (True, False, "assessment_expired", CertificateStatus.VALID, False),
        "C": (True, True, "overdue_remediation", CertificateStatus.REVOKED, False),
        "D": (True, True, "not_assessed", CertificateStatus.VALID, False),
    }


def test_it_answers_in_one_query(worked_example, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(facilities_with_status(Facility.objects.all(), D))
