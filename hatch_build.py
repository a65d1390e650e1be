"""Build hook: compile clr's message catalogues (.po) into the wheel as .mo files.

A wheel ships each language's compiled catalogue, which loads in well under a millisecond
(reading the .po takes milliseconds); the .po files stay in the sdist and the repository.
The compiler is clr's own (``src/clr/i18n/catalogue.py``, standard library only), loaded by
path so that the build needs nothing of clr installed.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    """Compile every ``src/clr/i18n/locale/*/LC_MESSAGES/clr.po`` for a wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add each compiled catalogue to the wheel (not to an editable one)."""
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "_clr_catalogue", root / "src" / "clr" / "i18n" / "catalogue.py"
        )
        assert spec is not None and spec.loader is not None
        catalogue = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = catalogue  # its dataclasses look their module up there
        spec.loader.exec_module(catalogue)
        out = Path(tempfile.mkdtemp(prefix="clr-mo-"))
        self._compiled = out  # removed in finalize, once the wheel holds the files
        locale = root / "src" / "clr" / "i18n" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/clr.po")):
            relative = po.relative_to(locale).with_suffix(".mo")
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            entries = catalogue.parse(po.read_text(encoding="utf-8"))
            target.write_bytes(catalogue.compile_mo(entries))
            build_data["force_include"][str(target)] = f"clr/i18n/locale/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the compiled catalogues' temporary folder: the wheel holds them now."""
        compiled = getattr(self, "_compiled", None)
        if compiled is not None:
            shutil.rmtree(compiled, ignore_errors=True)
