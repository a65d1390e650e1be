"""The settings of the practice rules: the child's consent age, interview safeguards, hours.

A rule of practice has a default here, which the playbook's ``rules:`` block sets (with its
source) and a repository's ``clr.yaml`` ``rules:`` block overrides. Each setting has a
``value`` and, for the rules that make findings, a ``severity`` (``error``, ``warning`` or
``off``). The merged settings are plain data, so that a check context stays picklable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, dict[str, Any]] = {
    # The age from which the child's own consent is recorded; below it, the child's assent.
    "child_consent_age": {"value": 16},
    # How many adults must be present at the interview with the child (CLR240).
    "interview_adults": {"value": 2, "severity": "warning"},
    # A woman present at the interview with a girl (CLR241).
    "interview_woman_for_girl": {"value": True, "severity": "warning"},
    # The young worker's new hours within the legal hours of the country (CLR242).
    "young_worker_hours": {"value": True, "severity": "error"},
    # No night work in the young worker's safe job (CLR243).
    "young_worker_night_work": {"value": True, "severity": "error"},
    # A visit that found the young worker outside the agreed safe job (CLR244).
    "safe_job_visits": {"value": True, "severity": "warning"},
}
"""Every practice rule's default value and severity."""

SEVERITIES = ("error", "warning", "off")

Settings = Mapping[str, Mapping[str, Any]]


def merge(*layers: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The settings: the defaults, then each layer (playbook, clr.yaml) on top, key by key."""
    merged = {name: dict(value) for name, value in DEFAULTS.items()}
    for layer in layers:
        for name, setting in (layer or {}).items():
            if name in merged and isinstance(setting, Mapping):
                merged[name].update(
                    {k: v for k, v in setting.items() if k in ("value", "severity")}
                )
    return merged


def value(settings: Settings, name: str) -> Any:
    """The value of one setting (its default when ``settings`` does not hold it)."""
    return (settings.get(name) or DEFAULTS[name]).get("value", DEFAULTS[name]["value"])


def severity(settings: Settings, name: str) -> str:
    """``error``, ``warning`` or ``off`` for one rule."""
    found = (settings.get(name) or DEFAULTS[name]).get("severity")
    return found if found in SEVERITIES else str(DEFAULTS[name].get("severity", "error"))
