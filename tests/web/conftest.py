"""A small registry for the page tests: two facilities of the personas with records."""

import datetime

import pytest
import time_machine

from facilities.history import change_context
from inspections.choices import InspectionStatus, Outcome
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FindingFactory,
    InspectionFactory,
)

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2 takes a second a hash on this machine; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_today():
    """Every page test runs on 20/11/2026 (Asia/Ho_Chi_Minh), never the real today."""
    with time_machine.travel(
        datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def registry(own_facility, competitor_facility, inspector_tam_duong, inspector_phong_tho):
    """Own facility: certificate expiring in 40 days, a finalized visit with an open
    finding, an unverified measure, a draft. Competitor: a non-compliant visit."""
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        certificate = CertificateFactory(
            facility=own_facility,
            number="GCN-TD-001",
            issued_on=datetime.date(2023, 1, 1),
            valid_until=TODAY + datetime.timedelta(days=40),
        )
        visit = InspectionFactory(
            facility=own_facility,
            visited_on=datetime.date(2026, 3, 1),
            outcome=Outcome.COMPLIANT_WITH_REMARKS,
        )
        finding = FindingFactory(
            inspection=visit,
            description="Chưa có sổ theo dõi chất thải",
            deadline=datetime.date(2026, 12, 31),
        )
        draft = InspectionFactory(
            facility=own_facility,
            visited_on=datetime.date(2026, 11, 1),
            status=InspectionStatus.DRAFT,
            outcome="",
            summary="Nháp của cán bộ",
        )
        measure = CleanTechMeasureFactory(facility=own_facility)
        competitor_visit = InspectionFactory(
            facility=competitor_facility,
            visited_on=datetime.date(2026, 2, 1),
            outcome=Outcome.NON_COMPLIANT,
            summary="Bí mật của đối thủ",
        )
    return {
        "own": own_facility,
        "competitor": competitor_facility,
        "visit": visit,
        "finding": finding,
        "draft": draft,
        "measure": measure,
        "certificate": certificate,
        "competitor_visit": competitor_visit,
    }
