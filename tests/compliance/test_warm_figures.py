"""``manage.py warm_figures``: after it, the first dashboard and work list of the day
read stored figures and counts instead of computing them (docs/operations.md)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.indicators import compute_indicators
from compliance.indicators import stored as stored_module
from compliance.indicators.stored import stored_indicators, stored_series
from compliance.worklist import KINDS, Filters, _live_counts, counts

NEW_DAY = datetime.datetime(2026, 11, 21, 0, 5, tzinfo=datetime.UTC)


@pytest.fixture
def computed_dates(monkeypatch):
    """The dates the stored figures computed from the standing (each miss)."""
    calls = []
    compute = stored_module.counts_by_cell

    def spy(dates, *, restrict):
        if restrict is None:
            calls.extend(dates)
        return compute(dates, restrict=restrict)

    monkeypatch.setattr(stored_module, "counts_by_cell", spy)
    return calls


def test_after_the_job_the_first_views_of_the_day_read_what_it_stored(
    worked_example, admin_user, computed_dates, capsys
):
    with time_machine.travel(NEW_DAY, tick=False):
        today = NEW_DAY.date()
        call_command("warm_figures")
        assert "21/11/2026" in capsys.readouterr().out
        warmed = list(computed_dates)
        assert today in warmed and datetime.date(2020, 12, 31) in warmed

        report = stored_indicators(today).to_dict()
        series = stored_series(2012, 2025, include_today=True)
        assert computed_dates == warmed  # nothing computed again
        assert report == compute_indicators(today).to_dict()
        assert [p.as_of for p in series][-1] == today

        with CaptureQueriesContext(connection) as queries:
            stored_counts = counts(admin_user, today, Filters())
        # the user's role, then the stored counts with the live kinds: no count per place
        assert len(queries) == 2
        assert stored_counts == _live_counts(admin_user, today, Filters(), KINDS)


def test_a_second_run_the_same_day_stores_nothing_more(worked_example, computed_dates, capsys):
    with time_machine.travel(NEW_DAY, tick=False):
        call_command("warm_figures")
        first = list(computed_dates)
        call_command("warm_figures")
        assert computed_dates == first
        assert "đã có sẵn" in capsys.readouterr().out.splitlines()[-1]
