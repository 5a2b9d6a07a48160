"""The stored figures stay what a computation from scratch gives after any sequence of
small writes, without being computed again.

Hypothesis draws a registry (as test_indicators_property.py does) and reads the
dashboard's series for the province, a district, a commune and a sector, which stores
them; then a sequence of writes of a few facilities through the paths the application
uses (test_standing_property.py's, all but a facility's own columns, which forget the
figures by design). Every series read afterwards must be a hit — the rows were carried
by each write's delta — and equal ``compute_series`` from scratch, which on a few drawn
dates must equal the plain-Python reference (tests/compliance/reference.py).
"""

import datetime

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.indicators import compute_series
from compliance.indicators import stored as stored_module
from compliance.indicators.stored import stored_series
from facilities.roles import Role
from facilities.services import user_create
from tests.compliance.reference import CODES, reference_report
from tests.compliance.test_indicators_property import build, scenarios
from tests.compliance.test_standing_property import OPERATIONS, write

# The day the series ends on ("today"); test_standing_property's writes verify measures
# up to it.
NOW = datetime.datetime(2026, 12, 31, 3, 0, tzinfo=datetime.UTC)
SMALL_WRITES = [operation for operation in OPERATIONS if operation != "close_facility"]
SCOPES = [{}, {"district": "106"}, {"commune": "03390"}, {"sector": "mining"}]


def series(**scope):
    return [point.to_dict() for point in stored_series(2012, 2025, include_today=True, **scope)]


def computed(**scope):
    points = compute_series(2012, 2025, include_today=True, **scope)
    return [point.to_dict() for point in points]


class StoredFiguresFollowEverySmallWrite(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios(), st.lists(st.sampled_from(SMALL_WRITES), min_size=1, max_size=8), st.data())
    def test_carried_figures_equal_a_computation_and_the_reference(
        self, scenario, operations, data
    ):
        _as_of, specs, _other_day = scenario
        with time_machine.travel(NOW, tick=False):
            build(specs)
            user = user_create(
                username="quantri", role=Role.ADMIN, password="Mật-khẩu-dài-1234", full_name="Quản"
            )
            for scope in SCOPES:
                series(**scope)  # stored
            misses = []
            compute = stored_module.counts_on_dates

            def spy(dates, **scope):
                misses.append((dates, scope))
                return compute(dates, **scope)

            stored_module.counts_on_dates = spy
            try:
                for operation in operations:
                    write(data, user, operation)
                read = {index: series(**scope) for index, scope in enumerate(SCOPES)}
            finally:
                stored_module.counts_on_dates = compute
            assert misses == []  # every row was carried, none computed again
            for index, scope in enumerate(SCOPES):
                assert read[index] == computed(**scope), scope
            province = read[0]
            for point in data.draw(st.lists(st.sampled_from(province), min_size=1, max_size=3)):
                day = datetime.date.fromisoformat(point["as_of"])
                expected = reference_report(day)["figures"]
                got = {f["code"]: (f["numerator"], f["population"]) for f in point["indicators"]}
                assert got == {code: expected[code][:2] for code in CODES}, day
