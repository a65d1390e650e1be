"""--encrypt-to: reports and exports written age-encrypted, the plaintext never on disk."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyrage
import pytest

from clr.cases import identity
from helpers_workflow import describe, run

ROOT = Path(__file__).resolve().parents[2]
CASE = "EXR-2026-7KQ3M"
AS_OF = "2026-09-01"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def keys(tmp_path: Path) -> list[tuple[Path, str]]:
    out = []
    for name in ("buyer", "auditor"):
        path = tmp_path / "keys" / f"{name}.txt"
        made = run(["keygen", "--output", str(path)])
        assert made.exit_code == 0, describe(made)
        out.append((path, made.stdout.strip()))
    return out


def test_a_report_encrypted_to_a_key_opens_with_that_key_only(
    repo: Path, keys: list[tuple[Path, str]], tmp_path: Path
) -> None:
    plain = run(["report", CASE, "--as-of", AS_OF])
    assert plain.exit_code == 0, describe(plain)
    result = run(["report", CASE, "--as-of", AS_OF, "--encrypt-to", keys[0][1], "-o", "r.md"])
    assert result.exit_code == 0, describe(result)
    assert not (repo / "r.md").exists()
    sealed = (repo / "r.md.age").read_bytes()
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert pyrage.decrypt(sealed, identity.load_keys(keys[0][0])).decode() == plain.stdout
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed, identity.load_keys(keys[1][0]))
    if shutil.which("age"):  # the standard tool opens it too
        opened = subprocess.run(
            ["age", "-d", "-i", str(keys[0][0]), str(repo / "r.md.age")],
            capture_output=True,
            check=True,
        )
        assert opened.stdout.decode() == plain.stdout
    # to standard output: armored text, for a pipe into mail
    piped = run(["report", CASE, "--as-of", AS_OF, "--encrypt-to", keys[0][1]])
    assert piped.stdout.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
    assert "Timeline" not in piped.stdout


def test_an_export_encrypted_to_a_file_of_keys_holds_the_same_tables(
    repo: Path, keys: list[tuple[Path, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    listed = tmp_path / "recipients.txt"
    listed.write_text(f"# buyer and auditor\n{keys[0][1]}\n\n{keys[1][1]}\n", encoding="utf-8")
    clear = run(["export", "--as-of", AS_OF, "--csv", str(tmp_path / "clear")])
    assert clear.exit_code == 0, describe(clear)
    out = tmp_path / "out"
    result = run(["export", "--as-of", AS_OF, "--csv", str(out), "--sqlite",
                  str(tmp_path / "cases.db"), "--encrypt-to", str(listed)])  # fmt: skip
    assert result.exit_code == 0, describe(result)
    names = sorted(p.name for p in out.iterdir())
    assert names and all(n.endswith(".age") for n in names), names
    for plain in sorted((tmp_path / "clear").glob("*.csv")):
        sealed = (out / f"{plain.name}.age").read_bytes()
        for key_file, _ in keys:
            assert pyrage.decrypt(sealed, identity.load_keys(key_file)) == plain.read_bytes()
    database = tmp_path / "opened.db"
    database.write_bytes(
        pyrage.decrypt((tmp_path / "cases.db.age").read_bytes(), identity.load_keys(keys[1][0]))
    )
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("select count(*) from cases").fetchone()
    assert count == len(list((repo / "cases").glob("*/case.yaml")))
    assert not (tmp_path / "cases.db").exists()
    assert list(runtime.iterdir()) == []  # the private plaintext folder is gone


@pytest.mark.parametrize("spec", ["age1notakey", "no-such-file.txt"])
def test_a_recipient_that_is_not_a_key_is_refused_before_anything_is_written(
    repo: Path, tmp_path: Path, spec: str
) -> None:
    result = run(["export", "--csv", str(tmp_path / "out"), "--encrypt-to", spec])
    assert result.exit_code == 2, describe(result)
    assert "--encrypt-to" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_dashboard_encrypted_to_a_key_is_the_same_page_sealed(
    repo: Path, keys: list[tuple[Path, str]], tmp_path: Path
) -> None:
    plain = run(["dashboard", "--as-of", AS_OF, "-o", str(tmp_path / "clear")])
    assert plain.exit_code == 0, describe(plain)
    site = tmp_path / "site"
    args = ["dashboard", "--for", "investor", "--as-of", AS_OF, "-o", str(site)]
    result = run([*args, "--encrypt-to", keys[1][1]])
    assert result.exit_code == 0, describe(result)
    assert sorted(p.name for p in site.iterdir()) == ["index.html.age"]
    assert "index.html.age" in result.stderr and "encrypted to 1 key" in result.stderr
    sealed = (site / "index.html.age").read_bytes()
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    opened = pyrage.decrypt(sealed, identity.load_keys(keys[1][0])).decode()
    clear = run([*args[:-1], str(tmp_path / "investor")])
    assert clear.exit_code == 0, describe(clear)
    assert opened == (tmp_path / "investor" / "index.html").read_text(encoding="utf-8")
    assert opened != (tmp_path / "clear" / "index.html").read_text(encoding="utf-8")
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed, identity.load_keys(keys[0][0]))


def test_a_dashboard_for_a_recipient_that_is_not_a_key_writes_nothing(
    repo: Path, tmp_path: Path
) -> None:
    result = run(["dashboard", "-o", str(tmp_path / "site"), "--encrypt-to", "age1notakey"])
    assert result.exit_code == 2, describe(result)
    assert "--encrypt-to" in result.stderr
    assert not (tmp_path / "site").exists()
