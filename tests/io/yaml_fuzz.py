"""A differential fuzzer of clr's two YAML readers: the fast one must agree or step aside.

clr reads YAML with a fast reader (yaml-rs) where it reads a file exactly as the strict
reader (libyaml) does, and with the strict reader otherwise. This generates documents
from the forms where YAML readers tend to differ (block scalars with every indicator,
quoted and plain scalars, comments, flow collections, nested mappings and lists) with
every kind of line end (LF, CRLF, CR) and of file end (none, one or several line breaks,
trailing spaces, a last comment), and checks each with ``yamlio.parse_text`` against the
strict reader alone: the data must be the same, type for type.

Run from the command line for a long search::

    python tests/io/yaml_fuzz.py --count 200000 --seed 1

``tests/io/test_yaml_fuzz.py`` runs a quick round with every test run and a long one
marked slow.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from clr.io import yamlio

INDICATORS = ("|", "|-", "|+", ">", ">-", ">+", "|2", ">2", "|2-", "|+2", ">1+", "|-1")
WORDS = (
    "x",
    "Child A",
    "text with: colon",
    "it's",
    "a # not a comment",
    "0123",
    "1_000",
    "12",
    "-3.5",
    "1e3",
    "true",
    "no",
    "null",
    "~",
    "2026-03-02",
    "@x",
    "`x",
    "%x",
    "x:y",
    "[x]",
    "é ü",
    "\u00a0nbsp",
    "-",
    "?",
    "a  b",
)
EOF_VARIANTS = (
    "",
    "\n",
    "\n\n",
    "\n\n\n",
    "  ",
    "\n  ",
    "\n# end",
    "\n# end\n",
    " # end",
    "\n  \n",
)
LINE_ENDS = ("\n", "\r\n", "\r")
KEYS = ("a", "b", "note", "x-y", "k1", "text")


@dataclass
class Disagreement:
    """A document the two readers read differently."""

    text: str
    fast: object
    strict: object


def _plain(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _quoted(rng: random.Random) -> str:
    word = rng.choice(WORDS)
    if rng.random() < 0.5:
        return "'" + word.replace("'", "''") + "'"
    extra = rng.choice(("", "\\t", "\\n", "\\\\", '\\"', "\\u00e9"))
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + extra + '"'


def _flow(rng: random.Random) -> str:
    items = [rng.choice((_plain(rng), _quoted(rng), "1", "x")) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.5:
        return "[" + ", ".join(items) + "]"
    return "{" + ", ".join(f"k{i}: {v}" for i, v in enumerate(items)) + "}"


def _block(rng: random.Random, indent: int) -> list[str]:
    """A block scalar's header (after the key) and its content lines."""
    header = rng.choice(INDICATORS)
    if rng.random() < 0.2:
        header += " # comment"
    pad = " " * (indent + 2)
    explicit = [int(c) for c in header if c.isdigit()]
    if explicit:
        pad = " " * (indent + explicit[0])
    lines = [header]
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.15:
            lines.append("")
        elif roll < 0.25:
            lines.append(pad + "  more indented")
        elif roll < 0.3:
            lines.append(pad + "# not a comment")
        else:
            lines.append(pad + rng.choice(WORDS))
    for _ in range(rng.choice((0, 0, 1, 2))):
        lines.append(rng.choice(("", pad[:-1] if pad else "")))
    return lines


def _value(rng: random.Random, indent: int, depth: int) -> list[str]:
    """A value: its text after ``key:`` on the first line, then further lines."""
    roll = rng.random()
    if roll < 0.3:
        return _block(rng, indent)
    if roll < 0.45:
        return [_plain(rng)]
    if roll < 0.6:
        return [_quoted(rng)]
    if roll < 0.7:
        return [_flow(rng)]
    if roll < 0.85 and depth < 2:
        return ["", *_mapping(rng, indent + 2, depth + 1)]
    if depth < 2:
        lines = [""]
        for _ in range(rng.randint(1, 3)):
            item = _value(rng, indent + 2, depth + 1)
            if item[0] == "":
                item = [_plain(rng)]
            lines.append(" " * indent + "- " + item[0])
            lines.extend(item[1:])
        return lines
    return [_plain(rng)]


def _mapping(rng: random.Random, indent: int, depth: int) -> list[str]:
    lines = []
    for key in rng.sample(KEYS, rng.randint(1, 4)):
        if rng.random() < 0.1:
            lines.append(" " * indent + "# a comment")
        value = _value(rng, indent, depth)
        first = f"{' ' * indent}{key}:" + (f" {value[0]}" if value[0] else "")
        if value[0] and not value[0].startswith(("|", ">")) and rng.random() < 0.1:
            first += " # trailing"
        lines.append(first)
        lines.extend(value[1:])
    return lines


def document(rng: random.Random) -> str:
    """One generated YAML document, with a random line end and file end."""
    lines = _mapping(rng, 0, 0)
    if rng.random() < 0.1:
        lines.insert(0, "# header comment")
    end = rng.choice(LINE_ENDS) if rng.random() < 0.4 else "\n"
    text = end.join(lines) + rng.choice(EOF_VARIANTS).replace("\n", end)
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n", 1)  # mixed line ends
    return text


def documents(seed: int, count: int) -> Iterator[str]:
    """``count`` documents from ``seed`` (the same every time)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield document(rng)


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def check(text: str) -> Disagreement | None:
    """The disagreement on ``text``, or None if ``parse_text`` reads it as the strict reader."""
    strict = yamlio.parse_strict(text, "fuzz")
    used = yamlio.parse_text(text, "fuzz")
    if _canonical(used.data) != _canonical(strict.data):
        return Disagreement(text, used.data, strict.data)
    return None


def run(seed: int, count: int) -> tuple[int, list[Disagreement], int]:
    """Check ``count`` documents; return how many, the disagreements and how many went fast."""
    found = []
    fast = 0
    for text in documents(seed, count):
        if yamlio.FAST_PARSER and not yamlio._needs_strict(text):
            fast += 1
        problem = check(text)
        if problem is not None:
            found.append(problem)
    return count, found, fast


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer from the command line; exit 1 if the readers disagree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="disagreements to print")
    args = parser.parse_args(argv)
    start = time.monotonic()
    count, found, fast = run(args.seed, args.count)
    for problem in found[: args.show]:
        print(f"--- {problem.text!r}\n  fast:   {problem.fast!r}\n  strict: {problem.strict!r}")
    print(
        f"{len(found)}/{count} disagreements ({fast} documents read by the fast reader) "
        f"in {time.monotonic() - start:.1f} s"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
