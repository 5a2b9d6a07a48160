"""The layout on a 390×844 phone: a compact menu that marks the current page, and lists
whose primary action is on screen without sideways scrolling."""

from tests.browser.conftest import LAPTOP, PHONE


def test_on_a_phone_the_menu_is_collapsed_opens_and_marks_the_current_page(
    open_as, scene, inspector_tam_duong
):
    page = open_as(inspector_tam_duong, viewport=PHONE)
    page.goto("/facilities/")
    menu = page.locator("nav.site-nav details.menu")
    registry = page.locator("[data-nav=registry]")
    assert menu.get_attribute("open") is None
    assert not registry.is_visible()
    # Closed, the header is one short row: the brand and the menu button.
    assert page.locator(".site-header").bounding_box()["height"] <= 80

    summary = menu.locator("summary")
    box = summary.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    summary.click()
    assert registry.is_visible()
    assert registry.get_attribute("aria-current") == "page"
    assert page.locator("[data-nav=dashboard]").get_attribute("aria-current") is None
    assert all(a.bounding_box()["height"] >= 44 for a in page.locator(".nav a").all())

    registry_box = registry.bounding_box()
    assert registry_box["x"] >= 0 and registry_box["x"] + registry_box["width"] <= PHONE["width"]


def test_on_a_desktop_the_same_links_show_inline_without_a_menu_button(
    open_as, scene, inspector_tam_duong
):
    page = open_as(inspector_tam_duong, viewport=LAPTOP)
    page.goto("/worklist/")
    assert not page.locator("details.menu summary").is_visible()
    assert page.locator("[data-nav=registry]").is_visible()
    assert page.locator("[data-nav=worklist]").get_attribute("aria-current") == "page"
    # The links share one row.
    tops = {round(a.bounding_box()["y"]) for a in page.locator(".nav a").all()}
    assert len(tops) == 1, tops


def test_on_a_phone_a_lists_primary_action_is_on_screen_without_scrolling_sideways(
    open_as, scene, inspector_tam_duong
):
    page = open_as(inspector_tam_duong, viewport=PHONE)
    page.goto("/worklist/")
    row = page.locator("#worklist tr[data-kind=not_assessed]")
    action = row.get_by_role("link", name="Ghi nhận kiểm tra")
    # The filters are folded away: the most urgent row's action is on the first screen.
    first_action = page.locator("#worklist td.row-action a").first
    assert first_action.bounding_box()["y"] + 44 <= PHONE["height"], first_action.bounding_box()
    action.scroll_into_view_if_needed()
    box = action.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 44
    # Each row is a card with its labels; the page itself does not scroll sideways.
    first_cell = row.locator("td").first
    label = first_cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Loại việc"'
    assert page.locator("#worklist thead").bounding_box()["height"] <= 1  # for readers
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator("#worklist").locator("xpath=..")
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")
    # The count of each kind is a link as tall as a finger.
    for link in page.locator("#kind-counts a").all():
        assert link.bounding_box()["height"] >= 44
