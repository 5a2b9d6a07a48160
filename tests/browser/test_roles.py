"""Each role logs in and finds its own pages, and nothing of what is not theirs."""

from tests.browser.conftest import PHONE


def nav_entries(page) -> set[str]:
    return {a.get_attribute("data-nav") for a in page.locator("nav .nav a").all()}


def test_an_administrator_reaches_every_page_and_the_django_admin(open_as, scene, admin_user):
    page = open_as(admin_user)
    assert page.url.endswith("/dashboard/")
    assert nav_entries(page) >= {
        "dashboard",
        "registry",
        "worklist",
        "changelog",
        "reports",
        "imports",
        "admin",
    }
    page.click("[data-nav=admin]")
    assert "/admin/" in page.url


def test_an_inspector_sees_the_registry_but_records_visits_only_in_their_district(
    open_as, scene, inspector_tam_duong
):
    page = open_as(inspector_tam_duong)
    assert page.url.endswith("/worklist/")
    assert nav_entries(page) == {"dashboard", "registry", "worklist", "evidence", "reports"}
    assert "TD-001" in page.inner_text("#worklist tr[data-kind=not_assessed]")
    assert "PT-001" not in page.inner_text("main")
    # The other district's facility is readable, but no visit can be recorded there.
    page.goto(f"/facilities/{scene['competitor'].pk}/")
    assert page.locator("a[href$='/inspections/new/']").count() == 0
    response = page.goto(f"/facilities/{scene['competitor'].pk}/inspections/new/")
    assert response.status == 403


def test_a_business_owner_sees_only_the_own_enterprise_and_the_expiry_warning(
    open_as, scene, business_owner
):
    page = open_as(business_owner, viewport=PHONE)
    assert page.url.endswith("/portal/")
    assert nav_entries(page) == {"portal"}
    warning = page.locator("[data-expiry-warning=TD-001]")
    assert "GCN-TD-001" in warning.inner_text()
    assert "còn 40 ngày" in warning.inner_text()
    assert "PT-001" not in page.inner_text("main")
    assert page.goto(f"/facilities/{scene['competitor'].pk}/").status == 404
    assert page.goto("/facilities/").status == 403
    assert page.goto("/dashboard/").status == 403


def test_an_auditor_reads_everything_and_changes_nothing(open_as, scene, auditor):
    page = open_as(auditor)
    assert page.url.endswith("/dashboard/")
    assert nav_entries(page) == {"dashboard", "registry", "changelog", "reports"}
    page.click("[data-nav=changelog]")
    assert "dữ liệu ban đầu" in page.inner_text("#changelog")
    assert page.goto(f"/facilities/{scene['own'].pk}/inspections/new/").status == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(open_as, scene):
    page = open_as(None)
    page.goto("/dashboard/")
    assert "/login/" in page.url
