"""The floor: the least any tool must do to check a case repository, on this machine.

    python benchmarks/floor.py DIR [--jobs 2]

Reads every ``DIR/cases/*/case.yaml``, parses it with yaml-rs (the fastest YAML parser
that installs with pip here) and checks it with jsonschema-rs against the base schema and
the schema of its stage (formats on, every error), spread over ``--jobs`` processes
(default 2). No rules, no personal-data lint, no positions, no cache, no report: what
``clr validate --no-cache`` cannot go below. Prints the number of files and of files with
schema errors (``--json`` for a line of JSON), so that a run can be checked.

Needs ``yaml-rs`` and ``jsonschema-rs`` (both clr dependencies). Without yaml-rs it falls
back to PyYAML's ``CSafeLoader`` and says so: that floor is about ten times higher.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

_validators: dict[str, Any] = {}


def _load_validators() -> dict[str, Any]:
    import jsonschema_rs

    from clr.io.resources import SCHEMA_BASE_URI

    schemas = {}
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        name = path.relative_to(SCHEMAS).as_posix().removesuffix(".schema.json")
        # The files carry no $id; clr knows each by its path under one base, as here.
        loaded = json.loads(path.read_text(encoding="utf-8"))
        schemas[name] = {"$id": f"{SCHEMA_BASE_URI}{name}.schema.json", **loaded}
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in schemas.values()])
    return {
        name: jsonschema_rs.validator_for(schema, registry=registry, validate_formats=True)
        for name, schema in schemas.items()
    }


def _parser() -> tuple[str, Any]:
    try:
        import yaml_rs

        return "yaml-rs", lambda text: yaml_rs.loads(text, parse_datetime=False)
    except ImportError:
        import yaml

        return "PyYAML CSafeLoader", lambda text: yaml.load(text, Loader=yaml.CSafeLoader)


def _check(paths: list[str]) -> int:
    try:
        return _check_files(paths)
    except Exception as exc:  # a worker's error must reach the parent
        # Not every library error pickles; one that does not would hang Pool.map.
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None


def _check_files(paths: list[str]) -> int:
    if not _validators:
        _validators.update(_load_validators())
    _, parse = _parser()
    base = _validators["case"]
    bad = 0
    for path in paths:
        with open(path, "rb") as handle:  # noqa: PTH123
            data = parse(handle.read().decode("utf-8"))
        errors = list(base.iter_errors(data))
        stage = data.get("stage") if isinstance(data, dict) else None
        stage_validator = _validators.get(f"stages/{stage}")
        if stage_validator is not None:
            errors += list(stage_validator.iter_errors(data))
        bad += bool(errors)
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    cases = args.repo / "cases"
    paths = [
        os.path.join(cases, name, "case.yaml")  # noqa: PTH118
        for name in sorted(os.listdir(cases))  # noqa: PTH208 - names, 10,000 of them
    ]
    if args.jobs <= 1:
        bad = _check(paths)
    else:
        size = max(1, len(paths) // (args.jobs * 4))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            bad = sum(pool.map(_check, chunks))
    parser_name, _ = _parser()
    if args.json:
        print(json.dumps({"files": len(paths), "invalid": bad, "parser": parser_name}))
    else:
        print(f"{len(paths)} files, {bad} with schema errors ({parser_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
