"""Validity rules of enterprises and facilities, as the user meets them.

Each rule is checked twice: model validation (``full_clean``, the message a form or the
API shows) and the database constraint (an IntegrityError when validation is bypassed).
"""

import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from facilities.history import bulk_create_with_reason
from facilities.models import District, Enterprise, Facility, Sector
from facilities.text import search_key
from tests.factories import EnterpriseFactory, FacilityFactory, valid_tax_code

pytestmark = pytest.mark.django_db

VALID = "0101245486"  # a real Hà Nội tax code; check digit 6


def messages(exc_info, field="__all__"):
    return exc_info.value.message_dict.get(field, [])


def enterprise(**fields):
    values = {"name": "Công ty TNHH Thử", "tax_code": VALID} | fields
    return Enterprise(**values)


def facility(**fields):
    values = {
        "code": "LC-T-1",
        "name": "Xưởng chè",
        "enterprise": fields.pop("enterprise", None) or EnterpriseFactory(),
        "activity": "production",
        "sector": Sector.objects.get(code="manufacturing"),
        "district": District.objects.get(code="106"),
        "operating_since": datetime.date(2015, 1, 1),
    } | fields
    return Facility(**values)


def insert_raw(model, **values):
    """Write with validation bypassed (``save`` only), in a savepoint."""
    with transaction.atomic():
        model(**values).save()


# --- tax code (mã số thuế) --------------------------------------------------------------


class TestTaxCode:
    def test_it_accepts_a_ten_digit_code_with_its_check_digit(self):
        enterprise(tax_code=VALID).full_clean()

    def test_it_rejects_a_wrong_check_digit_with_a_clear_message(self):
        with pytest.raises(ValidationError) as exc:
            enterprise(tax_code="0101245487").full_clean()
        assert messages(exc, "tax_code") == [
            "Mã số thuế 0101245487 không hợp lệ: sai chữ số kiểm tra"
        ]

    @pytest.mark.parametrize("bad", ["010124548", "01012454861", "0101245486-01", "ABCDEFGHIJ"])
    def test_it_rejects_a_wrong_length_or_form(self, bad):
        with pytest.raises(ValidationError) as exc:
            enterprise(tax_code=bad).full_clean()
        assert messages(exc, "tax_code") == [
            f"Mã số thuế {bad} không hợp lệ: cần 10 chữ số, hoặc 13 chữ số dạng 0123456789-001"
        ]

    def test_it_accepts_a_branch_code_and_stores_it_with_a_dash(self):
        branch = enterprise(tax_code="0101245486001")
        branch.full_clean()
        branch.save()
        branch.refresh_from_db()
        assert branch.tax_code == "0101245486-001"

    def test_it_stores_spaced_or_dotted_input_in_the_canonical_form(self):
        e = EnterpriseFactory(tax_code=" 01.01.245.486 ")
        e.refresh_from_db()
        assert e.tax_code == "0101245486"

    def test_the_branch_number_000_is_rejected(self):
        with pytest.raises(ValidationError) as exc:
            enterprise(tax_code="0101245486-000").full_clean()
        assert "tax_code" in exc.value.message_dict

    def test_the_database_refuses_a_wrong_check_digit(self):
        with pytest.raises(IntegrityError):
            insert_raw(Enterprise, name="X", tax_code="0101245487")

    @pytest.mark.parametrize("bad", ["010124548", "0101245486001x", "0101245486-1", "0100000000"])
    def test_the_database_refuses_a_malformed_code(self, bad):
        with pytest.raises(IntegrityError):
            insert_raw(Enterprise, name="X", tax_code=bad)

    def test_the_database_refuses_branch_000(self):
        with pytest.raises(IntegrityError):
            insert_raw(Enterprise, name="X", tax_code="0101245486-000")

    def test_the_database_accepts_every_code_stdnum_accepts(self):
        for n in range(1, 40):
            insert_raw(Enterprise, name=f"E{n}", tax_code=valid_tax_code(n))
        assert Enterprise.objects.count() == 39


# --- uniques ----------------------------------------------------------------------------


