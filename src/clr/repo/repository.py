"""A case repository: finding it, its clr.yaml, and the case files in it."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clr.errors import CaseNotFound, ConfigError, NotARepository
from clr.i18n import N_
from clr.io import files, yamlio
from clr.model.dates import timezone_problem
from clr.model.findings import Finding, Joined, Said, finding, said
from clr.model.record import Frozen

CONFIG_NAME = "clr.yaml"
CASES_DIR = "cases"
CASE_FILE = "case.yaml"


class Config(Frozen):
    """The settings of one case repository (``clr.yaml``), with defaults filled in."""

    organisation: str
    id_prefix: str
    default_playbook: str
    timezone: str = "UTC"  # the defaults of these two are read from the class too
    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: tuple[str, ...]
    minimum_ages: dict[str, dict[str, int]]
    buyer_codes: dict[str, dict[str, int]]
    overdue: str
    recipients: tuple[str, ...]
    rules: dict[str, dict[str, Any]]
    young_worker_hours: dict[str, dict[str, Any]]
    working_days_set: bool
    """True if clr.yaml names its working days (else the country's week decides)."""
    key_store: str | None
    """The key store's folder as written in clr.yaml (see ``cases.keystore``), or None."""
    retention: dict[str, Any] | None
    """The retention policy (``basis``, ``approver``, ``years_after_closure``, ``legal_hold``)."""
    closing: dict[str, Any]
    """Changes to the playbooks' closing rules (``closing``)."""
    language: str | None

    def __init__(
        self,
        organisation: str = "",
        id_prefix: str = "CLR",
        default_playbook: str = "child-labour",
        timezone: str = "UTC",
        working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri"),
        holidays: tuple[str, ...] = (),
        minimum_ages: dict[str, dict[str, int]] | None = None,
        buyer_codes: dict[str, dict[str, int]] | None = None,
        overdue: str = "warning",
        recipients: tuple[str, ...] = (),
        rules: dict[str, dict[str, Any]] | None = None,
        young_worker_hours: dict[str, dict[str, Any]] | None = None,
        working_days_set: bool = False,
        key_store: str | None = None,
        retention: dict[str, Any] | None = None,
        closing: dict[str, Any] | None = None,
        language: str | None = None,
    ) -> None:
        minimum_ages = minimum_ages if minimum_ages is not None else {}
        buyer_codes = buyer_codes if buyer_codes is not None else {}
        rules = rules if rules is not None else {}
        young_worker_hours = young_worker_hours if young_worker_hours is not None else {}
        closing = closing if closing is not None else {}
        self.__dict__.update(
            organisation=organisation,
            id_prefix=id_prefix,
            default_playbook=default_playbook,
            timezone=timezone,
            working_days=working_days,
            holidays=holidays,
            minimum_ages=minimum_ages,
            buyer_codes=buyer_codes,
            overdue=overdue,
            recipients=recipients,
            rules=rules,
            young_worker_hours=young_worker_hours,
            working_days_set=working_days_set,
            key_store=key_store,
            retention=retention,
            closing=closing,
            language=language,
        )

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        """Build a Config from validated ``clr.yaml`` data."""
        return cls(
            organisation=data.get("organisation", ""),
            id_prefix=data.get("id_prefix", "CLR"),
            default_playbook=data.get("default_playbook", "child-labour"),
            timezone=data.get("timezone", "UTC"),
            working_days=tuple(data.get("working_days") or cls.working_days),
            holidays=tuple(data.get("holidays") or ()),
            minimum_ages=dict(data.get("minimum_ages") or {}),
            buyer_codes=dict(data.get("buyer_codes") or {}),
            overdue=data.get("overdue", "warning"),
            recipients=tuple(data.get("recipients") or ()),
            rules=dict(data.get("rules") or {}),
            young_worker_hours=dict(data.get("young_worker_hours") or {}),
            working_days_set=bool(data.get("working_days")),
            key_store=data.get("key_store"),
            retention=data.get("retention"),
            closing=dict(data.get("closing") or {}),
            language=data.get("language"),
        )


class Repository(Frozen):
    """A case repository: its root folder and configuration."""

    root: Path
    config: Config

    def __init__(self, root: Path, config: Config) -> None:
        self.__dict__.update(root=root, config=config)

    @property
    def cases_dir(self) -> Path:
        """The folder that holds one sub-folder per case."""
        return self.root / CASES_DIR

    def case_files(self) -> list[Path]:
        """Every ``cases/<id>/case.yaml``, sorted by id."""
        return [self.cases_dir / name / CASE_FILE for name in self.case_ids()]

    def case_ids(self) -> list[str]:
        """The names of the folders in ``cases/`` that hold a case file, sorted."""
        return _scan(str(self.cases_dir))[0]

    def case_ids_starting(self, prefix: str) -> list[str]:
        """The case ids (as :meth:`case_ids`) that start with ``prefix``, ignoring case.

        Only the folders whose names match are looked into: in 10,000 cases a prefix costs
        one listing of ``cases/``, not a probe of every folder.
        """
        wanted = prefix.upper()
        folder = str(self.cases_dir)
        try:
            names = os.listdir(folder)  # noqa: PTH208 - names only: no object per entry
        except OSError:
            return []
        text = "\0" + "\0".join(names)  # no file name holds a NUL
        if wanted.isascii() and text.isascii():
            # Searches at C speed in the names' upper cases, which for ASCII are as long as
            # the names: a match's place is the name's in ``text``.
            upper, needle = text.upper(), "\0" + wanted
            found = []
            at = upper.find(needle)
            while at != -1:
                end = text.find("\0", at + 1)
                found.append(text[at + 1 : end if end != -1 else len(text)])
                at = upper.find(needle, at + 1)
        else:
            found = [name for name in names if name.upper().startswith(wanted)]
        return sorted(
            name
            for name in found
            if not name.startswith(".")
            and os.path.isdir(os.path.join(folder, name))  # noqa: PTH112, PTH118
            and os.path.lexists(os.path.join(folder, name, CASE_FILE))  # noqa: PTH118
        )

    def scan(self) -> tuple[list[str], list[str], list[str]]:
        """One pass over ``cases/``: case ids, folders without a case file, stray YAML files."""
        return _scan(str(self.cases_dir))

    def scan_all(
        self,
        *,
        use_cache: bool = True,
        watched: tuple[str, ...] = (),
        odd: list[str] | None = None,
    ) -> tuple[tuple[list[str], list[str], list[str]], list[str]]:
        """``scan``, and the temporary files an interrupted clr left (relative to the root).

        Listing 10,000 case folders costs about twice as much as probing each for its case
        file, so a folder is listed only if it changed (its modification time) since it was
        last seen with its case file and nothing else of clr's; those times are kept in
        ``.clr-cache/folders.memo``. Without the cache every folder is listed.

        ``watched``: patterns of file names (``fnmatch``, case-sensitive). A case folder
        that holds a sub-folder or a name matching one of them is not recorded as clean,
        so that it is listed again on every run; it goes to ``odd`` (``cases/<id>/``),
        with hidden folders of ``cases/`` and the files directly in it whose names match
        (``cases/<name>``). Whatever of ``cases/`` is not in ``odd`` holds, besides case
        files, only files with other names.
        """
        from clr.io.atomic import is_temporary

        memo = self.root / ".clr-cache" / FOLDERS_MEMO
        clean: dict[str, int] = _read_folders(memo, watched) if use_cache else {}
        fresh: dict[str, int] = {}
        temporary: list[str] = []
        scanned = _scan(str(self.cases_dir), temporary, clean, fresh, watched, odd)
        with contextlib.suppress(OSError):
            temporary += [n for n in os.listdir(self.root) if n[0] == "." and is_temporary(n)]  # noqa: PTH208
        if use_cache and fresh != clean:
            _write_folders(memo, watched, fresh)
        return scanned, sorted(temporary)

    def layout_findings(
        self,
        scanned: tuple[list[str], list[str], list[str]] | None = None,
        temporary: list[str] | None = None,
    ) -> list[Finding]:
        """Folders in ``cases/`` without a case file, stray files there, temporary files."""
        _files, empty, stray = scanned or self.scan()
        prefix = display_path(self.cases_dir)
        out_tmp = [
            finding(
                display_path(self.root / name),
                0,
                0,
                "CLR405",
                said(N_("a temporary file left by a clr command that was killed while writing")),
                said(N_("the file it was writing is whole (old or new); delete this one")),
                severity="warning",
            )
            for name in temporary or []
        ]
        out = [
            finding(
                f"{prefix}/{name}",
                0,
                0,
                "CLR403",
                said(N_("folder {name} in cases/ has no {file}"), name=f"{name}/", file=CASE_FILE),
                said(N_("remove the folder, or restore its case.yaml from git")),
                severity="warning",
            )
            for name in empty
        ]
        out += [
            finding(
                f"{prefix}/{name}",
                0,
                0,
                "CLR404",
                said(N_("a YAML file directly in cases/ is not read as a case")),
                said(N_("a case lives in {where}"), where=f"cases/<id>/{CASE_FILE}"),
                severity="warning",
            )
            for name in stray
        ]
        return sorted(out + out_tmp)


FOLDERS_FORMAT = 3
"""The format of ``.clr-cache/folders.memo`` (2: clean folders hold no watched names; 3:
written by ``marshal``)."""
FOLDERS_MEMO = "folders.memo"


def _read_folders(memo: Path, watched: tuple[str, ...]) -> dict[str, int]:
    """The case folders recorded clean (name: modification time); {} if none can be trusted.

    The file is ``marshal``'s (format, watched names, folder names, times), with a checksum
    before it; what it holds is used only if it is of that shape (strings and whole
    numbers), as the result cache's.
    """
    import marshal

    from clr.io.cache import checksum

    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        head, _, body = files.read_bytes(memo, follow_symlinks=False).partition(b"\n")
        if head.decode() != checksum(body):
            return {}
        loaded = marshal.loads(body)
        if type(loaded) is tuple and len(loaded) == 4:
            form, names, folders, times = loaded
            if (
                form == FOLDERS_FORMAT
                and names == watched
                and type(folders) is tuple
                and type(times) is tuple
                and len(folders) == len(times)
                and set(map(type, folders)) <= {str}
                and set(map(type, times)) <= {int}
            ):
                return dict(zip(folders, times, strict=True))
    return {}


def _write_folders(memo: Path, watched: tuple[str, ...], fresh: dict[str, int]) -> None:
    import marshal

    from clr.errors import ClrError
    from clr.io import atomic
    from clr.io.cache import checksum

    body = marshal.dumps((FOLDERS_FORMAT, tuple(watched), tuple(fresh), tuple(fresh.values())))
    with contextlib.suppress(OSError, ClrError):  # only a cache
        memo.parent.mkdir(exist_ok=True)
        if not (memo.parent / ".gitignore").exists():
            atomic.write(memo.parent / ".gitignore", "*\n")
        atomic.write(memo, checksum(body).encode() + b"\n" + body)


SETTLED_NS = 3_000_000_000
"""A folder's time is recorded only once it is this old: a change in the same clock tick
as the listing must not hide behind an unchanged time (as in the result cache)."""


def _scan(
    folder: str,
    temporary: list[str] | None = None,
    clean: dict[str, int] | None = None,
    fresh: dict[str, int] | None = None,
    watched: tuple[str, ...] = (),
    odd: list[str] | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """One pass over ``cases/``: folders with a case file, folders without, stray YAML files.

    With ``temporary``, each case folder is listed and the temporary files of clr found
    there (and in ``cases/``) are added to it, as ``cases/<id>/<name>``; a folder whose
    modification time is the one in ``clean`` is known to hold its case file and nothing
    of clr's, and is not listed. ``fresh`` receives the times of the folders found so.
    A listed folder that holds a sub-folder or a name matching ``watched`` goes to ``odd``
    (as ``cases/<name>/``) and is not found clean, as does a hidden folder in ``cases/``;
    a file there whose name matches goes to ``odd`` as ``cases/<name>``.
    """
    import time

    match = _matcher(watched)

    now = time.time_ns()
    ids: list[str] = []
    empty: list[str] = []
    stray: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ids, empty, stray
    if temporary is not None:
        from clr.io.atomic import is_temporary
    prefix = f"{CASES_DIR}/"
    clean = clean or {}
    stat_of = os.stat
    for entry in entries:
        name = entry.name
        is_dir = entry.is_dir()
        if name[0] == "." or not is_dir:
            if odd is not None:
                # Not a case folder: a hidden folder is walked, a watched name looked at.
                if is_dir:
                    odd.append(f"{prefix}{name}/")
                elif match is not None and match(name):
                    odd.append(prefix + name)
            if name[0] == ".":
                if temporary is not None and is_temporary(name):
                    temporary.append(prefix + name)
            elif name.endswith((".yaml", ".yml")):
                stray.append(name)
            continue
        # lexists: a case.yaml that is a broken link, a folder or a pipe is still a case,
        # one that cannot be read (an error), not a folder without a case (a warning).
        where = f"{folder}/{name}"
        if temporary is None:
            has_case = os.path.lexists(f"{where}/{CASE_FILE}")
        else:
            known = clean.get(name)
            try:  # the usual case inline: a folder unchanged since it was last listed
                changed: int | None = stat_of(where).st_mtime_ns
            except OSError:
                changed = None
            if known is not None and changed == known:
                if fresh is not None:
                    fresh[name] = changed
                has_case = True
            else:
                has_case = _list_case_folder(
                    where, name, temporary, changed, fresh, now, match, odd
                )
        (ids if has_case else empty).append(name)
    return sorted(ids), sorted(empty), sorted(stray)


def _matcher(patterns: tuple[str, ...]) -> Callable[[str], object] | None:
    """One compiled test for file names matching any of ``patterns`` (``fnmatch``)."""
    if not patterns:
        return None
    import fnmatch
    import re

    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def _list_case_folder(
    where: str,
    name: str,
    temporary: list[str],
    changed: int | None,
    fresh: dict[str, int] | None,
    now: int,
    match: Callable[[str], object] | None = None,
    odd: list[str] | None = None,
) -> bool:
    """Whether a case folder holds its case file; its temporary files go to ``temporary``.

    ``changed``: the folder's modification time, if it could be read. A folder holding a
    sub-folder or a name ``match`` accepts goes to ``odd`` and is not recorded clean.
    """
    from clr.io.atomic import is_temporary

    names: list[str] = []
    unusual = False
    try:
        with os.scandir(where) as entries:
            for entry in entries:
                names.append(entry.name)
                if not unusual and (entry.is_dir() or (match and match(entry.name))):
                    unusual = True
    except OSError:
        names = []
        unusual = True  # what it holds is not known: not clean
    if unusual and odd is not None:
        odd.append(f"{CASES_DIR}/{name}/")
    has_case = CASE_FILE in names or os.path.lexists(os.path.join(where, CASE_FILE))  # noqa: PTH118
    found = [f"{CASES_DIR}/{name}/{n}" for n in names if n[0] == "." and is_temporary(n)]
    temporary += found
    settled = changed is not None and now - changed > SETTLED_NS
    if has_case and not found and not unusual and settled and fresh is not None:
        fresh[name] = changed  # type: ignore[assignment]
    return has_case


def display_path(path: Path | str, cwd: str | None = None) -> str:
    """Show a path relative to the current folder, unless that takes three ``../`` or more.

    ``cwd`` (the absolute current folder) may be given to save a system call per path.
    """
    here = cwd or os.getcwd()  # noqa: PTH109
    absolute = os.path.join(here, path)  # noqa: PTH118
    try:
        rel = os.path.relpath(absolute, here)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return os.path.normpath(absolute) if rel.startswith("../../../") else rel


def is_identity_file(path: Path) -> bool:
    """True for a case's identity file (``identity.yaml``, ``identity.yaml.age``…)."""
    return path.name.startswith("identity.")


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` holding ``clr.yaml``, or None."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        # Not is_file(): a clr.yaml that is a pipe or a folder is reported, not passed over.
        if os.path.lexists(folder / CONFIG_NAME):
            return folder
    return None


def read_config(root: Path, *, remember: bool = False) -> tuple[Config, list[Finding]]:
    """Read and check ``clr.yaml``; findings describe what is wrong with it.

    ``remember``: note in ``.clr-cache/`` that this ``clr.yaml`` matches its schema, and
    trust such a note (keyed by the file's bytes, clr's code and its schemas): a warm
    ``clr validate`` then does without the schema engine (a fifth of its start-up).
    """
    path = root / CONFIG_NAME
    loaded = yamlio.read_file(path, display_path(path))
    findings = list(loaded.findings)
    if loaded.data is None:
        return Config(), _as_config_findings(findings, loaded)
    key = _config_key(root) if remember else ""
    if not key or _config_note(root) != key:
        from clr.checks import schemas

        problems = schemas.check(loaded.data, loaded.path, "config")
        findings += problems
        if key and not problems and not findings:
            _note_config(root, key)
    zone = loaded.data.get("timezone")
    problem = timezone_problem(zone) if isinstance(zone, str) else None
    if problem is not None:
        message, hint = problem
        findings.append(finding(loaded.path, 0, 0, "CLR401", message, hint, pointer="/timezone"))
    if findings:
        return Config(), _as_config_findings(findings, loaded)
    return Config.from_data(loaded.data), []


CONFIG_NOTE = "config.ok"
"""The file in ``.clr-cache/`` that says which ``clr.yaml`` was found to match its schema."""


def _config_key(root: Path) -> str:
    from clr.io import cache

    return cache.context_key(root, [], "", "config")


def _config_note(root: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        raw = files.read_bytes(root / ".clr-cache" / CONFIG_NOTE, follow_symlinks=False)
        return raw.decode().strip()
    return ""


def _note_config(root: Path, key: str) -> None:
    from clr.errors import ClrError
    from clr.io import atomic

    folder = root / ".clr-cache"
    with contextlib.suppress(OSError, ClrError):  # only a cache
        folder.mkdir(exist_ok=True)
        if not (folder / ".gitignore").exists():
            atomic.write(folder / ".gitignore", "*\n")
        atomic.write(folder / CONFIG_NOTE, key + "\n")


def _as_config_findings(findings: list[Finding], loaded: yamlio.Loaded) -> list[Finding]:
    out = []
    for f in findings:
        line, col = (f.line, f.col) if f.line else loaded.locate(f.pointer, key=f.code == "CLR104")
        message: str | Said = f.worded or f.message
        if not f.code.startswith("CLR0"):
            message = said(N_("clr.yaml: {problem}"), problem=message)
        out.append(
            finding(
                f.path,
                line,
                col,
                "CLR401",
                message,
                f.hint_worded or f.hint,
                severity=f.severity,
                pointer=f.pointer,
            )
        )
    return out


def open_repository(start: Path | None = None) -> Repository:
    """Open the repository containing ``start`` (default: the current folder).

    Raises:
        NotARepository: no ``clr.yaml`` at or above ``start``.
        ConfigError: ``clr.yaml`` is invalid.
    """
    start = start or Path.cwd()
    root = find_root(start)
    if root is None:
        raise NotARepository(
            said(
                N_("{path} is not inside a case repository (no {config} found)"),
                path=display_path(start),
                config=CONFIG_NAME,
            ),
            hint=said(N_("run 'clr init' to make one, or cd into your case repository")),
        )
    config, findings = read_config(root)
    if findings:
        first = findings[0]
        raise ConfigError(
            Joined("", (f"{first.path}:{first.line}:{first.col}: ", first.worded or first.message)),
            hint=first.hint_worded
            or first.hint
            or said(N_("run 'clr validate' to see every problem in clr.yaml")),
        )
    return Repository(root, config)


def find_case(repo: Repository, ref: str) -> Path:
    """Return the case file for a case id, a case folder or a case file path.

    Raises:
        CaseNotFound: nothing matches, or the id is not a plain name.
    """
    candidate = Path(ref)
    if candidate.is_file():
        return candidate
    if candidate.is_dir() and (candidate / CASE_FILE).is_file():
        return candidate / CASE_FILE
    if "/" in ref or "\\" in ref or ref in ("", ".", "..") or ref.startswith("."):
        raise CaseNotFound(
            said(N_("no case at {ref}"), ref=ref),
            hint=said(N_("give a case id, or a case folder or file")),
        )
    path = repo.cases_dir / ref / CASE_FILE
    if path.is_file():
        return path
    matches = [repo.cases_dir / name / CASE_FILE for name in repo.case_ids_starting(ref)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise CaseNotFound(
            said(N_("{ref} matches {count} cases"), ref=ref, count=len(matches)),
            hint=said(
                N_("give more of the id: {ids}"), ids=", ".join(p.parent.name for p in matches[:5])
            ),
        )
    raise CaseNotFound(
        said(N_("no case {ref} in {folder}"), ref=ref, folder=display_path(repo.cases_dir)),
        hint=said(N_("'clr status' lists the cases")),
    )


def time_zone(start: Path | None = None) -> str | None:
    """The time zone of the repository holding ``start`` (or the cwd); None outside one.

    Read straight from ``clr.yaml`` (UTC when it names none), without checking the rest of
    the file: every command checks it anyway. None too for a ``clr.yaml`` that cannot be
    read or whose ``timezone`` is not text.
    """
    root = find_root(start if start is not None else Path.cwd())
    if root is None:
        return None
    data = yamlio.read_file(root / CONFIG_NAME).data
    if not isinstance(data, dict):
        return None
    zone = data.get("timezone", Config.timezone)
    return zone if isinstance(zone, str) else None


def today(start: Path | None = None, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the time zone of the repository holding ``start`` (or the cwd).

    The zone comes from its ``clr.yaml``; outside a repository, the machine's date.
    ``now`` is the moment (default: this one). ``--as-of`` replaces it in commands.
    """
    from clr.model import dates

    zone = time_zone(start)
    if zone is None:
        return dt.date.fromtimestamp((now or dates.utc_now()).timestamp())
    return dates.today_in(zone, now)
