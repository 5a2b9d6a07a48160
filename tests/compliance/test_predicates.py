"""The query predicates and the hand-written SQL that mirrors them agree, facility by
facility, on generated registries (docs/architecture.md, "Where each rule lives").

For every facility of a registry drawn by hypothesis (dates clustered on the edges of
the reference date, its assessment window and the new-build baseline), the interval
statement of compliance/indicators/series.py, restricted to that one facility, must
count it exactly where the predicates say:

* population of every indicator ⟺ ``active_on`` (plus activity and new build);
* ``new_production_clean_tech`` ⟺ a measure matching ``measure_in_place_on``;
* ``businesses_certified`` ⟺ a certificate matching ``certificate_valid_on``;
* ``establishments_meeting_standards`` ⟺ status ``compliant``, which
  ``facilities_with_status`` builds from ``finalized_on`` and ``overdue_on``.
"""

from django.db.models import Exists, OuterRef
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from compliance.choices import ComplianceStatus
from compliance.indicators import rules
from compliance.indicators.series import counts_by_unit
from compliance.models import Certificate, CleanTechMeasure
from compliance.predicates import certificate_valid_on, measure_in_place_on
from compliance.selectors import facilities_with_status
from facilities.choices import BUSINESS_ACTIVITIES, PRODUCTION_ACTIVITIES
from facilities.models import Facility, new_build_since
from facilities.predicates import active_on
from inspections.models import Finding
from inspections.predicates import overdue_on
from tests.compliance import reference
from tests.compliance.test_indicators_property import build, scenarios


def sql_counts(facility: Facility, day) -> dict[str, tuple[int, int]]:
    """{code: (counted, in population)} for one facility, from the SQL statement."""
    cells = counts_by_unit(day, restrict=Facility.objects.filter(pk=facility.pk))
    return {
        code: (sum(c[f"{code}__n"] for c in cells), sum(c[f"{code}__p"] for c in cells))
        for code in rules.CODES
    }


def predicate_counts(facility: Facility, day) -> dict[str, tuple[int, int]]:
    """The same, from the predicates (one query)."""
    row = (
        facilities_with_status(Facility.objects.filter(pk=facility.pk), day)
        .annotate(
            active=Exists(Facility.objects.filter(pk=OuterRef("pk")).filter(active_on(day))),
            measured=Exists(
                CleanTechMeasure.objects.filter(facility=OuterRef("pk")).filter(
                    measure_in_place_on(day)
                )
            ),
            certified=Exists(
                Certificate.objects.filter(facility=OuterRef("pk")).filter(
                    certificate_valid_on(day)
                )
            ),
        )
        .values("active", "measured", "certified", "compliance_status")
        .get()
    )
    active = bool(row["active"])
    new_production = (
        facility.activity in PRODUCTION_ACTIVITIES
        and facility.operating_since is not None
        and facility.operating_since >= new_build_since()
    )
    business = facility.activity in BUSINESS_ACTIVITIES
    compliant = row["compliance_status"] == ComplianceStatus.COMPLIANT
    return {
        rules.ESTABLISHMENTS_MEETING_STANDARDS: (int(active and compliant), int(active)),
        rules.NEW_PRODUCTION_CLEAN_TECH: (
            int(active and new_production and row["measured"]),
            int(active and new_production),
        ),
        rules.BUSINESSES_CERTIFIED: (
            int(active and business and row["certified"]),
            int(active and business),
        ),
    }


def edge_days(as_of, facility=None) -> set:
    """The reference date and every date of the records (of one facility): each rule's
    boundaries, where a ``<`` written instead of ``<=`` shows."""
    days = {as_of}
    facilities = Facility.objects.all() if facility is None else [facility]
    for f in facilities:
        days |= {f.operating_since, f.closed_on}
        for c in Certificate.objects.filter(facility=f):
            days |= {c.issued_on, c.valid_until, c.revoked_on} - {None}
        for m in CleanTechMeasure.objects.filter(facility=f):
            days |= {m.installed_on, m.verified_on, m.removed_on}
        for x in Finding.objects.filter(inspection__facility=f).select_related("inspection"):
            days |= {x.inspection.visited_on, x.deadline, x.resolved_on}
    return {day for day in days if day is not None}


class PredicatesAgreeWithTheStatement(TestCase):
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    def test_each_facility_is_counted_where_the_predicates_say(self, scenario):
        as_of, specs, other_day = scenario
        build(specs)
        for facility in Facility.objects.all():
            for day in edge_days(as_of, facility) | {other_day}:
                assert sql_counts(facility, day) == predicate_counts(facility, day), (
                    facility.code,
                    day,
                )

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    def test_each_predicate_selects_what_the_plain_python_rules_select(self, scenario):
        as_of, specs, _other_day = scenario
        build(specs)
        for day in edge_days(as_of):
            self.check_predicates_on(day)

    def check_predicates_on(self, day):
        def ids(model, predicate):
            return set(model.objects.filter(predicate).values_list("pk", flat=True))

        assert ids(Facility, active_on(day)) == {
            f.pk for f in Facility.objects.all() if reference.is_active(f, day)
        }
        assert ids(Finding, overdue_on(day)) == {
            x.pk
            for x in Finding.objects.select_related("inspection")
            if x.inspection.status == "finalized"
            and x.inspection.visited_on <= day
            and x.deadline is not None
            and x.deadline < day
            and (x.resolved_on is None or x.resolved_on > day)
        }
        assert ids(Certificate, certificate_valid_on(day)) == {
            c.pk
            for c in Certificate.objects.all()
            if c.issued_on <= day
            and (c.valid_until is None or day <= c.valid_until)
            and (c.revoked_on is None or c.revoked_on > day)
        }
        in_place = {
            m.facility_id for m in CleanTechMeasure.objects.filter(measure_in_place_on(day))
        }
        assert in_place == {f.pk for f in Facility.objects.all() if reference.has_measure(f, day)}
