"""Two sends of evidence at the same moment (a double tap, two phones): one evidence is
written, the other send is told so, and nothing answers 500.

Real threads and transactions on PostgreSQL. Both sends are held after their checks
until both have passed them (a barrier, no sleeps), so each goes on to write believing
nothing waits: only the partial unique constraint stands between them. On SQLite the
second writer cannot pass its checks before the first commits (IMMEDIATE
transactions), so the race this test builds cannot happen there.
"""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.test import Client

from facilities.history import change_context
from inspections import remediation
from inspections.models import RemediationEvidence
from tests.factories import FindingFactory, InspectionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="SQLite serializes the two writers before their checks (see the docstring)",
    ),
]


def test_two_sends_at_once_write_one_evidence_and_tell_the_other(
    business_owner, own_facility, monkeypatch
):
    with change_context(reason="dữ liệu thử"):
        visit = InspectionFactory(facility=own_facility, visited_on=datetime.date(2026, 3, 1))
        finding = FindingFactory(inspection=visit, deadline=datetime.date(2026, 12, 31))
    both_checked = threading.Barrier(2, timeout=20)
    check = remediation.submit_check

    def check_then_wait(**kwargs):
        check(**kwargs)
        both_checked.wait()

    monkeypatch.setattr(remediation, "submit_check", check_then_wait)
    results = [None, None]

    def send(i):
        try:
            with time_machine.travel(datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)):
                client = Client()
                client.force_login(business_owner)
                response = client.post(
                    f"/findings/{finding.pk}/evidence/",
                    {"action": "submit", "note": f"Lần gửi {i}", "completed_on": "18/11/2026"},
                )
                results[i] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _body in results) == [200, 302]
    refused = next(body for status, body in results if status == 200)
    assert "Đã có minh chứng đang chờ xem xét" in refused
    assert RemediationEvidence.objects.filter(finding=finding).count() == 1
