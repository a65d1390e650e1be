"""Errors: conditions under which clr cannot continue.

Problems in case files are findings (``clr.model.findings``), not exceptions. These are for
everything else: a missing folder, a broken ``clr.yaml``, a case that cannot be found.
"""

from __future__ import annotations


class ClrError(Exception):
    """A user-facing error: clr prints the message (and hint) and exits with ``exit_code``."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(ClrError):
    """clr.yaml, a playbook or another setting is wrong: clr cannot work out what to do."""

    exit_code = 2


class MissingInput(ClrError):
    """The command line lacks a value the command needs (a flag to add): a usage error."""

    exit_code = 2


class NotARepository(ClrError):
    """No case repository (a folder with clr.yaml) was found."""


class CaseNotFound(ClrError):
    """A case id or path names no case."""


class CaseFileError(ClrError):
    """A case file cannot be used (it does not parse, or fails its schema)."""


class WriteConflict(ClrError):
    """The file changed on disk after clr read it; nothing was written."""


class TransitionError(ClrError):
    """A stage move is not allowed."""
