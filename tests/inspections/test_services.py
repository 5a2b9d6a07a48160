"""The inspection lifecycle services: who may record what, and the lock after finalizing."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.services import measure_verify
from facilities import access
from inspections.choices import InspectionStatus, Outcome
from inspections.services import (
    finding_create,
    finding_resolve,
    finding_update,
    inspection_cancel,
    inspection_create,
    inspection_finalize,
    inspection_update,
)
from tests.factories import CleanTechMeasureFactory

pytestmark = pytest.mark.django_db

VISIT = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        yield


@pytest.fixture
def draft(inspector_tam_duong, own_facility):
    return inspection_create(user=inspector_tam_duong, facility=own_facility, visited_on=VISIT)


def test_it_lists_the_acting_inspector_and_writes_history(draft, inspector_tam_duong):
    assert list(draft.inspectors.all()) == [inspector_tam_duong]
    first = draft.history.earliest()
    assert first.history_type == "+"
    assert first.history_user == inspector_tam_duong


def test_it_refuses_an_inspector_outside_their_districts(inspector_phong_tho, own_facility):
    with pytest.raises(PermissionDenied):
        inspection_create(user=inspector_phong_tho, facility=own_facility, visited_on=VISIT)


def test_it_refuses_moving_an_inspection_to_another_district(
    draft, inspector_tam_duong, competitor_facility
):
    with pytest.raises(ValidationError) as exc:
        inspection_update(inspection=draft, user=inspector_tam_duong, facility=competitor_facility)
    assert "facility" in exc.value.message_dict


def test_it_finalizes_a_draft_with_an_outcome(draft, inspector_tam_duong):
    inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome=Outcome.COMPLIANT)
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.FINALIZED
    assert draft.finalized_by == inspector_tam_duong
    assert draft.finalized_at is not None


def test_it_needs_a_known_outcome_to_finalize(draft, inspector_tam_duong):
    with pytest.raises(ValidationError) as exc:
        inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome="")
    assert "outcome" in exc.value.message_dict


def test_it_locks_a_finalized_inspection_unless_a_reason_is_given(draft, inspector_tam_duong):
    inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome=Outcome.COMPLIANT)
    with pytest.raises(ValidationError) as exc:
        inspection_update(inspection=draft, user=inspector_tam_duong, summary="Sửa")
    assert "change_reason" in exc.value.message_dict
    inspection_update(inspection=draft, user=inspector_tam_duong, summary="Sửa", reason="Gõ nhầm")
    assert draft.history.latest().history_change_reason == "Gõ nhầm"


def test_it_cancels_only_drafts(draft, inspector_tam_duong):
    inspection_cancel(inspection=draft, user=inspector_tam_duong)
    assert draft.status == InspectionStatus.CANCELLED
    with pytest.raises(ValidationError):
        inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome="compliant")


def test_it_lets_a_finding_be_resolved_after_finalizing_but_not_edited(draft, inspector_tam_duong):
    finding = finding_create(
        user=inspector_tam_duong,
        inspection=draft,
        category="wastewater",
        description="Nước thải tràn",
        deadline=datetime.date(2026, 4, 1),
    )
    inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome="non_compliant")
    finding.refresh_from_db()
    finding_resolve(
        finding=finding, user=inspector_tam_duong, resolved_on=datetime.date(2026, 3, 20)
    )
    assert finding.resolved_on == datetime.date(2026, 3, 20)
    with pytest.raises(ValidationError):
        finding_update(finding=finding, user=inspector_tam_duong, description="Khác")


def test_it_refuses_a_resolution_before_the_visit(draft, inspector_tam_duong):
    finding = finding_create(
        user=inspector_tam_duong, inspection=draft, category="noise", description="Ồn"
    )
    with pytest.raises(ValidationError) as exc:
        finding_resolve(
            finding=finding, user=inspector_tam_duong, resolved_on=datetime.date(2026, 1, 1)
        )
    assert "resolved_on" in exc.value.message_dict


def test_it_records_who_verified_a_measure(inspector_tam_duong, inspector_phong_tho, own_facility):
    measure = CleanTechMeasureFactory(facility=own_facility)
    with pytest.raises(PermissionDenied):
        measure_verify(
            measure=measure, user=inspector_phong_tho, verified_on=datetime.date(2026, 5, 1)
        )
    measure_verify(measure=measure, user=inspector_tam_duong, verified_on=datetime.date(2026, 5, 1))
    measure.refresh_from_db()
    assert measure.verified_by == inspector_tam_duong


def test_the_finalized_code_spelled_in_access_matches_the_choice():
    assert access.FINALIZED_INSPECTION == InspectionStatus.FINALIZED
