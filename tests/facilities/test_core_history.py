"""Every write path leaves a history row with who and why.

Paths: the admin change form (with its "reason for change" field), the ORM inside
``change_context``, and the bulk helpers that replace bulk_create / bulk_update /
QuerySet.update. Also: history is read-only in the admin, and simple-history's revert
POST is refused to a staff user who may only view.
"""

import datetime
import unicodedata
import uuid

import pytest
from django.contrib import admin
from django.urls import reverse

from compliance.models import Certificate, CleanTechMeasure
from facilities.admin_base import RegistryAdmin
from facilities.history import (
    bulk_create_with_reason,
    bulk_update_with_reason,
    change_context,
    copy_create_with_reason,
    system_user,
    update_with_reason,
)
from facilities.models import District, Enterprise, Facility, Profile, Sector
from inspections.models import (
    EvidenceFile,
    Finding,
    Inspection,
    ReinspectionRequest,
    RemediationEvidence,
)
from tests.factories import EnterpriseFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Personas get real passwords; the default hasher costs about a second each here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


REGISTRY_MODELS = [
    District,
    Sector,
    Enterprise,
    Facility,
    Certificate,
    CleanTechMeasure,
    Inspection,
    Finding,
    RemediationEvidence,
    EvidenceFile,
    ReinspectionRequest,
    Profile,
]


def latest_history(obj):
    return obj.history.order_by("-history_id").first()


def admin_form_data(facility: Facility, **changes) -> dict:
    data = {
        "code": facility.code,
        "name": facility.name,
        "enterprise": facility.enterprise_id,
        "activity": facility.activity,
        "sector": facility.sector_id,
        "district": facility.district_id,
        "address": facility.address,
        "latitude": "",
        "longitude": "",
        "operating_since": facility.operating_since.isoformat(),
        "closed_on": "",
        "change_reason": "",
    }
    return data | changes


@pytest.fixture
def facility(own_facility):
    return own_facility


# --- the three write paths ----------------------------------------------------------------


def test_an_admin_edit_records_the_user_and_the_typed_reason(client, admin_user, facility):
    client.force_login(admin_user)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    response = client.post(
        url,
        admin_form_data(
            facility, name="Nhà máy chè Tam Đường (mở rộng)", change_reason="Đổi tên theo GCN"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    facility.refresh_from_db()
    assert facility.name == "Nhà máy chè Tam Đường (mở rộng)"
    row = latest_history(facility)
    assert row.history_type == "~"
    assert row.history_user == admin_user
    assert row.history_change_reason == "Đổi tên theo GCN"


def test_an_admin_edit_without_a_reason_still_says_it_came_from_the_admin(
    client, admin_user, facility
):
    client.force_login(admin_user)
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    client.post(url, admin_form_data(facility, address="Bản Bình Lư"))
    row = latest_history(facility)
    assert (row.history_user, row.history_change_reason) == (admin_user, "admin: sửa")


def test_an_admin_creation_records_the_user_and_reason(client, admin_user, own_enterprise):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:facilities_enterprise_add"),
        {
            "name": "Công ty TNHH Mới",
            "tax_code": "0101245486",
            "change_reason": "Đăng ký mới",
        },
    )
    assert response.status_code == 302
    created = Enterprise.objects.get(tax_code="0101245486")
    row = latest_history(created)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        admin_user,
        "Đăng ký mới",
    )


def test_an_admin_form_shows_the_tax_code_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:facilities_enterprise_add"), {"name": "X", "tax_code": "0101245487"}
    )
    assert response.status_code == 200
    assert "Mã số thuế 0101245487 không hợp lệ: sai chữ số kiểm tra" in response.content.decode()
    assert not Enterprise.objects.filter(name="X").exists()


def test_an_orm_save_inside_change_context_records_user_and_reason(inspector_tam_duong, facility):
    facility.address = "Tổ dân phố số 2, Thị trấn Tam Đường"
    with change_context(user=inspector_tam_duong, reason="Cập nhật địa chỉ sau kiểm tra"):
        facility.save()
    row = latest_history(facility)
    assert row.history_user == inspector_tam_duong
    assert row.history_change_reason == "Cập nhật địa chỉ sau kiểm tra"


def test_an_orm_delete_inside_change_context_records_user_and_reason(admin_user):
    enterprise = EnterpriseFactory()
    pk = enterprise.pk
    with change_context(user=admin_user, reason="Nhập trùng"):
        enterprise.delete()
    row = Enterprise.history.filter(id=pk).order_by("-history_id").first()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "-",
        admin_user,
        "Nhập trùng",
    )


def test_a_write_outside_any_context_falls_back_to_the_system_account():
    enterprise = EnterpriseFactory()
    row = latest_history(enterprise)
    assert row.history_user == system_user()
    assert row.history_change_reason == "unspecified"


