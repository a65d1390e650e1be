"""A pipe, a folder, a socket or a device where clr expects a file: exit 1, a message, no hang.

A named pipe (FIFO) opened for reading waits for a writer for ever, and ``/dev/zero`` never
ends. Every path clr reads gets each kind of non-regular file in turn; every command that
reads it must end within a few seconds with exit 1 (2 for ``clr.yaml`` and
``recipients.txt``: settings clr cannot work without) and a message that names the file,
and never with a traceback.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import CASE_ID, MINIMAL_CASE, ForkServer, Result, make_repo

from clr.io import files

KINDS = ("fifo", "directory", "socket", "dev-zero", "dev-null", "link-loop")

PLAYBOOK = "playbooks/child-labour.yaml"


def _make(path: Path, kind: str) -> Iterator[None]:
    """Put a non-regular file of ``kind`` at ``path`` (replacing what is there)."""
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-null":
        path.symlink_to("/dev/null")
    elif kind == "link-loop":
        path.symlink_to(path.name)
    else:  # a socket that is listening: connecting to it would not fail
        sock = socket.socket(socket.AF_UNIX)
        here = Path.cwd()
        os.chdir(path.parent)  # a short relative name: socket paths are limited to 108 bytes
        try:
            sock.bind(path.name)
        finally:
            os.chdir(here)
        sock.listen(1)
        try:
            yield
        finally:
            sock.close()
        return
    yield


@pytest.fixture(scope="module")
def run() -> Iterator[Callable[..., Result]]:
    server = ForkServer([["validate"], ["status"]])
    yield server.run
    server.close()


def _repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    (root / "playbooks").mkdir()
    return root


# (path in the repository, the commands that read it, the exit code)
PLACES: list[tuple[str, tuple[tuple[str, ...], ...], int]] = [
    (".clr-cache/validate.results", (("validate",),), 1),
    (".clr-cache/summary.rows", (("status",),), 1),
    (PLAYBOOK, (("validate",), ("next", CASE_ID)), 1),
    ("clr.yaml", (("validate",), ("status",)), 2),
    (f"cases/{CASE_ID}/case.yaml", (("validate",), ("show", CASE_ID), ("status",)), 1),
    (f"cases/{CASE_ID}/recipients.txt", (("identity", "set", CASE_ID, "--name", "A"),), 2),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("place", "commands", "code"), PLACES, ids=[p[0] for p in PLACES])
def test_non_regular_file_ends_with_a_message(
    tmp_path: Path,
    run: Callable[..., Result],
    place: str,
    commands: tuple[tuple[str, ...], ...],
    code: int,
    kind: str,
) -> None:
    root = _repo(tmp_path)
    if place.startswith(".clr-cache"):
        assert run(["validate"], root).code == 0  # a cache to start from
        assert run(["status"], root).code == 0
    with contextlib.contextmanager(_make)(root / place, kind):
        for args in commands:
            result = run([*args], root, timeout=8)
            assert not result.timed_out, result.describe()
            assert "Traceback" not in result.output, result.describe()
            assert "internal error" not in result.output, result.describe()
            assert result.code == code, result.describe()
            # next names the playbook and sends to validate, which names the file
            named = "playbook 'child-labour'" if args[0] == "next" else Path(place).name
            assert named in result.output, result.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_status_with_a_playbook_that_is_not_a_file(
    tmp_path: Path, run: Callable[..., Result], kind: str
) -> None:
    # status lists the cases and warns (open actions unknown); validate names the file
    root = _repo(tmp_path)
    with contextlib.contextmanager(_make)(root / PLAYBOOK, kind):
        result = run(["status"], root, timeout=8)
    assert not result.timed_out, result.describe()
    assert "Traceback" not in result.output, result.describe()
    assert CASE_ID in result.stdout, result.describe()
    assert "playbook that is unknown or invalid" in result.stderr, result.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_gitignore_of_init_that_is_not_a_file(
    tmp_path: Path, run: Callable[..., Result], kind: str
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    with contextlib.contextmanager(_make)(folder / ".gitignore", kind):
        args = ["init", "--no-git", "--organisation", "Test", "--prefix", "CLR"]
        result = run(args, folder, timeout=8)
        assert not result.timed_out, result.describe()
        assert "Traceback" not in result.output, result.describe()
        assert result.code == 1, result.describe()
        assert ".gitignore" in result.output, result.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_set_from_a_file_that_is_not_a_file(
    tmp_path: Path, run: Callable[..., Result], kind: str
) -> None:
    root = _repo(tmp_path)
    fragment = tmp_path / "fragment.yaml"
    with contextlib.contextmanager(_make)(fragment, kind):
        result = run(["set", CASE_ID, "--from", str(fragment)], root, timeout=8)
        assert not result.timed_out, result.describe()
        assert "Traceback" not in result.output, result.describe()
        assert result.code == 1, result.describe()
        assert "fragment.yaml" in result.output, result.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_key_file_that_is_not_a_file(tmp_path: Path, run: Callable[..., Result], kind: str) -> None:
    root = _repo(tmp_path)
    (root / "cases" / CASE_ID / "identity.yaml.age").write_bytes(b"age-encryption.org/v1\n")
    key = tmp_path / "key.txt"
    with contextlib.contextmanager(_make)(key, kind):
        args = ["identity", "show", CASE_ID, "--identity-file", str(key)]
        result = run(args, root, timeout=8)
        assert not result.timed_out, result.describe()
        assert "Traceback" not in result.output, result.describe()
        assert result.code == 1, result.describe()
        assert "key.txt" in result.output, result.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_reader_refuses_without_blocking(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "thing"
    with contextlib.contextmanager(_make)(path, kind), pytest.raises(OSError) as caught:
        files.read_bytes(path)
    assert files.reason(caught.value)
    assert files.hint(caught.value)


def test_reader_refuses_a_symbolic_link_where_asked(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to("real")
    assert files.read_bytes(tmp_path / "link") == b"x"
    with pytest.raises(files.NotRegularFile, match="symbolic link"):
        files.read_bytes(tmp_path / "link", follow_symlinks=False)


def test_reader_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 100)
    assert files.read_bytes(path, limit=100) == b"x" * 100
    assert files.read_bytes(path, limit=10, truncate=True) == b"x" * 11
    with pytest.raises(files.FileTooLarge):
        files.read_bytes(path, limit=99)
