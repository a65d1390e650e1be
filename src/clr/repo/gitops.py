"""git-aware checks: only the cases changed since a revision, and history never rewritten."""

from __future__ import annotations

import subprocess
from pathlib import Path

from clr.checks.results import FileReport, Report
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import yamlio
from clr.model import stages
from clr.model.findings import Finding, finding, said
from clr.repo.repository import CASE_FILE, display_path, find_root

# Changes to these make every case worth checking again.
_SHARED = ("clr.yaml", "playbooks/")


class GitError(ClrError):
    """git failed, or the revision is unknown."""

    exit_code = 2


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise GitError(
            said(N_("git is not installed")),
            hint=said(N_("install git, or drop --changed/--since")),
        ) from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(
            f"git {' '.join(args[:2])}: {message}",
            hint=said(
                N_(
                    "check the revision (e.g. origin/main, HEAD~1) and that this is a git "
                    "repository with that history"
                )
            ),
        )
    return result.stdout


def _verify(top: Path, rev: str) -> None:
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError:
        raise GitError(
            said(N_("unknown git revision {rev}"), rev=repr(rev)),
            hint=said(
                N_(
                    "give a branch, tag or commit this clone has, e.g. origin/main "
                    "(in CI, fetch enough history: fetch-depth: 0)"
                )
            ),
        ) from None


def _toplevel(root: Path) -> Path:
    return Path(_git(root, "rev-parse", "--show-toplevel").strip())


def changed_case_files(targets: list[Path], rev: str) -> list[Path]:
    """The case files under ``targets`` added or changed since ``rev``.

    If ``clr.yaml`` or a playbook changed, every case of that repository is checked.
    """
    out: list[Path] = []
    for target in targets:
        root = find_root(target)
        if root is None:
            raise GitError(said(N_("{path} is not in a case repository"), path=target))
        top = _toplevel(root)
        _verify(top, rev)
        names = _git(top, "diff", "--name-only", "--diff-filter=ACMRT", rev, "--").splitlines()
        names += _git(top, "ls-files", "--others", "--exclude-standard").splitlines()
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        inside = [n[len(prefix) :] for n in names if n.startswith(prefix)]
        if any(n == "clr.yaml" or n.startswith("playbooks/") for n in inside):
            out.append(root)
            continue
        scope = target.resolve()
        for name in sorted(set(inside)):
            parts = name.split("/")
            path = root / name
            if (
                len(parts) == 3
                and parts[0] == "cases"
                and parts[2] == CASE_FILE
                and path.is_file()
                and (scope == path.resolve() or scope in path.resolve().parents)
            ):
                out.append(path)
    return out


def history_findings(
    report: Report, targets: list[Path], rev: str, shard: tuple[int, int] | None = None
) -> None:
    """Add findings for stages moved back, history rewritten and cases deleted since ``rev``.

    With ``shard`` (K, N), only for the case files of that part (as ``clr validate --shard``).

    Every case of each repository the targets are in is compared with its version at
    ``rev``; only the case files git says differ from ``rev`` can have a finding, and their
    old versions come from one ``git cat-file --batch`` per repository.
    """
    by_path = {r.path: r for r in report.files}
    done: set[Path] = set()
    for target in targets:
        root = find_root(target)
        if root is None or root in done:
            continue
        done.add(root)
        top = _toplevel(root)
        _verify(top, rev)
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        # Files added since rev cannot have moved back; renames are a deletion and an
        # addition (--no-renames), so the old name is reported as gone.
        differ = _git(
            top,
            "diff",
            "--no-renames",
            "--name-only",
            "--diff-filter=DMT",
            rev,
            "--",
            f"{prefix}cases/",
        ).splitlines()
        old_files = sorted(n for n in differ if n.endswith("/" + CASE_FILE))
        if shard is not None:
            from clr.checks.validate import in_shard

            old_files = [n for n in old_files if in_shard(n[len(prefix) :], shard)]
        old_versions = _blobs(top, rev, [n for n in old_files if (top / n).exists()])
        for name in old_files:
            path = top / name
            shown = display_path(path)
            if not path.exists():
                report.files.append(
                    FileReport(
                        shown,
                        [
                            finding(
                                shown,
                                0,
                                0,
                                "CLR218",
                                said(N_("this case existed at {rev} and is gone now"), rev=rev),
                                said(
                                    N_(
                                        "restore it with {command}; cases are closed with a "
                                        "reason, never deleted"
                                    ),
                                    command=f"git checkout {rev} -- {name}",
                                ),
                            )
                        ],
                    )
                )
                continue
            blob = old_versions.get(name)
            if blob is None:
                continue
            old = yamlio.parse_bytes(blob, shown)
            new = yamlio.read_file(path, shown)
            if old.data is None or new.data is None:
                continue
            findings = _compare(old.data, new, rev)
            if findings:
                holder = by_path.get(shown)
                if holder is None:
                    holder = FileReport(shown)
                    report.files.append(holder)
                    by_path[shown] = holder
                holder.findings.extend(findings)
    report.files.sort(key=lambda r: r.path)


