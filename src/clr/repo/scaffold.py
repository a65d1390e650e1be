"""``clr init``: the files of a new case repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from clr import SOURCE_URL
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import atomic, resources
from clr.io.files import read_text, reason
from clr.io.splice import render_scalar
from clr.model.findings import Said, said

SCHEMA_DIR = ".clr/schemas"
"""Where a case repository keeps copies of clr's schemas, for editors (yaml-language-server)."""

GITIGNORE = """\
# Written by clr init. Personal data of a child never goes into git in plaintext:
# identity files are committed only encrypted (identity.yaml.age).
identity.yaml
identity.yml
*.identity.yaml
*.identity.yml
*.decrypted
# Private keys: never commit them.
*.key
age-identity*.txt
keys.txt
identity.txt
# clr's own working files
.clr-cache/
""" + "".join(f"{pattern}\n" for pattern in atomic.TEMP_PATTERNS)

GITATTRIBUTES = """\
# Written by clr init.
*.yaml text eol=lf
*.yml text eol=lf
# Encrypted identity files: binary to git; shown decrypted by 'git diff' after 'clr git-setup'.
cases/**/*.age -text -merge diff=age
"""

CLR_SOURCE = SOURCE_URL
"""Where clr's source is kept: the default of ``clr init --clr-source``.

The workflow and the pre-commit configuration that ``clr init`` writes install clr from there
(pip from git, pre-commit from the hook repository), so they work before and without any
release on a package index.
"""

CLR_DISTRIBUTION = "clr-cases"
"""clr's distribution name on package indexes (the command is ``clr``)."""


def default_clr_ref() -> str:
    """The tag of this clr's release: the default of ``clr init --clr-ref``."""
    from clr import __version__

    return f"v{__version__}"


def installed_origin() -> tuple[str, str] | None:
    """The git URL and commit this clr was installed from, if pip installed it from git.

    pip records where a package came from (PEP 610, ``direct_url.json``); a clr installed
    with ``pip install "clr-cases @ git+URL@TAG"`` knows its URL and exact commit, which is
    the surest pin for the files ``clr init`` writes. None for any other kind of install.
    """
    import json
    from importlib import metadata

    try:
        text = metadata.distribution(CLR_DISTRIBUTION).read_text("direct_url.json")
    except (metadata.PackageNotFoundError, OSError):
        return None
    try:
        origin = json.loads(text or "")
    except ValueError:
        return None
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    url, commit = origin.get("url") if vcs else None, vcs.get("commit_id") if vcs else None
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git":
        return None
    if not isinstance(url, str) or not isinstance(commit, str) or source_problem(url, commit):
        return None
    return url, commit


PRE_COMMIT = """\
# Written by clr init: check every changed case before it is committed.
# Install with: pip install pre-commit && pre-commit install
# pre-commit installs clr itself (clr {ref}, from the repository below); to
# upgrade, change rev here and the tag in .github/workflows/clr.yml.
repos:
  - repo: {source_yaml}
    rev: {ref_yaml}
    hooks:
      - id: clr-validate
"""

WORKFLOW = """\
# Written by clr init: check every case on every push and pull request.
name: clr
on:
  push:
  pull_request:
permissions:
  contents: read
jobs:
  validate:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # --changed and --since need the history
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: .github/workflows/clr.yml
      # clr {ref}, pinned, so that every run checks by the same rules, from
      # {source}
      # To upgrade, change the tag here and rev in .pre-commit-config.yaml.
      - run: pip install {requirement}
      # Annotations on the changed lines, every finding in the log, exit 1 on errors.
      - run: clr validate --format github
      # On pull requests: no stage moved back and no history rewritten.
      - if: github.event_name == 'pull_request'
        env:
          BASE: origin/${{{{ github.base_ref }}}}
        run: clr validate --changed "$BASE" --since "$BASE" --format github
  # The dashboard of the figures (clr dashboard): one page that opens offline, kept as a
  # build artifact for 30 days (Actions > the run > Artifacts). It is your team's page
  # (caseworkers' names, the files that could not be read): share the artifact only
  # with your team.
  dashboard:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: .github/workflows/clr.yml
      - run: pip install {requirement}
      - run: clr dashboard --output dashboard
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: dashboard
          path: dashboard/
          retention-days: 30
# Optional: publish the investors' page with GitHub Pages (Settings > Pages > Source:
# GitHub Actions). That page suppresses every figure of fewer than 5 cases and names no
# case and no person. clr refuses a selection of cases that differs from one shared
# before by 1 to 4 cases (.clr/shared.jsonl, which a workflow cannot commit back), so
# publish it by hand once enough cases have changed: make the page with
# 'clr dashboard --for investor --output public', commit .clr/shared.jsonl, then run
# this job from the Actions tab (add a line "workflow_dispatch:" under "on:" above and
# uncomment the lines below).
#  pages:
#    if: github.event_name == 'workflow_dispatch'
#    runs-on: ubuntu-latest
#    timeout-minutes: 15
#    permissions:
#      contents: read
#      pages: write
#      id-token: write
#    environment:
#      name: github-pages
#      url: ${{{{ steps.deployment.outputs.page_url }}}}
#    steps:
#      - uses: actions/checkout@v4
#      - uses: actions/setup-python@v5
#        with:
#          python-version: "3.12"
#      - run: pip install {requirement}
#      - run: clr dashboard --for investor --output public
#      - uses: actions/upload-pages-artifact@v3
#        with:
#          path: public/
#      - id: deployment
#        uses: actions/deploy-pages@v4
# Optional: a calendar feed of due and overdue actions (clr agenda), made every
# morning and kept as a build artifact for your team (case ids only; still, do not
# publish it on a public site). To use it, uncomment the lines below and add a line
# 'schedule: [{{cron: "0 5 * * 1-5"}}]' under "on:" above (05:00 UTC, Monday to Friday).
#  agenda:
#    if: github.event_name == 'schedule'
#    runs-on: ubuntu-latest
#    steps:
#      - uses: actions/checkout@v4
#      - uses: actions/setup-python@v5
#        with:
#          python-version: "3.12"
#      - run: pip install {requirement}
#      - run: clr agenda --days 30 --format ics --output agenda.ics
#      - run: clr agenda --digest > digest.md
#      - uses: actions/upload-artifact@v4
#        with:
#          name: agenda
#          path: |
#            agenda.ics
#            digest.md
"""

