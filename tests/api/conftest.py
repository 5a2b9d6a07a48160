"""Helpers of the API tests: the personas by short name, and a world of registry rows."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model

from facilities.history import change_context
from inspections.choices import InspectionStatus
from inspections.models import ReinspectionRequest, RemediationEvidence
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FindingFactory,
    InspectionFactory,
)

# "Today" of every API test: dates on both sides of it are in the fixtures.
TODAY = datetime.datetime(2026, 6, 1, 9, 0)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def personas(
    admin_user, inspector_tam_duong, inspector_phong_tho, business_owner, competitor, auditor
):
    """Every persona by its role in the matrix; the rows belong to Tam Đường (106) and
    the business owner's enterprise, so they are "own" to the first of each pair."""
    return {
        "anonymous": None,
        "admin": admin_user,
        "inspector_own": inspector_tam_duong,
        "inspector_other": inspector_phong_tho,
        "business_own": business_owner,
        "business_other": competitor,
        "auditor": auditor,
    }


class World:
    """Registry rows of the own facility, created on first use."""

    def __init__(self, own_enterprise, own_facility):
        self.enterprise = own_enterprise
        self.facility = own_facility
        self._cache = {}

    def _get(self, name, make):
        if name not in self._cache:
            with change_context(reason="test fixture"):
                self._cache[name] = make()
        return self._cache[name]

    @property
    def certificate(self):
        return self._get("certificate", lambda: CertificateFactory(facility=self.facility))

    @property
    def measure(self):
        return self._get("measure", lambda: CleanTechMeasureFactory(facility=self.facility))

    @property
    def finalized(self):
        return self._get(
            "finalized",
            lambda: InspectionFactory(facility=self.facility, visited_on=datetime.date(2025, 3, 1)),
        )

    @property
    def draft(self):
        return self._get(
            "draft",
            lambda: InspectionFactory(
                facility=self.facility,
                visited_on=datetime.date(2026, 5, 20),
                status=InspectionStatus.DRAFT,
                outcome="",
            ),
        )

    @property
    def finalized_finding(self):
        return self._get(
            "finalized_finding",
            lambda: FindingFactory(inspection=self.finalized, deadline=datetime.date(2025, 6, 1)),
        )

    @property
    def draft_finding(self):
        return self._get("draft_finding", lambda: FindingFactory(inspection=self.draft))

    def _anyone(self):
        # Who sent or asked does not change who may read; any account of the test will do.
        return get_user_model().objects.order_by("pk").first()

    @property
    def evidence(self):
        return self._get(
            "evidence",
            lambda: RemediationEvidence.objects.create(
                finding=self.finalized_finding,
                note="Đã khắc phục",
                completed_on=datetime.date(2025, 5, 1),
                submitted_by=self._anyone(),
            ),
        )

    @property
    def reinspection_request(self):
        return self._get(
            "reinspection_request",
            lambda: ReinspectionRequest.objects.create(
                facility=self.facility, reason="Đã khắc phục xong", requested_by=self._anyone()
            ),
        )


@pytest.fixture
def world(own_enterprise, own_facility):
    return World(own_enterprise, own_facility)