class TestUniqueTaxCode:
    def test_a_second_enterprise_with_the_same_tax_code_gets_a_clear_message(self):
        EnterpriseFactory(tax_code=VALID)
        with pytest.raises(ValidationError) as exc:
            enterprise(tax_code=VALID).full_clean()
        assert messages(exc) == ["Đã có doanh nghiệp với mã số thuế này."]

    def test_the_same_branch_typed_without_dash_is_still_a_duplicate(self):
        EnterpriseFactory(tax_code="0101245486-001")
        with pytest.raises(ValidationError) as exc:
            enterprise(tax_code="0101245486001").full_clean()
        assert messages(exc) == ["Đã có doanh nghiệp với mã số thuế này."]

    def test_the_database_refuses_a_duplicate_tax_code(self):
        EnterpriseFactory(tax_code=VALID)
        with pytest.raises(IntegrityError):
            insert_raw(Enterprise, name="Trùng", tax_code=VALID)

    def test_a_branch_is_not_a_duplicate_of_its_head_office(self):
        EnterpriseFactory(tax_code=VALID)
        enterprise(tax_code=VALID + "-002").full_clean()


class TestUniqueFacilityCode:
    def test_a_second_facility_with_the_same_code_gets_a_clear_message(self):
        FacilityFactory(code="LC-T-1")
        with pytest.raises(ValidationError) as exc:
            facility(code="LC-T-1").full_clean()
        assert messages(exc) == ["Đã có cơ sở với mã này."]

    def test_the_database_refuses_a_duplicate_facility_code(self):
        existing = FacilityFactory(code="LC-T-1")
        with pytest.raises(IntegrityError):
            facility(code="LC-T-1", enterprise=existing.enterprise).save()


# --- facility dates ---------------------------------------------------------------------

CLOSED_MESSAGE = "Ngày ngừng hoạt động phải sau ngày đi vào hoạt động."


class TestClosedAfterOperating:
    @pytest.mark.parametrize("closed_on", [datetime.date(2015, 1, 1), datetime.date(2014, 12, 31)])
    def test_closing_on_or_before_the_first_day_is_refused(self, closed_on):
        with pytest.raises(ValidationError) as exc:
            facility(closed_on=closed_on).full_clean()
        assert messages(exc, "closed_on") == [CLOSED_MESSAGE]

    def test_closing_the_day_after_opening_is_accepted(self):
        facility(closed_on=datetime.date(2015, 1, 2)).full_clean()

    def test_a_closing_date_without_an_operating_date_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            facility(operating_since=None, closed_on=datetime.date(2015, 1, 2)).full_clean()
        assert messages(exc, "closed_on") == [CLOSED_MESSAGE]

    @pytest.mark.parametrize(
        ("operating_since", "closed_on"),
        [
            (datetime.date(2015, 1, 1), datetime.date(2015, 1, 1)),
            (datetime.date(2015, 1, 1), datetime.date(2014, 1, 1)),
            (None, datetime.date(2015, 1, 1)),
        ],
    )
    def test_the_database_refuses_it_too(self, operating_since, closed_on):
        f = facility(operating_since=operating_since, closed_on=closed_on)
        with pytest.raises(IntegrityError), transaction.atomic():
            f.save()

    def test_the_database_accepts_the_day_after(self):
        facility(closed_on=datetime.date(2015, 1, 2)).save()


# --- coordinates ------------------------------------------------------------------------


