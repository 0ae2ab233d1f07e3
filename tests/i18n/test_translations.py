"""Translations must keep up with the code.

Every Japanese and German entry is translated, placeholders and markup survive, the compiled catalogues are
current, the catalogues hold every string of the source, and pages actually render in the chosen language.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"

# Language code -> (Plural-Forms header, number of plural forms, plural function).
LANGUAGES = {
    "ja": ("nplurals=1; plural=0;", 1, lambda n: 0),
    "de": ("nplurals=2; plural=(n != 1);", 2, lambda n: int(n != 1)),
}
# Sample counts for checking plural entries: singular, plural, zero, large.
PLURAL_SAMPLES = (1, 2, 0, 5, 21, 100)

# A printf-style placeholder as Python's %-formatting understands it (named or positional).
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
# A str.format() replacement field ("{{" and "}}" are literal braces and removed before matching).
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# HTML tags and character entities that must survive translation.
MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&#?\w+;")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"

    @property
    def mo_key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        raise AssertionError(f"{path}:{number}: expected a quoted string, got {text!r}")
    # PO strings use C escapes, which Python's string literal syntax covers for what gettext writes.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the PO files makemessages and msgmerge write (obsolete `#~` entries skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field that continuation lines extend
    seen_msgstr = False

    def finish() -> None:
        nonlocal current, target, seen_msgstr
        if current is not None and seen_msgstr:
            entries.append(current)
        current, target, seen_msgstr = None, None, False

    def store(name: str, index: int | None, value: str, append: bool) -> None:
        assert current is not None
        if name == "msgstr_plural":
            current.msgstr_plural[index] = (current.msgstr_plural.get(index, "") if append else "") + value
        else:
            setattr(current, name, ((getattr(current, name) or "") if append else "") + value)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = line.startswith("#") or keyword in ("msgctxt", "msgid")
        if starts_entry and seen_msgstr:
            finish()
        if current is None:
            current = Entry(line=number)
        if line.startswith("#"):
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation line without a keyword"
            store(*target, _unquote(line, path, number), append=True)
            continue
        if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            target = (keyword, None)
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            target = ("msgstr_plural", int(match.group(1)))
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
        if keyword == "msgid":
            current.line = number
        seen_msgstr = seen_msgstr or target[0] in ("msgstr", "msgstr_plural")
        store(*target, _unquote(rest, path, number), append=False)
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


@cache
def catalog(language: str) -> tuple[Entry, ...]:
    return tuple(parse_po(po_path(language)))


def messages(language: str) -> list[Entry]:
    return [entry for entry in catalog(language) if not entry.is_header]


def header(language: str) -> dict[str, str]:
    (entry,) = [entry for entry in catalog(language) if entry.is_header]
    fields = {}
    for line in entry.msgstr.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def placeholders(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group("conv") != "%")


def brace_placeholders(text: str) -> Counter[str]:
    return Counter(BRACE_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def markup(text: str) -> Counter[str]:
    return Counter(MARKUP.findall(text))


def translations_of(entry: Entry) -> list[str]:
    if entry.msgid_plural is None:
        return [entry.msgstr]
    return [text for _, text in sorted(entry.msgstr_plural.items())]


def expected_source(entry: Entry, language: str, index: int) -> str:
    """The English text a plural form stands for: the plural msgid, unless the form serves only n == 1."""
    _, nplurals, plural = LANGUAGES[language]
    if entry.msgid_plural is None:
        return entry.msgid
    serves_only_one = all(plural(n) != index for n in range(2, 200)) and plural(1) == index
    return entry.msgid if serves_only_one and nplurals > 1 else entry.msgid_plural


def translation_for(language: str, msgid: str) -> str:
    for entry in messages(language):
        if entry.msgid == msgid and entry.msgctxt is None and entry.msgid_plural is None:
            return entry.msgstr
    raise AssertionError(f"{msgid!r} is not in {po_path(language)}")


language_param = pytest.mark.parametrize("language", sorted(LANGUAGES))


# --- The catalogues themselves ------------------------------------------------------------------------------


@language_param
def test_header_declares_language_plural_forms_and_utf8(language):
    plural_forms, _, _ = LANGUAGES[language]
    fields = header(language)
    assert fields.get("Language") == language
    assert fields.get("Plural-Forms") == plural_forms
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    header_entry = next(entry for entry in catalog(language) if entry.is_header)
    assert "fuzzy" not in header_entry.flags, "the header is still marked fuzzy"


@language_param
def test_catalogue_is_not_empty(language):
    assert len(messages(language)) > 100


@language_param
def test_every_entry_is_translated(language):
    _, nplurals, _ = LANGUAGES[language]
    untranslated = []
    for entry in messages(language):
        if entry.msgid_plural is not None:
            if sorted(entry.msgstr_plural) != list(range(nplurals)) or not all(entry.msgstr_plural.values()):
                untranslated.append(entry.label)
        elif not entry.msgstr:
            untranslated.append(entry.label)
    assert not untranslated, f"{len(untranslated)} untranslated entries in {language}: {untranslated}"


@language_param
def test_no_entry_is_fuzzy(language):
    fuzzy = [entry.label for entry in messages(language) if "fuzzy" in entry.flags]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {language} (check and remove the flag): {fuzzy}"


@language_param
def test_placeholders_match(language):
    """%-style (python-format) and {}-style (python-brace-format) placeholders survive translation."""
    wrong = []
    for entry in messages(language):
        for flag, find in (("python-format", placeholders), ("python-brace-format", brace_placeholders)):
            if flag not in entry.flags:
                continue
            for index, text in enumerate(translations_of(entry)):
                if text and set(find(text)) != set(find(expected_source(entry, language, index))):
                    wrong.append(f"{entry.label} [{index}] -> {text!r}")
    assert not wrong, f"placeholders differ in {language}: {wrong}"


@language_param
def test_html_markup_is_kept(language):
    wrong = []
    for entry in messages(language):
        for index, text in enumerate(translations_of(entry)):
            source = expected_source(entry, language, index)
            if text and Counter(tag.split()[0] for tag in markup(text).elements()) != Counter(
                tag.split()[0] for tag in markup(source).elements()
            ):
                wrong.append(f"{entry.label} [{index}] -> {text!r}")
    assert not wrong, f"HTML tags or entities differ in {language}: {wrong}"


@language_param
def test_compiled_catalogue_matches_po(language):
    """django.mo must be compiled from the current django.po (run `make messages` or compilemessages)."""
    plural_forms, _, plural = LANGUAGES[language]
    path = mo_path(language)
    assert path.exists(), f"{path} is missing: run compilemessages"
    with path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("plural-forms") == plural_forms

    stale = []
    expected_keys = set()
    for entry in messages(language):
        if entry.msgid_plural is None:
            expected_keys.add(entry.mo_key)
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr:
                stale.append(f"{entry.label}: .mo has {got!r}")
        else:
            expected_keys.update((entry.mo_key, index) for index in entry.msgstr_plural)
            for n in PLURAL_SAMPLES:
                if entry.msgctxt:
                    got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                else:
                    got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                want = entry.msgstr_plural.get(plural(n))
                if got != want:
                    stale.append(f"{entry.label} (n={n}): .mo has {got!r}")
    # The .mo must not hold entries that are gone from the .po either (fuzzy entries are never compiled).
    compiled_keys = {key for key in compiled._catalog if key != ""}
    extra = sorted(map(str, compiled_keys - expected_keys))
    assert not stale, f"{path} is out of date with the .po: {stale[:20]}"
    assert not extra, f"{path} holds entries that are not in the .po: {extra[:20]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogues_cover_every_string_in_the_source(tmp_path):
    """Runs makemessages (as `make messages` does) on a copy of the tree: new strings must be in the .po."""
    skip = {"var", "tests", "build", "locale", "node_modules", "__pycache__"}

    def ignore(_directory: str, names: list[str]) -> list[str]:
        return [n for n in names if n in skip or n.startswith(".") or n.endswith((".egg-info", ".pyc"))]

    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / "locale").mkdir()
    command = [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"]
    for pattern in (".venv/*", "var/*", "tests/*", "build/*"):
        command += ["--ignore", pattern]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"makemessages failed: {result.stderr}"
    fresh = parse_po(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    extracted = {(e.msgctxt, e.msgid, e.msgid_plural) for e in fresh if not e.is_header}
    for language in sorted(LANGUAGES):
        present = {(e.msgctxt, e.msgid, e.msgid_plural) for e in messages(language)}
        missing = sorted(extracted - present, key=str)
        obsolete = sorted(present - extracted, key=str)
        assert not missing, f"{language}: source strings missing from the .po (`make messages`): {missing}"
        assert not obsolete, f"{language}: entries no longer in the source (`make messages`): {obsolete}"


# --- Django renders the translations ------------------------------------------------------------------------


@language_param
def test_dashboard_is_translated(language):
    expected = translation_for(language, "Dashboard")
    assert expected and expected != "Dashboard"
    with translation.override(language):
        assert translation.gettext("Dashboard") == expected
        rendered = Template('{% load i18n %}{% translate "Dashboard" %}').render(Context())
    assert rendered == expected


def test_dashboard_is_english_without_a_language():
    with translation.override("en"):
        assert translation.gettext("Dashboard") == "Dashboard"


@pytest.mark.parametrize(
    ("language", "script"),
    [("ja", re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")), ("de", re.compile(r"[äöüßÄÖÜ]"))],
)
def test_home_page_follows_the_language_cookie(language, script):
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert response.headers.get("Content-Language") == language
    for msgid in ("Battery passports and mutual certification for Catena-X and Ouranos", "Log in", "Sign up"):
        assert translation_for(language, msgid) in html, msgid
    assert script.search(html)
