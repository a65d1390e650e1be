"""The built wheel works on its own: installed in a fresh virtual environment, outside the
source tree, it finds its bundled schemas and playbooks and validates the examples."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_validates_the_examples(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    # the build hook's compiled catalogues are not left behind in the temporary folder
    assert not list(scratch.glob("clr-mo-*"))
    (wheel,) = dist.glob("clr_cases-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = archive.read(metadata).decode()
        (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert "MIT License" in archive.read(licence).decode()
        # the message catalogues, compiled by hatch_build.py; not their sources
        for code in ("fr", "es", "pt_BR"):
            assert f"clr/i18n/locale/{code}/LC_MESSAGES/clr.mo" in names, code
        assert not [n for n in names if n.endswith(".po")]
    assert "\nName: clr-cases\n" in meta and "\nLicense-Expression: MIT\n" in meta
    assert "Project-URL: Source, https://" in meta
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples, ignore=shutil.ignore_patterns(".clr-cache"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import clr.io.resources as r; print(r.bundled_root())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert "_bundled" in where.stdout and str(ROOT) not in where.stdout
    result = subprocess.run(
        [str(venv / "bin" / "clr"), "validate", str(examples), "--as-of", "2026-11-20"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "15 cases checked" in result.stdout
    schema = subprocess.run(
        [str(venv / "bin" / "clr"), "schema", "case"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert '"$schema": "https://json-schema.org/draft/2020-12/schema"' in schema.stdout
    french = subprocess.run(
        [str(venv / "bin" / "clr"), "--lang", "fr", "next", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert "Utilisation : clr next" in french.stdout
    assert "Dire quoi faire ensuite pour un cas" in french.stdout


@pytest.mark.slow
def test_sdist_holds_the_licence_and_the_pre_commit_hooks(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (sdist,) = tmp_path.glob("clr_cases-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", ".pre-commit-hooks.yaml", "pyproject.toml", "README.md"} <= names
    assert "docs/codes.md" in names or "docs/ci.md" in names
