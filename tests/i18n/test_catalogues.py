"""The catalogues: complete, placeholders intact, and every help page with no English left.

When a message or help text changes, ``python -m clr.cli.catalogues`` updates the
catalogues; ``test_no_message_is_missing_or_fuzzy`` then lists exactly the msgids still to
translate in each language.
"""

from __future__ import annotations

import gettext
import io
import re
import string
from typing import Any

import pytest
import typer.main

from clr import i18n
from clr.cli import _i18n, catalogues, full_app, main
from clr.cli._registry import COMMANDS
from clr.i18n import catalogue

LANGUAGES = i18n.LANGUAGES[1:]


@pytest.fixture(scope="module")
def wanted() -> dict[str, catalogues.Message]:
    return catalogues.collect()


def _entries(lang: str) -> list[catalogue.Entry]:
    return catalogue.parse(i18n.po_path(lang).read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_missing_or_fuzzy(lang: str, wanted: dict[str, catalogues.Message]) -> None:
    entries = {e.msgid: e for e in _entries(lang) if e.msgid}
    missing = [m for m in wanted if m not in entries]
    untranslated = [m for m in wanted if m in entries and not entries[m].translated]
    assert not missing, (
        f"not in {i18n.po_path(lang).name} ({lang}): run python -m clr.cli.catalogues, "
        "then translate:\n" + "\n".join(missing)
    )
    assert not untranslated, f"untranslated or fuzzy in {lang}:\n" + "\n".join(untranslated)


def _fields(text: str) -> list[str]:
    found = [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    found += re.findall(r"%\(\w+\)[sd]|%[sd]", text)
    return sorted(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    wrong = []
    for entry in _entries(lang):
        if not entry.msgid or not entry.translated:
            continue
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if entry.plural is None
            else [(entry.plural, form) for form in entry.plurals]
        )
        for source, translation in pairs:
            if _fields(source) != _fields(translation):
                wrong.append(f"{source!r}: {translation!r}")
            elif "{" in source and not source.startswith("%"):
                names = [n for _, n, _, _ in string.Formatter().parse(source) if n]
                values = {n.split("!")[0].split(".")[0]: "x" for n in names}
                try:
                    translation.format(**values)
                except (KeyError, IndexError, ValueError) as exc:
                    wrong.append(f"{translation!r} does not format: {exc}")
    assert not wrong, f"{lang}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_says_what_the_po_says(lang: str) -> None:
    entries = _entries(lang)
    compiled = gettext.GNUTranslations(io.BytesIO(catalogue.compile_mo(entries)))
    parsed = catalogue.translations(entries)
    for entry in entries:
        if entry.msgid and entry.translated and entry.plural is None:
            assert compiled.gettext(entry.msgid) == parsed.gettext(entry.msgid) == entry.msgstr
        elif entry.plural is not None and entry.translated:
            for n in (1, 2, 5):
                assert compiled.ngettext(entry.msgid, entry.plural, n) == parsed.ngettext(
                    entry.msgid, entry.plural, n
                )


def test_a_fuzzy_or_empty_translation_counts_as_missing() -> None:
    entries = catalogue.parse(
        '#, fuzzy\nmsgid "Print the version."\nmsgstr "Afficher"\n\nmsgid "Usage:"\nmsgstr ""\n'
    )
    assert [e.translated for e in entries] == [False, False]
    i18n.activate("fr")
    assert catalogue.translations(entries).gettext("Print the version.") == "Print the version."


def _own_texts(command: Any) -> list[str]:
    """The help msgids shown on a command's own page (not its subcommands', nor hidden ones)."""
    texts = _i18n.paragraphs(command.help) + _i18n.paragraphs(command.epilog)
    for param in command.params:
        if not getattr(param, "hidden", False):
            texts += _i18n.paragraphs(getattr(param, "help", None))
    return texts


@pytest.fixture(scope="module")
def pages() -> dict[tuple[str, ...], list[str]]:
    """Every help page (root, commands, subcommands) and the English texts it shows."""
    i18n.activate("en")
    root = typer.main.get_command(full_app())
    found: dict[tuple[str, ...], list[str]] = {(): _own_texts(root)}
    for name in COMMANDS:
        command = root.get_command(None, name)  # type: ignore[attr-defined]
        found[(name,)] = _own_texts(command)
        for sub_name, sub in getattr(command, "commands", {}).items():
            found[(name, sub_name)] = _own_texts(sub)
    return found


_ENGLISH_ONLY_WORDS = (
    "the and with which when this that these those from only every each into than "
    "should would must them their there where without while whose is are was not of "
    "to it be by been has have any your you yet also here its"
)
ENGLISH_ONLY = frozenset(_ENGLISH_ONLY_WORDS.split())
"""Words of English prose that are no word of French, Spanish or Portuguese: a help page in
those languages shows none of them outside a quoted example. (Metavars such as FILE or
PATH=VALUE and option values such as ``young-worker`` are command syntax, kept as typed.)"""

CLICK_HEADINGS = {
    "fr": ("Commands:", "Error:"),
    "es": ("Commands:", "Options:", "Arguments:", "Error:"),
    "pt-BR": ("Commands:", "Options:", "Arguments:", "Error:"),
}
"""Click's own headings that must read in the language ("Options:" is French as well)."""


def _english_words(page: str, lang: str) -> list[str]:
    """English words and click headings ``page`` shows outside quotes and code."""
    prose = re.sub(r'"[^"]*"|`[^`]*`|“[^”]*”|«[^»]*»', " ", page)
    prose = re.sub(r"\S*[/.=_<>-]\S*", " ", prose)  # paths, options, file and field names
    found = [w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH_ONLY]
    found += [h for h in CLICK_HEADINGS[lang] if h in page]
    return sorted(set(found))


def _flat(text: str) -> str:
    """Text with its line breaks undone (click breaks lines after a hyphen too)."""
    return " ".join(re.sub(r"-\n\s+", "-", text).split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_help_page_has_no_english_left(
    lang: str,
    pages: dict[tuple[str, ...], list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    translations = catalogue.translations(_entries(lang))
    left = []
    for path, english in pages.items():
        with pytest.raises(SystemExit) as exit_:
            main(args=["--lang", lang, *path, "--help"])
        assert exit_.value.code == 0
        page = _flat(capsys.readouterr().out)
        for words in ("Usage:", "Show this message and exit.", "[required]", "[default:"):
            if words in page:
                left.append(f"clr {' '.join(path)}: {words}")
        left += [f"clr {' '.join(path)}: {word!r}" for word in _english_words(page, lang)]
        if re.search(r"\{\w*\}|%\(\w+\)[sd]", page):  # a placeholder left unfilled
            left.append(f"clr {' '.join(path)}: {re.findall(r'.{20}[{%].{20}', page)}")
        for text in english:
            translated = translations.gettext(text)
            if translated == text:  # the same in both languages (an example, a list of words)
                continue
            if _flat(text) in page:
                left.append(f"clr {' '.join(path)}: {text!r}")
            # (a list of choices may follow a help text in place of its final full stop)
            if _flat(translated).rstrip(".") not in page:
                left.append(f"clr {' '.join(path)}: not shown: {translated!r}")
    assert not left, f"{lang}:\n" + "\n".join(left)


def test_the_english_word_list_finds_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(args=["--lang", "en", "status", "--help"])
    page = _flat(capsys.readouterr().out)
    assert {"the", "and", "with"} <= set(_english_words(page, "es"))
    assert "Options:" in _english_words(page, "es") and "Options:" not in _english_words(page, "fr")
    # a quoted example, an option and a file name are not prose
    assert _english_words('Exemple : clr note "the family" --with-the docs/the.md', "fr") == []
