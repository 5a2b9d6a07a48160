"""Every page carries a Content-Security-Policy that allows no inline script or style, and
no template needs one; the API docs page works under it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_no_template_has_inline_script_style_or_handler():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
                if INLINE.search(line) and "{% comment" not in line:
                    offenders.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/no-such-page/", "/api/v1/docs/"])
def test_pages_carry_a_policy_without_unsafe_inline(client, admin_user, url):
    client.force_login(admin_user)
    policy = directives(client.get(url))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy)


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_start_up_script_from_a_url(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    start_up = re.search(r'<script src="([^"]*\?script=[^"]*)"', page).group(1)
    script = client.get(start_up.replace("&amp;", "&"))
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
