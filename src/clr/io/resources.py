"""The one place that finds clr's bundled schemas and playbooks.

In an installed wheel they live in ``clr/_bundled/``; in a source checkout (an editable
install, or the tests) they are the ``schemas/`` and ``playbooks/`` folders at the top of
the repository.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from clr.errors import ConfigError
from clr.i18n import N_
from clr.io import files
from clr.model.findings import said

SCHEMA_BASE_URI = "https://clr.invalid/schemas/"
"""The ids clr's own validator knows the schemas by. The files carry no ``$id``, so that their
``$ref``s (``reported.schema.json``, ``case.schema.json#/$defs/country``) resolve next to the
files themselves, offline, in any tool (check-jsonschema, yaml-language-server)."""


@functools.cache
def bundled_root() -> Path:
    """Return the folder that holds ``schemas/`` and ``playbooks/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "_bundled", here.parents[2]):
        if (candidate / "schemas" / "case.schema.json").is_file():
            return candidate
    raise ConfigError(
        said(N_("clr's bundled schemas are missing from this installation")),
        hint=said(N_("reinstall clr (pip install --force-reinstall clr)")),
    )


def data_table(resource: str) -> dict[str, Any]:
    """Read one of clr's bundled data tables (``data/minimum-ages.yaml``) as a mapping.

    The tables live beside the package, in the wheel and in a checkout alike
    (importlib.resources would cost 1 ms of every start to find the same file). They are
    read JSON-safe: the country key NO stays "NO".

    Raises:
        TypeError: the file does not parse, or is not a mapping at the top level.
    """
    from clr.io import yamlio

    path = Path(__file__).parents[1].joinpath(*resource.split("/"))
    loaded = yamlio.parse_text(files.read_text(path), resource)
    if loaded.findings:
        raise TypeError(f"{resource}: {loaded.findings[0].message}")
    if not isinstance(loaded.data, dict):
        raise TypeError(f"{resource}: expected a mapping at the top level")
    return loaded.data


def schemas_dir() -> Path:
    """Return the folder of bundled JSON Schemas."""
    return bundled_root() / "schemas"


def playbooks_dir() -> Path:
    """Return the folder of bundled playbooks."""
    return bundled_root() / "playbooks"


def schema_names() -> list[str]:
    """Return the names of all bundled schemas, e.g. ``case``, ``stages/closed``."""
    import os

    root = str(schemas_dir())
    names = []
    for folder, _, names_here in os.walk(root):  # not rglob: it compiles a pattern on every run
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        names += [
            f"{prefix}/{f}".removeprefix("./").removesuffix(".schema.json")
            for f in names_here
            if f.endswith(".schema.json")
        ]
    return sorted(names)


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Return a bundled schema by name (``case``, ``stages/reported``, ``playbook``, ``config``)."""
    path = schemas_dir() / f"{name}.schema.json"
    try:
        loaded: dict[str, Any] = json.loads(files.read_text(path))
    except FileNotFoundError:
        raise ConfigError(said(N_("no bundled schema named {name}"), name=repr(name))) from None
    return {"$id": SCHEMA_BASE_URI + f"{name}.schema.json", **loaded}


def schema_text(name: str) -> str:
    """Return a bundled schema's JSON text, exactly as shipped."""
    path = schemas_dir() / f"{name}.schema.json"
    if not path.is_file():
        raise ConfigError(
            said(N_("no bundled schema named {name}"), name=repr(name)),
            hint=said(N_("one of: {choices}"), choices=", ".join(schema_names())),
        )
    return files.read_text(path)


def bundle_schema(name: str) -> dict[str, Any]:
    """A bundled schema made self-contained: every schema it refers to inside its ``$defs``.

    Each schema it reaches (``stages/closed`` reaches every earlier stage) goes under
    ``$defs`` as ``clr-<name>`` (``clr-stages-reported``), and every ``$ref`` becomes a
    pointer into the one document, so that a tool needs no other file and no base URI.

    Raises:
        ConfigError: no bundled schema has that name.
    """
    import copy

    if name not in schema_names():
        raise ConfigError(
            said(N_("no bundled schema named {name}"), name=repr(name)),
            hint=said(N_("one of: {choices}"), choices=", ".join(schema_names())),
        )
    reached = [name]
    for current in reached:  # grows while walked: every schema reached, once
        for ref in _refs(load_schema(current)):
            target = _ref_target(current, ref)
            if target is not None and target not in reached:
                reached.append(target)

    def key(other: str) -> str:
        return "clr-" + other.replace("/", "-")

    def rebased(node: Any, owner: str) -> Any:
        if isinstance(node, dict):
            out = {k: rebased(v, owner) for k, v in node.items()}
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = _ref_target(owner, ref) or owner
                fragment = ref.partition("#")[2]
                base = "#" if target == name else f"#/$defs/{key(target)}"
                out["$ref"] = base + fragment
            return out
        if isinstance(node, list):
            return [rebased(v, owner) for v in node]
        return node

    root: dict[str, Any] = rebased(copy.deepcopy(load_schema(name)), name)
    root.pop("$id", None)
    defs = dict(root.get("$defs", {}))
    for other in reached[1:]:
        embedded = rebased(copy.deepcopy(load_schema(other)), other)
        for word in ("$id", "$schema"):  # allowed only at a document's root
            embedded.pop(word, None)
        defs[key(other)] = embedded
    if defs:
        root["$defs"] = defs
    return root


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _ref_target(owner: str, ref: str) -> str | None:
    """The schema name a ``$ref`` of schema ``owner`` points into; None for its own root."""
    import posixpath

    address = ref.partition("#")[0]
    if not address:
        return None
    folder = posixpath.dirname(owner)
    return posixpath.normpath(posixpath.join(folder, address)).removesuffix(".schema.json")
