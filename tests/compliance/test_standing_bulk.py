"""The standing computed in SQL (compliance/standing_bulk.py) is exactly the one
``compute`` builds in Python, and the bulk paths that use it leave that standing.

Hypothesis draws small registries whose dates crowd on a few neighbouring days, so that
the boundaries come often: same-day visits (the greater id wins), findings due on the
visit day or resolved before their deadline or before the visit, ranges that touch (one
ends the day the next starts) or overlap, open ends, a deadline or ``valid_until`` on
the last representable day, a certificate valid for one day or revoked on its issue
day, registrations without an end, measures verified after installation or never.
"""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance import standing, standing_bulk
from compliance.models import Certificate, CleanTechMeasure, FacilityStanding, StandingAspect
from facilities.models import Enterprise, Facility, Sector
from inspections.models import Finding, Inspection
from tests.factories import valid_tax_code

BASE = datetime.date(2022, 3, 1)  # after 2022-01-01: every kind of certificate exists
d = datetime.timedelta
# A day of the registry: mostly a handful of neighbours, sometimes anywhere in a year.
days = st.one_of(
    st.sampled_from([BASE + d(n) for n in (0, 1, 2, 3, 5)]),
    st.dates(BASE, BASE + d(365)),
)
# Days from one date of a record to the next (0: the same day; 1: touching).
gaps = st.sampled_from([0, 0, 1, 1, 2, 3, 30])
# An end that is sometimes the last representable day (compute()'s open end).
ends = st.one_of(gaps.map(lambda n: ("gap", n)), st.just(("open", None)))


def _end(start: datetime.date, end) -> datetime.date:
    return standing.OPEN_END if end[0] == "open" else start + d(end[1])


finding = st.tuples(st.one_of(st.none(), ends), st.one_of(st.none(), days))
inspection = st.tuples(
    days,
    st.sampled_from(["finalized", "finalized", "finalized", "draft", "cancelled"]),
    st.sampled_from(["compliant", "compliant_with_remarks", "non_compliant"]),
    st.lists(finding, max_size=3),
)
certificate = st.tuples(
    st.sampled_from(
        ["standards_certificate", "environmental_permit", "environmental_registration"]
    ),
    days,
    ends,
    st.one_of(st.none(), gaps),
)
measure = st.tuples(
    st.sampled_from(["clean_technology", "pollution_control"]),
    days,
    st.one_of(st.none(), ends),
    st.one_of(st.none(), gaps),
)
facility = st.tuples(
    st.lists(inspection, max_size=5),
    st.lists(certificate, max_size=4),
    st.lists(measure, max_size=4),
)
registries = st.lists(facility, min_size=1, max_size=6)


def build(specs) -> list[int]:
    enterprise = Enterprise.objects.create(name="Công ty thử", tax_code=valid_tax_code(9100))
    sector = Sector.objects.get(code="manufacturing")
    ids, number = [], 0
    for index, (inspections, certificates, measures) in enumerate(specs):
        f = Facility.objects.create(
            code=f"S{index}",
            name=f"Cơ sở {index}",
            enterprise=enterprise,
            sector=sector,
            district_id="106",
        )
        ids.append(f.pk)
        for visited_on, status, outcome, findings in inspections:
            visit = Inspection.objects.create(
                facility=f,
                visited_on=visited_on,
                status=status,
                outcome=outcome if status == "finalized" else "",
            )
            for deadline, resolved_on in findings:
                Finding.objects.create(
                    inspection=visit,
                    category="wastewater",
                    description="x",
                    deadline=_end(visited_on, deadline) if deadline else None,
                    resolved_on=resolved_on,
                )
        for kind, issued_on, until, revoked in certificates:
            number += 1
            Certificate.objects.create(
                facility=f,
                kind=kind,
                number=f"S{number}",
                issuer="Sở",
                issued_on=issued_on,
                valid_until=None
                if kind == "environmental_registration"
                else _end(issued_on, until),
                revoked_on=issued_on + d(revoked) if revoked is not None else None,
                revocation_reason="x" if revoked is not None else "",
            )
        for kind, installed_on, removed, verified in measures:
            CleanTechMeasure.objects.create(
                facility=f,
                kind=kind,
                installed_on=installed_on,
                removed_on=_end(installed_on, removed) if removed else None,
                verified_on=installed_on + d(verified) if verified is not None else None,
            )
    return ids


def flat(computed: dict) -> set:
    return {(fid, *interval) for fid, intervals in computed.items() for interval in intervals}


def stored() -> set:
    return set(
        FacilityStanding.objects.values_list(
            "facility_id", "aspect", "value", "valid_from", "valid_to"
        )
    )


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class StandingInSqlEqualsCompute(TestCase):
    @SETTINGS
    @given(registries, st.data())
    def test_the_statement_gives_the_rows_compute_gives(self, specs, data):
        ids = build(specs)
        assert standing_bulk.expected() == flat(standing.compute(None))
        # Some facilities, some aspects: the statement limited as a bulk write limits it.
        some = sorted(data.draw(st.sets(st.sampled_from(ids), min_size=1)))
        aspects = data.draw(st.sets(st.sampled_from(standing.ASPECTS), min_size=1))
        assert standing_bulk.expected(some, aspects) == flat(standing.compute(set(some), aspects))

    @SETTINGS
    @given(registries)
    def test_a_rebuild_and_a_bulk_refresh_write_those_rows(self, specs):
        ids = build(specs)
        reference = flat(standing.compute(None))
        FacilityStanding.objects.all().delete()
        assert standing.rebuild(python=True) == len(reference)
        assert stored() == reference
        FacilityStanding.objects.all().delete()
        assert standing.rebuild() == len(reference)
        assert stored() == reference
        assert standing.differences() == standing.differences(python=True) == (set(), set())
        # A bulk write (more than DELTA_LIMIT facilities) of every aspect of half of them,
        # their rows lost first: the others' rows are left alone.
        half = ids[::2]
        FacilityStanding.objects.filter(facility_id__in=half).delete()
        limit = standing.DELTA_LIMIT
        standing.DELTA_LIMIT = 0
        try:
            standing.refresh(half)
        finally:
            standing.DELTA_LIMIT = limit
        assert stored() == reference


@pytest.mark.django_db
def test_differences_in_sql_name_the_missing_and_the_extra_rows(worked_example):
    c = worked_example["C"]
    overdue = FacilityStanding.objects.get(facility=c, aspect=StandingAspect.OVERDUE)
    row = (c.pk, "overdue", "", overdue.valid_from, overdue.valid_to)
    overdue.valid_to = overdue.valid_from + d(1)
    overdue.save()
    drifted = (c.pk, "overdue", "", overdue.valid_from, overdue.valid_to)
    assert standing.differences() == standing.differences(python=True) == ({row}, {drifted})
