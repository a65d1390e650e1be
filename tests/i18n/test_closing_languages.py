"""The closing rules (CLR220-CLR228) and the legal hours (CLR242, CLR243) in each language.

Real case files in a temporary repository, each closed with what one or more closing
rules find wanting (or a young worker's job over the legal hours), checked through the
CLI: ``clr validate`` words each finding in the language, with the playbook's closing text
in it and nothing English left; its JSON stays English, byte for byte; ``clr next`` and
``clr advance --to closed`` word the same problems as blockers; a repository's playbook
without a translation of a closing text shows that text in English.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_catalogues import _english_words

from clr import i18n
from clr.model import hours
from conftest import CONFIG_TEXT, make_case_text
from helpers_workflow import clr_executable, subprocess_env

LANGUAGES = i18n.LANGUAGES[1:]
AS_OF = "2026-11-20"
BUILT_IN = Path(__file__).resolve().parents[2] / "playbooks" / "child-labour.yaml"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HISTORY = [
    {"at": "2025-06-02T09:10:00Z", "from": None, "to": "reported", "by": "cw"},
    {"at": "2026-04-01T09:00:00Z", "from": "reported", "to": "closed", "by": "cw"},
]


def _closed(reason: str, **closure: Any) -> dict[str, Any]:
    return {
        "stage": "closed",
        "opened": "2025-06-02",
        "discovery": {"date": "2025-06-02"},
        "history": HISTORY,
        "closure": {
            "date": "2026-04-01",
            "reason": reason,
            "approved_by": "sup",
            "notes": "closed",
            **closure,
        },
    }


def _verified(age: int) -> dict[str, Any]:
    return {"date": "2025-06-03", "result": "verified", "verified_age": age}


CASES: dict[str, dict[str, Any]] = {
    # 14 in Bangladesh, closed at the minimum age with no plan, payments running on and
    # a corrective action's cause missing from root_causes
    "CLR-2026-AAAAA": {
        **_closed("reached_min_age"),
        "track": "young-worker",
        "age_verification": _verified(14),
        "plan": {
            "stipend": {
                "amount": 10,
                "currency": "BDT",
                "until": "2026-12-01",
                "frequency": "monthly",
                "payer": "supplier",
            },
            "components": [{"type": "school", "end": "2026-12-31"}],
        },
        "implementation": {
            "corrective_actions": [
                {"date": "2025-07-01", "action": "ID checks at the gate", "cause": "forged_id"}
            ]
        },
    },
    # refused, one attempt, no one named, age unknown, no referral and no re-hire check
    "CLR-2026-BBBBB": {
        **_closed("refused", contact_attempts=[{"date": "2026-03-20", "method": "phone"}]),
        "root_causes": ["household_poverty"],
    },
    # lost contact with a 12-year-old: enough attempts over too few days, re-hired,
    # and a check after closure that found the child working
    "CLR-2026-CCCCC": {
        **_closed(
            "lost_contact",
            contact_attempts=[
                {"date": "2026-03-20", "method": "phone"},
                {"date": "2026-03-22", "method": "home_visit"},
                {"date": "2026-03-25", "method": "letter"},
            ],
            rehire_check={"date": "2026-04-01", "rehired": True},
        ),
        "age_verification": _verified(12),
        "root_causes": ["household_poverty"],
        "recurrence_checks": [{"date": "2026-10-01", "method": "phone", "working": True}],
    },
    # a check after closure that found the child re-hired
    "CLR-2026-DDDDD": {
        **_closed("adult_verified"),
        "age_verification": _verified(19),
        "root_causes": ["household_poverty"],
        "recurrence_checks": [
            {"date": "2026-10-01", "method": "phone", "working": False, "rehired": True}
        ],
    },
    # a young worker over Bangladesh's legal hours, with night work
    "CLR-2026-EEEEE": {
        "track": "young-worker",
        "protection": {"new_hours_per_week": 48},
        "plan": {"safe_job": {"night_work": True}},
    },
    # a young worker in a country the table does not have, on a shift into the night
    "CLR-2026-FFFFF": {
        "track": "young-worker",
        "site": {"country": "GH"},
        "plan": {"safe_job": {"hours_per_week": 50, "shift": "18:00-23:00"}},
    },
}
CODES = ("CLR220", "CLR221", "CLR222", "CLR223", "CLR224", "CLR225", "CLR226", "CLR227",
         "CLR228", "CLR242", "CLR243")  # fmt: skip


def _make_repo(root: Path) -> Path:
    (root / "cases").mkdir(parents=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    for case_id, overrides in CASES.items():
        folder = root / "cases" / case_id
        folder.mkdir()
        (folder / "case.yaml").write_text(make_case_text(id=case_id, **overrides), "utf-8")
    return root


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_repo(tmp_path_factory.mktemp("closing") / "repo")


def clr(root: Path, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``CLR_LANG=LANG clr ARGS`` in ``root``, as a person runs it."""
    env = {
        k: v
        for k, v in subprocess_env().items()
        if k not in ("CLR_OUTPUT_FORMAT", "GITHUB_ACTIONS", "LANG", "LC_ALL", "LANGUAGE")
    }
    result = subprocess.run(
        [clr_executable(), *args],
        cwd=root,
        env={**env, "CLR_LANG": lang, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


_RUNS: dict[tuple[Path, str, str], tuple[int, str]] = {}


def _validate(repo: Path, lang: str, output_format: str) -> tuple[int, str]:
    """``clr validate -f FORMAT`` in ``repo`` in ``lang`` (through the result cache)."""
    key = (repo, lang, output_format)
    if key not in _RUNS:
        result = clr(repo, lang, "validate", "--as-of", AS_OF, "-f", output_format)
        _RUNS[key] = result.returncode, result.stdout
    return _RUNS[key]


def _first_findings(out: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for file in json.loads(out)["files"]:
        for f in file["findings"]:
            found.setdefault(f["code"], f)
    return found


def _kept_as_is() -> list[str]:
    """What a finding quotes unworded: a law's name (the table's), the rules' sources."""
    table = hours.table()
    laws = [str(row.get("law")) for row in table["countries"].values() if row.get("law")]
    return sorted(laws, key=len, reverse=True)


def _english_left(text: str, lang: str) -> list[str]:
    for kept in _kept_as_is():
        text = text.replace(kept, " ")
    text = re.sub(r"\[[^\]]*\]", " ", text)  # the sources of a rule, such as [DOL, TOC]
    return _english_words(text, lang)


def test_every_closing_rule_is_found_in_english(repo: Path) -> None:
    _code, out = _validate(repo, "en", "json")
    found = _first_findings(out)
    assert set(CODES) <= set(found), sorted(found)
    messages = " ".join(f["message"] for file in json.loads(out)["files"] for f in file["findings"])
    for english in (
        "closing as reached_min_age, but the child is 14, under 18",
        "the case records 1 attempt:",
        "the case records 3 attempts over 5 days:",
        "the child's age or the minimum age is not known",
        "the child (12) is under the minimum age (14)",
        "the supplier re-hired the child (2026-04-01)",
        "a stipend planned until 2026-12-01, school planned until 2026-12-31",
        "found the child working, and no linked case",
        "found the child re-hired by the supplier",
        "for a young worker in BD (Bangladesh Labour Act 2006",
        "for a young worker in GH (the ILO floor, C1 and C90; confidence floor)",
        "the safe job's shift 18:00-23:00 reaches into the night",
    ):
        assert english in messages, english


@pytest.mark.parametrize("lang", LANGUAGES)
def test_closing_findings_are_worded_in_the_language(repo: Path, lang: str) -> None:
    _code, english = _validate(repo, "en", "json")
    code, out = _validate(repo, lang, "text")
    assert code == _validate(repo, "en", "text")[0]
    assert not re.search(r"\{\w+\}", out), out  # no placeholder left unfilled
    book = yaml.safe_load(BUILT_IN.read_text(encoding="utf-8"))
    for rule in ("young_worker_handover", "contact_attempts", "refusal",
                 "protection_referral", "running_commitments", "root_causes"):  # fmt: skip
        assert book["translations"][lang]["closing"][rule] in out, (lang, rule)
        assert book["closing"][rule]["text"] not in out, (lang, rule)
    left = []
    for file in json.loads(english)["files"]:
        for f in file["findings"]:
            if f["code"] not in CODES:
                continue
            assert f["message"] not in out, (lang, f["message"])
            assert f["hint"] not in out, (lang, f["hint"])
            # what the finding quotes is kept: dates, ages, field names, commands
            for value in re.findall(
                r"\d{4}-\d{2}-\d{2}|clr \w+ [\w-]+|root_causes\+=\w+", f["message"] + f["hint"]
            ):
                assert value in out, (lang, value)
    for line in out.splitlines():
        if any(f" {code} " in line for code in CODES) or line.startswith("    "):
            left += [f"{line[:80]}…: {w}" for w in _english_left(line, lang)]
    assert not left, f"{lang}:\n" + "\n".join(left)


def test_the_english_word_check_finds_an_english_closing_finding(repo: Path) -> None:
    _code, out = _validate(repo, "en", "text")
    lines = [line for line in out.splitlines() if " CLR223 " in line]
    assert lines and "the" in _english_left(lines[0], "fr")


@pytest.mark.parametrize("output_format", ["json", "sarif", "concise"])
def test_machine_formats_of_the_closing_rules_are_the_same_in_every_language(
    repo: Path, output_format: str
) -> None:
    clock = r'"(start|end)TimeUtc": "[^"]*"'
    code, english = _validate(repo, "en", output_format)
    assert all(c in english for c in CODES)
    for lang in LANGUAGES:
        lang_code, out = _validate(repo, lang, output_format)
        assert lang_code == code
        assert re.sub(clock, "", out) == re.sub(clock, "", english), lang


# --- clr next and clr advance: the same problems as blockers --------------------------

GIRL = "EXR-2026-H9CSW"  # underage, monitoring, BD garments, 14 since September


@pytest.fixture
def monitoring(tmp_path: Path) -> Path:
    """The example repository, the girl's case about to close as refused."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases", ignore=shutil.ignore_patterns(".clr-*"))
    result = clr(root, "en", "set", GIRL, "closure.reason=refused", f"closure.date={AS_OF}",
                 "--as-of", AS_OF)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root


def _blockers(out: str) -> dict[str, dict[str, str]]:
    return {b["message"]: b for b in json.loads(out)["blockers"] if b["kind"] == "rule"}


def _check_next(root: Path) -> dict[str, dict[str, str]]:
    """``clr next`` of the girl's case in every language: the rule blockers worded, JSON kept.

    Returns the rule blockers in English (from the JSON).
    """
    args = ["next", GIRL, "--as-of", AS_OF]
    english = clr(root, "en", *args, "--format", "json")
    assert english.returncode == 0, english.stderr
    rules = _blockers(english.stdout)
    for lang in LANGUAGES:
        data = clr(root, lang, *args, "--format", "json")
        assert _blockers(data.stdout) == rules, lang
        text = clr(root, lang, *args)
        assert text.returncode == 0, text.stderr
        for message, blocker in rules.items():
            assert message not in text.stdout and blocker["hint"] not in text.stdout
        lines = text.stdout.split("\n")
        start = next(i for i, line in enumerate(lines) if line.endswith(("closed :", "closed:")))
        shown = [line for line in lines[start + 1 :] if line.startswith("  ")]
        left = [f"{line[:60]}: {w}" for line in shown for w in _english_left(line, lang)]
        assert shown and not left, f"{lang}:\n" + "\n".join(left)
    return rules


def test_next_words_the_closing_blockers_and_keeps_its_json_english(monitoring: Path) -> None:
    rules = _check_next(monitoring)
    assert any("needs who refused" in m for m in rules), rules
    assert any("contact attempts" in m for m in rules), rules
    assert any(m.startswith("closing as refused needs a note") for m in rules), rules


def test_next_words_the_follow_ups_a_closure_reason_needs(monitoring: Path) -> None:
    path = monitoring / "cases" / GIRL / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["visits"] = data["visits"][:1]
    data["closure"]["reason"] = "no_longer_in_CL"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    rules = _check_next(monitoring)
    assert any(
        "needs 2 follow-up visits in a row that found no child labour, at least 3 and 6 months" in m
        and m.endswith("the case has 1 visit")
        for m in rules
    ), rules


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "une clôture en refused demande qui a refusé"),
        ("es", "un cierre como refused requiere quién rechazó"),
        ("pt-BR", "um encerramento como refused exige quem recusou"),
    ],
)
def test_advance_to_closed_says_what_blocks_it_in_the_language(
    monitoring: Path, lang: str, said: str
) -> None:
    path = monitoring / "cases" / GIRL / "case.yaml"
    before = path.read_bytes()
    result = clr(monitoring, "en", "--lang", lang, "advance", GIRL, "--to", "closed",
                 "--reason", "refused", "--by", "R. Ahmed", "--approved-by", "N. Islam",
                 "--note", "declined", "--as-of", AS_OF)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert path.read_bytes() == before
    assert said in result.stderr
    assert "closing as refused needs who refused" not in result.stderr
    assert "add --refused-by family, child or both" not in result.stderr


# --- a repository's own playbook without the translation --------------------------------


def test_a_repository_playbook_without_a_translation_shows_the_english(
    tmp_path: Path,
) -> None:
    root = _make_repo(tmp_path / "repo")
    book = yaml.safe_load(BUILT_IN.read_text(encoding="utf-8"))
    english = book["closing"]["refusal"]["text"]
    for lang in LANGUAGES:
        del book["translations"][lang]["closing"]["refusal"]
    (root / "playbooks").mkdir()
    (root / "playbooks" / "child-labour.yaml").write_text(
        yaml.safe_dump(book, allow_unicode=True), encoding="utf-8"
    )
    for lang, said in (("fr", "une clôture en refused demande qui a refusé : "),
                       ("es", "un cierre como refused requiere quién rechazó: ")):  # fmt: skip
        _code, out = _validate(root, lang, "text")
        lines = [line for line in out.splitlines() if " CLR222 " in line]
        assert lines and said + english in lines[0], (lang, lines)
        # the other rules keep the playbook's translation
        assert book["translations"][lang]["closing"]["contact_attempts"] in out


@pytest.mark.parametrize(
    ("lang", "running", "checks"),
    [
        ("fr", "avertissement : une allocation prévue jusqu'au 2027-11-02, au-delà de la date",
         "vérifications après la clôture prévues le 2027-05-20, 2027-11-20"),
        ("es", "advertencia: un estipendio previsto hasta el 2027-11-02, después de la fecha",
         "comprobaciones después del cierre previstas el 2027-05-20, 2027-11-20"),
        ("pt-BR", "aviso: uma bolsa prevista até 2027-11-02, além da data",
         "verificações após o encerramento previstas em 2027-05-20, 2027-11-20"),
    ],
)  # fmt: skip
def test_advance_says_what_goes_on_after_closure_in_the_language(
    tmp_path: Path, lang: str, running: str, checks: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases", ignore=shutil.ignore_patterns(".clr-*"))
    for args in (
        # her work and buyer make her minimum age 14 (as in test_closing_practice.py)
        (
            "set",
            GIRL,
            "discovery.work=Thread trimming in the finishing section",
            "site.buyer=Harbour & Hill",
            "age_verification.minimum_age=14",
            "age_verification.minimum_age_decided_by=national_law",
        ),
        ("set", GIRL, "plan.stipend.until=2027-11-02"),
        ("tick", GIRL, "mon-closure-check", "--by", "R. Ahmed"),
    ):
        done = clr(root, "en", *args, "--as-of", AS_OF)
        assert done.returncode == 0, done.stderr
    moved = clr(root, lang, "advance", GIRL, "--to", "closed", "--reason", "reached_min_age",
                "--by", "R. Ahmed", "--approved-by", "N. Islam", "--as-of", AS_OF,
                "--note", "The offer of the job back was declined; she is in school",
                "--young-worker-plan", "Finishing work only, day shifts, 36 hours a week",
                "--commitments-continued-by", "The supplier, to 2027-11 (MOU)")  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert running in moved.stderr and "The supplier, to 2027-11 (MOU)" in moved.stderr
    assert checks in moved.stderr and f"clr follow-up {GIRL}" in moved.stderr
    assert "past the closure date" not in moved.stderr
    assert "checks after closure due" not in moved.stderr
