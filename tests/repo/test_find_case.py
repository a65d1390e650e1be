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
