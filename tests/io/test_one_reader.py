"""Every file clr reads goes through ``clr.io.files``: no other read can hang on a pipe."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "clr"
DIRECT_READ = re.compile(
    r"(?<!files)(?<!yamlio)\.read_(?:text|bytes)\("  # Path.read_text / read_bytes
    r"|(?<![\w.])open\((?!.*[\"'](?:w|a|x|r\+)b?[\"'])"  # builtin open() for reading
    r"|\.open\(\s*[\"']r"  # Path.open("r…")
)
# Files clr has just written itself, opened again only to fsync them.
ALLOWED = {
    ("cases/newcase.py", 'with (staging / name).open("rb") as handle:'),
    # pip's record of where clr was installed from, inside clr's own installation
    (
        "repo/scaffold.py",
        'text = metadata.distribution(CLR_DISTRIBUTION).read_text("direct_url.json")',
    ),
    # the atomic writer's check of the file it is about to replace (its own policy)
    ("io/atomic.py", 'with open(path, "rb") as handle:  # noqa: PTH123'),
    # clr's own message catalogues, inside its installation (clr.i18n imports nothing of clr)
    ("i18n/__init__.py", "return path.read_bytes()"),
}


def test_no_read_outside_the_one_reader() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name == "io/files.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if DIRECT_READ.search(code) and (name, line.strip()) not in ALLOWED:
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "read through clr.io.files instead:\n" + "\n".join(found)


def test_the_check_finds_a_direct_read() -> None:
    for line in ('x = path.read_text(encoding="utf-8")', "with open(p) as f:", 'p.open("rb")'):
        assert DIRECT_READ.search(line), line
    for line in ("files.read_bytes(path)", "yamlio.read_bytes(p)", 'open(p, "wb")', "os.open(p)"):
        assert not DIRECT_READ.search(line), line
