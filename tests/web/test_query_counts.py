"""The list pages run the same number of queries for 3 facilities as for 30."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.indicators.stored import forget_figures
from facilities.history import change_context
from facilities.models import Commune
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db


def more_facilities(n, enterprise):
    communes = list(Commune.objects.order_by("code")[:n])  # one query per row would show
    with change_context(reason="dữ liệu thử"):
        for i in range(n):
            facility = FacilityFactory(enterprise=enterprise, commune=communes[i % len(communes)])
            visit = InspectionFactory(facility=facility, visited_on=datetime.date(2020, 5, 5))
            FindingFactory(inspection=visit, deadline=datetime.date(2020, 12, 1))
            CertificateFactory(facility=facility)
            CleanTechMeasureFactory(facility=facility)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def counts_before_and_after(client, user, url, enterprise):
    client.force_login(user)
    count_queries(client, url)  # warm: session, content types
    before = count_queries(client, url)
    more_facilities(25, enterprise)
    after = count_queries(client, url)
    return before, after


def test_the_facility_list_queries_do_not_grow_with_the_registry(
    client, admin_user, registry, own_enterprise
):
    before, after = counts_before_and_after(client, admin_user, "/facilities/", own_enterprise)
    # session, user, profile; count of the page; the ids of the page; those facilities
    # with their standing (one query); districts, communes and sectors for the filter
    # pickers; the department's name in the header.
    assert before == after == 10


def test_the_work_list_queries_do_not_grow_with_the_registry(
    client, inspector_tam_duong, registry, own_enterprise
):
    before, after_writes = counts_before_and_after(
        client, inspector_tam_duong, "/worklist/", own_enterprise
    )
    after = count_queries(client, "/worklist/")
    # session, user, profile, districts of the inspector, communes of the inspector;
    # the stored counts per kind; the page's keys; the page's rows; districts and
    # communes for the pickers; the department's name in the header.
    # Each write carried the stored counts by its delta (compliance/worklist.py).
    assert before == after_writes == after == 11
    # After a write that forgets them (a bulk load) the first page counts again: + the
    # generation, the counts per place (one statement), the communes' former districts,
    # storing them, deleting the older ones.
    forget_figures()
    assert count_queries(client, "/worklist/") == 11 + 5


def test_the_business_portal_queries_do_not_grow_with_the_enterprise(
    client, business_owner, registry, own_enterprise
):
    before, after = counts_before_and_after(client, business_owner, "/portal/", own_enterprise)
    # session, user, profile; the enterprise; its facilities with standing; their
    # certificates; their requests for a re-inspection; open corrective actions; the
    # evidence sent for them; inspection results; the department's name in the header.
    assert before == after == 11


def test_the_change_log_queries_do_not_grow_with_the_history(
    client, auditor, registry, own_enterprise
):
    before, after = counts_before_and_after(client, auditor, "/changes/", own_enterprise)
    # session, user, profile; the count; the page of keys; per model on the page (7)
    # its rows and their earlier versions; per model its values name (facilities,
    # districts, sectors, enterprises, inspections: the page's readable values) one;
    # users and districts for the pickers; the department's name in the header.
    ceiling = 3 + 2 + 7 * 2 + 5 + 2 + 1
    assert before <= ceiling
    assert after <= ceiling


def test_the_dashboard_queries_do_not_grow_with_the_registry(
    client, auditor, registry, own_enterprise
):
    before, after_writes = counts_before_and_after(client, auditor, "/dashboard/", own_enterprise)
    after = count_queries(client, "/dashboard/")
    # session, user, profile; the indicators (two queries: today's stored date, its
    # cells); the series (one query: the stored cells summed per date); district, commune and sector names; districts,
    # communes and sectors for the scope pickers; the unit gaps (one count each, from
    # their partial indexes); the department's name in the header.
    assert before == after == 15
    # New facilities, each saved on its own, carried the stored figures like any other
    # everyday write: still read, not computed again.
    assert after_writes == 15


def test_the_dashboard_just_after_everyday_writes_reads_the_stored_figures(
    client, auditor, registry, own_enterprise
):
    more_facilities(3, own_enterprise)
    client.force_login(auditor)
    count_queries(client, "/dashboard/")  # warm: session, the figures stored
    facility = own_enterprise.facilities.order_by("pk").first()
    with change_context(reason="dữ liệu thử"):
        InspectionFactory(facility=facility, visited_on=datetime.date(2024, 5, 5))
        CertificateFactory(
            facility=facility,
            issued_on=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2028, 12, 31),
        )
        finding = FindingFactory(inspection__facility=facility, deadline=datetime.date(2021, 1, 1))
        finding.resolved_on = datetime.date(2022, 1, 1)
        finding.save()
    # Each write carried the stored figures by its delta: still the one query of a hit.
    assert count_queries(client, "/dashboard/") == 15
