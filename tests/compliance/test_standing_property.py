"""The facility standing stays what the records call for after any sequence of writes.

Hypothesis draws a registry (as test_indicators_property.py does), then a sequence of
writes made after the fact through the paths the application uses — the inspection
services (create, finalize, cancel, delete, correct the date, move to another facility),
the finding services (create, resolve, move), measure verification, plain validated saves
and deletes of certificates and measures (the API and the admin), and the bulk helpers
(the Excel import) — and checks that the stored standing equals one rebuilt from the
records, that the figures read from it equal the plain-Python reference on several
dates, and that they equal the statement that reads the records directly.
"""

import datetime

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.indicators.series import counts_on_dates
from compliance.models import Certificate, CleanTechMeasure
from compliance.services import measure_verify
from compliance.standing import differences
from facilities.history import bulk_create_with_reason, bulk_update_with_reason, change_context
from facilities.models import Facility
from facilities.roles import Role
from facilities.services import user_create
from inspections import services as inspections
from inspections.models import Finding, Inspection
from tests.compliance.reference import CODES, reference_report
from tests.compliance.test_indicators_property import as_of_dates, build, engine_view, scenarios

d = datetime.timedelta
TODAY = datetime.date(2026, 12, 31)  # measure_verify refuses a day after today
days = st.dates(datetime.date(2012, 6, 1), datetime.date(2026, 12, 31))
OPERATIONS = [
    "visit",
    "correct_visit",
    "move_visit",
    "drop_draft",
    "finding",
    "resolve",
    "move_finding",
    "revoke",
    "delete_certificate",
    "bulk_certificates",
    "verify",
    "remove_measure",
    "move_measure",
    "new_measures",
    "close_facility",
]


def pick(data, queryset):
    objs = list(queryset.order_by("pk"))
    return data.draw(st.sampled_from(objs)) if objs else None


def saved(obj) -> None:
    """A validated save, as the API and the admin make it; refused input writes nothing."""
    try:
        obj.full_clean()
    except ValidationError:
        return
    with change_context(reason="sửa sau"):
        obj.save()


def write(data, user, operation: str) -> None:
    facility = pick(data, Facility.objects.all())
    day = data.draw(days)
    try:
        if operation == "visit":
            visit = inspections.inspection_create(user=user, facility=facility, visited_on=day)
            then = data.draw(st.sampled_from(["finalize", "finalize", "cancel", "draft"]))
            if then == "finalize":
                outcome = data.draw(
                    st.sampled_from(["compliant", "compliant_with_remarks", "non_compliant"])
                )
                inspections.inspection_finalize(inspection=visit, user=user, outcome=outcome)
            elif then == "cancel":
                inspections.inspection_cancel(inspection=visit, user=user)
        elif operation == "correct_visit" and (visit := pick(data, Inspection.objects.all())):
            inspections.inspection_update(
                inspection=visit, user=user, reason="đính chính", visited_on=day
            )
        elif operation == "move_visit" and (visit := pick(data, Inspection.objects.all())):
            inspections.inspection_update(
                inspection=visit, user=user, reason="nhầm cơ sở", facility=facility
            )
        elif operation == "drop_draft" and (
            visit := pick(data, Inspection.objects.exclude(status="finalized"))
        ):
            inspections.inspection_delete(inspection=visit, user=user)
        elif operation == "finding" and (visit := pick(data, Inspection.objects.all())):
            inspections.finding_create(
                user=user,
                inspection=visit,
                reason="bổ sung",
                category="wastewater",
                description="x",
                deadline=visit.visited_on + d(data.draw(st.integers(0, 800))),
            )
        elif operation == "resolve" and (finding := pick(data, Finding.objects.all())):
            inspections.finding_resolve(finding=finding, user=user, resolved_on=day)
        elif operation == "move_finding" and (finding := pick(data, Finding.objects.all())):
            target = pick(data, Inspection.objects.all())
            inspections.finding_update(
                finding=finding, user=user, reason="nhầm đợt", inspection=target
            )
        elif operation == "revoke" and (certificate := pick(data, Certificate.objects.all())):
            certificate.revoked_on = max(day, certificate.issued_on)
            certificate.revocation_reason = "thu hồi"
            saved(certificate)
        elif operation == "delete_certificate" and (
            certificate := pick(data, Certificate.objects.all())
        ):
            with change_context(reason="nhập nhầm"):
                certificate.delete()
        elif operation == "bulk_certificates":
            # The Excel import's path: new rows created, existing ones updated, in bulk.
            number = Certificate.objects.count() + 100
            bulk_create_with_reason(
                Certificate,
                [
                    Certificate(
                        facility=facility,
                        number=f"B{number}",
                        issuer="Sở",
                        issued_on=day,
                        valid_until=day + d(data.draw(st.integers(0, 1500))),
                    )
                ],
                reason="nhập Excel",
            )
            # Every other one by position, never by id: ids come from sequences that a
            # rolled-back example does not reset, and the draws must not depend on them.
            dated = Certificate.objects.filter(valid_until__isnull=False).order_by("pk")
            changed = list(dated)[::2]
            for certificate in changed:
                certificate.valid_until = certificate.issued_on + d(data.draw(st.integers(0, 900)))
            bulk_update_with_reason(Certificate, changed, ["valid_until"], reason="nhập Excel")
        elif operation == "verify" and (measure := pick(data, CleanTechMeasure.objects.all())):
            measure_verify(
                measure=measure, user=user, verified_on=min(max(day, measure.installed_on), TODAY)
            )
        elif operation == "remove_measure" and (
            measure := pick(data, CleanTechMeasure.objects.all())
        ):
            measure.removed_on = max(day, measure.installed_on)
            saved(measure)
        elif operation == "move_measure" and (
            measure := pick(data, CleanTechMeasure.objects.all())
        ):
            measure.facility = facility
            saved(measure)
        elif operation == "new_measures":
            bulk_create_with_reason(
                CleanTechMeasure,
                [
                    CleanTechMeasure(
                        facility=facility,
                        kind=data.draw(st.sampled_from(["clean_technology", "pollution_control"])),
                        installed_on=day,
                        verified_on=day + d(data.draw(st.integers(0, 400))),
                    )
                ],
                reason="nhập Excel",
            )
        elif operation == "close_facility" and facility.operating_since:
            facility.closed_on = max(day, facility.operating_since + d(1))
            saved(facility)
    except ValidationError:
        pass  # refused: nothing was written


class StandingFollowsEveryWrite(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios(), st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=8), st.data())
    def test_standing_equals_a_rebuild_and_figures_equal_the_reference(
        self, scenario, operations, data
    ):
        as_of, specs, other_day = scenario
        build(specs)
        user = user_create(
            username="quantri", role=Role.ADMIN, password="Mật-khẩu-dài-1234", full_name="Quản"
        )
        for operation in operations:
            write(data, user, operation)
        assert differences() == (set(), set())
        asked = sorted({as_of, other_day, data.draw(as_of_dates)})
        series = counts_on_dates(asked)
        assert series == counts_on_dates(asked, source="records")
        for day in asked:
            expected = reference_report(day)
            assert engine_view(day) == expected, day
            figures = []
            for code in CODES:
                n, p, _value, _met = expected["figures"][code]
                figures += [p, n]
            assert list(series[day]) == figures, day
