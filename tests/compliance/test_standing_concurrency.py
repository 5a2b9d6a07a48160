"""Two transactions writing records of one facility at once leave the standing that its
records call for: the second waits for the first (the facility row's lock on
PostgreSQL, the IMMEDIATE transaction on SQLite), then reads both records. Real threads
with their own connections (transaction=True), as tests/facilities/test_core_enterprise_create.py.
"""

import datetime
import threading

import pytest
from django.db import connection, transaction

from compliance.models import FacilityStanding, StandingAspect
from compliance.standing import OPEN_END, differences
from facilities.history import change_context
from tests.facilities.test_core_enterprise_create import wait_until_blocked
from tests.factories import FacilityFactory, InspectionFactory

FIRST, SECOND = datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_two_visits_recorded_at_once_are_both_in_the_standing():
    with change_context(reason="dữ liệu thử"):
        facility = FacilityFactory()
    first_written = threading.Event()
    second_started = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            # The first visit and its standing stay uncommitted until the second waits.
            with transaction.atomic(), change_context(reason="lần 1"):
                InspectionFactory(facility=facility, visited_on=FIRST)
                first_written.set()
                second_started.wait(10)
                results["second_was_blocked"] = wait_until_blocked()
        except Exception as exc:  # reported by the assertions below
            results["first"] = exc
            first_written.set()
        finally:
            connection.close()

    def second():
        try:
            first_written.wait(10)
            second_started.set()
            with transaction.atomic(), change_context(reason="lần 2"):
                InspectionFactory(facility=facility, visited_on=SECOND)
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            results["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert "first" not in results and "second" not in results, results
    assert results["second_was_blocked"]
    rows = FacilityStanding.objects.filter(facility=facility, aspect=StandingAspect.INSPECTION)
    assert sorted(rows.values_list("valid_from", "valid_to")) == [
        (FIRST, SECOND),
        (SECOND, OPEN_END),
    ]
    assert differences() == (set(), set())
