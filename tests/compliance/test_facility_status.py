"""Each facility's standing on a date, on the worked example of docs/methodology.md
(the ``worked_example`` fixture of tests/compliance/conftest.py)."""

from compliance.choices import CertificateStatus
from compliance.selectors import facilities_with_status
from facilities.models import Facility
from tests.compliance.conftest import WORKED_EXAMPLE_DATE

D = WORKED_EXAMPLE_DATE


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