class TestCoordinates:
    @pytest.mark.parametrize(
        ("lat", "lon"),
        [("8.0", "102.1"), ("23.4", "109.5"), ("22.396", "103.458"), ("8.0", "109.5")],
    )
    def test_points_inside_vietnam_and_on_its_edges_are_accepted(self, lat, lon):
        f = facility(latitude=Decimal(lat), longitude=Decimal(lon))
        f.full_clean()
        f.save()

    @pytest.mark.parametrize(
        ("lat", "lon", "field", "message"),
        [
            (
                "7.999999",
                "105",
                "latitude",
                "Vĩ độ phải trong khoảng 8,0–23,4 (lãnh thổ Việt Nam).",
            ),
            (
                "23.400001",
                "105",
                "latitude",
                "Vĩ độ phải trong khoảng 8,0–23,4 (lãnh thổ Việt Nam).",
            ),
            (
                "21",
                "102.099999",
                "longitude",
                "Kinh độ phải trong khoảng 102,1–109,5 (lãnh thổ Việt Nam).",
            ),
            (
                "21",
                "109.500001",
                "longitude",
                "Kinh độ phải trong khoảng 102,1–109,5 (lãnh thổ Việt Nam).",
            ),
            ("48.85", "2.35", "latitude", "Vĩ độ phải trong khoảng 8,0–23,4 (lãnh thổ Việt Nam)."),
        ],
    )
    def test_points_outside_are_refused_with_the_range(self, lat, lon, field, message):
        with pytest.raises(ValidationError) as exc:
            facility(latitude=Decimal(lat), longitude=Decimal(lon)).full_clean()
        assert messages(exc, field) == [message]

    @pytest.mark.parametrize(
        ("lat", "lon"),
        [("7.999999", "105"), ("23.400001", "105"), ("21", "102.099999"), ("21", "109.500001")],
    )
    def test_the_database_refuses_points_outside(self, lat, lon):
        f = facility(latitude=Decimal(lat), longitude=Decimal(lon))
        with pytest.raises(IntegrityError), transaction.atomic():
            f.save()

    def test_a_latitude_without_longitude_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            facility(latitude=Decimal("22.3")).full_clean()
        assert messages(exc, "longitude") == ["Cần có đủ cả vĩ độ và kinh độ."]
        f = facility(latitude=Decimal("22.3"))
        with pytest.raises(IntegrityError), transaction.atomic():
            f.save()


# --- Unicode NFC and the search key -----------------------------------------------------


class TestNormalisation:
    def test_a_name_typed_with_combining_accents_is_stored_precomposed(self):
        decomposed = unicodedata.normalize("NFD", "Công ty Thủy điện Nậm Na")
        assert decomposed != "Công ty Thủy điện Nậm Na"
        e = EnterpriseFactory(name=decomposed)
        e.refresh_from_db()
        assert e.name == "Công ty Thủy điện Nậm Na"
        assert Enterprise.objects.filter(name="Công ty Thủy điện Nậm Na").count() == 1

    def test_lai_chau_without_accents_finds_the_accented_name(self):
        FacilityFactory(name="Nhà máy chè Lai Châu")
        FacilityFactory(name="Mỏ đá Phong Thổ")
        found = Facility.objects.filter(search_key__contains=search_key("lai chau"))
        assert [f.name for f in found] == ["Nhà máy chè Lai Châu"]

    def test_d_finds_d_with_stroke_in_either_case(self):
        FacilityFactory(name="Đội chế biến đá")
        assert Facility.objects.filter(search_key__contains=search_key("doi che bien da")).exists()
        assert Facility.objects.filter(search_key__contains=search_key("ĐỘI")).exists()

    def test_the_search_key_follows_an_edit(self):
        f = FacilityFactory(name="Xưởng cũ")
        f.name = "Xưởng Tân Uyên"
        f.save()
        f.refresh_from_db()
        assert "tan uyen" in f.search_key

    def test_search_keys_are_written_by_bulk_writes_too(self):
        e = EnterpriseFactory()
        [created] = bulk_create_with_reason(
            Facility,
            [facility(code="B-1", name=unicodedata.normalize("NFD", "Sìn Hồ"), enterprise=e)],
            reason="test",
        )
        created.refresh_from_db()
        assert created.name == "Sìn Hồ"
        assert "sin ho" in created.search_key


vietnamese = st.text(
    alphabet=st.sampled_from(
        list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ áàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữự-")
    )
    | st.characters(),
    max_size=40,
)


@given(vietnamese)
def test_search_key_is_idempotent(text):
    assert search_key(search_key(text)) == search_key(text)


@given(vietnamese)
def test_search_key_is_the_same_for_nfc_and_nfd_input(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert search_key(nfc) == search_key(nfd)


@given(vietnamese)
def test_search_key_has_no_vietnamese_diacritics(text):
    key = search_key(text)
    assert not set(key) & set("ăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữựĐ")