def test_bulk_create_records_user_and_reason_on_every_row(admin_user, own_enterprise):
    sector = Sector.objects.get(code="hydropower")
    district = District.objects.get(code="110")
    created = bulk_create_with_reason(
        Facility,
        [
            Facility(
                code=f"TU-{n}",
                name=f"Thủy điện Nậm Mu {n}",
                enterprise=own_enterprise,
                activity="production",
                sector=sector,
                district=district,
            )
            for n in range(3)
        ],
        user=admin_user,
        reason="Nhập từ danh sách thủy điện",
    )
    rows = Facility.history.filter(id__in=[f.pk for f in created])
    assert rows.count() == 3
    assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in rows} == {
        ("+", admin_user.pk, "Nhập từ danh sách thủy điện")
    }


def test_bulk_create_records_many_to_many_values_in_history(inspector_tam_duong, facility):
    [inspection] = bulk_create_with_reason(
        Inspection,
        [Inspection(facility=facility, visited_on=datetime.date(2020, 5, 5))],
        user=inspector_tam_duong,
        reason="seed",
        m2m={"inspectors": [[inspector_tam_duong.pk]]},
    )
    assert list(inspection.inspectors.all()) == [inspector_tam_duong]
    row = latest_history(inspection)
    assert [m.user_id for m in row.inspectors.all()] == [inspector_tam_duong.pk]


def test_copy_create_writes_the_same_rows_and_history_as_bulk_create(inspector_tam_duong, facility):
    """The COPY path of large loads (PostgreSQL; bulk_create elsewhere) loses nothing."""
    [inspection] = copy_create_with_reason(
        Inspection,
        [
            Inspection(
                facility=facility,
                visited_on=datetime.date(2021, 3, 3),
                status="finalized",
                outcome="compliant",
                summary="Kiểm tra định kỳ",
                submission_key=uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
            )
        ],
        user=inspector_tam_duong,
        reason="Nhập biên bản cũ",
        m2m={"inspectors": [[inspector_tam_duong.pk]]},
    )
    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.visited_on, stored.outcome, stored.version) == (
        datetime.date(2021, 3, 3),
        "compliant",
        1,
    )
    assert stored.created_at is not None
    assert str(stored.submission_key) == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert list(stored.inspectors.all()) == [inspector_tam_duong]
    row = stored.history.get()
    assert row.submission_key == stored.submission_key
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        inspector_tam_duong,
        "Nhập biên bản cũ",
    )
    assert [m.user_id for m in row.inspectors.all()] == [inspector_tam_duong.pk]
    # Later writes get fresh keys: the sequences were advanced, not bypassed.
    later = InspectionFactory(facility=facility)
    assert later.pk > inspection.pk
    later.summary = "sửa"
    later.save()
    assert later.history.count() == 2


def test_copy_create_history_rows_hold_every_column_of_their_rows(admin_user, facility):
    """Each history row is its own row's values (no column shifted between rows), and the
    text is normalised unless the caller says it built it normalised."""
    decomposed = unicodedata.normalize("NFD", "Nhà máy chè")
    made = [
        Facility(
            code=f"LC-COPY-{n}",
            name=f"{decomposed} {n}",
            enterprise_id=facility.enterprise_id,
            activity=facility.activity,
            sector_id=facility.sector_id,
            district_id=facility.district_id,
            commune_id=facility.commune_id,
            address=f"Bản {n}",
            operating_since=datetime.date(2010, 1, n),
        )
        for n in (1, 2, 3)
    ]
    copy_create_with_reason(Facility, made, user=admin_user, reason="Nạp dữ liệu")
    columns = [f.attname for f in Facility._meta.concrete_fields]
    for obj in made:
        stored = Facility.objects.get(pk=obj.pk)
        assert stored.name == unicodedata.normalize("NFC", f"Nhà máy chè {obj.address[-1]}")
        assert (
            stored.search_key
            == f"{obj.code.lower()} nha may che {obj.address[-1]} ban {obj.address[-1]}"
        )
        row = stored.history.get()
        assert [getattr(row, c) for c in columns] == [getattr(stored, c) for c in columns]
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            admin_user,
            "Nạp dữ liệu",
        )

    as_built = Facility(
        code="LC-COPY-9",
        name=decomposed,
        enterprise_id=facility.enterprise_id,
        activity=facility.activity,
        sector_id=facility.sector_id,
        district_id=facility.district_id,
        commune_id=facility.commune_id,
        search_key="đã có",
    )
    copy_create_with_reason(Facility, [as_built], user=admin_user, normalized=True)
    stored = Facility.objects.get(pk=as_built.pk)
    assert (stored.name, stored.search_key) == (decomposed, "đã có")


