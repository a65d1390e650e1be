"""Finding a case by an id prefix looks only into the folders whose names match."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clr.errors import ClrError
from clr.repo.repository import Config, Repository, find_case


def test_a_prefix_probes_only_matching_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ABC-1", "ABC-2", "XYZ-1", "XYZ-2", "XYZ-3", ".hidden", "ABD-1"):
        (tmp_path / "cases" / name).mkdir(parents=True)
        if name != "ABC-2":
            (tmp_path / "cases" / name / "case.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "cases" / "ABC-3").write_text("not a folder\n", encoding="utf-8")
    probed: list[str] = []
    real = os.path.lexists

    def counting(path: str | os.PathLike[str]) -> bool:
        probed.append(Path(path).parent.name)
        return real(path)

    monkeypatch.setattr(os.path, "lexists", counting)
    repo = Repository(tmp_path, Config())
    assert find_case(repo, "abc") == tmp_path / "cases" / "ABC-1" / "case.yaml"
    assert sorted(set(probed)) == ["ABC-1", "ABC-2"]
    with pytest.raises(ClrError, match="matches 2 cases"):
        find_case(repo, "AB")
    with pytest.raises(ClrError, match="no case XYZ-9"):
        find_case(repo, "XYZ-9")


@pytest.mark.parametrize("others", [(), ("Straße-1", "ÄBC-1", "\u212aX-1")])
@pytest.mark.parametrize(
    "prefix", ["a", "A.", "a.c", "A+", "abc", "STRASSE", "straß", "äb", "k", "\u212a", "X", "-"]
)
def test_a_prefix_matches_as_comparing_upper_cases(
    tmp_path: Path, prefix: str, others: tuple[str, ...]
) -> None:
    # One search over all the names when they are ASCII; the same answer as comparing each
    # name's upper case, whatever the prefix and the names hold.
    names = ("ABC-1", "abd-2", "A.C-1", "AXC-1", "A+C-1", "kx-1", ".abc", *others)
    for name in names:
        (tmp_path / "cases" / name).mkdir(parents=True)
        (tmp_path / "cases" / name / "case.yaml").write_text("id: x\n", encoding="utf-8")
    repo = Repository(tmp_path, Config())
    wanted = sorted(n for n in names if n.upper().startswith(prefix.upper()) and n[0] != ".")
    assert repo.case_ids_starting(prefix) == wanted
