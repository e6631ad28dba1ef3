import gettext
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_in_indonesian_by_default(client_a, period):
    html = client_a.get("/").content.decode()
    assert '<html lang="id">' in html
    assert "Beranda" in html


def test_the_language_switch_changes_the_page_language(client_a, period):
    response = client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client_a.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Home" in html
    assert "Deadline" in html
    assert "Beranda" not in html


def test_the_language_switch_works_on_the_login_page(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    html = client.get("/akun/masuk/").content.decode()
    assert "Sign in" in html


def test_the_english_catalogue_translates_every_string():
    po = (Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po").read_text()
    entries = po.split("\n\n")[1:]
    untranslated = []
    for entry in entries:
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', entry.split("msgid_plural")[0].split("msgstr")[0], re.M))
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"', entry, re.M)
        if msgid and (not strs or not all(strs)) or "#, fuzzy" in entry:
            untranslated.append(msgid)
    assert not untranslated, untranslated[:10]


def test_the_compiled_catalogue_matches_the_po_file():
    folder = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    po = (folder / "django.po").read_text()
    singular = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', po, re.M)
    assert singular
    stale = [
        msgid for msgid, msgstr in singular if compiled.gettext(msgid.replace('\\"', '"')) != msgstr.replace('\\"', '"')
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client):
    html = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Masuk ke Evaluasi Smart City" in html