def test_update_with_reason_records_user_and_reason(admin_user, facility):
    changed = update_with_reason(
        Facility.objects.filter(pk=facility.pk),
        user=admin_user,
        reason="Cơ sở ngừng hoạt động",
        closed_on=datetime.date(2024, 1, 1),
    )
    assert changed == 1
    facility.refresh_from_db()
    assert facility.closed_on == datetime.date(2024, 1, 1)
    row = latest_history(facility)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "~",
        admin_user,
        "Cơ sở ngừng hoạt động",
    )
    assert row.closed_on == datetime.date(2024, 1, 1)


def test_bulk_update_with_reason_bumps_versions_and_records_history(admin_user, facility):
    version = facility.version
    facility.name = "Nhà máy chè Tam Đường 2"
    bulk_update_with_reason(Facility, [facility], ["name"], user=admin_user, reason="Sửa tên")
    facility.refresh_from_db()
    assert facility.version == version + 1
    assert "tam duong 2" in facility.search_key
    row = latest_history(facility)
    assert (row.history_user, row.history_change_reason) == (admin_user, "Sửa tên")


# --- the history is evidence: read-only ---------------------------------------------------


def revert_url(obj, history_row):
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        args=[obj.pk, history_row.history_id],
    )


def renamed(facility, admin_user):
    original = latest_history(facility)
    facility.name = "Tên mới"
    with change_context(user=admin_user, reason="Đổi tên"):
        facility.save()
    return original


def test_a_view_only_staff_user_cannot_revert_through_the_history_page(
    client, auditor, admin_user, facility
):
    original = renamed(facility, admin_user)
    rows_before = facility.history.count()
    client.force_login(auditor)
    assert client.get(revert_url(facility, original)).status_code == 200  # may look
    response = client.post(
        revert_url(facility, original), admin_form_data(facility, name=original.name)
    )
    assert response.status_code == 403
    facility.refresh_from_db()
    assert facility.name == "Tên mới"
    assert facility.history.count() == rows_before


def test_an_administrator_can_revert_and_the_revert_is_recorded(client, admin_user, facility):
    original = renamed(facility, admin_user)
    client.force_login(admin_user)
    response = client.post(
        revert_url(facility, original), admin_form_data(facility, name=original.name)
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.name == original.name
    row = latest_history(facility)
    assert row.history_user == admin_user
    assert row.history_change_reason == f"admin: khôi phục phiên bản {original.history_id}"


def test_a_history_row_cannot_be_edited_through_the_admin(client, admin_user, facility):
    original = renamed(facility, admin_user)
    client.force_login(admin_user)
    client.post(
        revert_url(facility, original),
        admin_form_data(facility, name="Sửa lịch sử") | {"_change_history": "1"},
    )
    original.refresh_from_db()
    assert original.name == "Nhà máy chè Tam Đường"  # the old row is untouched


def test_no_history_model_is_registered_in_the_admin():
    for model in REGISTRY_MODELS:
        assert model.history.model not in admin.site._registry


def test_the_history_page_shows_the_reason_column(client, auditor, admin_user, facility):
    renamed(facility, admin_user)
    client.force_login(auditor)
    response = client.get(reverse("admin:facilities_facility_history", args=[facility.pk]))
    assert response.status_code == 200
    assert "Đổi tên" in response.content.decode()


def test_a_user_without_change_permission_gets_no_reason_field(client, auditor, facility):
    client.force_login(auditor)
    response = client.get(reverse("admin:facilities_facility_change", args=[facility.pk]))
    assert response.status_code == 200
    assert 'name="change_reason"' not in response.content.decode()


# --- conventions ----------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_every_registry_model_has_history_and_an_admin_with_reasons(model):
    assert hasattr(model, "history"), f"{model.__name__} has no HistoricalRecords"
    assert model in admin.site._registry, f"{model.__name__} is not in the admin"
    assert isinstance(admin.site._registry[model], RegistryAdmin)


# --- language -------------------------------------------------------------------------


def test_the_admin_speaks_vietnamese_by_default(client):
    response = client.get(reverse("admin:login"))
    assert "Đăng nhập" in response.content.decode()
    assert 'lang="vi"' in response.content.decode()


def test_the_admin_index_lists_the_registry_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("admin:index")).content.decode()
    assert "Cơ sở sản xuất, kinh doanh" in body
    assert "Doanh nghiệp" in body


def test_english_is_available_when_chosen(client, admin_user, settings):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("admin:index")).content.decode()
    assert "Site administration" in body


def test_inspections_created_in_tests_are_attributed_too():
    inspection = InspectionFactory()
    assert latest_history(inspection).history_user is not None
