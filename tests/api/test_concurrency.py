"""Two writers at once: with the same ETag exactly one wins and the other gets 412.

Real threads, real transactions (transactional_db), on whichever database the suite
runs on (SQLite file with IMMEDIATE transactions and a busy timeout, or PostgreSQL).
The winner holds its claim a moment longer so that the loser surely arrives while the
first transaction is still open.
"""

import threading
import time

import pytest
from django.db import connections
from rest_framework.test import APIClient

from facilities import concurrency
from facilities.models import Facility

# Plain transaction=True, no serialized_rollback: after each flush the post_migrate handlers
# put the districts, sectors and role groups back (facilities/apps.py). A serialized
# rollback instead leaves the database empty for the tests that follow on the same worker,
# and collides with role groups re-created by an earlier transactional test's flush.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_claims(monkeypatch):
    claim_row = concurrency.claim_row

    def claim_and_linger(*args, **kwargs):
        claimed = claim_row(*args, **kwargs)
        if claimed:
            time.sleep(0.4)
        return claimed

    monkeypatch.setattr(concurrency, "claim_row", claim_and_linger)


def _race(user, url, bodies, headers):
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def write(i):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait()
            response = client.patch(url, bodies[i], format="json", **headers)
            results[i] = (response.status_code, getattr(response, "data", None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_of_two_writers_with_the_same_etag_one_wins_and_one_gets_412(
    admin_user, own_facility, slow_claims
):
    url = f"/api/v1/facilities/{own_facility.pk}/"
    client = APIClient()
    client.force_authenticate(admin_user)
    etag = client.get(url)["ETag"]
    assert etag == 'W/"1"'

    results = _race(
        admin_user,
        url,
        [{"name": "Tên của người thứ nhất"}, {"name": "Tên của người thứ hai"}],
        {"HTTP_IF_MATCH": etag},
    )

    statuses = sorted(status for status, _data in results)
    assert statuses == [200, 412], results
    winner = next(data for status, data in results if status == 200)
    facility = Facility.objects.get(pk=own_facility.pk)
    assert facility.name == winner["name"]
    assert facility.version == 2
    changes = facility.history.filter(history_type="~")
    assert changes.count() == 1
    assert changes.get().name == winner["name"]


def test_writers_without_if_match_wait_for_each_other_and_both_land(
    admin_user, own_facility, slow_claims
):
    url = f"/api/v1/facilities/{own_facility.pk}/"
    results = _race(
        admin_user, url, [{"address": "Bản Nà Tăm"}, {"name": "Nhà máy chè Bình Lư"}], {}
    )

    assert [status for status, _data in results] == [200, 200], results
    facility = Facility.objects.get(pk=own_facility.pk)
    # The second writer re-read the row after the first committed: nothing was lost.
    assert (facility.address, facility.name) == ("Bản Nà Tăm", "Nhà máy chè Bình Lư")
    assert facility.version == 3
    assert facility.history.filter(history_type="~").count() == 2


def test_a_stale_etag_is_412_and_changes_nothing(api_client, admin_user, own_facility):
    url = f"/api/v1/facilities/{own_facility.pk}/"
    api_client.force_authenticate(admin_user)
    assert api_client.patch(url, {"name": "Mới"}, format="json").status_code == 200
    response = api_client.patch(url, {"name": "Cũ"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412
    assert Facility.objects.get(pk=own_facility.pk).name == "Mới"
    deleted = api_client.delete(url, HTTP_IF_MATCH='W/"1"')
    assert deleted.status_code == 412
    assert Facility.objects.filter(pk=own_facility.pk).exists()
