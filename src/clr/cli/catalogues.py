"""Extract clr's messages and update the catalogues: ``python -m clr.cli.catalogues``.

A development tool (it needs Babel, from the ``test`` extra); run it after any change to a
message, a help text or an option, then fill in the empty translations it leaves (and the
fuzzy ones, which Babel guessed from a close msgid). ``tests/test_i18n.py`` lists what is
still missing. The messages come from three places:

- clr's own source: every ``_()``, ``N_()`` and ``ngettext()`` (Babel's Python extractor);
- the help of every command, each option and argument, taken from the built click commands
  (help is translated centrally at run time, so no command module marks it);
- typer's own texts ("Options", "[required]"), from its installed source, since clr's
  catalogue stands in for its gettext domain;
- the ``description`` of every field of the schemas a person reads through clr (the case,
  its stages, the identity file: the hints of ``clr validate``, ``clr next`` and
  ``clr advance``, the hints of the phone forms) and the labels of the phone forms'
  questions and choices. A schema's description is looked up in the catalogue as it is (its English
  text is the msgid), so that a changed description shows up as fuzzy, and any text the
  catalogue does not hold (a repository's own) is shown in English.

The ``.po`` files are written sorted and without source locations, so that two branches
that each add messages merge cleanly; obsolete messages are dropped. ``--compile`` also
writes each ``.mo`` beside its ``.po`` (what a wheel ships; never committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr import i18n

# typer's modules whose gettext-marked texts clr can show. (typer runs its own copy of click,
# whose texts are literals: clr.cli._i18n marks those it translates.)
THIRD_PARTY = {"typer": ("core",)}
# The schemas whose descriptions clr prints (clr.yaml's and the playbook's are read in an
# editor, beside the files they describe, and are not translated).
SCHEMAS = ("case", "identity", "stages/")
FIXED_DATE = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


@dataclass
class Message:
    """One msgid to translate, with where it comes from (a comment for translators)."""

    msgid: str
    plural: str | None = None
    origins: list[str] = field(default_factory=list)
    python_format: bool = False


def _add(found: dict[str, Message], msgid: str, plural: str | None, origin: str) -> None:
    if not msgid.strip():
        return
    message = found.setdefault(msgid, Message(msgid, plural))
    if origin not in message.origins:
        message.origins.append(origin)


def _extract(path: Path, origin: str, found: dict[str, Message]) -> None:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {k: DEFAULT_KEYWORDS[k] for k in ("_", "gettext", "ngettext", "N_")}
    keywords["Nn_"] = (1, 2)  # a singular and plural pair, translated later
    for _line, text, _comments, _context in extract_from_file(
        "python", str(path), keywords=keywords
    ):
        if isinstance(text, tuple):
            if text[0]:
                _add(found, text[0], text[1] or None, origin)
        elif text:
            _add(found, text, None, origin)


def collect() -> dict[str, Message]:
    """Every msgid of clr's catalogue, in a stable order."""
    import importlib

    import typer.main

    from clr.cli import _i18n, full_app
    from clr.cli._registry import COMMANDS

    found: dict[str, Message] = {}
    previous = i18n.current()
    i18n.activate("en")
    try:
        root = typer.main.get_command(full_app())
        for text in _i18n.help_texts(root):
            _add(found, text, None, "help")
        for name, (_module, summary) in COMMANDS.items():
            _add(found, summary, None, f"summary of clr {name}")
    finally:
        i18n.activate(previous)
    package = Path(i18n.__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        _extract(path, "clr", found)
    for top, names in THIRD_PARTY.items():
        base = Path(importlib.import_module(top).__file__ or "").parent
        for name in names:
            _extract(base / f"{name}.py", top, found)
    _schema_texts(found)
    return found


def _schema_texts(found: dict[str, Message]) -> None:
    """The schemas' descriptions, and the labels of the phone forms built from them."""
    from clr.io import resources
    from clr.model import phoneforms
    from clr.model.findings import Said
    from clr.model.forms import field_label
    from clr.model.playbook import build, check_playbook_file

    def walk(node: Any, origin: str) -> None:
        if isinstance(node, dict):
            text = node.get("description")
            if isinstance(text, str):
                _add(found, text, None, origin)
            fields = node.get("properties")
            for name in fields if isinstance(fields, dict) else ():
                _add(found, field_label((name,)), None, "field label")  # clr advance's questions
            for value in node.values():
                walk(value, origin)
        elif isinstance(node, list):
            for value in node:
                walk(value, origin)

    for name in resources.schema_names():
        if name in SCHEMAS or name.startswith(SCHEMAS[-1]):
            walk(resources.load_schema(name), f"schema {name}")
    data, _findings = check_playbook_file(resources.playbooks_dir() / "child-labour.yaml")
    assert data is not None, "the built-in playbook is invalid"

    def labels(question: phoneforms.Question) -> None:
        _add(found, question.label, None, "phone form label")
        for child in question.children:
            labels(child)

    def words(text: Any) -> None:
        """The texts of a choice's label that the catalogue translates (not the playbook's)."""
        if isinstance(text, Said):
            if text.template and not text.fields:
                _add(found, text.template, None, "phone form choice")
            for _name, value in text.fields:
                words(value)

    for form in phoneforms.all_forms(build(data)):
        for question in form.questions:
            labels(question)
        for values in form.choices.values():
            for _value, label in values:
                words(label)


def template() -> Any:
    """The messages as a Babel catalogue template."""
    from babel.messages.catalog import Catalog

    pot = Catalog(
        project="clr",
        version="",
        copyright_holder="clr's authors",
        msgid_bugs_address="",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )
    for message in collect().values():
        msgid: Any = (message.msgid, message.plural) if message.plural else message.msgid
        pot.add(msgid, auto_comments=[", ".join(message.origins)])
    return pot


def update(compile_mo: bool = False) -> list[Path]:
    """Bring every language's ``.po`` up to date with the messages; returns the files written."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    from clr.io import atomic, files

    pot = template()
    written = []
    for lang in i18n.LANGUAGES[1:]:
        path = i18n.po_path(lang)
        locale = lang.replace("-", "_")
        if path.exists():
            catalogue = read_po(io.BytesIO(files.read_bytes(path)), locale=locale)
        else:
            catalogue = Catalog(locale=locale, project="clr", fuzzy=False)
        catalogue.update(pot, update_header_comment=False)
        catalogue.obsolete.clear()
        catalogue.creation_date = FIXED_DATE
        catalogue.revision_date = FIXED_DATE
        catalogue.fuzzy = False
        catalogue.header_comment = (
            f"# clr's messages in {lang}.\n"
            "# Updated by python -m clr.cli.catalogues; the domain terms are in docs/glossary.md.\n"
            "# This file is distributed under the same license as clr (MIT)."
        )
        catalogue.project = "clr"
        catalogue.version = ""
        catalogue.msgid_bugs_address = ""
        catalogue.copyright_holder = "clr's authors"
        catalogue.language_team = f"{lang} <clr's translators>"
        catalogue.last_translator = "clr's translators"
        path.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        write_po(out, catalogue, width=0, no_location=True, sort_output=True)
        atomic.write(path, out.getvalue())
        written.append(path)
        if compile_mo:
            written.append(compile_file(path))
    return written


def compile_file(po: Path) -> Path:
    """Write the ``.mo`` of a ``.po`` beside it."""
    from clr.i18n import catalogue
    from clr.io import atomic, files

    mo = po.with_suffix(".mo")
    atomic.write(mo, catalogue.compile_mo(catalogue.parse(files.read_text(po))))
    return mo


def main(argv: list[str] | None = None) -> int:
    """Update the catalogues (and compile them with ``--compile``, or only that with ``--only``)."""
    parser = argparse.ArgumentParser(prog="python -m clr.cli.catalogues", description=__doc__)
    parser.add_argument("--compile", action="store_true", help="also write each .mo")
    parser.add_argument("--only-compile", action="store_true", help="only write each .mo")
    args = parser.parse_args(argv)
    if args.only_compile:
        paths = [compile_file(i18n.po_path(lang)) for lang in i18n.LANGUAGES[1:]]
    else:
        paths = update(compile_mo=args.compile)
    for path in paths:
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
