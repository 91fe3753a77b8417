"""The Bangla translation: the language switch, the panel and service messages in Bangla, and
the translation catalog itself (complete, placeholders intact, the committed .mo up to date)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from netbill.core.choices import Role
from netbill.core.menu import MENU
from netbill.core.testing import db_state, make_customer
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer, CustomerStatusChange

LC_MESSAGES = Path(settings.BASE_DIR) / "netbill" / "locale" / "bn" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

LANGUAGE_FORM = re.compile(r'(<form[^>]*data-testid="language-form"[^>]*>)(.*?)</form>', re.S)
MENU_ITEM = re.compile(r'data-menu="([^"]+)"><span class="nav-link-title">([^<]*)</span>')


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """LocaleMiddleware activates the request's language for the whole thread; reset it so
    later tests that call services directly see English again."""
    yield
    translation.deactivate()


def menu_labels(response) -> dict[str, str]:
    return dict(MENU_ITEM.findall(response.content.decode()))


def errors_for(response, field: str) -> list[str]:
    return re.findall(rf'data-error-for="{field}">([^<]*)<', response.content.decode())


def switch_language(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


# --- the language switch ----------------------------------------------------------------------


def test_group_admin_who_picks_bangla_gets_the_menu_in_bangla(client, world):
    client.force_login(world.admin)

    switched = switch_language(client, "bn", next_url=reverse("customers:list"))
    response = client.get(reverse("core:dashboard"))

    assert switched.status_code == 302
    assert switched["Location"] == reverse("customers:list")
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "bn"
    assert response.status_code == 200
    labels = menu_labels(response)
    assert labels["core:dashboard"] == "ড্যাশবোর্ড"
    assert labels["customers:list"] == "গ্রাহক"
    assert labels["customers:create"] == "গ্রাহক যোগ করুন"
    menu_html = response.content.decode().split('data-testid="menu"')[1].split("</ul>")[0]
    assert "Dashboard" not in menu_html
    assert "Customers" not in menu_html
    assert "লগআউট" in response.content.decode()


def test_group_admin_who_switches_back_to_english_gets_the_english_menu(client, world):
    client.force_login(world.admin)
    switch_language(client, "bn")

    switched = switch_language(client, "en")
    response = client.get(reverse("core:dashboard"))

    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    labels = menu_labels(response)
    assert labels["core:dashboard"] == "Dashboard"
    assert labels["customers:list"] == "Customers"


def test_panel_header_offers_every_language_and_returns_to_the_current_page(client, world):
    client.force_login(world.admin)

    html = client.get(reverse("customers:list"), {"q": "rahim"}).content.decode()

    tag, form = LANGUAGE_FORM.search(html).groups()
    assert 'action="/i18n/setlang/"' in tag
    assert 'name="next" value="/customers/?q=rahim"' in form
    assert re.findall(r'<option value="([^"]+)"', form) == ["en", "bn"]
    assert '<option value="en" lang="en" selected>English</option>' in form
    assert '<option value="bn" lang="bn">বাংলা</option>' in form


def test_login_page_switches_to_bangla_without_logging_in(client, db):
    login_url = reverse("accounts:login")

    before = client.get(login_url).content.decode()
    switched = switch_language(client, "bn", next_url=login_url)
    after = client.get(login_url).content.decode()

    assert 'data-testid="language-form"' in before
    assert "Log in to your account" in before
    assert switched.status_code == 302
    assert switched["Location"] == login_url
    assert "আপনার অ্যাকাউন্টে লগইন করুন" in after
    assert "Log in to your account" not in after
    assert '<option value="bn" lang="bn" selected>বাংলা</option>' in after


def test_unknown_language_is_ignored_and_the_panel_stays_english(client, world):
    client.force_login(world.admin)

    switched = switch_language(client, "xx")
    response = client.get(reverse("core:dashboard"))

    assert settings.LANGUAGE_COOKIE_NAME not in switched.cookies
    assert menu_labels(response)["core:dashboard"] == "Dashboard"


# --- service messages -------------------------------------------------------------------------


def test_duplicate_username_error_from_the_service_is_shown_in_bangla(client, world):
    make_customer(world, owner=world.operator2, username="rahim")
    client.force_login(world.admin)
    switch_language(client, "bn")
    before = db_state(Customer, CustomerStatusChange)

    response = client.post(
        reverse("customers:create"),
        {
            "customer_type": "pppoe_monthly",
            "owner": world.operator.pk,
            "name": "Rahim Uddin",
            "mobile": "01711000001",
            "package": world.package.pk,
            "billing_profile": world.monthly.pk,
            "username": "rahim",
            "password": "",
            "zone": world.zone.pk,
        },
    )

    assert response.status_code == 400
    assert errors_for(response, "username") == ["“rahim” ইউজারনেমটি আগেই নেওয়া হয়েছে।"]
    assert db_state(Customer, CustomerStatusChange) == before


def test_billing_profile_error_names_the_choices_in_bangla(client, world):
    client.force_login(world.operator)
    switch_language(client, "bn")

    response = client.post(
        reverse("customers:create"),
        {
            "customer_type": "pppoe_daily",
            "name": "Rahim Uddin",
            "mobile": "01711000001",
            "package": world.package.pk,
            "billing_profile": world.monthly.pk,
            "username": "rahim",
            "password": "",
        },
    )

    assert response.status_code == 400
    assert errors_for(response, "billing_profile") == [
        "PPPoE + দৈনিক বিলিং গ্রাহকের জন্য দৈনিক (প্রিপেইড) বিলিং প্রোফাইল লাগবে।"
    ]
    assert not Customer.objects.exists()


# --- the catalog --------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    """A .po string literal uses C escapes; as a Python literal it reads the same."""
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt/msgid/msgid_plural/msgstr/msgstr[n] and flags.

    Obsolete entries (``#~``) are ignored; continuation lines extend the last keyword."""
    entries: list[dict] = []
    entry: dict = {}
    keyword = None

    def finish():
        nonlocal entry, keyword
        if "msgid" in entry:
            entries.append(entry)
        entry, keyword = {}, None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if keyword is not None:
                finish()
            if line.startswith("#,"):
                entry.setdefault("flags", set()).update(
                    f.strip() for f in line[2:].split(",") if f.strip()
                )
        elif line.startswith('"'):
            entry[keyword] += _unquote(line)
        else:
            name, _, rest = line.partition(" ")
            if name == "msgctxt" or (name == "msgid" and keyword and keyword != "msgctxt"):
                finish()
            keyword = name
            entry[keyword] = _unquote(rest)
    finish()
    return entries


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [v for k, v in sorted(entry.items()) if k.startswith("msgstr[")]
    return [entry["msgstr"]]


