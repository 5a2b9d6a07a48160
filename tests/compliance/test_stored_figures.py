"""The dashboard's series and figures from stored cells: equal to the computation, read
in one query, carried by the delta of a write of a few facilities and of a facility's own
save (still one query to read), computed again after a bulk write, after a change of
rule settings, and for a new "today" when the day changes; figures computed under an
older generation are never read."""

import datetime

import pytest
import time_machine
from django.test import override_settings

from compliance import standing
from compliance.indicators import compute_indicators, compute_series
from compliance.indicators import stored as stored_module
from compliance.indicators.stored import stored_indicators, stored_series
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


SCOPES = [
    {},
    {"district": "106"},
    {"district": "105", "sector": "manufacturing"},
    {"commune": "03390"},
    {"sector": "manufacturing"},
    {"district": "999"},  # no such unit: empty figures, as computed
]


@pytest.mark.parametrize("day", [TODAY.date(), datetime.date(2020, 12, 31)])
def test_the_figures_of_a_stored_date_are_the_stored_cells_rolled_up(
    worked_example, django_assert_num_queries, misses, day
):
    series()  # stores the cells of every date of the series
    for scope in SCOPES:
        with django_assert_num_queries(2):  # the stored date, its cells in scope
            report = stored_indicators(day, **scope).to_dict()
        assert report == compute_indicators(day, **scope).to_dict(), scope
    assert len(misses) == 1


def test_a_date_that_is_not_stored_is_computed_and_not_stored(worked_example, misses):
    for day in (datetime.date(2020, 6, 30), datetime.date(2011, 12, 31)):
        assert stored_indicators(day).to_dict() == compute_indicators(day).to_dict()
    assert not StoredFigures.objects.exists()
    assert misses == []


def generation() -> int:
    return FiguresGeneration.objects.get(pk=GENERATION).number


@pytest.fixture
def misses(monkeypatch):
    """The dates the stored figures computed again (a miss), call by call."""
    calls = []
    compute = stored_module.counts_by_cell

    def spy(dates, *, restrict):
        if restrict is None:  # every facility's cells (a write's delta restricts them)
            calls.append(sorted(dates))
        return compute(dates, restrict=restrict)

    monkeypatch.setattr(stored_module, "counts_by_cell", spy)
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
    assert len(misses) == 1  # every scope is a sum of the same stored cells
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
        report = stored_indicators(TODAY.date(), **scope).to_dict()
        assert report == compute_indicators(TODAY.date(), **scope).to_dict(), scope
    assert len(misses) == 1  # every read after the writes was a hit


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
        # lock the generation, read the rows, before, the work list's counts of today
        # (none stored here), the standing (its 4 aspects read, deleted, inserted),
        # after, the rows replaced (deleted, inserted), the generation moved
        with django_assert_num_queries(14):
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
            StoredFigures(as_of=day, scope=scope, rules=rules, generation=old, counts=[])
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


@pytest.mark.parametrize(
    "change",
    [
        {"closed_on": datetime.date(2016, 1, 1)},
        {"operating_since": datetime.date(2024, 5, 1)},
        {"activity": "business"},
        {"district_id": "105"},
        {"district_id": None, "commune_id": "03390"},
        {"commune_id": "03408"},
        {"sector_id": "mining"},
    ],
)
def test_a_facility_own_save_carries_the_figures(worked_example, misses, change):
    series()
    facility = worked_example["A"]
    for column, value in change.items():
        setattr(facility, column, value)
    moved_from = generation()
    with change_context(reason="sửa cơ sở"):
        facility.save()
    assert generation() == moved_from + 1
    for scope in SCOPES:
        assert figures(series(**scope)) == computed(**scope), scope
        report = stored_indicators(TODAY.date(), **scope).to_dict()
        assert report == compute_indicators(TODAY.date(), **scope).to_dict(), scope
    assert len(misses) == 1  # carried, not computed again


def test_a_new_facility_is_carried_into_the_figures(worked_example, misses):
    series()
    with change_context(reason="đăng ký"):
        InspectionFactory(
            facility=FacilityFactory(code="MOI-1", operating_since=datetime.date(2019, 3, 1)),
            visited_on=datetime.date(2025, 2, 1),
        )
    assert figures(series()) == computed()
    assert figures(series(district="106")) == computed(district="106")
    assert len(misses) == 1


def test_a_facility_save_that_changes_no_figure_input_keeps_the_generation(worked_example):
    series()
    moved_from = generation()
    facility = worked_example["A"]
    facility.name = "Tên mới"
    with change_context(reason="đổi tên"):
        facility.save()
    assert generation() == moved_from


def test_figures_stored_under_an_older_generation_are_never_read(worked_example):
    series()
    old = generation()
    stale = list(StoredFigures.objects.all())
    forget_figures()  # a write committed while a read was computing...
    for row in stale:  # ...and the read stored what it computed before it
        row.pk = None
        row.counts = []
    StoredFigures.objects.bulk_create(stale, ignore_conflicts=True)
    assert generation() == old + 1
    assert figures(series()) == computed()


def test_other_rule_settings_are_other_figures(worked_example):
    series()
    with override_settings(ASSESSMENT_VALID_YEARS=1):
        assert figures(series()) == computed()
    assert figures(series()) == computed()


def test_tomorrow_is_a_new_date_and_yesterday_is_not_carried(worked_example):
    today = series()[-1]
    with time_machine.travel(TODAY + datetime.timedelta(days=1), tick=False):
        tomorrow = series()[-1]
        assert tomorrow.as_of == today.as_of + datetime.timedelta(days=1)
        assert figures(series()) == computed()
        assert StoredFigures.objects.filter(as_of=today.as_of).exists()
        with change_context(reason="cấp giấy"):
            CertificateFactory(
                facility=worked_example["C"],
                issued_on=datetime.date(2024, 1, 1),
                valid_until=datetime.date(2027, 12, 31),
            )
        # Yesterday is no date the dashboard shows any more: dropped, not carried.
        assert not StoredFigures.objects.filter(as_of=today.as_of).exists()
        assert StoredFigures.objects.filter(as_of=tomorrow.as_of).exists()
        assert figures(series()) == computed()
