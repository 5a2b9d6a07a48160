"""Findings cannot be dated before their inspection's visit.

The visit date lives in another table, so no CHECK constraint can hold this rule:
model validation (``clean``) enforces it, and the forms, the API and the import all run
``full_clean``. Boundaries (the visit day itself) included.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inspections.models import Finding, Inspection
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

VISIT = datetime.date(2019, 6, 1)
DAY_BEFORE = datetime.date(2019, 5, 31)


@pytest.fixture
def inspection():
    return InspectionFactory(visited_on=VISIT)


def finding(inspection, **fields):
    values = {
        "inspection": inspection,
        "category": "wastewater",
        "description": "Nước thải chưa qua xử lý",
    } | fields
    return Finding(**values)


def test_a_deadline_before_the_visit_is_refused_with_the_visit_date(inspection):
    with pytest.raises(ValidationError) as exc:
        finding(inspection, deadline=DAY_BEFORE).full_clean()
    assert exc.value.message_dict["deadline"] == [
        "Thời hạn khắc phục không được trước ngày kiểm tra (01/06/2019)."
    ]


def test_a_deadline_on_the_visit_day_is_accepted(inspection):
    finding(inspection, deadline=VISIT).full_clean()


def test_resolved_before_the_visit_is_refused_with_the_visit_date(inspection):
    with pytest.raises(ValidationError) as exc:
        finding(inspection, resolved_on=DAY_BEFORE).full_clean()
    assert exc.value.message_dict["resolved_on"] == [
        "Ngày khắc phục xong không được trước ngày kiểm tra (01/06/2019)."
    ]


def test_resolved_on_the_visit_day_is_accepted(inspection):
    FindingFactory(inspection=inspection, deadline=VISIT, resolved_on=VISIT).full_clean()


def test_a_finalized_inspection_without_outcome_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionFactory(status="finalized", outcome="")


def test_an_unknown_outcome_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionFactory(outcome="passed")


def test_an_inspection_is_valid_as_the_factory_builds_it():
    i = Inspection(facility=InspectionFactory().facility, visited_on=VISIT)
    i.full_clean()
