"""The work list paged in SQL equals a plain-Python reference on generated registries.

Hypothesis draws registries whose dates cluster on the edges of the reference date (the
same drawing as the indicator tests: deadlines on the day, visits on the window's first
day, new builds on the baseline). For the administrator and for an inspector of Tam Đường,
and for a district, a commune (one straddling two former districts) and a choice of
kinds, every row of the list, read page by page (three a page, so that pages cut kinds
and equal dates), must be the reference's rows in the reference's order, and the counts
per kind the reference's counts.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from compliance.models import CleanTechMeasure
from compliance.selectors import assessment_window_start
from compliance.worklist import KINDS, Filters, counts, page
from facilities.choices import PRODUCTION_ACTIVITIES, Role
from facilities.models import Facility
from facilities.services import user_create
from inspections.models import Finding, Inspection
from tests.compliance import reference
from tests.compliance.test_indicators_property import build, scenarios

RANK = {kind.code: rank for rank, kind in enumerate(KINDS)}


def reference_rows(day, in_area) -> list[tuple[str, object, int]]:
    """(kind, since, object id) of every row due on ``day``, by urgency, from Python."""
    window = assessment_window_start(day)
    rows = []
    for x in Finding.objects.select_related("inspection__facility"):
        if not in_area(x.inspection.facility):
            continue
        if (
            x.inspection.status == "finalized"
            and x.inspection.visited_on <= day
            and x.deadline is not None
            and x.deadline < day
            and (x.resolved_on is None or x.resolved_on > day)
        ):
            rows.append(("overdue", x.deadline, x.pk))
    for f in Facility.objects.all():
        if not in_area(f) or not reference.is_active(f, day):
            continue
        visits = [
            i.visited_on
            for i in Inspection.objects.filter(facility=f)
            if i.status == "finalized" and i.visited_on <= day
        ]
        if not visits:
            rows.append(("not_assessed", f.operating_since, f.pk))
        elif max(visits) < window:
            rows.append(("expired", max(visits), f.pk))
        if (
            f.activity in PRODUCTION_ACTIVITIES
            and reference.is_new_build(f)
            and not reference.has_measure(f, day)
        ):
            rows.append(("no_measure", f.operating_since, f.pk))
    for m in CleanTechMeasure.objects.select_related("facility"):
        if in_area(m.facility) and m.verified_on is None and m.removed_on is None:
            rows.append(("unverified", m.installed_on, m.pk))
    for i in Inspection.objects.select_related("facility"):
        if in_area(i.facility) and i.status == "draft":
            rows.append(("draft", i.visited_on, i.pk))
    return sorted(rows, key=lambda row: (RANK[row[0]], row[1], row[2]))


def in_tam_duong(f: Facility) -> bool:
    return reference.district_of(f) == "106"


class TheWorkListAgreesWithTheReference(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    def test_every_page_holds_the_reference_rows_in_order(self, scenario):
        as_of, specs, _other_day = scenario
        build(specs)
        admin = user_create(username="quantri", role=Role.ADMIN)
        inspector = user_create(username="kiemtra106", role=Role.INSPECTOR, districts=["106"])
        chosen = ("expired", "draft")
        cases = (
            (admin, Filters(), lambda f: True, None),
            (inspector, Filters(), in_tam_duong, None),
            (admin, Filters(district="109"), lambda f: reference.district_of(f) == "109", None),
            (admin, Filters(commune="03394"), lambda f: f.commune_id == "03394", None),
            (inspector, Filters(kinds=chosen), in_tam_duong, chosen),
        )
        for user, filters, in_area, kinds in cases:
            expected = reference_rows(as_of, in_area)
            listed = []
            while True:
                rows = page(user, as_of, filters, offset=len(listed), limit=3)
                listed += [(item.kind.code, item.since, item.obj_id) for item in rows]
                if len(rows) < 3:
                    break
            assert listed == [row for row in expected if not kinds or row[0] in kinds], filters
            # The counts are of every kind, whichever kinds are listed.
            wanted = {kind.code: 0 for kind in KINDS}
            for kind, _since, _obj in expected:
                wanted[kind] += 1
            assert counts(user, as_of, filters) == wanted, filters
