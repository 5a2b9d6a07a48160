"""Office forms: the administrator registers and corrects enterprises, facilities,
certificates and measures in the site's own pages, each change with a reason; the
Django admin speaks the interface language (docs/web.md, "Office forms")."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model

from compliance.models import Certificate, CleanTechMeasure
from facilities.history import change_context
from facilities.models import Enterprise, Facility
from tests.factories import EnterpriseFactory, FacilityFactory

pytestmark = pytest.mark.django_db

# A valid tax code nobody has in these tests (stdnum's own example).
NEW_TAX_CODE = "0100233488"


def enterprise_post(**overrides):
    data = {
        "tax_code": NEW_TAX_CODE,
        "name": "Công ty TNHH Nông sản Sìn Hồ",
        "representative": "Giàng A Páo",
        "address": "Xã Sìn Hồ",
        "phone": "0213 3876 543",
        "email": "",
        "reason": "Đăng ký theo hồ sơ số 12/2026",
    }
    return {**data, **overrides}


def facility_post(enterprise, **overrides):
    data = {
        "code": "",
        "name": "Xưởng sấy chè Bình Lư",
        "enterprise": enterprise,
        "activity": "production",
        "sector": "manufacturing",
        "commune": "",
        "district": "106",
        "address": "Bản Bình Lư",
        "latitude": "",
        "longitude": "",
        "operating_since": "15/03/2024",
        "closed_on": "",
        "reason": "Đăng ký theo hồ sơ số 13/2026",
    }
    return {**data, **overrides}


def errors_of(response) -> list[str]:
    """The messages shown under the fields (what the user reads next to each field)."""
    page = response.content.decode()
    return re.findall(r'<p class="error" data-field="[^"]*">([^<]*)</p>', page)


# --- enterprises -------------------------------------------------------------------------


def test_an_administrator_registers_an_enterprise_with_a_reason(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/enterprises/new/", enterprise_post(tax_code="0100233488"))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(tax_code=NEW_TAX_CODE)
    assert enterprise.name == "Công ty TNHH Nông sản Sìn Hồ"
    row = enterprise.history.get()
    assert row.history_user == admin_user
    assert row.history_change_reason == "Đăng ký theo hồ sơ số 12/2026"


def test_a_branch_tax_code_is_stored_in_its_one_form(client, admin_user):
    client.force_login(admin_user)
    client.post("/enterprises/new/", enterprise_post(tax_code="0100233488001"))
    assert Enterprise.objects.filter(tax_code="0100233488-001").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0100233489", "Mã số thuế 0100233489 không hợp lệ: sai chữ số kiểm tra"),
        ("010023348", "cần 10 chữ số, hoặc 13 chữ số dạng 0123456789-001"),
    ],
)
def test_a_wrong_tax_code_is_refused_in_vietnamese_and_nothing_is_written(
    client, admin_user, typed, message
):
    client.force_login(admin_user)
    response = client.post("/enterprises/new/", enterprise_post(tax_code=typed))
    assert response.status_code == 200
    assert any(message in error for error in errors_of(response))
    assert "error-summary" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_a_tax_code_already_registered_is_said_next_to_the_tax_code(
    client, admin_user, own_enterprise
):
    client.force_login(admin_user)
    response = client.post("/enterprises/new/", enterprise_post(tax_code=own_enterprise.tax_code))
    assert 'data-field="tax_code">Đã có doanh nghiệp với mã số thuế này.' in (
        response.content.decode()
    )
    assert Enterprise.objects.count() == 1


def test_a_change_without_a_reason_writes_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/enterprises/new/", enterprise_post(reason="  "))
    assert "Cần ghi lý do thay đổi." in errors_of(response)
    assert not Enterprise.objects.exists()


def test_editing_an_enterprise_keeps_who_and_why(client, admin_user, own_enterprise):
    client.force_login(admin_user)
    page = client.get(f"/enterprises/{own_enterprise.pk}/edit/").content.decode()
    assert f'name="version" value="{own_enterprise.version}"' in page
    response = client.post(
        f"/enterprises/{own_enterprise.pk}/edit/",
        enterprise_post(
            tax_code=own_enterprise.tax_code,
            name="Công ty CP Chè Tam Đường Lai Châu",
            version=own_enterprise.version,
            reason="Đổi tên theo giấy đăng ký mới",
        ),
    )
    assert response.status_code == 302
    own_enterprise.refresh_from_db()
    assert own_enterprise.name == "Công ty CP Chè Tam Đường Lai Châu"
    latest = own_enterprise.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        admin_user,
        "Đổi tên theo giấy đăng ký mới",
    )


@pytest.mark.parametrize(
    ("next_page", "back_to"),
    [("/facilities/{pk}/", "/facilities/{pk}/"), ("https://evil.example/", "/enterprises/?q=")],
)
def test_an_enterprise_edited_from_a_facility_page_goes_back_there(
    client, admin_user, own_facility, next_page, back_to
):
    client.force_login(admin_user)
    enterprise = own_facility.enterprise
    page = client.get(f"/facilities/{own_facility.pk}/").content.decode()
    assert f'href="/enterprises/{enterprise.pk}/edit/?next=/facilities/{own_facility.pk}/"' in page
    response = client.post(
        f"/enterprises/{enterprise.pk}/edit/",
        enterprise_post(
            tax_code=enterprise.tax_code,
            version=enterprise.version,
            next=next_page.format(pk=own_facility.pk),
        ),
    )
    assert response["Location"].startswith(back_to.format(pk=own_facility.pk))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", {"valid": False, "existing": None}),
        ("0100233489", {"valid": False, "existing": None}),
        ("0100233488001", {"valid": True, "normalized": "0100233488-001", "existing": None}),
    ],
)
def test_the_tax_code_is_checked_as_typed(client, admin_user, value, expected):
    client.force_login(admin_user)
    answer = client.get("/enterprises/tax-code/", {"value": value}).json()
    assert {key: answer[key] for key in expected} == expected


def test_the_check_as_typed_links_to_the_enterprise_that_has_the_code(
    client, admin_user, own_enterprise
):
    client.force_login(admin_user)
    answer = client.get("/enterprises/tax-code/", {"value": own_enterprise.tax_code}).json()
    assert answer["message"] == "Đã có doanh nghiệp với mã số thuế này."
    assert answer["existing"] == {
        "name": own_enterprise.name,
        "url": f"/enterprises/{own_enterprise.pk}/edit/",
    }
    # Editing that very enterprise, its own code is not "already registered".
    answer = client.get(
        "/enterprises/tax-code/", {"value": own_enterprise.tax_code, "exclude": own_enterprise.pk}
    ).json()
    assert answer["existing"] is None


def test_the_enterprise_list_is_searched_without_diacritics_and_sorted(
    client, admin_user, own_enterprise, competitor_enterprise
):
    client.force_login(admin_user)
    page = client.get("/enterprises/", {"q": "che tam duong"}).content.decode()
    assert f'href="/enterprises/{own_enterprise.pk}/edit/">Công ty CP Chè Tam Đường<' in page
    assert "Đá Phong Thổ" not in page
    page = client.get("/enterprises/", {"sort": "-name"}).content.decode()
    assert page.index("Đá Phong Thổ") < page.index("Chè Tam Đường")


def test_the_enterprise_list_costs_the_same_queries_for_two_or_thirty(
    client, admin_user, own_enterprise, competitor_enterprise, django_assert_num_queries
):
    client.force_login(admin_user)
    client.get("/enterprises/")  # warm: session, content types
    # session, user, profile; count of the page; the page of enterprises with their
    # number of facilities; the department's name in the header.
    with django_assert_num_queries(6):
        client.get("/enterprises/")
    with change_context(reason="dữ liệu thử"):
        EnterpriseFactory.create_batch(28)
    with django_assert_num_queries(6):
        assert client.get("/enterprises/").status_code == 200


# --- facilities ----------------------------------------------------------------------------


def test_the_registry_proposes_the_next_free_facility_code(client, admin_user, own_enterprise):
    with change_context(reason="dữ liệu thử"):
        FacilityFactory(enterprise=own_enterprise, code="LC-000041")
        FacilityFactory(enterprise=own_enterprise, code="TD-999")
    client.force_login(admin_user)
    page = client.get("/facilities/new/").content.decode()
    assert 'value="LC-000042"' in page
    # Left empty, the code is the proposal.
    response = client.post("/facilities/new/", facility_post(own_enterprise.tax_code))
    facility = Facility.objects.get(name="Xưởng sấy chè Bình Lư")
    assert response["Location"] == f"/facilities/{facility.pk}/"
    assert facility.code == "LC-000042"
    row = facility.history.get()
    assert (row.history_user, row.history_change_reason) == (
        admin_user,
        "Đăng ký theo hồ sơ số 13/2026",
    )


def test_the_enterprise_of_a_facility_is_found_by_its_name_without_diacritics(
    client, admin_user, own_enterprise, competitor_enterprise
):
    client.force_login(admin_user)
    client.post("/facilities/new/", facility_post("che tam duong"))
    assert Facility.objects.get(name="Xưởng sấy chè Bình Lư").enterprise == own_enterprise


def test_a_name_matching_several_enterprises_brings_the_choice(
    client, admin_user, own_enterprise, competitor_enterprise
):
    client.force_login(admin_user)
    response = client.post("/facilities/new/", facility_post("cong ty"))
    page = response.content.decode()
    assert "Có nhiều doanh nghiệp khớp với “cong ty”" in page
    assert f'name="enterprise_pick" value="{competitor_enterprise.pk}"' in page
    assert not Facility.objects.filter(name="Xưởng sấy chè Bình Lư").exists()
    client.post(
        "/facilities/new/",
        facility_post("cong ty", enterprise_pick=str(competitor_enterprise.pk)),
    )
    assert Facility.objects.get(name="Xưởng sấy chè Bình Lư").enterprise == competitor_enterprise


def test_an_unknown_enterprise_is_said_and_nothing_is_written(client, admin_user, own_enterprise):
    client.force_login(admin_user)
    response = client.post("/facilities/new/", facility_post("Không có công ty này"))
    assert any("Không tìm thấy doanh nghiệp" in e for e in errors_of(response))
    assert not Facility.objects.filter(name="Xưởng sấy chè Bình Lư").exists()


def test_a_facility_code_already_used_is_said_next_to_the_code(
    client, admin_user, own_facility, own_enterprise
):
    client.force_login(admin_user)
    response = client.post(
        "/facilities/new/", facility_post(own_enterprise.tax_code, code="TD-001")
    )
    assert 'data-field="code">Đã có cơ sở với mã này.' in response.content.decode()
    assert Facility.objects.count() == 1


def test_the_pickers_are_titled_by_what_they_list(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/facilities/new/").content.decode()
    assert '<label for="id_commune">Xã / Phường (từ 01/07/2025)</label>' in page
    assert '<label for="id_district">Huyện / Thành phố (trước 01/07/2025)</label>' in page
    assert ">Xã Bình Lư</option>" in page
    assert ">Tam Đường</option>" in page


def test_a_facility_edited_meanwhile_by_someone_else_is_not_overwritten(
    client, admin_user, auditor, own_facility
):
    client.force_login(admin_user)
    opened_at = own_facility.version
    with change_context(user=admin_user, reason="sửa ở tab khác"):
        own_facility.address = "Bản Nà Tăm"
        own_facility.save()
    response = client.post(
        f"/facilities/{own_facility.pk}/edit/",
        facility_post(
            own_facility.enterprise.tax_code,
            code="TD-001",
            name="Nhà máy chè Tam Đường",
            address="Bản Bình Lư",
            operating_since="01/01/2015",
            version=opened_at,
        ),
    )
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.content.decode()
    own_facility.refresh_from_db()
    assert own_facility.address == "Bản Nà Tăm"


def test_an_existing_facility_keeps_a_code(client, admin_user, own_facility):
    client.force_login(admin_user)
    response = client.post(
        f"/facilities/{own_facility.pk}/edit/",
        facility_post(
            own_facility.enterprise.tax_code,
            code="",
            name="Nhà máy chè Tam Đường",
            operating_since="01/01/2015",
            version=own_facility.version,
        ),
    )
    assert response.status_code == 200
    assert 'data-field="code">' in response.content.decode()
    own_facility.refresh_from_db()
    assert own_facility.code == "TD-001"


def test_editing_a_facility_records_the_reason(client, admin_user, own_facility):
    client.force_login(admin_user)
    response = client.post(
        f"/facilities/{own_facility.pk}/edit/",
        facility_post(
            own_facility.enterprise.tax_code,
            code="TD-001",
            name="Nhà máy chè Tam Đường",
            operating_since="01/01/2015",
            closed_on="01/01/2014",
            version=own_facility.version,
        ),
    )
    assert "Ngày ngừng hoạt động phải sau ngày đi vào hoạt động." in errors_of(response)
    response = client.post(
        f"/facilities/{own_facility.pk}/edit/",
        facility_post(
            own_facility.enterprise.tax_code,
            code="TD-001",
            name="Nhà máy chè Tam Đường",
            operating_since="01/01/2015",
            latitude="22,396",
            longitude="103,51",
            version=own_facility.version,
            reason="Bổ sung tọa độ",
        ),
    )
    assert response["Location"] == f"/facilities/{own_facility.pk}/"
    own_facility.refresh_from_db()
    assert str(own_facility.latitude) == "22.396000"
    assert own_facility.history.first().history_change_reason == "Bổ sung tọa độ"


# --- the facility page's edit links -----------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "links"),
    [("admin_user", True), ("auditor", False), ("inspector_tam_duong", False)],
)
def test_the_facility_page_has_edit_links_for_the_administrator_only(
    client, request, registry, persona, links
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(f"/facilities/{registry['own'].pk}/").content.decode()
    for url in (
        f"/facilities/{registry['own'].pk}/edit/",
        f"/facilities/{registry['own'].pk}/certificates/new/",
        f"/facilities/{registry['own'].pk}/measures/new/",
        f"/certificates/{registry['certificate'].pk}/edit/",
        f"/certificates/{registry['certificate'].pk}/revoke/",
        f"/measures/{registry['measure'].pk}/edit/",
    ):
        assert (f'href="{url}"' in page) == links, url


# --- certificates and measures -----------------------------------------------------------


def test_a_certificate_is_added_and_corrected_with_reasons(client, admin_user, registry):
    client.force_login(admin_user)
    facility = registry["own"]
    data = {
        "kind": "environmental_permit",
        "number": "GP-01/2026",
        "issuer": "UBND tỉnh Lai Châu",
        "issued_on": "01/06/2026",
        "valid_until": "01/06/2037",
        "reason": "Giấy phép mới",
    }
    response = client.post(f"/facilities/{facility.pk}/certificates/new/", data)
    assert "Giấy phép môi trường có thời hạn tối đa 10 năm" in " ".join(errors_of(response))
    assert not Certificate.objects.filter(number="GP-01/2026").exists()
    response = client.post(
        f"/facilities/{facility.pk}/certificates/new/", {**data, "valid_until": "31/05/2036"}
    )
    assert response["Location"] == f"/facilities/{facility.pk}/"
    permit = Certificate.objects.get(number="GP-01/2026")
    assert permit.history.get().history_change_reason == "Giấy phép mới"
    response = client.post(
        f"/certificates/{permit.pk}/edit/",
        {
            **data,
            "valid_until": "31/05/2036",
            "issuer": "Sở Nông nghiệp và Môi trường",
            "reason": "Sửa cơ quan cấp",
            "version": permit.version,
        },
    )
    permit.refresh_from_db()
    assert permit.issuer == "Sở Nông nghiệp và Môi trường"
    assert permit.history.first().history_user == admin_user


def test_a_measure_is_added_and_corrected_with_reasons(client, admin_user, registry):
    client.force_login(admin_user)
    facility = registry["own"]
    data = {
        "kind": "pollution_control",
        "category": "wastewater",
        "description": "Bể lắng nước thải 50 m³/ngày",
        "installed_on": "10/10/2026",
        "removed_on": "01/10/2026",
        "reason": "Theo biên bản nghiệm thu",
    }
    response = client.post(f"/facilities/{facility.pk}/measures/new/", data)
    assert "Ngày tháo dỡ không được trước ngày lắp đặt." in errors_of(response)
    assert facility.measures.count() == 1
    response = client.post(f"/facilities/{facility.pk}/measures/new/", {**data, "removed_on": ""})
    measure = CleanTechMeasure.objects.get(description__startswith="Bể lắng nước thải")
    assert measure.history.get().history_change_reason == "Theo biên bản nghiệm thu"
    client.post(
        f"/measures/{measure.pk}/edit/",
        {
            **data,
            "removed_on": "",
            "description": "Xử lý nước thải 60 m³/ngày",
            "reason": "Nâng công suất",
            "version": measure.version,
        },
    )
    measure.refresh_from_db()
    assert measure.description == "Xử lý nước thải 60 m³/ngày"
    assert measure.history.first().history_change_reason == "Nâng công suất"


# --- revoking a certificate: check your answers first ----------------------------------


def revoke_post(**overrides):
    return {"revoked_on": "15/11/2026", "revocation_reason": "Vi phạm xả thải", **overrides}


def test_revoking_first_shows_what_will_be_frozen(client, admin_user, registry):
    client.force_login(admin_user)
    certificate = registry["certificate"]
    url = f"/certificates/{certificate.pk}/revoke/"
    assert client.get(url).status_code == 200
    response = client.post(url, revoke_post())
    page = response.content.decode()
    assert "Xác nhận thu hồi giấy chứng nhận" in page
    assert "GCN-TD-001" in page
    assert '<dd id="confirm-revoked-on">15/11/2026</dd>' in page
    assert "không sửa được nữa" in page
    assert 'name="confirm" value="yes"' in page
    certificate.refresh_from_db()
    assert certificate.revoked_on is None


def test_only_the_confirm_button_revokes(client, admin_user, registry):
    client.force_login(admin_user)
    certificate = registry["certificate"]
    url = f"/certificates/{certificate.pk}/revoke/"
    response = client.post(url, {**revoke_post(), "confirm": "yes", "revoked_on": "2026-11-15"})
    assert response["Location"] == f"/facilities/{certificate.facility_id}/"
    certificate.refresh_from_db()
    assert certificate.revoked_on == datetime.date(2026, 11, 15)
    assert certificate.revocation_reason == "Vi phạm xả thải"
    row = certificate.history.first()
    assert (row.history_user, row.history_change_reason) == (
        admin_user,
        "thu hồi: Vi phạm xả thải",
    )
    # Revoked, it is frozen: no form to edit it or to revoke it again.
    assert client.get(url)["Location"] == f"/facilities/{certificate.facility_id}/"
    edit = client.get(f"/certificates/{certificate.pk}/edit/")
    assert edit["Location"] == f"/facilities/{certificate.facility_id}/"
    page = client.get(f"/facilities/{certificate.facility_id}/").content.decode()
    assert f'href="{url}"' not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"revocation_reason": ""}, "Cần ghi lý do thu hồi."),
        ({"revoked_on": "21/11/2026"}, "Ngày thu hồi không được sau hôm nay."),
        ({"revoked_on": "31/12/2022"}, "Ngày thu hồi không được trước ngày cấp."),
    ],
)
def test_a_wrong_revocation_is_refused_and_nothing_is_written(
    client, admin_user, registry, overrides, message
):
    client.force_login(admin_user)
    certificate = registry["certificate"]
    response = client.post(
        f"/certificates/{certificate.pk}/revoke/", {**revoke_post(**overrides), "confirm": "yes"}
    )
    assert message in errors_of(response)
    certificate.refresh_from_db()
    assert certificate.revoked_on is None


@pytest.mark.parametrize("persona", ["inspector_tam_duong", "auditor", "business_owner"])
def test_nobody_but_the_administrator_revokes(client, request, registry, persona):
    client.force_login(request.getfixturevalue(persona))
    certificate = registry["certificate"]
    response = client.post(
        f"/certificates/{certificate.pk}/revoke/", {**revoke_post(), "confirm": "yes"}
    )
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_on is None


# --- the Django admin in the interface language -------------------------------------------


def admin_labels(client, url: str, language: str) -> list[str]:
    """What the admin page names: section captions, row and column headers, the filters'
    titles and their headings (the facet switch)."""
    client.cookies["django_language"] = language
    page = client.get(url).content.decode()
    found = re.findall(
        r"<caption>(.*?)</caption>|<th scope=\"(?:row|col)\"[^>]*>(.*?)</th>"
        r"|<summary>(.*?)</summary>|<h3>(.*?)</h3>",
        page,
        re.S,
    )
    labels = (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", "".join(parts))).strip() for parts in found
    )
    return [label for label in labels if label]


def untranslated(client, url: str) -> list[str]:
    """Labels of ``url`` that read the same in Vietnamese and English: never translated."""
    vietnamese = admin_labels(client, url, "vi")
    english = admin_labels(client, url, "en")
    assert vietnamese and len(vietnamese) == len(english), url
    return [vi for vi, en in zip(vietnamese, english, strict=True) if vi == en]


def test_no_label_of_the_admin_is_left_untranslated(client, registry):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    lists = sorted(set(re.findall(r'<th scope="row"[^>]*>\s*<a href="(/admin/[^"]+/)"', index)))
    assert "/admin/excel/taskrun/" in lists
    assert len(lists) >= 15
    leftovers = {url: untranslated(client, url) for url in ["/admin/", *lists]}
    assert {url: labels for url, labels in leftovers.items() if labels} == {}


def test_a_new_account_is_made_in_vietnamese(client):
    """Django's account form has strings its Vietnamese catalogue lacks (locale/vi)."""
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    client.cookies["django_language"] = "vi"
    page = client.get("/admin/auth/user/add/").content.decode()
    assert "Đăng nhập bằng mật khẩu" in page and "Người dùng có đăng nhập được" in page
    for english in ("Password-based", "Enabled", "Disabled", "Whether the user", "Skip to main"):
        assert english not in page


