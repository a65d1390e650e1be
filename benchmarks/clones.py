"""Write a repository of clones of the example cases, with varied notes and comments.

    python benchmarks/clones.py OUT --cases 10000 [--seed 1]

The generator's cases (benchmarks/generate.py) are regular; real files are longer and
less alike. Each clone is one of the valid examples (``examples/cases/``, about 6.5 KB)
under a new id, with a sentence or two of other words added to each folded note and a few
comment lines, about 7 KB in all. Standard library only; the same seed writes the same
files.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TEXT = (
    "the family visited school again after the harvest and the teacher said attendance "
    "is steady; mother asked about the stipend dates and the uniform, the supervisor "
    "agreed to keep the workshop closed to children during the inspection, neighbours "
    "helped with the garden, the child enjoys reading and football, transport to the "
    "school is by bicycle along the river road, the caseworker explained the next steps "
    "and the plan was read aloud to the grandparents who agreed with it"
)
WORDS = _TEXT.split()
_NOTE = re.compile(r"^( *)notes: >-\n( +)", re.M)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:].replace(";", ",").replace(":", ",") + "."


def case_id(number: int, year: str) -> str:
    chars = []
    for _ in range(5):
        number, digit = divmod(number, 32)
        chars.append(CROCKFORD[digit])
    return f"BEN-{year}-{''.join(reversed(chars))}"


def clone(text: str, own: str, new: str, rng: random.Random) -> str:
    # The clone's own id changes; links to other examples keep theirs (those cases are
    # cloned under other ids, so the links point at no case, as links to another
    # repository's cases do).
    text = text.replace(own, new)

    def more(match: re.Match[str]) -> str:
        return f"{match.group(0)}{sentence(rng, rng.randint(12, 30))}\n{match.group(2)}"

    text = _NOTE.sub(more, text)
    lines = text.splitlines(keepends=True)
    comments = [f"# {sentence(rng, rng.randint(6, 14))}\n" for _ in range(rng.randint(3, 6))]
    out = lines[:1] + comments[:1] + lines[1:]  # keep the schema line first
    for comment in comments[1:]:
        at = rng.randrange(2, len(out))
        while out[at - 1].rstrip().endswith((">-", "|")) or out[at].startswith(" "):
            at = at + 1 if at + 1 < len(out) else 2
            if at == 2:
                break
        if not out[at - 1].rstrip().endswith((">-", "|")) and not out[at].startswith(" "):
            out.insert(at, comment)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sources = sorted((EXAMPLES / "cases").glob("*/case.yaml"))
    texts = [(path.parent.name, path.read_text(encoding="utf-8")) for path in sources]
    if args.out.exists():
        shutil.rmtree(args.out)
    (args.out / "cases").mkdir(parents=True)
    config = (EXAMPLES / "clr.yaml").read_text(encoding="utf-8")
    (args.out / "clr.yaml").write_text(
        re.sub(r"(?m)^id_prefix: .*$", "id_prefix: BEN", config), encoding="utf-8"
    )
    for i in range(args.cases):
        own, text = texts[i % len(texts)]
        rng = random.Random(f"{args.seed}:{i}")
        new = case_id(i * 7919 + args.seed, own[4:8])
        folder = args.out / "cases" / new
        folder.mkdir()
        (folder / "case.yaml").write_text(clone(text, own, new, rng), encoding="utf-8")
    print(f"wrote {args.cases} clones of {len(texts)} examples to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
