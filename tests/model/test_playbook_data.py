"""Checks on the playbook schema and the built-in child-labour playbook."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import yaml

from clr.model import vocabulary

ROOT = Path(__file__).parents[2]
PLAYBOOKS = ROOT / "playbooks"
SCHEMAS = ROOT / "schemas"
PLAYBOOK_PATH = PLAYBOOKS / "child-labour.yaml"
SCHEMA_PATH = SCHEMAS / "playbook.schema.json"
CASE_SCHEMA_PATH = SCHEMAS / "case.schema.json"

STAGES = list(vocabulary.STAGES)
TRACKS = set(vocabulary.TRACKS)
FLAG_IDS = {
    "child_prefers_wage",
    "family_needs_income",
    "no_family_contact",
    "stipend_below_wage",
    "supplier_uncooperative",
    "no_budget",
    "no_provider_nearby",
    "child_disappeared",
}


def load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return load_json(SCHEMA_PATH)


@pytest.fixture(scope="module")
def case_schema() -> dict[str, Any]:
    return load_json(CASE_SCHEMA_PATH)


@pytest.fixture(scope="module")
def playbook() -> dict[str, Any]:
    return yaml.safe_load(PLAYBOOK_PATH.read_text(encoding="utf-8"))


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = jsonschema_rs.validator_for(schema)
    return [
        "/".join(str(p) for p in err.instance_path) + ": " + err.message
        for err in validator.iter_errors(instance)
    ]


def stage_actions(playbook: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for stage in STAGES:
        for action in playbook["stages"][stage]["actions"]:
            yield stage, action


def all_items(playbook: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item with an id: readiness, actions, warnings, safeguarding."""
    yield from playbook.get("readiness", [])
    for stage in playbook["stages"].values():
        yield from stage.get("actions", [])
        yield from stage.get("warnings", [])
        yield from stage.get("safeguarding", [])


def cited_sources(playbook: dict[str, Any]) -> set[str]:
    cited: set[str] = set()
    items = list(all_items(playbook)) + list(playbook.get("difficulty_flags", []))
    items += list(playbook.get("closure_reasons", {}).values())
    for item in items:
        source = item.get("source")
        if isinstance(source, str):
            cited.add(source)
        elif isinstance(source, list):
            cited.update(source)
    return cited


def undefined_sources(playbook: dict[str, Any]) -> set[str]:
    return cited_sources(playbook) - set(playbook.get("sources", {}))


