"""Validity rules of certificates and clean-technology measures.

Each rule: the message model validation gives the user, and the database constraint
that holds even when validation is bypassed. Boundaries (equal dates) included.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compliance.models import Certificate, CleanTechMeasure
from tests.factories import CertificateFactory, CleanTechMeasureFactory, FacilityFactory

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2018, 3, 1)
DAY_BEFORE = datetime.date(2018, 2, 28)


@pytest.fixture
def facility():
    return FacilityFactory()


def certificate(facility, **fields):
    values = {
        "facility": facility,
        "number": "12/GCN-STNMT",
        "issuer": "Sở Tài nguyên và Môi trường tỉnh Lai Châu",
        "issued_on": ISSUED,
        "valid_until": datetime.date(2021, 2, 28),
    } | fields
    return Certificate(**values)


def measure(facility, **fields):
    values = {
        "facility": facility,
        "kind": "pollution_control",
        "category": "wastewater",
        "installed_on": ISSUED,
    } | fields
    return CleanTechMeasure(**values)


def refused_by_database(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    return True


class TestCertificateNumber:
    def test_a_second_certificate_with_the_same_number_gets_a_clear_message(self, facility):
        CertificateFactory(number="12/GCN-STNMT")
        with pytest.raises(ValidationError) as exc:
            certificate(facility).full_clean()
        assert exc.value.message_dict["__all__"] == ["Đã có giấy chứng nhận với số này."]

    def test_the_database_refuses_a_duplicate_number(self, facility):
        CertificateFactory(number="12/GCN-STNMT")
        assert refused_by_database(certificate(facility))


class TestCertificateDates:
    def test_valid_until_before_issue_is_refused(self, facility):
        with pytest.raises(ValidationError) as exc:
            certificate(facility, valid_until=DAY_BEFORE).full_clean()
        assert exc.value.message_dict["valid_until"] == [
            "Ngày hết hiệu lực không được trước ngày cấp."
        ]
        assert refused_by_database(certificate(facility, valid_until=DAY_BEFORE))

    def test_valid_until_the_day_of_issue_is_accepted(self, facility):
        c = certificate(facility, valid_until=ISSUED)
        c.full_clean()
        c.save()

    def test_revoked_before_issue_is_refused(self, facility):
        c = certificate(facility, revoked_on=DAY_BEFORE, revocation_reason="Vi phạm xả thải")
        with pytest.raises(ValidationError) as exc:
            c.full_clean()
        assert exc.value.message_dict["revoked_on"] == ["Ngày thu hồi không được trước ngày cấp."]
        assert refused_by_database(c)

    def test_revoked_the_day_of_issue_is_accepted(self, facility):
        c = certificate(facility, revoked_on=ISSUED, revocation_reason="Cấp nhầm cơ sở")
        c.full_clean()
        c.save()

    def test_a_revocation_needs_a_reason(self, facility):
        with pytest.raises(ValidationError) as exc:
            certificate(facility, revoked_on=ISSUED, revocation_reason="  ").full_clean()
        assert exc.value.message_dict["revocation_reason"] == ["Cần ghi lý do thu hồi."]


class TestMeasureDates:
    def test_removed_before_installation_is_refused(self, facility):
        m = measure(facility, removed_on=DAY_BEFORE)
        with pytest.raises(ValidationError) as exc:
            m.full_clean()
        assert exc.value.message_dict["removed_on"] == [
            "Ngày tháo dỡ không được trước ngày lắp đặt."
        ]
        assert refused_by_database(m)

    def test_removed_the_day_of_installation_is_accepted(self, facility):
        m = measure(facility, removed_on=ISSUED)
        m.full_clean()
        m.save()

    def test_verified_before_installation_is_refused(self, facility):
        m = measure(facility, verified_on=DAY_BEFORE)
        with pytest.raises(ValidationError) as exc:
            m.full_clean()
        assert exc.value.message_dict["verified_on"] == [
            "Ngày xác nhận không được trước ngày lắp đặt."
        ]
        assert refused_by_database(m)

    def test_verified_the_day_of_installation_is_accepted(self, facility):
        CleanTechMeasureFactory(facility=facility, installed_on=ISSUED, verified_on=ISSUED)