YAMLLINT = """\
# Written by clr init: the YAML style clr writes, for yamllint
# (pip install yamllint && yamllint --strict .).
extends: default
rules:
  # clr writes no "---" line, and keeps a long note on one line (no folding).
  document-start: disable
  line-length: disable
  # GitHub Actions' "on:" is a key, not a truth value.
  truthy:
    check-keys: false
ignore: |
  .clr-cache/
"""

_SOURCE_PATTERN = r"(https?|ssh|git|file)://([\w.-]+@)?[^\s\"'`$\\@#]+"
"""A git URL clr init accepts for --clr-source: one that is safe in YAML and a shell line."""

_REF_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}"
"""A tag, branch or commit clr init accepts for --clr-ref."""


def source_problem(source: str, ref: str) -> Said | None:
    """Why ``--clr-source``/``--clr-ref`` cannot be written into the files, or None."""
    import re

    if not re.fullmatch(_SOURCE_PATTERN, source):
        return said(
            N_(
                "--clr-source {source} is not a git URL (https://, ssh://, git:// or file://, "
                "without spaces or quotes)"
            ),
            source=repr(source),
        )
    if not re.fullmatch(_REF_PATTERN, ref) or ".." in ref:
        return said(N_("--clr-ref {ref} is not a tag, branch or commit name"), ref=repr(ref))
    return None


def pre_commit_text(source: str, ref: str) -> str:
    """The ``.pre-commit-config.yaml`` that uses clr's own hook from ``source`` at ``ref``."""
    return PRE_COMMIT.format(
        source=source, ref=ref, source_yaml=render_scalar(source), ref_yaml=render_scalar(ref)
    )


def workflow_text(source: str, ref: str) -> str:
    """The GitHub Actions workflow that installs clr from ``source`` at ``ref``."""
    requirement = f'"{CLR_DISTRIBUTION} @ git+{source}@{ref}"'
    return WORKFLOW.format(source=source, ref=ref, requirement=requirement)


@dataclass(frozen=True)
class InitOptions:
    """What ``clr init`` needs to know."""

    organisation: str
    id_prefix: str
    timezone: str = "UTC"
    default_playbook: str = "child-labour"
    force: bool = False
    git: bool = True
    clr_source: str = CLR_SOURCE
    clr_ref: str = ""
    """Empty: the tag of this clr's release (``default_clr_ref``)."""


def config_text(options: InitOptions) -> str:
    """The text of a new ``clr.yaml``, with comments that explain each setting."""
    org = render_scalar(options.organisation)
    return f"""\
# yaml-language-server: $schema={SCHEMA_DIR}/config.schema.json
# clr case repository settings. 'clr validate' checks this file too.
schema_version: 1
organisation: {org}
# New case ids look like {options.id_prefix}-2026-7KQ3MX2: prefix, year, random part.
id_prefix: {options.id_prefix}
default_playbook: {options.default_playbook}
# Deadlines are counted in this time zone; working days and holidays for
# deadlines given in working days. Without working_days, each case follows the
# week of its country (clr's table of weekends, e.g. Friday in Bangladesh).
timezone: {render_scalar(options.timezone)}
# working_days: [sun, mon, tue, wed, thu, sat]
holidays: []
# Override a country's national minimum ages if clr's table is out of date, e.g.
#   BD: {{general: 15, light: 13, hazardous: 18}}
minimum_ages: {{}}
# Buyers whose codes of conduct set higher minimum ages, e.g.
#   "Northwind Apparel": {{general: 16, hazardous: 18}}
buyer_codes: {{}}
# Overdue required actions: reported as warnings, or as errors that fail CI.
overdue: warning
# Public keys (age1... or ssh-ed25519 ...) that children's identity files are
# encrypted to: one per person who may read them. 'clr keygen' makes a key pair;
# after a change here, someone who can read the files runs 'clr identity rekey'.
recipients: []
# A folder outside this repository for each case's own key, so that 'clr erase'
# can make an identity unreadable in git history too; then run 'clr keys init'
# (docs/data-protection.md). A retention policy ('retention:') goes there too.
# key_store: ../{options.id_prefix.lower()}-keys
"""


