"""Vietnamese by default even in an English browser; the switch changes it."""


def test_the_switch_turns_the_interface_english_and_back(open_as, db):
    page = open_as(None)
    page.goto("/login/")
    assert page.get_attribute("html", "lang") == "vi"
    # "Mật khẩu" is Django's own Vietnamese for the login form's "Password".
    assert page.inner_text("label[for=id_password]") == "Mật khẩu"
    assert page.inner_text("label[for=language]") == "Ngôn ngữ"

    page.select_option("#language", "en")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("label[for=id_password]") == "Password"
    assert "/login/" in page.url

    page.select_option("#language", "vi")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "vi"
