"""What checking files found: the findings of one file, and of a whole run of checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from clr.model.findings import Finding
from clr.repo.repository import CASE_FILE


@dataclass
class FileReport:
    """The findings for one file, and what was learnt of it."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    case_id: str | None = None
    stage: str | None = None

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(f.severity == "warning" for f in self.findings)


@dataclass
class Report:
    """The result of validating some paths."""

    files: list[FileReport] = field(default_factory=list)
    config_error: bool = False
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    """When the checks began (UTC): SARIF's invocation start, JUnit's timestamp."""
    strict: bool = False
    """Whether warnings fail too (``--strict``): the exit code that reports state."""

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
