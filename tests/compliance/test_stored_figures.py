"""The dashboard's series from stored figures: equal to the computation, read in one
query, computed again after any write that can change a figure, after a change of rule
settings, and for a new "today" when the day changes."""

import datetime

import pytest
import time_machine
from django.test import override_settings

from compliance.indicators import compute_series
from compliance.indicators.stored import stored_series
from compliance.models import StoredFigures
from compliance.standing import current_generation, forget_figures
from facilities.history import change_context
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def figures(points):
    return [point.to_dict() for point in points]


def series(**scope):
    return stored_series(2012, 2025, include_today=True, **scope)


def computed(**scope):
    return figures(compute_series(2012, 2025, include_today=True, **scope))


def test_stored_figures_equal_the_computation_and_are_read_in_one_query(
    worked_example, django_assert_num_queries
):
    assert figures(series()) == computed()
    with django_assert_num_queries(1):  # the stored figures of the current generation
        again = figures(series())
    assert again == computed()
    assert figures(series(district="106")) == computed(district="106")


def test_a_write_makes_the_next_read_compute_again(worked_example, django_assert_num_queries):
    before = figures(series())
    with change_context(reason="cấp giấy"):
        CertificateFactory(
            facility=worked_example["C"],
            issued_on=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
        )
    # the stored figures (none current), the generation, deleting the older ones, the
    # series statement, storing it
    with django_assert_num_queries(5):
        after = figures(series())
    assert after == computed() != before
    today = after[-1]["indicators"][2]
    assert (today["numerator"], today["population"]) == (1, 3)  # C certified again


def test_a_facility_closing_is_a_write_that_counts(worked_example):
    series()
    facility = worked_example["A"]
    facility.closed_on = datetime.date(2016, 1, 1)
    with change_context(reason="đóng cửa"):
        facility.save()
    assert figures(series()) == computed()


def test_figures_stored_under_an_older_generation_are_never_read(worked_example):
    series()
    stale = list(StoredFigures.objects.all())
    forget_figures()  # a write committed while a read was computing...
    for row in stale:  # ...and the read stored what it computed before it
        row.pk = None
        row.counts = [0, 0, 0, 0, 0, 0]
    StoredFigures.objects.bulk_create(stale, ignore_conflicts=True)
    assert {row.generation for row in stale} == {current_generation() - 1}
    assert figures(series()) == computed()


def test_other_rule_settings_are_other_figures(worked_example):
    series()
    with override_settings(ASSESSMENT_VALID_YEARS=1):
        assert figures(series()) == computed()
    assert figures(series()) == computed()


def test_tomorrow_is_a_new_date(worked_example):
    today = series()[-1]
    with time_machine.travel(TODAY + datetime.timedelta(days=1), tick=False):
        tomorrow = series()[-1]
        assert tomorrow.as_of == today.as_of + datetime.timedelta(days=1)
        assert figures(series()) == computed()
