"""The error summary at the top of every form: each error a link to its field."""

import re

import pytest
from django import forms

from facilities.templatetags.envreg_forms import error_entries
from inspections.forms import FindingFormSet
from tests.web.test_pages import visit_post

pytestmark = pytest.mark.django_db


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_a_visit_with_errors_lists_each_of_them_as_a_link_to_its_field(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    response = client.post(
        f"/facilities/{registry['own'].pk}/inspections/new/",
        visit_post(**{"findings-0-deadline": "01/11/2026", "action": "finalize"}),
    )
    summary = summary_of(response.content.decode())
    assert "Cần sửa 2 chỗ dưới đây rồi gửi lại." in summary
    assert 'href="#id_outcome"' in summary
    assert 'href="#id_findings-0-deadline"' in summary
    assert "Thời hạn khắc phục, dòng 1: Thời hạn khắc phục không được trước" in summary
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary


def test_a_form_without_errors_has_no_summary(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    page = client.get(f"/facilities/{registry['own'].pk}/inspections/new/").content.decode()
    assert 'class="error-summary"' not in page


@pytest.mark.parametrize(
    ("persona", "url", "data", "field"),
    [
        ("inspector_tam_duong", "finding_resolve", {"resolved_on": "31/02/2026"}, "resolved_on"),
        ("admin_user", "dashboard", {"as_of": "hôm qua"}, "as_of"),
    ],
)
def test_other_forms_have_the_summary_too(client, request, registry, persona, url, data, field):
    client.force_login(request.getfixturevalue(persona))
    if url == "finding_resolve":
        response = client.post(f"/findings/{registry['finding'].pk}/resolve/", data)
    else:
        response = client.get("/dashboard/", data)
    assert f'href="#id_{field}"' in summary_of(response.content.decode())


def test_a_failed_login_says_so_at_the_top_of_the_form(client, inspector_tam_duong):
    response = client.post("/login/", {"username": "kiemtra106", "password": "sai"})
    assert "Cần sửa 1 chỗ dưới đây rồi gửi lại." in summary_of(response.content.decode())


def test_the_summary_script_is_a_static_file_loaded_with_defer(client, inspector_tam_duong):
    page = client.get("/login/").content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [
        '<script src="/static/js/error-summary.js" defer>',
        # Slashes typed into dates on a phone's number keyboard (docs/web.md).
        '<script src="/static/js/day-input.js" defer>',
    ]


def test_formset_rows_and_hidden_fields_are_named_in_the_summary():
    class Small(forms.Form):
        code = forms.CharField(label="Mã")
        token = forms.CharField(widget=forms.HiddenInput)

    entries = error_entries(Small(data={}), "Tệp quá lớn.", None)
    assert entries == [
        {"href": "#id_code", "label": "Mã", "text": "Trường này là bắt buộc."},
        {"href": "", "text": "Trường này là bắt buộc."},  # a hidden field has nothing to link
        {"href": "", "text": "Tệp quá lớn."},
    ]
    # A formset's own errors (a tampered management form) come first, without a link.
    [entry] = error_entries(FindingFormSet(data={"form-TOTAL_FORMS": "x"}))
    assert entry["href"] == "" and "ManagementForm" in entry["text"]


def test_a_mistyped_date_says_how_to_type_it(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    response = client.post(f"/findings/{registry['finding'].pk}/resolve/", {"resolved_on": "12-31"})
    summary = summary_of(response.content.decode())
    assert "Ngày khắc phục xong: Nhập ngày theo dạng ngày/tháng/năm, ví dụ 20/11/2026." in summary
