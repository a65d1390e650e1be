"""Findings: what clr reports about a file, as plain data.

A finding never raises: checks return lists of findings and renderers print them.
Codes are stable; ``CODES`` is the one registry of them, with a title for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]

CODES: dict[str, str] = {
    # Reading the file (CLR0xx)
    "CLR001": "File cannot be read",
    "CLR002": "File is not UTF-8 text",
    "CLR003": "YAML syntax error",
    "CLR004": "Tab used for indentation",
    "CLR005": "Duplicate key",
    "CLR006": "Top level is not a mapping",
    "CLR007": "Several YAML documents in one file",
    "CLR008": "A list or mapping is reused through an alias",
    "CLR009": "File too large",
    "CLR010": "Key is not text",
    "CLR011": "Unsupported YAML tag",
    # The case schema (CLR1xx)
    "CLR101": "Required field missing",
    "CLR102": "Wrong type",
    "CLR103": "Value not allowed",
    "CLR104": "Unknown field",
    "CLR105": "Wrong form",
    "CLR106": "Out of range",
    "CLR107": "Schema rule not met",
    "CLR110": "Field required by the case's stage is missing",
    "CLR111": "Stage condition not met",
    # Rules a schema cannot express (CLR2xx)
    "CLR201": "Dates out of order",
    "CLR202": "Date in the future",
    "CLR203": "Case id does not match its folder",
    "CLR204": "Duplicate case id",
    "CLR205": "History disagrees with stage",
    "CLR206": "History moves backwards or skips a stage",
    "CLR207": "Verified age does not fit the track",
    "CLR208": "Recorded minimum age differs from the effective minimum age",
    "CLR209": "Closure reason's conditions not met",
    "CLR210": "Cost split does not add up to 100",
    "CLR211": "Unknown playbook",
    "CLR212": "History times out of order",
    "CLR213": "Case file needs migrating",
    "CLR214": "Stipend below the lost wage",
    "CLR215": "Unknown checklist item",
    "CLR216": "Stage moved backwards",
    "CLR217": "History rewritten",
    "CLR218": "Case file deleted",
    # Deadlines (CLR3xx)
    "CLR301": "Required action overdue",
    # Repository files: clr.yaml and playbooks (CLR4xx)
    "CLR401": "Invalid clr.yaml",
    "CLR402": "Invalid playbook",
    "CLR403": "Folder in cases/ without a case file",
    "CLR404": "Case file outside cases/<id>/case.yaml",
    "CLR405": "Temporary file left by an interrupted write",
    # Personal data where it must not be (CLR5xx)
    "CLR501": "Plaintext identity file tracked or not ignored by git",
    "CLR502": "Identity field in the case file",
    "CLR503": "Phone number in free text",
    "CLR504": "E-mail address in free text",
    "CLR505": "ID document number in free text",
    "CLR506": "GPS coordinates or map link in free text",
    "CLR507": "Name or ID number from the identity file in the case file",
    "CLR508": "Private key in the repository",
    "CLR509": "Identity file cannot be read",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong (or worth a look) in one file.

    Attributes:
        path: The file, as given or relative to the repository.
        line: 1-based line, or 0 when the whole file is meant.
        col: 1-based column, or 0.
        code: A stable code from ``CODES``.
        severity: ``error`` fails validation; ``warning`` does unless asked not to.
        message: What is wrong, in plain words.
        pointer: JSON pointer of the value (``/site/country``), or "".
        hint: What to do about it, or "".
    """

    path: str
    line: int
    col: int
    code: str
    severity: Severity = "error"
    message: str = field(default="", compare=False)
    pointer: str = field(default="", compare=False)
    hint: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        """The short title of this finding's code."""
        return CODES.get(self.code, self.code)

    def at(self, line: int, col: int) -> Finding:
        """Return a copy placed at ``line``:``col``."""
        return replace(self, line=line, col=col)


def pointer_to_path(pointer: str) -> str:
    """Turn a JSON pointer into the dotted form: ``/visits/2/date`` -> ``visits[2].date``."""
    if not pointer:
        return "(top level)"
    out = ""
    for part in pointer.lstrip("/").split("/"):
        token = part.replace("~1", "/").replace("~0", "~")
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out


def join_pointer(parts: Sequence[str | int]) -> str:
    """Build a JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
