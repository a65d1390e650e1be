"""Shared fixtures: file trees in tmp_path, a minimal valid case, a case repository, the CLI."""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import clr.cli

# The tests read clr's messages in English, whatever the machine's locale says (the
# language tests set their own).
os.environ["CLR_LANG"] = "en"


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """Every test leaves clr speaking English, whatever language it switched to."""
    yield
    from clr import i18n

    i18n.activate("en")


CASE_ID = "CLR-2026-ABCDE"
AS_OF = "2026-03-02"
"""The day of the minimal case; pass ``--as-of AS_OF`` so that no deadline is overdue."""

CLI_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}

CONFIG_TEXT = """\
schema_version: 1
organisation: Test
id_prefix: CLR
"""


def _minimal_case() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": CASE_ID,
        "playbook": "child-labour",
        "track": "underage",
        "stage": "reported",
        "opened": "2026-03-02",
        "site": {"name": "Factory 1", "country": "BD"},
        "child": {"pseudonym": "Child A", "sex": "female"},
        "discovery": {"date": "2026-03-02", "channel": "audit"},
        "history": [
            {"at": "2026-03-02T09:10:00Z", "from": None, "to": "reported", "by": "caseworker"}
        ],
    }


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` into ``base``: mappings merge, ``...`` deletes a key."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is ...:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_case_data(**overrides: Any) -> dict[str, Any]:
    """The minimal valid case as data, with ``overrides`` deep-merged (``...`` deletes)."""
    return _merge(_minimal_case(), overrides)


def make_case_text(**overrides: Any) -> str:
    """The minimal valid case as YAML text, with ``overrides`` deep-merged (``...`` deletes)."""
    return yaml.safe_dump(
        make_case_data(**overrides), sort_keys=False, allow_unicode=True, default_flow_style=False
    )


@pytest.fixture
def valid_case() -> Callable[..., str]:
    """``valid_case(**overrides)``: YAML text of a minimal valid case in stage reported.

    Top-level keyword arguments replace fields; mapping values merge into the existing
    mapping (``site={"country": "XX"}`` keeps ``site.name``); a value of ``...`` removes
    the field. Lists are replaced whole.
    """
    return make_case_text


@pytest.fixture
def case_data() -> Callable[..., dict[str, Any]]:
    """``case_data(**overrides)``: the same minimal case as parsed data (dates as text)."""
    return make_case_data


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[..., Path]:
    """``write_tree({relpath: text}, root=tmp_path)``: write files (text dedented), return root.

    Text has one leading newline removed after dedenting, so that a triple-quoted string
    starting on the line after the quotes begins at line 1. Bytes are written as they are.
    """

    def write(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        base = root if root is not None else tmp_path
        for relpath, content in files.items():
            path = base / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                text = textwrap.dedent(content)
                text = text.removeprefix("\n")
                path.write_text(text, encoding="utf-8")
        return base

    return write


@pytest.fixture
def case_repo(tmp_path: Path, write_tree: Callable[..., Path]) -> Path:
    """A case repository at ``tmp_path/repo`` with clr.yaml and the minimal valid case."""
    root = tmp_path / "repo"
    write_tree(
        {
            "clr.yaml": CONFIG_TEXT,
            f"cases/{CASE_ID}/case.yaml": make_case_text(),
        },
        root=root,
    )
    return root


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``run_cli(args, cwd=None)``: run clr's Typer app in-process and return the result.

    The app is invoked directly, so the error boundary of ``clr.cli.main`` (which turns a
    ``ClrError`` into ``error: ...`` on stderr) is not in play: test that with a subprocess.
    """
    for name, value in CLI_ENV.items():
        monkeypatch.setenv(name, value)

    def run(args: Sequence[str | Path], cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(
            clr.cli.app, [str(a) for a in args], env=CLI_ENV, catch_exceptions=False
        )

    return run
