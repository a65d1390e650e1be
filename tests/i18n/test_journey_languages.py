"""A case carried from report to closure in French, Spanish and Portuguese, without English.

A new user makes a repository and a key (``clr init``, ``clr keygen --add``), opens a case
with the child's name encrypted, and records every stage with ``clr tick``, ``clr set``,
``clr pay``, ``clr visit`` and ``clr advance`` — never editing the YAML — through a wrong
value, a refused move and a refused closure, to ``closed``; then reads it with ``show``,
``status``, ``next``, ``validate`` and ``stats``. Everything clr prints on the way, its
errors and hints included, holds none of the English words the help pages are checked for
(``tests/i18n/test_catalogues``) outside quoted values, and the same journey in English
does (so the check can fail). The case ends closed and valid in every language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.i18n.test_catalogues import _english_words

from clr.cli import main
from clr.io import yamlio

DAY = "2026-12-03"


def journey(case_id: str) -> list[tuple[list[str], int]]:
    """The commands after new-case, each with the exit code it must give."""
    c = case_id
    return [
        (["tick", c, "report-triage", "--as-of", DAY], 0),
        (["set", c, "site.supplier_id=SUP-1", "--as-of", DAY], 0),
        (["advance", c, "--no-input", "--as-of", DAY], 0),
        (["advance", c, "--no-input", "--as-of", DAY], 1),  # protection is missing
        (
            [
                "set", c, "protection.removed_from_work=" + DAY,
                "protection.wages_continued=true", "protection.safe_place=aunt's home",
                "--as-of", DAY,
            ],
            0,
        ),
        (["advance", c, "--no-input", "--as-of", DAY], 0),
        (["tick", c, "protect-get-contacts", "--as-of", DAY], 0),
        (
            [
                "set", c, "age_verification.date=" + DAY,
                "age_verification.methods+=document_check",
                "age_verification.result=verified", "age_verification.minimum_age=16",
                "age_verification.minimum_age_decided_by=national_law",
                "age_verification.verified_age=13", "--as-of", DAY,
            ],
            0,
        ),
        (["advance", c, "--no-input", "--as-of", DAY], 0),
        (["tick", c, "age-onsite-assessment", "--as-of", DAY], 0),
        (
            [
                "set", c, "assessment.date=" + DAY, "assessment.family_reachable=true",
                "assessment.family_contacted=" + DAY,
                "assessment.consent.child.services.given=true",
                "assessment.consent.child.services.date=" + DAY,
                "assessment.consent.guardian.services.given=true",
                "assessment.consent.guardian.services.date=" + DAY,
                "assessment.child_views=school", "assessment.needs+=school_enrolment",
                "--as-of", DAY,
            ],
            0,
        ),
        (["advance", c, "--no-input", "--as-of", DAY], 0),
        (["tick", c, "assess-interview-child", "--as-of", DAY], 0),
        (["set", c, "plan.components+=type=school,cost=120", "--as-of", DAY], 1),
        (
            [
                "set", c, "plan.date_signed=" + DAY,
                "plan.components+=type=school,start=2027-01-05,end=2027-07-01,"
                "cost.amount=120,cost.currency=XOF",
                "plan.components+=type=stipend,start=2027-01-05,end=2027-07-01,"
                "cost.amount=300,cost.currency=XOF",
                "plan.cost_split.buyer=60", "plan.cost_split.supplier=40",
                "plan.signed_by+=party=family,date=" + DAY,
                "plan.signed_by+=party=supplier,date=" + DAY,
                "plan.signed_by+=party=buyer,date=" + DAY,
                "--as-of", DAY,
            ],
            0,
        ),
        (["advance", c, "--no-input", "--as-of", DAY], 0),
        (["tick", c, "plan-budget", "--as-of", DAY], 0),
        (["set", c, "implementation.started=2027-01-05", "--as-of", "2027-01-05"], 0),
        (["advance", c, "--no-input", "--as-of", "2027-01-05"], 0),
        (["set", c, "implementation.enrolled.evidence=x", "--as-of", "2027-01-05"], 1),
        (
            [
                "set", c, "implementation.enrolled.date=2027-01-05",
                "implementation.enrolled.proof=letter", "--as-of", "2027-01-05",
            ],
            0,
        ),
        (
            [
                "pay", c, "--amount", "50", "--currency", "XOF", "--payer", "buyer",
                "--date", "2027-01-20", "--period", "2027-01", "--as-of", "2027-01-20",
            ],
            0,
        ),
        (["advance", c, "--no-input", "--as-of", "2027-01-20"], 0),
        *[
            (
                [
                    "visit", c, "--method", "household", "--not-working", "--in-school",
                    "--date", day, "--as-of", day,
                ],
                0,
            )
            for day in ("2027-03-10", "2027-06-10")
        ],
        (
            [
                "advance", c, "--to", "closed", "--reason", "no_longer_in_CL",
                "--approved-by", "Supervisor", "--no-input", "--as-of", "2027-06-15",
            ],
            1,
        ),
        (["tick", c, "mon-closure-check", "--as-of", "2027-06-15"], 0),
        (
            [
                "advance", c, "--to", "closed", "--reason", "no_longer_in_CL",
                "--approved-by", "Supervisor", "--no-input", "--as-of", "2027-06-15",
                "--root-cause", "household_poverty",
                "--commitments-continued-by", "buyer, 2027-07-01",
            ],
            0,
        ),
        (["show", c, "--as-of", "2027-06-15"], 0),
        (["next", c, "--as-of", "2027-06-15"], 0),
        (["status", "--as-of", "2027-06-15"], 0),
        (["validate", "--as-of", "2027-06-15"], 0),
        (["stats", "--as-of", "2027-06-15"], 0),
    ]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt-BR"])
def test_a_case_from_report_to_closure_speaks_the_language(
    lang: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("CLR_IDENTITY_FILE", raising=False)
    for name, value in {"CLR_LANG": lang, "CLR_USER": "Consultant", "COLUMNS": "80"}.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "repo"
    said: list[str] = []

    def clr(args: list[str], code: int = 0) -> str:
        with pytest.raises(SystemExit) as exit_:
            main(args=args)
        out, err = capsys.readouterr()
        assert (exit_.value.code or 0) == code, f"clr {' '.join(args)}\n{out}\n{err}"
        said.append(out + err)
        return out

    clr(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-git"])
    monkeypatch.chdir(root)
    clr(["keygen", "--output", str(tmp_path / "key.txt"), "--add"])
    made = clr(
        [
            "new-case", "--no-input", "--site", "Sun Farm", "--country", "CI",
            "--sector", "cocoa", "--channel", "audit", "--pseudonym", "Child A",
            "--sex", "female", "--age", "13", "--by", "Consultant",
            "--work", "harvest", "--hours", "30", "--name", "Awa K", "--as-of", DAY,
        ]
    )  # fmt: skip
    case_id = made.strip().splitlines()[0]
    for args, code in journey(case_id):
        clr(args, code)

    data = yamlio.parse_bytes(
        (root / "cases" / case_id / "case.yaml").read_bytes(), "case.yaml"
    ).data
    assert isinstance(data, dict) and data["stage"] == "closed"
    assert "Awa K" not in (root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    words = _english_words("\n".join(said), lang if lang != "en" else "fr")
    if lang == "en":
        assert {"the", "to", "is"} <= set(words)  # the check finds English where it is
    else:
        lines = [line for line in "\n".join(said).splitlines() if _english_words(line, lang)]
        assert words == [], "\n".join(lines)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("lang", "floor"), [("fr", "plancher"), ("es", "mínimo"), ("pt-BR", "piso")]
)
def test_the_minimum_age_clr_proposes_is_explained_in_the_language(
    lang: str, floor: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    case = repo / "cases" / "EXR-2026-P4ZR8" / "case.yaml"
    before = case.read_bytes()
    args = ["--lang", lang, "advance", str(case), "--no-input", "--by", "x"]
    with pytest.raises(SystemExit):
        main(args=[*args, "--as-of", "2026-03-10"])
    snippet = capsys.readouterr().out
    assert "minimum_age:" in snippet
    assert floor in snippet and "ILO C138 floor" not in snippet
    assert case.read_bytes() == before
    with pytest.raises(SystemExit):
        main(args=["advance", str(case), "--no-input", "--by", "x", "--as-of", "2026-03-10"])
    assert "ILO C138 floor" in capsys.readouterr().out  # English where English is asked
