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
from clr.io import files

SCHEMA_BASE_URI = "https://clr.invalid/schemas/"


@functools.cache
def bundled_root() -> Path:
    """Return the folder that holds ``schemas/`` and ``playbooks/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "_bundled", here.parents[2]):
        if (candidate / "schemas" / "case.schema.json").is_file():
            return candidate
    raise ConfigError(
        "clr's bundled schemas are missing from this installation",
        hint="reinstall clr (pip install --force-reinstall clr)",
    )


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
        raise ConfigError(f"no bundled schema named {name!r}") from None
    return loaded


def schema_text(name: str) -> str:
    """Return a bundled schema's JSON text, exactly as shipped."""
    path = schemas_dir() / f"{name}.schema.json"
    if not path.is_file():
        raise ConfigError(
            f"no bundled schema named {name!r}", hint=f"one of: {', '.join(schema_names())}"
        )
    return files.read_text(path)
