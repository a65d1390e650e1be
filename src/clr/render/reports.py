"""Formats for findings: text, concise, JSON, GitHub, GitLab, SARIF, JUnit.

Each is registered by name in ``clr.render.RENDERER_BY_NAME["findings"]``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from clr import SOURCE_URL, __version__
from clr.checks.results import Report
from clr.i18n import _, ngettext
from clr.model.findings import Finding, pointer_to_path

JSON_VERSION = 1


def finding_dict(f: Finding) -> dict[str, object]:
    """One finding as a JSON object (the stable interface documented in the README)."""
    return {
        "code": f.code,
        "title": f.title,
        "severity": f.severity,
        "path": f.path,
        "line": f.line,
        "column": f.col,
        "pointer": f.pointer,
        "field": pointer_to_path(f.pointer) if f.pointer else "",
        "message": f.message,
        "hint": f.hint,
    }


def render_json(report: Report) -> str:
    """The whole report as JSON, with a ``version`` field."""
    doc = {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "summary": {
            "files": len(report.files),
            "cases": report.cases,
            "files_with_findings": sum(bool(r.findings) for r in report.files),
            "errors": report.errors,
            "warnings": report.warnings,
        },
        "files": [
            {
                "path": r.path,
                "id": r.case_id,
                "stage": r.stage,
                "findings": [finding_dict(f) for f in sorted(r.findings)],
            }
            for r in report.files
        ],
    }
    # One file per line: readable, and written by the fast C encoder even for huge reports.
    files = doc.pop("files")
    assert isinstance(files, list)
    head = json.dumps(doc, ensure_ascii=False)[:-1]
    rows = ",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in files)
    return f'{head}, "files": [\n{rows}\n]}}' if rows else f'{head}, "files": []}}'


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands.

    GitHub shows only ten annotations of each level per step, so the first ten errors and
    ten warnings become annotations and every finding is also listed in a log group, with
    a notice that says how many there are in all. Only the annotations are escaped (their
    properties and messages, as GitHub reads them); the group is plain text.
    """
    lines = []
    shown = {"error": 0, "warning": 0}
    for f in report.findings:
        if shown[f.severity] >= GITHUB_ANNOTATION_LIMIT:
            continue
        shown[f.severity] += 1
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.col:
            props.append(f"col={f.col}")
        props.append(f"title={_escape_property(f'{f.code} {f.title}')}")
        message = f.message + (f"\n{f.hint}" if f.hint else "")
        lines.append(f"::{f.severity} {','.join(props)}::{_escape_data(message)}")
    if report.findings:
        # The log is plain text, one line a finding. Between stop-commands and its token no
        # line is read as a workflow command, whatever a path or a message holds.
        listed = [" ".join(_finding_line(f).splitlines()) for f in report.findings]
        import hashlib

        token = "clr-" + hashlib.sha256("\n".join(listed).encode("utf-8")).hexdigest()[:32]
        lines += ["::group::clr: every finding", f"::stop-commands::{token}"]
        lines += listed
        lines += [f"::{token}::", "::endgroup::"]
    lines.append(f"::notice title=clr::{_escape_data(summary_line(report))}")
    return "\n".join(lines)


def summary_text(report: Report) -> str:
    """:func:`summary_line` in the language in force (for the text format, read by a person)."""
    cases = report.cases
    checked = ngettext("{count} case", "{count} cases", cases).format(count=cases)
    if not report.errors and not report.warnings:
        return _("All good: {checked} checked, no findings.").format(checked=checked)
    failing = sum(bool(r.findings) for r in report.files)
    errors, warnings = report.errors, report.warnings
    return _("Found {errors} and {warnings} in {files} ({checked} checked).").format(
        errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
        warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        files=ngettext("{count} file", "{count} files", failing).format(count=failing),
        checked=checked,
    )