NAMED = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifr]")
POSITIONAL = re.compile(r"%[#0\- +]*\d*(?:\.\d+)?[sdifr]")
BRACED = re.compile(r"\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> tuple[set[str], int, list[str]]:
    """Named %(x)s names and {x} fields, the count of positional %s, and the HTML tags."""
    text_without_escapes = text.replace("%%", "")
    named = set(NAMED.findall(text_without_escapes)) | set(BRACED.findall(text_without_escapes))
    positional = len(POSITIONAL.findall(text_without_escapes))
    return named, positional, sorted(TAG.findall(text))


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    entries = [e for e in parse_po(PO_PATH) if e["msgid"]]
    assert len(entries) > 500
    return entries


def test_po_parser_reads_multiline_and_plural_entries(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: bn\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello %(name)s, "\n"welcome"\n'
        'msgstr "স্বাগতম %(name)s"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s দিন"\n'
        'msgstr[1] ""\n\n#~ msgid "old"\n#~ msgstr "পুরোনো"\n',
        encoding="utf-8",
    )

    entries = parse_po(po)

    assert [e["msgid"] for e in entries] == ["", "Hello %(name)s, welcome", "%(n)s day"]
    assert entries[0]["msgstr"] == "Language: bn\n"
    assert entries[1]["flags"] == {"fuzzy", "python-format"}
    assert translations(entries[2]) == ["%(n)s দিন", ""]


def test_every_msgid_has_a_bangla_translation(po_entries):
    untranslated = [e["msgid"] for e in po_entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e.get("flags", ())]

    assert untranslated == []
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_and_tags_of_its_msgid(po_entries):
    mismatched = []
    for entry in po_entries:
        expected = placeholders(entry.get("msgid_plural", entry["msgid"]))
        if "msgid_plural" in entry:
            assert placeholders(entry["msgid"])[0] <= expected[0], entry["msgid"]
        for text in translations(entry):
            if placeholders(text) != expected:
                mismatched.append((entry["msgid"], text))

    assert mismatched == []


def test_translation_header_declares_bangla_and_its_plural_forms():
    header = parse_po(PO_PATH)[0]

    assert header["msgid"] == ""
    assert "Language: bn\n" in header["msgstr"]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]


def test_committed_mo_matches_the_po(po_entries):
    """CI has no gettext: the .mo in the tree is what users get, so it must be compiled from
    the current .po."""
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog

    stale = []
    for entry in po_entries:
        if "msgid_plural" in entry:
            for n, text in enumerate(translations(entry)):
                if catalog.get((entry["msgid"], n)) != text:
                    stale.append(entry["msgid"])
        elif catalog.get(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    extra = {k if isinstance(k, str) else k[0] for k in catalog} - {e["msgid"] for e in po_entries}

    assert stale == []
    assert extra == {""}


def test_menu_roles_and_customer_choices_are_in_the_catalog(po_entries):
    translated = {e["msgid"] for e in po_entries if all(translations(e))}
    with translation.override("en"):
        key_msgids = {str(label) for label, _url, _rule in MENU}
        for choices in (Role, CustomerStatus, CustomerType):
            key_msgids |= {str(label) for label in choices.labels}

    assert sorted(key_msgids - translated) == []


def test_choice_labels_render_in_bangla_under_the_bangla_language():
    with translation.override("bn"):
        labels = {
            "role": str(Role.GROUP_ADMIN.label),
            "status": str(CustomerStatus.SUSPENDED.label),
            "type": str(CustomerType.STATIC_MONTHLY.label),
        }

    assert labels == {
        "role": "গ্রুপ অ্যাডমিন",
        "status": "স্থগিত",
        "type": "স্ট্যাটিক IP + মাসিক বিলিং",
    }
