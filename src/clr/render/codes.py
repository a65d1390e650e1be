"""docs/codes.md: every finding code, its title and what it means, from ``clr.model.findings``.

Regenerate the page after a change to the codes with ``python -m clr.render.codes``.
"""

from __future__ import annotations

from pathlib import Path

from clr import SOURCE_URL
from clr.model.findings import CODES, DESCRIPTIONS, GROUPS

PAGE = "docs/codes.md"
"""Where the page lives in clr's repository."""


def code_url(code: str) -> str:
    """The address of ``code``'s entry on the codes page (SARIF's ``helpUri``)."""
    return f"{SOURCE_URL}/blob/main/{PAGE}#{code.lower()}"


def codes_page() -> str:
    """The Markdown text of the codes page."""
    lines = [
        "# Finding codes",
        "",
        "Every finding of `clr validate` has a stable code: `CLR` and three digits, the first",
        "of which says what was checked. A code keeps its meaning from release to release;",
        "SARIF reports link each rule here.",
        "",
        "<!-- Generated from src/clr/model/findings.py by `python -m clr.render.codes`:",
        "     edit the codes there, not here. -->",
    ]
    group = None
    for code in sorted(CODES):
        prefix = code[:4]
        if prefix != group:
            group = prefix
            lines += ["", f"## {GROUPS.get(prefix, 'Other')} ({prefix}xx)"]
        lines += ["", f"### {code}", "", f"**{CODES[code]}.** {DESCRIPTIONS.get(code, '')}"]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Write the page into the source tree this module is in."""
    from clr.io import atomic

    path = Path(__file__).resolve().parents[3] / PAGE
    atomic.write(path, codes_page())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