def planned_files(root: Path, options: InitOptions) -> dict[Path, str]:
    """Every file ``clr init`` writes, with its text."""
    files = {
        root / "clr.yaml": config_text(options),
        root / ".gitignore": GITIGNORE,
        root / ".gitattributes": GITATTRIBUTES,
        root / ".pre-commit-config.yaml": pre_commit_text(
            options.clr_source, options.clr_ref or default_clr_ref()
        ),
        root / ".github" / "workflows" / "clr.yml": workflow_text(
            options.clr_source, options.clr_ref or default_clr_ref()
        ),
        root / ".yamllint": YAMLLINT,
        root / "cases" / ".gitkeep": "",
    }
    files.update(schema_files(root))
    return files


def init_repository(root: Path, options: InitOptions) -> tuple[list[Path], bool]:
    """Create a case repository in ``root``; return the files written and whether git was set up.

    Raises:
        ClrError: files exist already (without ``force``), or a file cannot be written.
    """
    files = planned_files(root, options)
    for name in MERGED:
        path = root / name
        if os.path.lexists(path):  # a pipe or a folder there is an error, not "no file"
            try:
                text = read_text(path)
            except (OSError, UnicodeDecodeError) as exc:
                why = reason(exc) if isinstance(exc, OSError) else "it is not UTF-8 text"
                raise ClrError(
                    said(N_("cannot read {file}: {reason}"), file=path, reason=why),
                    hint=said(
                        N_("make {file} a text file (or remove it), then run clr init again"),
                        file=name,
                    ),
                ) from None
            files[path] = _merged(text, files[path])
    existing = [p for p in files if p.exists() and p.name != ".gitkeep" and p.name not in MERGED]
    if existing and not options.force:
        names = ", ".join(str(p.relative_to(root)) for p in existing)
        raise ClrError(
            said(N_("{folder} already has {files}"), folder=root, files=names),
            hint=said(N_("nothing was changed; use --force to overwrite these files")),
        )
    written = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write(path, text)
            written.append(path)
    except OSError as exc:
        raise ClrError(
            said(N_("cannot write in {folder}: {reason}"), folder=root, reason=exc.strerror or exc),
            hint=said(N_("check that the folder exists and that you may write there")),
        ) from None
    started_git = False
    if options.git and shutil.which("git") and not _inside_git(root):
        subprocess.run(
            ["git", "init", "-q", str(root)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started_git = True
    return written, started_git


MERGED = (".gitignore", ".gitattributes")
"""Files clr init adds its lines to, rather than refusing to touch."""


def _merged(current: str, ours: str) -> str:
    have = {line.strip() for line in current.splitlines()}
    missing = [
        line
        for line in ours.splitlines()
        if line.strip() and not line.startswith("#") and line.strip() not in have
    ]
    if not missing:
        return current
    sep = "" if current.endswith("\n") or not current else "\n"
    return current + sep + "# Added by clr init\n" + "\n".join(missing) + "\n"


def _inside_git(root: Path) -> bool:
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "true"


def schema_line(case_dir_depth: int = 2) -> str:
    """The yaml-language-server line for a case file at ``cases/<id>/case.yaml``."""
    up = "../" * case_dir_depth
    return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/case.schema.json"


def schema_files(root: Path) -> dict[Path, str]:
    """Copies of every bundled schema under ``root/.clr/schemas/`` (stages in ``stages/``).

    Their ``$ref``s point to each other by relative path, so that editors and
    check-jsonschema resolve them there, offline.
    """
    return {
        root / SCHEMA_DIR / f"{name}.schema.json": resources.schema_text(name)
        for name in resources.schema_names()
    }


def write_schemas(root: Path, *, missing_only: bool = False) -> list[Path]:
    """Write the schema copies of :func:`schema_files` (all, or the missing); return those written.

    Raises:
        ClrError: a file cannot be written.
    """
    written = []
    for path, text in schema_files(root).items():
        if missing_only and path.exists():
            continue
        if path.is_file() and read_text(path) == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write(path, text)
        written.append(path)
    return written
