"""The stored figures stay what a computation from scratch gives after any sequence of
small writes, without being computed again.

Hypothesis draws a registry (as test_indicators_property.py does) and reads the
dashboard's series, which stores the cells of its dates; then a sequence of writes of a
few facilities through the paths the application uses (test_standing_property.py's, and
validated saves of a facility's own columns: units, sector, activity, dates). Every read
afterwards must be a hit — the cells were carried by each write's delta — and equal a
computation from scratch: the series of the province, a district, a commune and a sector
(``compute_series``, which on a few drawn dates must equal the plain-Python reference,
tests/compliance/reference.py), and on today and a drawn year end the report with every
unit and sector (``compute_indicators``) of those scopes. The work list's counts of
today, carried by the same writes, must equal the counts made from the records.
"""

import datetime

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.indicators import compute_indicators, compute_series
from compliance.indicators import stored as stored_module
from compliance.indicators.stored import stored_indicators, stored_series
from compliance.worklist import KINDS, Filters, _live_counts, counts
from facilities.models import Facility
from facilities.roles import Role
from facilities.services import user_create
from tests.compliance.reference import CODES, reference_report
from tests.compliance.test_indicators_property import (
    COMMUNES,
    DISTRICTS,
    SECTORS,
    build,
    scenarios,
)
from tests.compliance.test_standing_property import OPERATIONS, days, pick, saved, write

# The day the series ends on ("today"); test_standing_property's writes verify measures
# up to it.
NOW = datetime.datetime(2026, 12, 31, 3, 0, tzinfo=datetime.UTC)
SMALL_WRITES = [*OPERATIONS, "edit_facility", "edit_facility"]
SCOPES = [{}, {"district": "106"}, {"commune": "03390"}, {"sector": "mining"}]
# A facility's own columns that decide its populations and cells, with values to draw.
FACILITY_COLUMNS = {
    "district_id": st.one_of(st.none(), st.sampled_from(DISTRICTS)),
    "commune_id": st.one_of(st.none(), st.sampled_from(COMMUNES)),
    "sector_id": st.sampled_from(SECTORS),
    "activity": st.sampled_from(["production", "business", "both"]),
    "operating_since": st.one_of(st.none(), days),
    "closed_on": st.one_of(st.none(), days),
}


def edit_facility(data) -> None:
    """A validated save of one facility changing some of its own columns (the admin's, the
    API's and the services' path); refused values write nothing."""
    facility = pick(data, Facility.objects.all())
    for column in data.draw(st.sets(st.sampled_from(sorted(FACILITY_COLUMNS)), min_size=1)):
        setattr(facility, column, data.draw(FACILITY_COLUMNS[column]))
    saved(facility)


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
            today = NOW.date()
            work = [Filters(), Filters(district="106")]
            for filters in work:
                counts(user, today, filters)  # today's work-list counts stored
            misses = []
            compute = stored_module.counts_by_cell

            def spy(dates, *, restrict):
                if restrict is None:  # every facility: a miss (a write's delta restricts)
                    misses.append(dates)
                return compute(dates, restrict=restrict)

            year_end = datetime.date(data.draw(st.integers(2012, 2025)), 12, 31)
            stored_module.counts_by_cell = spy
            try:
                for operation in operations:
                    if operation == "edit_facility":
                        edit_facility(data)
                    else:
                        write(data, user, operation)
                read = {index: series(**scope) for index, scope in enumerate(SCOPES)}
                reports = {
                    (day, index): stored_indicators(day, **scope).to_dict()
                    for day in (NOW.date(), year_end)
                    for index, scope in enumerate(SCOPES)
                }
                worklist_counts = [counts(user, today, filters) for filters in work]
            finally:
                stored_module.counts_by_cell = compute
            assert misses == []  # every row was carried, none computed again
            # The work list's counts, carried by the same writes (or dropped and counted
            # again), equal the counts made from the records.
            for filters, got in zip(work, worklist_counts, strict=True):
                assert got == _live_counts(user, today, filters, KINDS), filters
            for index, scope in enumerate(SCOPES):
                assert read[index] == computed(**scope), scope
            for (day, index), report in reports.items():
                assert report == compute_indicators(day, **SCOPES[index]).to_dict(), (day, index)
            province = read[0]
            for point in data.draw(st.lists(st.sampled_from(province), min_size=1, max_size=3)):
                day = datetime.date.fromisoformat(point["as_of"])
                expected = reference_report(day)["figures"]
                got = {f["code"]: (f["numerator"], f["population"]) for f in point["indicators"]}
                assert got == {code: expected[code][:2] for code in CODES}, day
