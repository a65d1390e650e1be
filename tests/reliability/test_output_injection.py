"""Case values never reach a terminal or a report as control sequences, bidi marks or HTML.

A case file can hold any character through YAML's escapes. Every command that prints
values of a case runs here over cases whose every string (names, site, plan, visits,
payments, closure, notes, staff, even ids and enums) carries terminal escape sequences
(clear screen, colour, an OSC title), bidirectional overrides, C1 controls, DEL,
``<script>`` and a ``javascript:`` link. No control or bidi character may come out raw,
and no Markdown output may hold ``<script`` or ``javascript:``.
"""

from __future__ import annotations

import functools
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.checks.privacy import SKIP_KEYS
from clr.render import safe
from helpers_workflow import describe, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-20"
PAYLOAD = (
    "\x1b[2J\x1b[H\x1b[31mred\x1b]0;owned\x07\x1b]8;;http://x\x1b\\"
    "\u202eevil\u2066\u2069\u200e\u200f\u061c\u2028\x9b31m\x7f\x08\r"
    "<script>alert(1)</script>[click](javascript:alert(1))<img src=x onerror=alert(1)>"
)
MONITORING = "EXR-2026-H9CSW"  # plan, payments, visits
CLOSED = "EXR-2025-4FJ7Z"
EVERYTHING = "EXR-2026-W0ZAK"  # every string poisoned, enums and dates too
ENUMS = {"stage", "track", "playbook", "country", "to", "work", "minimum_age"}
"""Keys whose values are checked against a list: the first two cases stay valid."""
_MARKDOWN_BAD = re.compile(r"<script|javascript:", re.IGNORECASE)
_KEEP = {"\n", "\t", "\u200c", "\u200d"}


def raw_unsafe(text: str) -> list[str]:
    """The control, format and separator characters in ``text`` (by Unicode category)."""
    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in text
            if ch not in _KEEP and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        }
    )


def _poison(value: Any, *, everything: bool, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _poison(v, everything=everything, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, everything=everything, key=key) for v in value]
    poison = everything or key not in SKIP_KEYS | ENUMS
    if isinstance(value, str) and key not in ("schema_version", "id") and poison:
        return value + PAYLOAD
    if everything and key not in ("schema_version", "id") and value is not None:
        return f"{value}{PAYLOAD}"
    return value


