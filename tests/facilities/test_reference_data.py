"""The reference data every registry starts with (data migration)."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command

from facilities.choices import CommuneKind
from facilities.models import (
    Commune,
    DepartmentName,
    District,
    Sector,
    department_name_on,
    sole_former_district_communes,
)
from facilities.reference_data import REFERENCE_DATA_REASON


def test_it_loads_the_eight_districts_of_lai_chau_with_their_statistical_codes(db):
    assert dict(District.objects.values_list("code", "name")) == {
        "105": "Thành phố Lai Châu",
        "106": "Tam Đường",
        "107": "Mường Tè",
        "108": "Sìn Hồ",
        "109": "Phong Thổ",
        "110": "Than Uyên",
        "111": "Tân Uyên",
        "112": "Nậm Nhùn",
    }


def test_it_loads_the_sectors_named_in_the_plan(db):
    assert set(Sector.objects.values_list("code", flat=True)) == {
        "mining",
        "agro_forestry_processing",
        "construction_materials",
        "hydropower",
        "traditional_crafts",
        "livestock",
        "slaughterhouse",
        "healthcare",
        "tourism_hospitality",
        "trade_services",
        "manufacturing",
        "other",
    }


def test_it_loads_the_38_communes_of_the_2025_reform_with_their_former_districts(db):
    assert Commune.objects.count() == 38
    assert Commune.objects.filter(kind=CommuneKind.PHUONG).count() == 2
    tan_phong = Commune.objects.get(code="03408")
    assert (tan_phong.name, tan_phong.full_name) == ("Tân Phong", "Phường Tân Phong")
    assert set(tan_phong.former_districts.values_list("code", flat=True)) == {"105", "106"}
    straddling = {
        c.code
        for c in Commune.objects.prefetch_related("former_districts")
        if c.former_districts.count() > 1
    }
    assert straddling == {"03388", "03408", "03394", "03487", "03503"}


def test_a_facility_district_is_derived_only_from_a_commune_with_one_former_district(db):
    assert (
        dict(sole_former_district_communes().values_list("commune_id", "only_district"))["03390"]
        == "106"
    )
    assert "03408" not in set(sole_former_district_communes().values_list("commune_id", flat=True))


def test_it_knows_the_department_name_in_force_on_each_date(db):
    assert department_name_on(datetime.date(2025, 2, 28)) == (
        "Sở Tài nguyên và Môi trường tỉnh Lai Châu"
    )
    assert department_name_on(datetime.date(2025, 3, 1)) == (
        "Sở Nông nghiệp và Môi trường tỉnh Lai Châu"
    )


@pytest.mark.parametrize("model", [District, Sector, Commune, DepartmentName])
def test_every_reference_row_has_a_history_row_with_user_and_reason(db, model):
    for obj in model.objects.all():
        first = obj.history.earliest("history_date")
        assert first.history_user.username == settings.SYSTEM_USERNAME
        assert first.history_change_reason == REFERENCE_DATA_REASON


@pytest.mark.django_db(transaction=True)
def test_reloading_after_a_flush_writes_history_too():
    # A real flush: TRUNCATE on PostgreSQL, where history rows refuse DELETE.
    call_command("flush", interactive=False, verbosity=0)
    assert Commune.objects.count() == 38
    row = Commune.objects.get(code="03394").history.get()
    assert row.history_change_reason == REFERENCE_DATA_REASON
    assert row.history_user.username == settings.SYSTEM_USERNAME
    assert {d.district_id for d in row.former_districts.all()} == {"106", "109"}


def test_an_administrator_renaming_a_district_leaves_history_with_user_and_reason(
    client, admin_user
):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/facilities/district/107/change/",
        {"code": "107", "name": "Huyện Mường Tè", "change_reason": "Sửa tên theo văn bản"},
    )
    assert response.status_code == 302, response.content
    latest = District.objects.get(code="107").history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        admin_user,
        "Sửa tên theo văn bản",
    )