def _blobs(top: Path, rev: str, names: list[str]) -> dict[str, bytes]:
    """The contents of files at ``rev``, by name, read by one ``git cat-file --batch``."""
    if not names:
        return {}
    request = "".join(f"{rev}:{name}\n" for name in names).encode()
    try:
        result = subprocess.run(
            ["git", "-C", str(top), "cat-file", "--batch"],
            input=request,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            said(N_("git is not installed")),
            hint=said(N_("install git, or drop --changed/--since")),
        ) from None
    if result.returncode != 0:
        message = (result.stderr.decode(errors="replace").strip().splitlines() or ["failed"])[-1]
        raise GitError(
            f"git cat-file: {message}", hint=said(N_("check that the repository is intact"))
        )
    out: dict[str, bytes] = {}
    data = result.stdout
    at = 0
    for name in names:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            out[name] = data[at : at + size]
            at += size + 1  # the content and its closing line break
        elif len(header) == 3:  # another kind of object (a folder named case.yaml)
            at += int(header[2]) + 1
    return out


def _compare(old: dict[str, object], new: yamlio.Loaded, rev: str) -> list[Finding]:
    assert new.data is not None
    out: list[Finding] = []
    before, after = old.get("stage"), new.data.get("stage")
    if (
        isinstance(before, str)
        and isinstance(after, str)
        and before in stages.STAGES
        and after in stages.STAGES
    ):
        moved_back = stages.index(after) < stages.index(before) or (
            before == "closed" and after != "closed"
        )
        if moved_back:
            line, col = new.locate("/stage")
            out.append(
                finding(
                    new.path,
                    line,
                    col,
                    "CLR216",
                    said(
                        N_("stage moved back from {before} (at {rev}) to {after}"),
                        before=before,
                        rev=rev,
                        after=after,
                    ),
                    said(
                        N_(
                            "stages only move forward; a closed case is reopened as a new, "
                            "linked case (clr reopen)"
                        )
                    ),
                    pointer="/stage",
                )
            )
    old_history = old.get("history")
    new_history = new.data.get("history")
    if isinstance(old_history, list) and isinstance(new_history, list):
        for i, entry in enumerate(old_history):
            if i >= len(new_history) or new_history[i] != entry:
                pointer = f"/history/{min(i, max(len(new_history) - 1, 0))}"
                line, col = new.locate(pointer)
                out.append(
                    finding(
                        new.path,
                        line,
                        col,
                        "CLR217",
                        said(
                            N_("history[{index}] was changed or removed since {rev}"),
                            index=i,
                            rev=rev,
                        ),
                        said(
                            N_("history is append-only: restore the entry as it was ({command})"),
                            command=f"git show {rev}:<file>",
                        ),
                        pointer=pointer,
                    )
                )
                break
    return out


DIFF_DRIVER = "age"
"""The diff driver clr init's .gitattributes names for identity files (``diff=age``)."""


def textconv_command() -> str:
    """The command git runs to show an identity file: clr on PATH, else this Python's clr."""
    import shlex
    import shutil
    import sys

    if shutil.which("clr"):
        return "clr identity textconv"
    return f"{shlex.quote(sys.executable)} -m clr identity textconv"


def setup_diff_driver(root: Path) -> str:
    """Configure, in the repository's local git config, the driver that decrypts identities.

    Returns the command configured. ``cachetextconv`` is set to false: git must never keep
    decrypted text in its notes.

    Raises:
        ClrError: git is missing, or ``root`` is not in a git repository.
    """
    hint = said(N_("run 'git init' in the repository first (clr init does it), then clr git-setup"))
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise ClrError(
            said(N_("git is not installed")), hint=said(N_("install git, then run clr git-setup"))
        ) from None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise ClrError(
            said(N_("{path} is not in a git repository"), path=display_path(root)), hint=hint
        )
    command = textconv_command()
    _git(root, "config", "--local", f"diff.{DIFF_DRIVER}.textconv", command)
    _git(root, "config", "--local", f"diff.{DIFF_DRIVER}.cachetextconv", "false")
    return command
