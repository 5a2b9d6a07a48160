"""A read that runs while a write carrying the stored figures is still open, on another
connection (real threads, real transactions, PostgreSQL: on SQLite the reader would wait
for the writer's lock of the whole file, which this test holds while it joins).

The reader sees the figures as they were committed and is not held up; what it stores
meanwhile (the cells of dates not stored yet) is stored under the generation it read, and
after the write commits it is never read: the next read computes those dates again.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction

from compliance.indicators import compute_series
from compliance.indicators.stored import GENERATION, stored_series
from compliance.models import FiguresGeneration, StoredFigures
from facilities.history import change_context
from tests.factories import CertificateFactory, FacilityFactory

# See tests/api/test_concurrency.py: plain transaction=True, the flush's post_migrate
# handlers put the districts and sectors back.
pytestmark = pytest.mark.django_db(transaction=True)
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def figures(**scope):
    return [p.to_dict() for p in stored_series(2012, 2025, include_today=True, **scope)]


def computed(**scope):
    return [p.to_dict() for p in compute_series(2012, 2025, include_today=True, **scope)]


def earlier(**scope):  # a date the series above does not store: 31 December this year
    return [p.to_dict() for p in stored_series(2026, 2026, **scope)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_read_during_a_write_sees_the_committed_figures_and_stores_nothing_read_later():
    with time_machine.travel(TODAY, tick=False), change_context(reason="dữ liệu thử"):
        facility = FacilityFactory(code="TD-1", activity="business")
        certificate = CertificateFactory(
            facility=facility,
            issued_on=datetime.date(2018, 1, 1),
            valid_until=datetime.date(2030, 12, 31),
        )
        before = figures()
        generation = FiguresGeneration.objects.get(pk=GENERATION).number
        seen = {}

        def read():
            try:
                with time_machine.travel(TODAY, tick=False):
                    seen["province"] = figures()  # a hit: the committed rows
                    seen["district"] = earlier(district="106")  # a miss, stored
            finally:
                connections.close_all()

        with transaction.atomic():
            certificate.revoked_on = datetime.date(2019, 1, 1)
            certificate.revocation_reason = "vi phạm"
            certificate.save()  # carried, not yet committed
            reader = threading.Thread(target=read)
            reader.start()
            reader.join(timeout=60)
            assert not reader.is_alive()
        assert seen["province"] == before
        # What the reader stored is under the generation it read...
        assert StoredFigures.objects.filter(
            generation=generation, as_of=datetime.date(2026, 12, 31)
        ).exists()
        assert FiguresGeneration.objects.get(pk=GENERATION).number == generation + 1
        # ...so after the write every read is current.
        assert figures() == computed() != before
        expected = [p.to_dict() for p in compute_series(2026, 2026, district="106")]
        assert earlier(district="106") == expected != seen["district"]


def test_a_facility_saved_outside_any_transaction_forgets_the_figures():
    """Outside a transaction the facility's own save could not hold the generation's lock
    from its cells before to its cells after: it forgets the figures instead, and the
    next read computes them (on both databases)."""
    with time_machine.travel(TODAY, tick=False), change_context(reason="dữ liệu thử"):
        facility = FacilityFactory(code="TD-2", activity="business")
        assert figures() == computed()
        generation = FiguresGeneration.objects.get(pk=GENERATION).number
        facility.sector_id = "mining"
        facility.save()  # autocommit: no transaction around it
        assert FiguresGeneration.objects.get(pk=GENERATION).number == generation + 1
        assert not StoredFigures.objects.filter(generation=generation + 1).exists()
        assert figures(sector="mining") == computed(sector="mining")