def summary_line(report: Report) -> str:
    """One line: what was checked and what was found."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    checked = plural(report.cases, "case")
    if not report.errors and not report.warnings:
        return f"All good: {checked} checked, no findings."
    failing = sum(bool(r.findings) for r in report.files)
    return (
        f"Found {plural(report.errors, 'error')} and {plural(report.warnings, 'warning')} "
        f"in {plural(failing, 'file')} ({checked} checked)."
    )


SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def _rule_name(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(word[:1].upper() + word[1:] for word in words)


def source_root(start: Path | None = None) -> Path:
    """The root that report paths are made relative to.

    The git work tree, else the case repository (``clr.yaml``), else the current folder.
    """
    from clr.repo.repository import find_root

    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    found = find_root(here)
    return Path(found) if found is not None else here


SRCROOT = "%SRCROOT%"
"""The SARIF ``uriBaseId`` of paths relative to the repository root (as GitHub expects)."""


def _artifact(path: str, root: Path) -> dict[str, object]:
    """A SARIF artifactLocation: relative to ``root`` with ``uriBaseId``, else a file URI."""
    from urllib.parse import quote

    full = Path(os.path.normpath(Path.cwd() / path))
    try:
        relative = full.relative_to(root)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def _from_root(path: str, root: Path) -> str:
    """``path`` (as clr shows it, from the current folder) relative to ``root``, if inside."""
    full = Path(os.path.normpath(Path.cwd() / path))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return path


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 for code scanning: every rule listed, one result per finding.

    Paths are relative to the repository root (``%SRCROOT%``); the invocation carries clr's
    exit code and when the run began and ended; each rule links its entry in docs/codes.md.
    """
    from clr.model.findings import CODES, DESCRIPTIONS
    from clr.render.codes import code_url

    root = source_root()
    rule_ids = sorted(CODES)
    results = []
    for f in report.findings:
        location: dict[str, object] = {"artifactLocation": _artifact(f.path, root)}
        if f.line:
            location["region"] = {"startLine": f.line, "startColumn": max(f.col, 1)}
        result: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": rule_ids.index(f.code) if f.code in CODES else -1,
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {"clrFinding/v1": fingerprint(f)},
        }
        if f.pointer:
            result["properties"] = {"pointer": f.pointer}
        results.append(result)
    exit_code = report.exit_code(strict=report.strict)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "clr",
                        "version": __version__,
                        "informationUri": SOURCE_URL,
                        "rules": [
                            {
                                "id": code,
                                "name": _rule_name(CODES[code]),
                                "shortDescription": {"text": CODES[code]},
                                "fullDescription": {
                                    "text": DESCRIPTIONS.get(code) or f"{CODES[code]}."
                                },
                                "helpUri": code_url(code),
                            }
                            for code in rule_ids
                        ],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.config_error,
                        "exitCode": exit_code,
                        "startTimeUtc": _utc(report.started),
                        "endTimeUtc": _utc(dt.datetime.now(dt.timezone.utc)),
                    }
                ],
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def fingerprint(f: Finding) -> str:
    """A stable id for a finding: path, code and field, not the line (lines shift)."""
    import hashlib

    text = f"{f.path}|{f.code}|{f.pointer}|{f.message if not f.pointer else ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def render_gitlab(report: Report) -> str:
    """GitLab Code Quality JSON: an array of issues with unique, stable fingerprints.

    Paths are relative to the repository root, as GitLab matches them to the merge request's
    files, wherever clr ran.
    """
    root = source_root()
    issues = []
    seen: dict[str, int] = {}
    for f in report.findings:
        base = fingerprint(f)
        count = seen.get(base, 0)
        seen[base] = count + 1
        issues.append(
            {
                "description": f.message + (f" ({f.hint})" if f.hint else ""),
                "check_name": f.code,
                "fingerprint": base if count == 0 else f"{base}-{count}",
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": {"path": _from_root(f.path, root), "lines": {"begin": max(f.line, 1)}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False)


def render_junit(report: Report) -> str:
    """JUnit XML: one test case per file, a failure per file with findings.

    The suite carries when the checks began (``timestamp``, UTC) and how long they took
    (``time``, seconds). With ``--strict`` a file with warnings fails as well.
    """
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    failures = 0
    for r in report.files:
        classname = quoteattr(r.path.rsplit("/", 1)[0].replace("/", ".") or r.path)
        name = quoteattr(r.path.rsplit("/", 1)[-1] if "/" in r.path else r.path)
        # With --strict a warning fails the check too, as it fails clr's exit code.
        errors = [f for f in sorted(r.findings) if f.severity == "error" or report.strict]
        shown = sorted(r.findings)
        if not errors:
            body = ""
            if shown:
                lines = "\n".join(_finding_line(f) for f in shown)
                body = f"<system-out>{escape(lines)}</system-out>"
            cases.append(
                f"    <testcase classname={classname} name={name}>{body}</testcase>"
                if body
                else f"    <testcase classname={classname} name={name}/>"
            )
            continue
        failures += 1
        lines = "\n".join(_finding_line(f) for f in shown)
        first = errors[0]
        cases.append(
            f"    <testcase classname={classname} name={name}>"
            f"<failure type={quoteattr(first.code)} message={quoteattr(first.message)}>"
            f"{escape(lines)}</failure></testcase>"
        )
    total = len(report.files)
    seconds = (dt.datetime.now(dt.timezone.utc) - report.started).total_seconds()
    took = f'time="{max(seconds, 0):.3f}"'
    # JUnit's timestamp is ISO 8601 without a zone (the XSD's xs:dateTime pattern); UTC.
    began = report.started.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<testsuites name="clr" tests="{total}" failures="{failures}" errors="0" {took} '
            f'timestamp="{began}">',
            f'  <testsuite name="clr validate" tests="{total}" failures="{failures}" errors="0" '
            f'skipped="0" {took} timestamp="{began}">',
            *cases,
            "  </testsuite>",
            "</testsuites>",
        ]
    )


