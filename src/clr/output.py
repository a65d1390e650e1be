"""Machine formats for findings: JSON and GitHub workflow commands (text lives in the CLI)."""

from __future__ import annotations

import json

from clr import __version__
from clr.findings import Finding, pointer_to_path
from clr.validate import Report

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
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding, then a notice."""
    lines = []
    for f in report.findings:
        level = "error" if f.severity == "error" else "warning"
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.col:
            props.append(f"col={f.col}")
        props.append(f"title={_escape_property(f'{f.code} {f.title}')}")
        message = f.message + (f"\n{f.hint}" if f.hint else "")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    lines.append(f"::notice title=clr::{_escape_data(summary_line(report))}")
    return "\n".join(lines)


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