def test_the_task_queue_is_listed_under_its_vietnamese_name(client):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    page = client.get("/admin/").content.decode()
    assert "Các lượt chạy tác vụ nền" in page
    assert "Task Results" not in page and "Tasks Database Backend" not in page
    assert "Tên mục" in page  # the hidden column header, from locale/vi


# --- the services themselves refuse, whatever page or script calls them -------------------


@pytest.mark.parametrize("persona", ["inspector_tam_duong", "auditor", "business_owner"])
def test_the_registry_services_refuse_anyone_but_the_administrator(request, registry, persona):
    from django.core.exceptions import PermissionDenied

    from compliance import services as compliance_services
    from facilities import services as facility_services

    user = request.getfixturevalue(persona)
    facility = registry["own"]
    with pytest.raises(PermissionDenied):
        facility_services.facility_update(
            facility=facility, user=user, reason="thử", name="Tên khác"
        )
    with pytest.raises(PermissionDenied):
        compliance_services.certificate_revoke(
            certificate=registry["certificate"],
            user=user,
            revoked_on=datetime.date(2026, 11, 1),
            revocation_reason="thử",
        )
    facility.refresh_from_db()
    assert facility.name == "Nhà máy chè Tam Đường"
    assert Certificate.objects.get(pk=registry["certificate"].pk).revoked_on is None


def test_a_blank_reason_is_refused_by_the_service_too(admin_user, own_facility):
    from django.core.exceptions import ValidationError

    from facilities import services as facility_services

    with pytest.raises(ValidationError) as refused:
        facility_services.facility_update(
            facility=own_facility, user=admin_user, reason=" \n ", name="Tên khác"
        )
    assert refused.value.message_dict == {"reason": ["Cần ghi lý do thay đổi."]}
    own_facility.refresh_from_db()
    assert own_facility.name == "Nhà máy chè Tam Đường"