def _poison_texts(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _poison_texts(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison_texts(v, key) for v in value]
    if isinstance(value, str) and key in ("text", "purpose", "title", "why"):
        return value + PAYLOAD
    return value


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("injection") / "repo"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    for case_id in (MONITORING, CLOSED, EVERYTHING):
        path = root / "cases" / case_id / "case.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = _poison(data, everything=case_id == EVERYTHING)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # A playbook of the repository's own, its texts poisoned.
    book = yaml.safe_load((ROOT / "playbooks" / "child-labour.yaml").read_text(encoding="utf-8"))
    (root / "playbooks").mkdir(exist_ok=True)
    book = _poison_texts(book)
    book["name"] = "poisoned"
    (root / "playbooks" / "poisoned.yaml").write_text(yaml.safe_dump(book), encoding="utf-8")
    # A case whose id (and folder) is poisoned as well.
    bad = root / "cases" / "EXR-2026-BAD00"
    bad.mkdir()
    data = yaml.safe_load((root / "cases" / CLOSED / "case.yaml").read_text(encoding="utf-8"))
    data["id"] = "EXR-2026-BAD00" + PAYLOAD
    (bad / "case.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return root


def test_the_cases_hold_the_payload(repo: Path) -> None:
    text = (repo / "cases" / MONITORING / "case.yaml").read_text(encoding="utf-8")
    assert "\\e[2J" in text or "\\x1B[2J" in text or "\\x1b[2J" in text, text[:500]
    loaded = yaml.safe_load(text)
    assert PAYLOAD in loaded["site"]["name"]


def _commands() -> Iterator[Any]:
    cases = [MONITORING, CLOSED, EVERYTHING, "EXR-2026-BAD00"]
    yield ["validate", "--no-cache"]
    for fmt in ("text", "json", "github", "sarif"):
        yield ["validate", "--no-cache", "--format", fmt]
    for case in cases:
        yield ["show", case]
        yield ["show", case, "--format", "json"]
        yield ["next", case]
        for audience in ("caseworker", "buyer", "supplier"):
            yield ["report", case, "--for", audience]
    for fmt in ("table", "markdown", "json"):
        yield ["status", "--format", fmt]
        yield ["stats", "--format", fmt]
    yield ["stats", "--group-by", "supplier"]
    yield ["playbook", "list"]
    for fmt in ("text", "markdown", "json"):
        yield ["playbook", "show", "--playbook", "poisoned", "--format", fmt]
        yield ["playbook", "checklist", "protected", "--playbook", "poisoned", "--format", fmt]
    yield ["set", MONITORING, "--dry-run", "site.region=" + PAYLOAD.replace("\x00", "")]
    yield ["set", MONITORING, "--dry-run", "--unset", "site.region"]
    for fmt in ("text", "json", "csv", "markdown"):
        yield ["agenda", "--days", "400", "--group-by", "site", "--format", fmt]
    yield ["export", "--for", "buyer", "--csv", "out-csv"]
    yield ["export", "--for", "supplier", "--csv", "out-csv2"]


@pytest.mark.parametrize("args", list(_commands()), ids=lambda a: " ".join(a))
def test_no_raw_control_or_bidi_character_is_printed(
    repo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(repo)
    full = [args[0], *args[1:], "--as-of", AS_OF] if args[0] not in ("playbook",) else args
    result = run(full)
    assert result.exit_code in (0, 1), describe(result)
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        assert raw_unsafe(text) == [], f"{name} of clr {' '.join(args)}: {text[:2000]!r}"
    markdownish = args[0] == "report" or "markdown" in args
    if markdownish:
        assert not _MARKDOWN_BAD.search(result.stdout), result.stdout
    if args[0] == "show" and args[1] == MONITORING and "json" not in args:
        # The values are still shown, with their escapes visible.
        assert "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout, result.stdout


def test_a_report_written_to_a_file_is_escaped(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    out = repo / "report.md"
    result = run(["report", MONITORING, "--output", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, describe(result)
    text = out.read_text(encoding="utf-8")
    assert raw_unsafe(text) == [] and not _MARKDOWN_BAD.search(text)
    assert "&lt;script&gt;" in text  # the value is there, as text


# --- the functions themselves -------------------------------------------------------------


@functools.cache
def _every_unsafe_character() -> str:
    return "".join(
        chr(c)
        for c in range(0x110000)
        if chr(c) not in _KEEP and unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    )


def test_terminal_text_shows_every_control_and_format_character() -> None:
    every = _every_unsafe_character()
    assert "\x1b" in every and "\u202e" in every and "\U000e0001" in every
    shown = safe.terminal(every)
    assert raw_unsafe(shown) == []
    assert raw_unsafe(safe.terminal(every, block=True)) == []
    assert safe.terminal("a\nb\tc") == "a\\x0ab\\x09c"
    assert safe.terminal("a\nb\tc", block=True) == "a\nb\tc"
    assert safe.terminal("\x1b[2J\u202e") == "\\x1b[2J\\u202e"
    assert safe.terminal("Rahima বেগম \u200d") == "Rahima বেগম \u200d"


def test_printable_text_holds_no_unsafe_character() -> None:
    """``terminal`` and ``json_text`` pass text ``str.isprintable`` accepts as it is, without
    searching it: that is safe only if every unsafe character is one it refuses."""
    pattern = re.compile(safe._SOURCES["unsafe"])
    every = "".join(map(chr, range(0x110000)))
    unsafe = pattern.findall(every)
    assert len(unsafe) > 300 and "\u202e" in unsafe and "\U000e0001" in unsafe
    assert [f"U+{ord(ch):04X}" for ch in unsafe if ch.isprintable()] == []
    for text in ("Rahima বেগম", "café — 2026", "a\u200db"):
        assert safe.terminal(text) == text and safe.json_text(text) == text
    assert safe.terminal("a\u200eb") == "a\\u200eb"
    assert safe.terminal("x\u00a0y") == "x\u00a0y"  # not printable, yet not unsafe


def test_json_text_is_the_same_json_without_raw_characters() -> None:
    import json

    value = {"a": _every_unsafe_character().replace("\ud800", "").replace("\udfff", "")}
    value["a"] = "".join(ch for ch in value["a"] if not 0xD800 <= ord(ch) <= 0xDFFF)
    dumped = json.dumps(value, ensure_ascii=False)
    assert raw_unsafe(dumped)  # json.dumps leaves DEL, C1 and bidi raw
    text = safe.json_text(dumped)
    assert raw_unsafe(text) == []
    assert json.loads(text) == value


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "JavaScript :alert(1)",
        "![img](http://x/y.png)",
        "a | b\n# heading\n- item",
        "`code` *bold* ~strike~ \\",
        "&lt;script&gt;",
        "\x1b[2J\u202e<b>\\x1b",
    ],
)
def test_markdown_text_has_no_markup(value: str) -> None:
    text = safe.markdown(value)
    assert not _MARKDOWN_BAD.search(text)
    assert not re.search(r"[<>|`*\[\]~\n]|\\(?![xuU])", text), text
    assert not re.search(r"&(?!amp;|lt;|gt;|#\d+;)", text), text


def test_links_keep_safe_schemes_only() -> None:
    assert safe.link("site", "https://example.org/a b") == "[site](https://example.org/a%20b)"
    assert safe.link("mail", "mailto:a@example.org") == "[mail](mailto:a@example.org)"
    for url in ("javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "vbscript:x"):
        assert safe.link("x", url) == "x"


def test_identity_show_prints_no_raw_control_character(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    key = tmp_path / "keys" / "me.txt"
    made = run(["keygen", "--output", str(key)])
    assert made.exit_code == 0, describe(made)
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(key))
    root = tmp_path / "repo"
    assert run(["init", str(root), "--org", "O", "--prefix", "TST", "--no-input"]).exit_code == 0
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("recipients:")
    config.write_text(text[:start] + f"recipients:\n  - {made.stdout.strip()}\n", "utf-8")
    monkeypatch.chdir(root)
    flags = ["--site", "S", "--country", "BD", "--channel", "audit", "--pseudonym", "C"]
    flags += ["--sex", "female", "--by", "R", "--as-of", AS_OF]
    created = run(["new-case", "--no-input", *flags])
    assert created.exit_code == 0, describe(created)
    case_id = created.stdout.strip()
    refused = run(["identity", "set", case_id, "--note", PAYLOAD])  # C1 controls: refused
    assert refused.exit_code == 1 and raw_unsafe(refused.stdout + refused.stderr) == []
    payload = "\x1b[2J\x1b]0;owned\x07\u202eevil\u2066\u200f"
    result = run(["identity", "set", case_id, "--name", "Amina" + payload, "--note", payload])
    assert result.exit_code == 0, describe(result)
    for args in ([], ["--format", "json"], ["--field", "name"], ["--field", "notes"]):
        shown = run(["identity", "show", case_id, *args])
        assert shown.exit_code == 0, describe(shown)
        assert raw_unsafe(shown.stdout + shown.stderr) == [], shown.stdout
        assert "owned" in shown.stdout  # the value is shown, escaped
