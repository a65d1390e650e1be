"""The one consent gate of the core, used by clr report and clr export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from clr.cases import caseops
from clr.errors import ClrError
from clr.views import consent

TODAY = dt.date(2026, 3, 2)


def _case(case_repo: Path) -> caseops.CaseSession:
    return caseops.open_case(str(next(case_repo.glob("cases/*/case.yaml"))), today=TODAY)


def test_sharing_without_consent_is_refused_and_nothing_changes(case_repo: Path) -> None:
    session = _case(case_repo)
    before = session.path.read_bytes()
    with pytest.raises(ClrError) as refused:
        consent.gate(session.path, session.data, "buyer", today=TODAY)
    assert "not shared with the buyer" in refused.value.message
    assert "--override-consent" in (refused.value.hint or "")
    assert session.path.read_bytes() == before


def test_a_caseworker_needs_no_consent(case_repo: Path) -> None:
    session = _case(case_repo)
    assert consent.gate(session.path, session.data, "caseworker", today=TODAY) is False


def test_an_override_is_recorded_in_the_history_before_sharing(case_repo: Path) -> None:
    session = _case(case_repo)
    override = consent.Override("buyer", "child at risk", "R. Ahmed", "report")
    assert consent.gate(session.path, session.data, "buyer", today=TODAY, override=override)
    history = yaml.safe_load(session.path.read_text(encoding="utf-8"))["history"]
    assert history[-1]["by"] == "R. Ahmed"
    assert history[-1]["note"].startswith("consent override: report for the buyer")


def test_gate_many_says_which_cases_it_could_not_change(case_repo: Path) -> None:
    session = _case(case_repo)
    broken = session.path.parent.parent / "CLR-2026-ZZZZZ" / "case.yaml"
    broken.parent.mkdir()
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    override = consent.Override("buyer", "audit", "R. Ahmed", "export")
    included, refused = consent.gate_many(
        [(session.path, "CLR-2026-ABCDE"), (broken, "CLR-2026-ZZZZZ")], override, today=TODAY
    )
    assert included == ["CLR-2026-ABCDE"]
    assert [path for path, _ in refused] == [broken]
