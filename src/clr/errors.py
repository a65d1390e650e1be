"""Errors: conditions under which clr cannot continue.

Problems in case files are findings (``clr.model.findings``), not exceptions. These are for
everything else: a missing folder, a broken ``clr.yaml``, a case that cannot be found.

An error's ``message`` and ``hint`` are English (``str(exc)`` too): logs, tests and the
code that reads them see the same text in every language. Raised with words (a ``Said``
of ``clr.model.findings``: ``said(N_("… {field} …"), field=…)``) rather than text, an error
also keeps them, so that the CLI prints it in the language in force (:attr:`ClrError.text`,
:attr:`ClrError.hint_text`).
"""

from __future__ import annotations

from typing import Protocol


class Words(Protocol):
    """Words that can be said in English and in the language in force (``Said``)."""

    def english(self) -> str:
        """In English."""
        ...

    def local(self) -> str:
        """In the language in force."""
        ...


class ClrError(Exception):
    """A user-facing error: clr prints the message (and hint) and exits with ``exit_code``.

    ``message`` and ``hint`` are given as English text or as words (:class:`Words`); either
    way the attributes hold the English, and :attr:`text` and :attr:`hint_text` the words in
    the language in force.
    """

    exit_code = 1

    def __init__(self, message: str | Words, hint: str | Words | None = None) -> None:
        english = message if isinstance(message, str) else message.english()
        super().__init__(english)
        self._message = english
        self._hint = hint if hint is None or isinstance(hint, str) else hint.english()
        self.worded = None if isinstance(message, str) else message
        self.hint_worded = None if hint is None or isinstance(hint, str) else hint

    @property
    def message(self) -> str:
        """The message in English."""
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        """Replace the message with text (printed as it is, in every language)."""
        self._message = text
        self.worded = None

    @property
    def hint(self) -> str | None:
        """The hint in English (None: no hint)."""
        return self._hint

    @hint.setter
    def hint(self, text: str | None) -> None:
        """Replace the hint with text (printed as it is, in every language)."""
        self._hint = text
        self.hint_worded = None

    @property
    def text(self) -> str:
        """The message in the language in force (``message`` when given as text)."""
        return self.message if self.worded is None else self.worded.local()

    @property
    def hint_text(self) -> str | None:
        """The hint in the language in force (``hint`` when given as text)."""
        return self.hint if self.hint_worded is None else self.hint_worded.local()


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
