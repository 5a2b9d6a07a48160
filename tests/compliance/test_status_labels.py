"""Compliance statuses and reasons have one set of words, shown everywhere."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook

from compliance.choices import ComplianceStatus, Reason, label_of
from compliance.filtersets import FacilityStatusFilterSet


@pytest.mark.parametrize("choices", [ComplianceStatus, Reason])
def test_every_status_and_reason_has_vietnamese_and_english_words(choices):
    for code, label in choices.choices:
        vietnamese = str(label)
        with translation.override("en"):
            english = str(label)
        assert vietnamese and english and vietnamese != english, code


def test_the_facility_filter_offers_the_statuses_in_the_same_words():
    field = FacilityStatusFilterSet().form.fields["compliance_status"]
    assert [c for c in field.choices if c[0]] == list(ComplianceStatus.choices)


def test_a_reason_of_an_older_version_shows_its_code_rather_than_nothing():
    assert label_of(Reason, "no_longer_a_reason") == "no_longer_a_reason"
    assert label_of(Reason, None) == ""
    assert label_of(Reason, Reason.NO_CERTIFICATE) == "Chưa có giấy chứng nhận"


@pytest.mark.django_db
def test_the_facility_export_shows_the_words_beside_the_codes(api_client, auditor, own_facility):
    with time_machine.travel(
        datetime.datetime(2021, 6, 1, 10, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False
    ):
        api_client.force_authenticate(auditor)
        response = api_client.get("/api/v1/facilities/export.xlsx")
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True)["Facilities"].values)
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    code_column = next(h for h in header if h.endswith("(compliance_status)"))
    label_column = next(h for h in header if h.startswith("Tình trạng tuân thủ (chữ)"))
    assert row[code_column] == ComplianceStatus.NOT_ASSESSED
    assert row[label_column] == "Chưa được kiểm tra"
