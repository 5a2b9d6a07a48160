"""Where a facility is on a date (the 2025 reform) and the three kinds of certificate,
each rule at its boundary (docs/geography.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compliance.choices import CertificateKind, CertificateStatus
from compliance.indicators import compute_indicators, facility_rows
from compliance.models import Certificate
from compliance.selectors import with_certificate_status
from facilities.choices import Activity
from tests.factories import CertificateFactory, FacilityFactory

BEFORE = datetime.date(2025, 6, 30)
AFTER = datetime.date(2025, 7, 1)
MEETS = "establishments_meeting_standards"
CERTIFIED = "businesses_certified"


def units(report, key):
    """{unit: population} of the first indicator's ``by_district`` or ``by_commune``."""
    unit = key.removeprefix("by_")
    return {row[unit]: row["population"] for row in report.to_dict()["indicators"][0][key]}


def test_the_unit_is_the_district_until_30_june_2025_and_the_commune_from_1_july(db):
    FacilityFactory(district_id="106", commune_id="03390")
    before = compute_indicators(BEFORE).to_dict()["indicators"][0]
    after = compute_indicators(AFTER).to_dict()["indicators"][0]
    assert "by_commune" not in before
    assert before["by_district"][0]["district"] == "106"
    assert [(r["commune"], r["population"]) for r in after["by_commune"]] == [("03390", 1)]
    # by_district is still given after the reform, by (former) district.
    assert [(r["district"], r["population"]) for r in after["by_district"]] == [("106", 1)]


def test_a_straddling_commune_with_no_recorded_district_has_no_district(db):
    FacilityFactory(code="TP", district=None, commune_id="03408")  # Tân Phong: 105 and 106
    after = compute_indicators(AFTER).to_dict()["indicators"][0]
    assert [(r["district"], r["population"]) for r in after["by_district"]] == [(None, 1)]
    assert [(r["commune"], r["population"]) for r in after["by_commune"]] == [("03408", 1)]
    assert compute_indicators(AFTER, district="105")[MEETS].population == 0
    assert compute_indicators(AFTER, district="106")[MEETS].population == 0
    assert compute_indicators(AFTER, commune="03408")[MEETS].population == 1
    assert facility_rows(MEETS, AFTER)[0].district is None


def test_a_straddling_commune_with_a_recorded_district_counts_in_that_district(db):
    FacilityFactory(district_id="105", commune_id="03408")
    assert compute_indicators(AFTER, district="105")[MEETS].population == 1
    assert compute_indicators(AFTER, district="106")[MEETS].population == 0


def test_a_commune_with_one_former_district_gives_the_district(db):
    FacilityFactory(district=None, commune_id="03390")  # Bình Lư: 106 only
    report = compute_indicators(BEFORE)
    assert units(report, "by_district") == {"106": 1}
    assert compute_indicators(BEFORE, district="106")[MEETS].population == 1
    assert facility_rows(MEETS, BEFORE, district="106")[0].district == "106"


def test_a_facility_with_no_commune_is_in_the_not_assigned_row_after_the_reform(db):
    FacilityFactory(code="OLD", district_id="109")
    FacilityFactory(code="NEW", district=None, commune_id="03549")
    after = compute_indicators(AFTER)
    assert units(after, "by_commune") == {"03549": 1, None: 1}
    # Both count in the province and in the former district of Phong Thổ.
    assert after[MEETS].population == 2
    assert units(after, "by_district") == {"109": 2}
    rows = {r.code: r.commune for r in facility_rows(MEETS, AFTER)}
    assert rows == {"OLD": None, "NEW": "03549"}


def test_the_series_and_the_figures_agree_across_the_reform(db):
    FacilityFactory(district=None, commune_id="03408", operating_since=datetime.date(2025, 7, 1))
    assert compute_indicators(BEFORE)[MEETS].population == 0
    assert compute_indicators(AFTER)[MEETS].population == 1


# --- the three kinds of certificate ---------------------------------------------------


def business(**kwargs):
    return FacilityFactory(activity=Activity.BUSINESS, **kwargs)


def cert(kind, issued, until, **kwargs):
    return CertificateFactory.build(kind=kind, issued_on=issued, valid_until=until, **kwargs)