def case_field(case_schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The case-schema node at a dotted path, or None if there is no such field.

    Walks `properties`, following `$ref`s to `#/$defs/...` on the way down.
    The node returned is the raw property schema (its own `$ref`, if any, kept).
    """
    defs = case_schema.get("$defs", {})

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in node and "properties" not in node:
            ref = node["$ref"]
            assert ref.startswith("#/$defs/"), f"unexpected $ref {ref}"
            node = defs[ref.removeprefix("#/$defs/")]
            seen += 1
            assert seen < 20, "$ref loop"
        return node

    node: dict[str, Any] = case_schema
    for part in path.split("."):
        props = deref(node).get("properties", {})
        if part not in props:
            return None
        node = props[part]
    return node


def is_date_field(node: dict[str, Any]) -> bool:
    return node.get("$ref") == "#/$defs/date" or node.get("format") == "date"


def paths_used(playbook: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(item, kind, path) for every done_when, due.from other than stage_entered, and the
    fields and follow_ups.from of the closure reasons."""
    used = []
    for _stage, action in stage_actions(playbook):
        if "done_when" in action:
            used.append((action["id"], "done_when", action["done_when"]))
        anchor = action.get("due", {}).get("from")
        if anchor and anchor != "stage_entered":
            used.append((action["id"], "from", anchor))
    for reason, rule in playbook.get("closure_reasons", {}).items():
        used += [(reason, "field", path) for path in rule.get("fields", [])]
        anchor = rule.get("follow_ups", {}).get("from")
        if anchor and anchor != "stage_entered":
            used.append((reason, "from", anchor))
    return used


# --- the schema itself -------------------------------------------------------


def test_schema_passes_metaschema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" not in schema  # its references resolve next to the file


def walk_schema(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_schema(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_schema(value, f"{where}/{i}")


def test_schema_objects_are_closed_and_described(schema: dict[str, Any]) -> None:
    problems = []
    for where, node in walk_schema(schema):
        if not isinstance(node, dict):
            continue
        if "properties" in node and not where.endswith("/properties"):
            if node.get("additionalProperties") is not False:
                problems.append(f"{where}: additionalProperties is not false")
            if "^x-" not in node.get("patternProperties", {}):
                problems.append(f"{where}: x- keys are not allowed")
            for name, prop in node["properties"].items():
                if not prop.get("description"):
                    problems.append(f"{where}/properties/{name}: no description")
    assert not problems, "\n".join(problems)


def test_schema_requires_all_nine_stages(schema: dict[str, Any]) -> None:
    stages = schema["properties"]["stages"]
    assert stages["required"] == STAGES
    assert list(stages["properties"]) == STAGES


# --- the built-in playbook ---------------------------------------------------


def test_playbook_validates(schema: dict[str, Any], playbook: dict[str, Any]) -> None:
    errors = schema_errors(schema, playbook)
    assert not errors, "\n".join(errors)


def test_playbook_name_matches_file(playbook: dict[str, Any]) -> None:
    assert playbook["name"] == PLAYBOOK_PATH.stem
    assert isinstance(playbook["version"], str)
    assert set(playbook["tracks"]) == TRACKS


def test_every_stage_present_in_order(playbook: dict[str, Any]) -> None:
    assert list(playbook["stages"]) == STAGES
    for stage in STAGES:
        assert playbook["stages"][stage]["purpose"].strip()
        assert playbook["stages"][stage]["actions"]


def test_item_ids_unique_across_playbook(playbook: dict[str, Any]) -> None:
    counts = Counter(item["id"] for item in all_items(playbook))
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate ids: {duplicates}"


def test_every_cited_source_is_defined(playbook: dict[str, Any]) -> None:
    assert not undefined_sources(playbook)


def test_every_defined_source_is_cited(playbook: dict[str, Any]) -> None:
    unused = set(playbook["sources"]) - cited_sources(playbook)
    assert not unused, f"sources never cited: {sorted(unused)}"


def test_roles_used_are_described(playbook: dict[str, Any]) -> None:
    used: set[str] = set()
    for item in playbook.get("readiness", []):
        used.update([item["role"]] if "role" in item else item["roles"])
    for _stage, action in stage_actions(playbook):
        used.update([action["role"]] if "role" in action else action["roles"])
    assert used <= set(playbook["roles"])


def test_item_tracks_are_playbook_tracks(playbook: dict[str, Any]) -> None:
    for item in all_items(playbook):
        assert set(item.get("tracks", [])) <= set(playbook["tracks"]), item["id"]


def test_case_field_walker_finds_and_rejects(case_schema: dict[str, Any]) -> None:
    assert case_field(case_schema, "discovery.date") is not None
    assert case_field(case_schema, "plan.stipend.first_due") is not None
    assert case_field(case_schema, "discovery.nonsense") is None
    assert case_field(case_schema, "no_such_field") is None


def test_done_when_and_anchor_paths_exist(
    playbook: dict[str, Any], case_schema: dict[str, Any]
) -> None:
    used = paths_used(playbook)
    assert used
    missing = [u for u in used if case_field(case_schema, u[2]) is None]
    assert not missing, f"paths not in case.schema.json: {missing}"


def test_anchors_are_date_fields(playbook: dict[str, Any], case_schema: dict[str, Any]) -> None:
    for action_id, kind, path in paths_used(playbook):
        if kind == "from":
            node = case_field(case_schema, path)
            assert node is not None and is_date_field(node), f"{action_id}: {path}"


def test_each_stage_but_closed_has_a_gate(playbook: dict[str, Any]) -> None:
    for stage in STAGES[:-1]:
        gates = [a for a in playbook["stages"][stage]["actions"] if a.get("gate")]
        assert gates, f"{stage} has no gate action"


def test_gate_actions_are_required(playbook: dict[str, Any]) -> None:
    for _stage, action in stage_actions(playbook):
        if action.get("gate"):
            assert action["required"] is True, action["id"]


def test_both_tracks_have_a_protection_action(playbook: dict[str, Any]) -> None:
    protected = playbook["stages"]["protected"]["actions"]
    for track in TRACKS:
        gates = [a for a in protected if a.get("gate") and track in a.get("tracks", sorted(TRACKS))]
        assert any("done_when" in a and a.get("due") for a in gates), track
    fields = {a.get("done_when") for a in protected}
    assert {"protection.removed_from_work", "protection.hazards_removed"} <= fields


def test_all_difficulty_flags_present(playbook: dict[str, Any]) -> None:
    ids = [flag["id"] for flag in playbook["difficulty_flags"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == FLAG_IDS


def test_flag_ids_match_case_schema(case_schema: dict[str, Any]) -> None:
    node = case_field(case_schema, "flags.difficulties")
    assert node is not None
    assert set(node["items"]["enum"]) == FLAG_IDS


def test_playbook_roles_match_case_schema(
    playbook: dict[str, Any], case_schema: dict[str, Any]
) -> None:
    assert set(playbook["roles"]) == set(case_schema["$defs"]["role"]["enum"])


def test_due_rule_shapes_used(playbook: dict[str, Any]) -> None:
    dues = [a["due"] for _s, a in stage_actions(playbook) if "due" in a]
    assert any("within" in d for d in dues)
    assert any("every" in d and d["done_by"] == "visits" for d in dues)
    assert any("at" in d for d in dues)
    assert any(d.get("unit") == "working_days" for d in dues)


# --- broken copies must fail -------------------------------------------------


def first_action(pb: dict[str, Any]) -> dict[str, Any]:
    return pb["stages"]["reported"]["actions"][0]


def due_action(pb: dict[str, Any]) -> dict[str, Any]:
    return next(a for _s, a in stage_actions(pb) if "within" in a.get("due", {}))


def _both_role_and_roles(pb: dict[str, Any]) -> None:
    action = first_action(pb)
    action["role"] = "provider"
    action["roles"] = ["provider", "buyer"]


def _neither_role_nor_roles(pb: dict[str, Any]) -> None:
    action = first_action(pb)
    action.pop("role", None)
    action.pop("roles", None)


def _unknown_role(pb: dict[str, Any]) -> None:
    action = first_action(pb)
    action.pop("roles", None)
    action["role"] = "headmaster"


def _bad_due_unit(pb: dict[str, Any]) -> None:
    due_action(pb)["due"]["unit"] = "fortnights"


def _hours_on_repeating(pb: dict[str, Any]) -> None:
    pb["stages"]["monitoring"]["actions"][0]["due"] = {
        "every": 30,
        "unit": "hours",
        "from": "stage_entered",
        "done_by": "visits",
    }


def _mixed_due_shapes(pb: dict[str, Any]) -> None:
    due_action(pb)["due"]["every"] = 7


def _bad_done_by(pb: dict[str, Any]) -> None:
    pb["stages"]["monitoring"]["actions"][0]["due"]["done_by"] = "checklist"


def _bad_anchor(pb: dict[str, Any]) -> None:
    due_action(pb)["due"]["from"] = "Discovery Date"


def _unknown_stage(pb: dict[str, Any]) -> None:
    pb["stages"]["reviewed"] = copy.deepcopy(pb["stages"]["reported"])


def _missing_stage(pb: dict[str, Any]) -> None:
    del pb["stages"]["monitoring"]


def _missing_source(pb: dict[str, Any]) -> None:
    del first_action(pb)["source"]


def _missing_required(pb: dict[str, Any]) -> None:
    del first_action(pb)["required"]


def _misspelt_key(pb: dict[str, Any]) -> None:
    first_action(pb)["requried"] = True


def _bad_id(pb: dict[str, Any]) -> None:
    first_action(pb)["id"] = "Report_Log"


def _unknown_flag(pb: dict[str, Any]) -> None:
    pb["difficulty_flags"][0]["id"] = "child_is_sad"


def _flag_without_advice(pb: dict[str, Any]) -> None:
    del pb["difficulty_flags"][0]["advice"]


def _source_without_title(pb: dict[str, Any]) -> None:
    pb["sources"]["DOL"] = {"url": "https://example.invalid/"}


def _due_on_readiness(pb: dict[str, Any]) -> None:
    pb["readiness"][0]["due"] = {"within": 1, "unit": "days", "from": "opened"}


def _unknown_track(pb: dict[str, Any]) -> None:
    first_action(pb)["tracks"] = ["adult"]


def _version_as_number(pb: dict[str, Any]) -> None:
    pb["version"] = 2026.11


def _unknown_top_level_key(pb: dict[str, Any]) -> None:
    pb["stagez"] = {}


BREAKERS: list[Callable[[dict[str, Any]], None]] = [
    _both_role_and_roles,
    _neither_role_nor_roles,
    _unknown_role,
    _bad_due_unit,
    _hours_on_repeating,
    _mixed_due_shapes,
    _bad_done_by,
    _bad_anchor,
    _unknown_stage,
    _missing_stage,
    _missing_source,
    _missing_required,
    _misspelt_key,
    _bad_id,
    _unknown_flag,
    _flag_without_advice,
    _source_without_title,
    _due_on_readiness,
    _unknown_track,
    _version_as_number,
    _unknown_top_level_key,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda f: f.__name__.strip("_"))
def test_broken_copy_fails_schema(
    breaker: Callable[[dict[str, Any]], None],
    schema: dict[str, Any],
    playbook: dict[str, Any],
) -> None:
    broken = copy.deepcopy(playbook)
    breaker(broken)
    assert schema_errors(schema, broken)


def test_x_keys_are_allowed(schema: dict[str, Any], playbook: dict[str, Any]) -> None:
    extended = copy.deepcopy(playbook)
    extended["x-owner"] = "ethics team"
    first_action(extended)["x-local-id"] = "A1"
    extended["stages"]["closed"]["x-note"] = "ours"
    assert not schema_errors(schema, extended)


def test_undefined_source_key_is_caught(playbook: dict[str, Any]) -> None:
    broken = copy.deepcopy(playbook)
    first_action(broken)["source"] = ["DOL", "NOPE"]
    assert undefined_sources(broken) == {"NOPE"}


def test_unknown_case_path_is_caught(playbook: dict[str, Any], case_schema: dict[str, Any]) -> None:
    broken = copy.deepcopy(playbook)
    first_action(broken)["done_when"] = "protection.removed_at"
    missing = [u for u in paths_used(broken) if case_field(case_schema, u[2]) is None]
    assert missing == [(first_action(broken)["id"], "done_when", "protection.removed_at")]


# --- closure reasons ---------------------------------------------------------


def test_every_closure_reason_has_a_rule(
    playbook: dict[str, Any], schema: dict[str, Any], case_schema: dict[str, Any]
) -> None:
    reasons = case_field(case_schema, "closure.reason")
    assert reasons is not None
    assert sorted(playbook["closure_reasons"]) == sorted(reasons["enum"])
    assert list(schema["properties"]["closure_reasons"]["properties"]) == reasons["enum"]


def test_remediated_reasons_take_monitoring_and_its_follow_ups(playbook: dict[str, Any]) -> None:
    rules = playbook["closure_reasons"]
    for reason in ("no_longer_in_CL", "hazard_removed"):
        assert rules[reason]["from_stages"] == ["monitoring"], reason
        assert rules[reason]["checklist"] is True, reason
        assert rules[reason]["follow_ups"], reason
    # TOC: no child labour at the 3- and 6-month follow-ups.
    assert rules["no_longer_in_CL"]["follow_ups"] == {
        "found": "no_child_labour",
        "at": [3, 6],
        "unit": "months",
        "from": "discovery.date",
    }
    assert rules["no_longer_in_CL"]["source"] == "TOC"


def test_circumstance_reasons_stay_open_at_any_stage(playbook: dict[str, Any]) -> None:
    rules = playbook["closure_reasons"]
    for reason in ("reached_min_age", "aged_out", "referred", "lost_contact", "refused"):
        assert "from_stages" not in rules[reason] and not rules[reason].get("checklist")
        assert rules[reason]["needs_note"], reason


def test_closure_rule_with_an_undefined_source_is_refused(
    playbook: dict[str, Any], tmp_path: Path
) -> None:
    from clr.model.playbook import check_playbook_file

    broken = copy.deepcopy(playbook)
    broken["closure_reasons"]["refused"]["source"] = ["PROP", "NOPE"]
    path = tmp_path / "child-labour.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    data, findings = check_playbook_file(path)
    assert data is None
    assert [(f.code, f.pointer) for f in findings] == [
        ("CLR402", "/closure_reasons/refused/source")
    ]
    assert "source NOPE is not defined under sources" in findings[0].message


def _closure_rule_without_text(book: dict[str, Any]) -> None:
    del book["closure_reasons"]["refused"]["text"]


def _unknown_closure_reason(book: dict[str, Any]) -> None:
    book["closure_reasons"]["completed"] = {"text": "done", "source": "PROP"}


def _closure_from_unknown_stage(book: dict[str, Any]) -> None:
    book["closure_reasons"]["refused"]["from_stages"] = ["finished"]


def _closure_follow_ups_without_times(book: dict[str, Any]) -> None:
    del book["closure_reasons"]["no_longer_in_CL"]["follow_ups"]["at"]


@pytest.mark.parametrize(
    "breaker",
    [
        _closure_rule_without_text,
        _unknown_closure_reason,
        _closure_from_unknown_stage,
        _closure_follow_ups_without_times,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_broken_closure_rules_fail_schema(
    breaker: Callable[[dict[str, Any]], None],
    schema: dict[str, Any],
    playbook: dict[str, Any],
) -> None:
    broken = copy.deepcopy(playbook)
    breaker(broken)
    assert schema_errors(schema, broken)


def test_bundled_playbooks_are_read_alike_by_both_readers_and_pass_every_check(
    tmp_path: Path,
) -> None:
    """clr reads the playbooks it ships without the fast reader's gate and checks
    (``read_playbook_file``): this is what makes that safe."""
    from clr.io import resources, yamlio
    from clr.model.playbook import check_playbook_file, read_playbook_file

    paths = sorted(resources.playbooks_dir().glob("*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        strict = yamlio.parse_strict(text, str(path))
        assert strict.findings == [] and strict.data is not None
        assert yamlio.parse_trusted(text, str(path)).data == strict.data
        assert check_playbook_file(path) == (strict.data, [])
        assert read_playbook_file(path) == (strict.data, [])
    own = tmp_path / "child-labour.yaml"  # a repository's copy is checked
    own.write_text(paths[0].read_text(encoding="utf-8").replace("stages:", "stagez:", 1))
    data, findings = read_playbook_file(own)
    assert data is None and findings and findings[0].code == "CLR402"
