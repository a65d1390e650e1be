"""The playbook in other languages: data beside the English, complete, and shown by clr."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr import i18n
from clr.cli import main
from clr.io import cache, resources
from clr.model.playbook import build, check_playbook_file
from conftest import AS_OF, CASE_ID

LANGUAGES = i18n.LANGUAGES[1:]
BUILT_IN = resources.playbooks_dir() / "child-labour.yaml"


def _english_texts(data: dict[str, Any]) -> dict[str, str]:
    """Every text of the playbook a person reads, by where its translation goes."""
    texts = {"title": data["title"], "description": data["description"]}
    texts.update({f"roles.{k}": v for k, v in data["roles"].items()})
    texts.update({f"purposes.{k}": v["purpose"] for k, v in data["stages"].items()})
    items = list(data["readiness"])
    for stage in data["stages"].values():
        items += stage.get("actions", []) + stage.get("warnings", [])
        items += stage.get("safeguarding", [])
    texts.update({f"items.{i['id']}": i["text"] for i in items})
    for flag in data["difficulty_flags"]:
        texts[f"difficulty_flags.{flag['id']}.text"] = flag["text"]
        texts[f"difficulty_flags.{flag['id']}.advice"] = flag["advice"]
    for reason, rule in data["closure_reasons"].items():
        texts[f"closure_reasons.{reason}.text"] = rule["text"]
        if "needs_note" in rule:
            texts[f"closure_reasons.{reason}.needs_note"] = rule["needs_note"]
    for name, rule in data["closing"].items():
        texts[f"closing.{name}"] = rule["text"]
    return texts


def _lookup(translation: dict[str, Any], key: str) -> Any:
    node: Any = translation
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_of_the_built_in_playbook_is_translated(lang: str) -> None:
    data = yaml.safe_load(BUILT_IN.read_text(encoding="utf-8"))
    translation = data["translations"][lang]
    missing = [key for key in _english_texts(data) if not _lookup(translation, key)]
    assert not missing, f"translations.{lang} lacks:\n" + "\n".join(missing)
    # numbers and field names of the English are kept (24 hours, closure.duplicate_of, …)
    for key, english in _english_texts(data).items():
        kept = set(re.findall(r"\b\d+\b|\b[a-z]+(?:\.[a-z_]+)+\b", english))
        assert kept <= set(
            re.findall(r"\b\d+\b|\b[a-z]+(?:\.[a-z_]+)+\b", _lookup(translation, key))
        ), (
            lang,
            key,
        )


def test_the_playbook_is_built_in_the_language_in_force() -> None:
    data, findings = check_playbook_file(BUILT_IN)
    assert data is not None and not findings
    english, french = build(data), build(data, lang="fr")
    assert french.language == "fr" and english.language == "en"
    assert french.title == "Remédiation du travail des enfants"
    assert french.action("protect-remove-from-all-work").text == (  # type: ignore[union-attr]
        "Retirer immédiatement l'enfant de tout travail."
    )
    assert french.roles["buyer"].startswith("L'acheteur")
    assert french.closure_reasons["refused"].needs_note.startswith("ce qui a été proposé")
    assert french.stages["closed"].purpose.startswith("Clore le cas")
    # what is not a text stays as it is
    assert [a.id for a in french.all_items()] == [a.id for a in english.all_items()]
    assert french.action("report-log-signal").due == english.action("report-log-signal").due  # type: ignore[union-attr]


def _own_playbook(root: Path, translations: str) -> Path:
    text = BUILT_IN.read_text(encoding="utf-8").split("\ntranslations:\n")[0]
    path = root / "playbooks" / "child-labour.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\ntranslations:\n" + translations, encoding="utf-8")
    return path


def test_a_repositorys_own_playbook_adds_a_language_item_by_item(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _own_playbook(
        case_repo,
        '  fr:\n    items:\n      report-triage: "Trier le signal le jour même (notre texte)."\n',
    )
    monkeypatch.chdir(case_repo)
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit):
        main(args=["--lang", "fr", "next", CASE_ID, "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert "Trier le signal le jour même (notre texte)." in out
    # a text it does not translate stays in English
    assert "Pass the case on to the buyer" in out
    assert "Log a suspicion that a child is working" in out


def test_a_translation_of_an_item_the_playbook_lacks_is_a_finding(tmp_path: Path) -> None:
    path = _own_playbook(tmp_path, '  es:\n    items:\n      no-such-item: "Texto."\n')
    data, findings = check_playbook_file(path)
    assert data is None
    assert [f.code for f in findings] == ["CLR402"]
    assert "translations.es.items names no-such-item" in findings[0].message
    assert findings[0].line > 800  # located on the line of the translation


def test_cached_results_are_kept_apart_by_language(case_repo: Path) -> None:
    # a cached summary may hold the playbook's texts: one language's is never served in another
    keys = {}
    for lang in ("en", "fr", "en"):
        i18n.activate(lang)
        keys.setdefault(lang, set()).add(cache.context_key(case_repo, [], AS_OF, "status"))
    assert len(keys["en"]) == 1
    assert keys["en"] != keys["fr"]