def _finding_line(f: Finding) -> str:
    hint = f" (hint: {f.hint})" if f.hint else ""
    return f"{f.path}:{f.line}:{f.col}: {f.severity} {f.code} {f.message}{hint}"


def render_concise(report: Report) -> str:
    """One line per finding, ``path:line:col: severity CODE message`` (for grep and matchers)."""
    return "\n".join(_finding_line(f) for f in report.findings)


GITHUB_ANNOTATION_LIMIT = 10
"""GitHub shows at most 10 error and 10 warning annotations per step."""


_ANSI = {
    "bold": "\x1b[1m",
    "error": "\x1b[1;31m",
    "warning": "\x1b[33m",
    "dim": "\x1b[2m",
    "hint": "\x1b[36m",
    "good": "\x1b[32m",
}
_RESET = "\x1b[0m"


def render_text(report: Report, *, quiet: bool = False, colour: bool = False) -> str:
    """The text format: ``path:line:col: severity CODE message``, a hint, a summary line.

    Values of the case (paths, messages, hints) pass through ``safe.terminal``: no control
    or bidirectional character reaches the terminal raw. With ``colour`` the parts are
    styled with ANSI codes, for a colour terminal (the command line decides when that is).
    """
    from clr.render import safe

    def paint(text: str, style: str) -> str:
        return f"{_ANSI[style]}{text}{_RESET}" if colour else text

    out = []
    for file_report in report.files:
        if not file_report.findings:
            continue
        for f in sorted(file_report.findings):
            path = safe.terminal(f.path)
            where = f"{path}:{f.line}:{f.col}:" if f.line else f"{path}:"
            out.append(
                f"{paint(where, 'bold')} {paint(f.severity, f.severity)} "
                f"{paint(f.code, 'dim')} {safe.terminal(f.text)}\n"
            )
            if f.hint:
                hint = _("hint: {hint}").format(hint=safe.terminal(f.hint_text))
                out.append(paint(f"    {hint}", "hint") + "\n")
        out.append("\n")
    if not quiet:
        ok = not report.errors and not report.warnings
        out.append(paint(summary_text(report), "good" if ok else "bold") + "\n")
    return "".join(out)