def test_a_registration_has_no_valid_until_and_stays_valid_until_revoked(db):
    facility = business()
    registration = CertificateFactory(
        facility=facility,
        kind=CertificateKind.ENVIRONMENTAL_REGISTRATION,
        issued_on=datetime.date(2022, 1, 1),
        valid_until=None,
    )
    registration.full_clean()
    far = datetime.date(2040, 1, 1)
    status_on = with_certificate_status(Certificate.objects.filter(pk=registration.pk), far)
    assert status_on.get().status == CertificateStatus.VALID
    assert facility_rows(CERTIFIED, far)[0].counted is True
    assert facility_rows(CERTIFIED, datetime.date(2021, 12, 31))[0].reason == "no_certificate"


def test_a_revoked_registration_no_longer_counts(db):
    facility = business()
    CertificateFactory(
        facility=facility,
        kind=CertificateKind.ENVIRONMENTAL_REGISTRATION,
        issued_on=datetime.date(2022, 3, 1),
        valid_until=None,
        revoked_on=datetime.date(2024, 5, 1),
        revocation_reason="Thay bằng giấy phép môi trường",
    )
    assert facility_rows(CERTIFIED, datetime.date(2024, 4, 30))[0].counted is True
    assert facility_rows(CERTIFIED, datetime.date(2024, 5, 1))[0].reason == "certificate_revoked"


def test_a_registration_with_a_valid_until_is_refused(db):
    with pytest.raises(ValidationError) as error:
        cert(
            CertificateKind.ENVIRONMENTAL_REGISTRATION,
            datetime.date(2022, 1, 1),
            datetime.date(2030, 1, 1),
            facility=business(),
        ).full_clean()
    assert "valid_until" in error.value.message_dict


@pytest.mark.parametrize(
    "kind", [CertificateKind.ENVIRONMENTAL_PERMIT, CertificateKind.STANDARDS_CERTIFICATE]
)
def test_a_permit_or_a_standards_certificate_needs_a_valid_until(db, kind):
    with pytest.raises(ValidationError) as error:
        cert(kind, datetime.date(2022, 1, 1), None, facility=business()).full_clean()
    assert "valid_until" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(kind=kind, issued_on=datetime.date(2022, 1, 1), valid_until=None)


def test_a_permit_of_exactly_ten_years_is_accepted_and_one_a_day_longer_refused(db):
    facility = business()
    issued = datetime.date(2022, 3, 15)
    cert(
        CertificateKind.ENVIRONMENTAL_PERMIT, issued, datetime.date(2032, 3, 15), facility=facility
    ).full_clean()
    with pytest.raises(ValidationError) as error:
        cert(
            CertificateKind.ENVIRONMENTAL_PERMIT,
            issued,
            datetime.date(2032, 3, 16),
            facility=facility,
        ).full_clean()
    assert "valid_until" in error.value.message_dict


@pytest.mark.parametrize(
    "kind", [CertificateKind.ENVIRONMENTAL_PERMIT, CertificateKind.ENVIRONMENTAL_REGISTRATION]
)
def test_a_permit_or_registration_dated_2021_12_31_is_refused(db, kind):
    until = (
        None if kind == CertificateKind.ENVIRONMENTAL_REGISTRATION else datetime.date(2031, 1, 1)
    )
    facility = business()
    with pytest.raises(ValidationError) as error:
        cert(kind, datetime.date(2021, 12, 31), until, facility=facility).full_clean()
    assert "issued_on" in error.value.message_dict
    cert(kind, datetime.date(2022, 1, 1), until, facility=facility).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(
            facility=facility, kind=kind, issued_on=datetime.date(2021, 12, 31), valid_until=until
        )


def test_a_business_whose_old_certificate_expired_in_2023_counts_with_its_permit(db):
    facility = business()
    CertificateFactory(
        facility=facility,
        issued_on=datetime.date(2018, 6, 1),
        valid_until=datetime.date(2023, 5, 31),
    )
    CertificateFactory(
        facility=facility,
        kind=CertificateKind.ENVIRONMENTAL_PERMIT,
        issued_on=datetime.date(2023, 6, 1),
        valid_until=datetime.date(2033, 5, 31),
    )
    assert facility_rows(CERTIFIED, datetime.date(2023, 12, 31))[0].counted is True
    assert compute_indicators(datetime.date(2023, 12, 31))[CERTIFIED].numerator == 1
