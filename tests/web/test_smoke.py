import pytest

pytestmark = pytest.mark.django_db


def test_each_page_renders_for_an_administrator(client, admin_user, registry):
    client.force_login(admin_user)
    own = registry["own"]
    for url in [
        "/",
        "/dashboard/",
        "/indicators/establishments_meeting_standards/facilities/?counted=no",
        "/facilities/",
        "/facilities/?q=che&district=106",
        f"/facilities/{own.pk}/",
        "/worklist/",
        f"/facilities/{own.pk}/inspections/new/",
        f"/inspections/{registry['visit'].pk}/",
        "/changes/",
        f"/changes/facility/{own.pk}/",
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
