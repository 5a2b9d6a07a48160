"""The auditor's history pages in a browser: a card per change on a phone, with the
"who" cell labelled and the field diff still a small table; a plain table cell for
"who" on a desktop (the header's account block once had the same class name)."""

from __future__ import annotations

from tests.browser.conftest import LAPTOP, PHONE
from tests.web.conftest import registry  # noqa: F401  (the page tests' small registry)


def test_on_a_phone_each_change_is_a_card_with_its_who_and_diff(open_as, auditor, registry):  # noqa: F811
    page = open_as(auditor, viewport=PHONE)
    page.goto(f"/facilities/{registry['own'].pk}/history/")
    tab = page.locator(".tabs a[aria-current=page]")
    assert tab.inner_text() == "Lịch sử thay đổi"
    assert tab.bounding_box()["height"] >= 44
    row = page.locator("#facility-history tbody tr.change[data-model=finding]").first
    who = row.locator("td.who")
    assert who.evaluate("td => getComputedStyle(td, '::before').content") == '"Người thay đổi"'
    assert "Nguyễn Thị Hoa" in who.inner_text()
    cell = row.locator("table.diff td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_desktop_who_is_an_ordinary_column(open_as, auditor, registry):  # noqa: F811
    page = open_as(auditor, viewport=LAPTOP)
    page.goto("/changes/?facility=TD-001")
    who = page.locator("#changelog td.who").first
    assert who.evaluate("td => getComputedStyle(td).display") == "table-cell"
    header = page.locator("#changelog thead th").nth(1)
    # the column lines up with its header
    assert abs(who.bounding_box()["x"] - header.bounding_box()["x"]) < 1
    assert page.locator("#export").get_attribute("href").endswith("format=xlsx")
