"""The English translation is complete, current, and chosen only when asked for.

Source strings are Vietnamese (LANGUAGE_CODE "vi"); locale/en/LC_MESSAGES/django.po
carries the English. These tests fail when someone adds a Vietnamese string without
translating it, leaves an entry fuzzy, or breaks a placeholder in a translation.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import trans_real

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same exclusions as the Makefile's makemessages command (README).
IGNORED = [".venv", "tests", "bench", "staticfiles", "docs"]

# %(name)s, %s, %d, %%; {name} for str.format / DRF error_messages.
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
BRACES = re.compile(r"\{[^{}]*\}")
# Tags in strings marked for translation must survive translation unchanged.
HTML = re.compile(r"</?[a-zA-Z][^>]*>")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags.

    Enough of the format for files written by GNU gettext (what makemessages writes):
    comments, keywords followed by one C string, continuation lines of C strings.
    """
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            key, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if key.startswith("msgstr"):
                key = ("msgstr", int(index or 0))
                entry["msgstr"][key[1]] = text
            else:
                entry[key] = text
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += text
            else:
                entry[key] += text
    finish()
    return entries


def translations() -> list[dict]:
    """Every live entry but the header."""
    return [e for e in parse_po(PO) if e["msgid"] and not e["obsolete"]]


def placeholders(text: str) -> list[str]:
    return sorted(PERCENT.findall(text) + BRACES.findall(text) + HTML.findall(text))


def key(entry: dict) -> tuple[str, str]:
    return entry.get("msgctxt", ""), entry["msgid"]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """The .mo that Django reads, compiled from the .po when missing or older.

    `make test` compiles it first (`make messages`); this keeps a bare `pytest` run right.
    Compiled to a temporary name and renamed so that parallel workers never read half a file.
    """
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        partial = MO.with_name(f"django.{os.getpid()}.mo.tmp")
        subprocess.run(["msgfmt", "--check-format", "-o", str(partial), str(PO)], check=True)
        os.replace(partial, MO)
        # Catalogues already loaded in this process would still be the old ones.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = trans_real.Local()
    yield


def test_every_entry_has_an_english_translation_and_none_is_fuzzy():
    entries = translations()
    assert len(entries) > 500, "the catalogue lost most of its entries"
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_fill_both_english_forms():
    plurals = [e for e in translations() if "msgid_plural" in e]
    assert plurals, "the catalogue has plural entries (facility counts, rejected cells)"
    for entry in plurals:
        assert sorted(entry["msgstr"]) == [0, 1], entry["msgid"]
        assert all(entry["msgstr"].values()), entry["msgid"]


def test_translations_keep_every_placeholder_and_tag_of_the_source():
    broken = []
    for entry in translations():
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, text in entry["msgstr"].items():
            source = sources[min(index, 1)]
            if placeholders(source) != placeholders(text):
                broken.append((entry["msgid"], text))
    assert broken == []


def test_the_placeholder_check_notices_a_dropped_name():
    assert placeholders("Trang %(page)s / %(num_pages)s") != placeholders("Page %(page)s")
    assert placeholders("Mã “{input}”") != placeholders("Code “{code}”")
    assert placeholders("<b>Đạt</b>") != placeholders("Met")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch, settings):
    """makemessages into an empty locale directory, then compare with the committed .po.

    makemessages writes into the locale directory that sits beside the files it reads, so
    it runs in a temporary directory that links to the project's source directories (not
    to locale/, which it must not touch). Fails when a new or reworded Vietnamese string
    is not in the catalogue yet: run the makemessages command of the README and translate.
    """
    base = Path(settings.BASE_DIR)
    for entry in base.iterdir():
        if entry.name in IGNORED or entry.name == "locale" or entry.name.startswith("."):
            continue
        (tmp_path / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    locale = tmp_path / "locale"
    locale.mkdir()
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [str(locale)]
    call_command("makemessages", locale=["en"], symlinks=True, no_obsolete=True, verbosity=0)

    current = {key(e) for e in parse_po(locale / "en" / "LC_MESSAGES" / "django.po")}
    current.discard(("", ""))
    assert len(current) > 500
    committed = {key(e) for e in translations()}
    assert sorted(current - committed) == []


@pytest.mark.django_db
def test_vietnamese_is_the_default_when_nobody_asks_for_english(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="vi"' in body
    assert "Đăng nhập" in body
    assert "Log in" not in body


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_a_browser_set_to_english(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi"' in body
    assert "Đăng nhập" in body


@pytest.mark.django_db
def test_the_language_switch_turns_the_login_page_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in body
    assert "Log in" in body
    assert "Environmental compliance registry" in body
    assert "Đăng nhập" not in body


@pytest.mark.django_db
def test_the_dashboard_speaks_english_with_the_language_cookie(client, admin_user):
    client.force_login(admin_user)
    vietnamese = client.get("/dashboard/").content.decode()
    assert "Chỉ tiêu môi trường" in vietnamese

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/dashboard/").content.decode()
    assert "Environmental indicators" in english
    assert "Share of production and business establishments meeting" in english
    assert "Chỉ tiêu môi trường" not in english


@pytest.mark.django_db
def test_api_error_messages_follow_accept_language(client, admin_user):
    client.force_login(admin_user)
    url = reverse("indicators") + "?as_of=31-12-2020"

    default = client.get(url)
    assert default.status_code == 400
    assert "Ngày không hợp lệ" in default.content.decode()

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "Invalid date, expected YYYY-MM-DD" in english.content.decode()
