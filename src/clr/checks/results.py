"""What checking files found: the findings of one file, and of a whole run of checks."""

from __future__ import annotations

import datetime as dt

from clr.model.findings import Finding
from clr.model.record import Record
from clr.repo.repository import CASE_FILE


class FileReport(Record):
    """The findings for one file, and what was learnt of it."""

    path: str
    findings: list[Finding]
    case_id: str | None
    stage: str | None

    def __init__(
        self,
        path: str,
        findings: list[Finding] | None = None,
        case_id: str | None = None,
        stage: str | None = None,
    ) -> None:
        self.path = path
        self.findings = findings if findings is not None else []
        self.case_id = case_id
        self.stage = stage

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(f.severity == "warning" for f in self.findings)


class Report(Record):
    """The result of validating some paths."""

    files: list[FileReport]
    config_error: bool
    started: dt.datetime
    """When the checks began (UTC): SARIF's invocation start, JUnit's timestamp."""
    strict: bool
    """Whether warnings fail too (``--strict``): the exit code that reports state."""

    def __init__(
        self,
        files: list[FileReport] | None = None,
        config_error: bool = False,
        started: dt.datetime | None = None,
        strict: bool = False,
    ) -> None:
        self.files = files if files is not None else []
        self.config_error = config_error
        self.started = started if started is not None else dt.datetime.now(dt.timezone.utc)
        self.strict = strict

    @property
    def findings(self) -> list[Finding]:
        """Every finding, ordered by file, line and column."""
        return sorted(f for report in self.files for f in report.findings)

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.severity == "error" for r in self.files if r.findings for f in r.findings)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(f.severity == "warning" for r in self.files if r.findings for f in r.findings)

    @property
    def cases(self) -> int:
        """How many case files were checked."""
        return sum(r.path.endswith(CASE_FILE) for r in self.files)

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when clean, 1 with errors (or warnings under ``strict``), 2 for a broken clr.yaml."""
        if self.config_error:
            return 2
        return 1 if self.errors or (strict and self.warnings) else 0
