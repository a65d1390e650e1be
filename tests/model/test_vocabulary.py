"""One source for each part of the vocabulary: the schemas agree with it, and so does the CLI."""

from __future__ import annotations

import typing
from typing import Any

import pytest
import typer.main

import clr.cli
from clr.io.resources import load_schema, schema_names
from clr.model import stages, vocabulary
from clr.views import consent, figures, filters


def _case_schema() -> dict[str, Any]:
    return load_schema("case")


def _at(node: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        node = node[key]
    return node


@pytest.mark.parametrize(
    ("words", "where"),
    [
        (vocabulary.STAGES, ("$defs", "stage", "enum")),
        (vocabulary.TRACKS, ("properties", "track", "enum")),
        (vocabulary.CLOSURE_REASONS, ("properties", "closure", "properties", "reason", "enum")),
        (vocabulary.SEXES, ("properties", "child", "properties", "sex", "enum")),
        (
            vocabulary.VISIT_METHODS,
            ("properties", "visits", "items", "properties", "method", "enum"),
        ),
        (vocabulary.ROLES, ("$defs", "role", "enum")),
        (vocabulary.REFUSED_BY, ("properties", "closure", "properties", "refused_by", "enum")),
        (
            vocabulary.CONTACT_METHODS,
            (
                "properties",
                "closure",
                "properties",
                "contact_attempts",
                "items",
                "properties",
                "method",
                "enum",
            ),
        ),
        (
            vocabulary.REFERRAL_AUTHORITIES,
            ("properties", "closure", "properties", "referral", "properties", "to", "enum"),
        ),
        (
            vocabulary.RECURRENCE_METHODS,
            ("properties", "recurrence_checks", "items", "properties", "method", "enum"),
        ),
        (vocabulary.ROOT_CAUSES, ("properties", "root_causes", "items", "enum")),
        (
            vocabulary.DISCOVERY_CHANNELS,
            ("properties", "discovery", "properties", "channel", "enum"),
        ),
    ],
    ids=[
        "stages",
        "tracks",
        "closure-reasons",
        "sexes",
        "visit-methods",
        "refused-by",
        "contact-methods",
        "referral-authorities",
        "recurrence-methods",
        "root-causes",
        "channels",
        "roles",
    ],
)
def test_the_case_schema_and_the_vocabulary_agree(
    words: tuple[str, ...], where: tuple[str, ...]
) -> None:
    assert tuple(_at(_case_schema(), *where)) == words


def test_the_playbook_schema_and_the_bundled_playbook_know_every_role() -> None:
    playbook_schema = load_schema("playbook")
    assert tuple(playbook_schema["$defs"]["role"]["enum"]) == vocabulary.ROLES
    from clr.model.playbook import load_playbook

    assert tuple(load_playbook("child-labour").roles) == vocabulary.ROLES


def test_plan_signatures_agree_in_schema_figures_and_playbook() -> None:
    """The buyer's signature is optional everywhere: schema, stats and the playbook."""
    from clr.model.playbook import load_playbook
    from clr.views import summary

    stage = load_schema("stages/plan_agreed")
    contains = stage["allOf"][1]["properties"]["plan"]["properties"]["signed_by"]["allOf"]
    required = tuple(c["contains"]["properties"]["party"]["const"] for c in contains)
    assert required == vocabulary.PLAN_SIGNATORIES
    assert summary.PLAN_PARTIES == vocabulary.PLAN_SIGNATORIES
    sign = load_playbook("child-labour").action("plan-sign")
    assert sign is not None
    assert set(vocabulary.PLAN_SIGNATORIES) <= set(sign.roles)
    assert "buyer" not in sign.roles


def test_every_stage_has_its_schema_and_the_stage_type_lists_them_all() -> None:
    stage_schemas = [n.removeprefix("stages/") for n in schema_names() if n.startswith("stages/")]
    assert sorted(stage_schemas) == sorted(vocabulary.STAGES)
    assert typing.get_args(stages.Stage) == vocabulary.STAGES
    assert stages.STAGES is vocabulary.STAGES


def test_the_views_use_the_vocabulary() -> None:
    assert tuple(filters.SORT_KEYS) == vocabulary.SORT_KEYS
    assert tuple(figures.GROUP_FIELDS) == vocabulary.GROUP_FIELDS
    assert consent.AUDIENCES is vocabulary.AUDIENCES


def _choices(command: str, option: str) -> tuple[str, ...]:
    group: Any = typer.main.get_command(clr.cli.full_app())
    cmd = group.commands[command]
    param = next(p for p in cmd.params if option in getattr(p, "opts", ()))
    return tuple(getattr(param.type, "choices", ()))


@pytest.mark.parametrize(
    ("command", "option", "words"),
    [
        ("status", "--sort", vocabulary.SORT_KEYS),
        ("stats", "--group-by", vocabulary.GROUP_FIELDS),
        ("report", "--for", vocabulary.AUDIENCES),
        ("export", "--for", vocabulary.AUDIENCES),
        ("visit", "--method", vocabulary.VISIT_METHODS),
    ],
)
def test_the_cli_choices_come_from_the_vocabulary(
    command: str, option: str, words: tuple[str, ...]
) -> None:
    assert _choices(command, option) == words


@pytest.mark.parametrize(
    ("words", "where"),
    [
        (vocabulary.STAGES, ("$defs", "stage_name", "enum")),
        (vocabulary.TRACKS, ("$defs", "track", "enum")),
    ],
    ids=["stages", "tracks"],
)
def test_the_playbook_schema_and_the_vocabulary_agree(
    words: tuple[str, ...], where: tuple[str, ...]
) -> None:
    assert tuple(_at(load_schema("playbook"), *where)) == words
