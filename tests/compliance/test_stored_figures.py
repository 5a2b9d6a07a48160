"""The dashboard's series from stored figures: equal to the computation, read in one
query, carried by the delta of a write of a few facilities (still one query to read),
computed again after a facility's own write or a bulk write, after a change of rule
settings, and for a new "today" when the day changes; figures computed under an older
generation are never read."""

import datetime

import pytest
import time_machine
from django.test import override_settings

from compliance import standing
from compliance.indicators import compute_series
from compliance.indicators import stored as stored_module
from compliance.indicators.stored import stored_series
from compliance.models import FiguresGeneration, StoredFigures
from compliance.standing import GENERATION, forget_figures
from facilities.history import change_context
from tests.factories import CertificateFactory, FacilityFactory, InspectionFactory

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


def generation() -> int:
    return FiguresGeneration.objects.get(pk=GENERATION).number


@pytest.fixture
def misses(monkeypatch):
    """The dates the stored figures computed again (a miss), call by call."""
    calls = []
    compute = stored_module.counts_on_dates

    def spy(dates, **scope):
        calls.append(sorted(dates))
        return compute(dates, **scope)

    monkeypatch.setattr(stored_module, "counts_on_dates", spy)
    return calls


def test_a_write_of_one_facility_carries_the_figures_by_its_delta(
    worked_example, django_assert_num_queries, monkeypatch
):
    before = figures(series())
    series(district="106")
    moved_from = generation()
    with change_context(reason="cấp giấy"):
        CertificateFactory(
            facility=worked_example["C"],
            issued_on=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
        )
    assert generation() == moved_from + 1
    with django_assert_num_queries(1):  # carried: still the one read of a hit
        after = figures(series())
    assert after == computed() != before
    today = after[-1]["indicators"][2]
    assert (today["numerator"], today["population"]) == (1, 3)  # C certified again
    assert figures(series(district="106")) == computed(district="106")
    assert set(StoredFigures.objects.values_list("generation", flat=True)) == {moved_from + 1}


def test_writes_of_every_kind_keep_every_scope_equal_to_the_computation(worked_example, misses):
    scopes = [{}, {"district": "106"}, {"sector": "manufacturing"}, {"district": "105"}]
    for scope in scopes:
        series(**scope)
    assert len(misses) == len(scopes)
    a, c = worked_example["A"], worked_example["C"]
    with change_context(reason="sửa"):
        InspectionFactory(facility=a, visited_on=datetime.date(2023, 3, 1), outcome="non_compliant")
        finding = c.inspections.get().findings.get()
        finding.resolved_on = datetime.date(2021, 1, 5)
        finding.save()
        measure = a.measures.get()
        measure.removed_on = datetime.date(2018, 1, 1)
        measure.save()
        c.certificates.get().delete()
    for scope in scopes:
        assert figures(series(**scope)) == computed(**scope), scope
    assert len(misses) == len(scopes)  # every read after the writes was a hit


def test_a_write_drops_the_figures_of_other_rule_settings(worked_example, misses):
    series()
    with override_settings(ASSESSMENT_VALID_YEARS=1):
        series()
    with change_context(reason="thu hồi"):
        certificate = worked_example["B"].certificates.get()
        certificate.revoked_on = datetime.date(2019, 1, 1)
        certificate.revocation_reason = "vi phạm"
        certificate.save()
    assert set(StoredFigures.objects.values_list("rules", flat=True)) == {
        stored_module._rules_key()
    }
    with override_settings(ASSESSMENT_VALID_YEARS=1):
        assert figures(series()) == computed()  # computed again: it could not be carried
    assert figures(series()) == computed()
    assert len(misses) == 3


def test_a_write_of_one_facility_costs_the_same_queries_whatever_the_registry(
    worked_example, django_assert_num_queries
):
    """The delta reads the stored rows and two statements over the written facilities,
    whatever the number of facilities, dates and scopes stored."""
    scopes = ({}, {"district": "106"}, {"sector": "manufacturing"})
    for scope in scopes:
        series(**scope)
    facility = worked_example["A"]

    def write():
        # lock the generation, read the rows, before, the standing (its 4 aspects read,
        # deleted, inserted), after, the rows replaced (deleted, inserted), the
        # generation moved
        with django_assert_num_queries(13):
            standing.refresh([facility.pk])

    write()
    for number in range(5):
        InspectionFactory(facility=FacilityFactory(code=f"X{number}"))
    for scope in scopes:  # new facilities: computed again, then carried
        series(**scope)
    write()
    assert figures(series()) == computed()


def test_a_bulk_write_of_more_facilities_forgets_the_figures(worked_example, misses, monkeypatch):
    series()
    ids = [f.pk for f in worked_example.values()]
    monkeypatch.setattr(standing, "DELTA_LIMIT", len(ids))
    standing.refresh(ids)  # at the limit: carried
    assert figures(series()) == computed()
    assert len(misses) == 1
    monkeypatch.setattr(standing, "DELTA_LIMIT", len(ids) - 1)
    standing.refresh(ids)  # past it: forgotten, computed again on the next read
    assert not StoredFigures.objects.filter(generation=generation()).exists()
    assert figures(series()) == computed()
    assert len(misses) == 2


def test_a_read_computed_before_a_write_is_never_read_after_its_delta(worked_example):
    series()
    old = generation()
    stale = [(row.as_of, row.scope, row.rules) for row in StoredFigures.objects.all()]
    with change_context(reason="cấp giấy"):
        CertificateFactory(
            facility=worked_example["C"],
            issued_on=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
        )
    # A reader read the generation before the write committed, computed from the
    # standing before it, and stores now, after it: under the generation it read.
    StoredFigures.objects.bulk_create(
        [
            StoredFigures(as_of=day, scope=scope, rules=rules, generation=old, counts=[0] * 6)
            for day, scope, rules in stale
        ],
        ignore_conflicts=True,
    )
    assert figures(series()) == computed()
    # The next write drops them rather than carrying them.
    with change_context(reason="thu hồi"):
        certificate = worked_example["D"].certificates.get()
        certificate.revoked_on = datetime.date(2021, 1, 1)
        certificate.revocation_reason = "vi phạm"
        certificate.save()
    assert not StoredFigures.objects.filter(generation__lt=generation()).exists()
    assert figures(series()) == computed()


def test_a_facility_closing_is_a_write_that_counts(worked_example, misses):
    series()
    facility = worked_example["A"]
    facility.closed_on = datetime.date(2016, 1, 1)
    with change_context(reason="đóng cửa"):
        facility.save()
    # The standing does not hold a facility's own columns: computed again.
    assert figures(series()) == computed()
    assert len(misses) == 2


def test_figures_stored_under_an_older_generation_are_never_read(worked_example):
    series()
    old = generation()
    stale = list(StoredFigures.objects.all())
    forget_figures()  # a write committed while a read was computing...
    for row in stale:  # ...and the read stored what it computed before it
        row.pk = None
        row.counts = [0, 0, 0, 0, 0, 0]
    StoredFigures.objects.bulk_create(stale, ignore_conflicts=True)
    assert generation() == old + 1
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
