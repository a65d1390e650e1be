"""The stages of a remediation case and the moves between them, as plain data."""

from __future__ import annotations

from typing import Literal

from clr.model.vocabulary import CLOSURE_REASONS, STAGES, TRACKS

__all__ = [
    "CLOSURE_REASONS",
    "STAGES",
    "TRACKS",
    "Stage",
    "allowed_moves",
    "index",
    "is_allowed",
    "next_stage",
]

Stage = Literal[
    "reported",
    "identified",
    "protected",
    "age_verified",
    "assessed",
    "plan_agreed",
    "in_remediation",
    "monitoring",
    "closed",
]


def index(stage: str) -> int:
    """Return the position of a stage in the process (0 for reported)."""
    return STAGES.index(stage)


def next_stage(stage: str) -> str | None:
    """Return the stage after ``stage``, or None for closed."""
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def allowed_moves(stage: str) -> tuple[str, ...]:
    """Return the stages a case in ``stage`` may move to: the next one, or closed."""
    if stage == "closed":
        return ()
    following = next_stage(stage)
    return tuple(s for s in (following, "closed") if s is not None and s != stage)


def is_allowed(source: str | None, target: str) -> bool:
    """True if a history entry may move from ``source`` to ``target``."""
    if source is None:
        return target in ("reported", "identified")
    if source not in STAGES or target not in STAGES:
        return False
    return target in allowed_moves(source)
