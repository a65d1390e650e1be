"""How the bulk views show the paths of many case files: as ``display_path`` shows each."""

from __future__ import annotations

from pathlib import Path

import pytest

from clr.repo.repository import display_path
from clr.views.load import shown_as

CWDS = ["/", "/srv", "/srv/cases", "/srv/a/b/c", "/home/x/y/z/w"]
FILES = [
    "/srv/cases/BEN-2026-AAAAA/case.yaml",
    "/srv/repo/cases/BEN-2026-AAAAA/case.yaml",
    "/srv/a/b/c/cases/X/case.yaml",
    "/srv/a/../b/cases/X/case.yaml",
    "/other/place/cases/X/case.yaml",
    "/case.yaml",
    "/x/case.yaml",
    "/srv/cases/../case.yaml",
    "cases/X/case.yaml",
    "../cases/X/case.yaml",
]


@pytest.mark.parametrize("cwd", CWDS)
def test_each_path_is_shown_as_display_path_shows_it(cwd: str) -> None:
    files = [Path(f) for f in FILES]
    expected = [str(p) if not p.is_absolute() else display_path(p, cwd) for p in files]
    assert shown_as(files, cwd) == expected


def test_many_files_of_one_folder_share_its_relative_path() -> None:
    files = [Path(f"/srv/repo/cases/BEN-{i:05d}/case.yaml") for i in range(50)]
    shown = shown_as(files, "/srv/elsewhere")
    assert shown == [f"../repo/cases/BEN-{i:05d}/case.yaml" for i in range(50)]
    far = shown_as(files[:1], "/srv/a/b/c")
    assert far == ["/srv/repo/cases/BEN-00000/case.yaml"]  # three ../ or more: absolute


@pytest.mark.parametrize(
    "given",
    [
        "cases/A/case.yaml",
        "repo/cases/A/case.yaml",
        "./repo/cases/../cases/A/case.yaml",
        "/srv/repo/cases/A/case.yaml",
        "/srv/other/cases/A/case.yaml",
        "A/case.yaml",
        "case.yaml",
        "/case.yaml",
        "repo//cases//A//case.yaml",
        "../x/cases/A/case.yaml",
    ],
)
@pytest.mark.parametrize("root", ["/srv/repo", "/srv", "/"])
def test_names_in_a_repository_are_those_of_each_path_alone(
    given: str, root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clr.views.load import _name_in, names_in

    monkeypatch.chdir("/")
    base = root.rstrip("/") + "/"
    files = [Path(given), Path(given.replace("A", "B"))]
    assert names_in(files, base) == [_name_in(f, base) for f in files]


@pytest.mark.parametrize(
    "text",
    [
        "a/b/c",
        "/a/b/c",
        "/b/c",
        "b/c",
        "c",
        "a//b/c",
        "a/b//c",
        "a/b/c/",
        "//a/b",
        "/",
        "",
        "x/./y",
    ],
)
def test_the_last_three_parts_are_those_of_two_splits(text: str) -> None:
    import os

    from clr.views.load import _last_three

    folder, name = os.path.split(text)
    top, case = os.path.split(folder)
    assert _last_three(text) == (top, case, name)
