"""The worked example of docs/methodology.md, shared by the indicators tests."""

import datetime

import pytest

from facilities.choices import Activity
from inspections.choices import Outcome
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

WORKED_EXAMPLE_DATE = datetime.date(2020, 12, 31)


@pytest.fixture
def worked_example(db):
    """Four facilities A–D active on 2020-12-31, exactly as in docs/methodology.md."""
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
    return {"A": a, "B": b, "C": c, "D": d}
