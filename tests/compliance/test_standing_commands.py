"""`check_standing` and `rebuild_standing` (docs/operations.md)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from compliance.indicators import compute_indicators
from compliance.models import FacilityStanding, StandingAspect

D = datetime.date(2020, 12, 31)


def run(name):
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_the_standing_kept_by_the_writes_is_what_a_rebuild_gives(worked_example):
    assert "khớp" in run("check_standing")


def test_a_standing_that_drifted_is_listed_then_rebuilt(worked_example):
    c = worked_example["C"]
    # Lose C's overdue corrective action (as a load past the application might).
    FacilityStanding.objects.filter(facility=c, aspect=StandingAspect.OVERDUE).delete()
    with pytest.raises(CommandError):
        run("check_standing")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_standing", stdout=out)
    assert f"cơ sở {c.pk}: overdue - [2020-07-01, 9999-12-31)" in out.getvalue()
    # The figure read from the drifted standing is wrong (C counted), the rebuilt one right.
    assert compute_indicators(D)["establishments_meeting_standards"].numerator == 2
    assert "dòng" in run("rebuild_standing")
    assert "khớp" in run("check_standing")
    assert compute_indicators(D)["establishments_meeting_standards"].numerator == 1
