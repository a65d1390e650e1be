"""Keyed fingerprints of a child: the same child in two cases, found without decrypting.

A fingerprint is an HMAC-SHA256, keyed with a secret kept in the key store (never in the
case repository), of the child's normalised name, an approximate birth year and the
country. Two cases whose fingerprints are equal may be about the same child; without
the secret a fingerprint reveals nothing, and cannot be tested against guessed names.

The name is normalised so that the usual ways of writing one name agree:

* transliterated to Latin letters (``anyascii``: Bengali, Devanagari, Vietnamese
  diacritics, Cyrillic, …), lower case;
* each word reduced to a consonant skeleton (vowels and ``h`` dropped, doubled letters
  and common digraphs such as ``ph``/``f``, ``kh``/``k`` merged; a word starting with a
  vowel keeps one mark of it), since transliterations differ mostly in vowels: রহিম
  becomes ``rhim``, written Rahim in Latin letters; both give ``rm``;
* the words sorted, so that the order of given and family names does not matter.

The birth year is put in two-year buckets, and a case carries the fingerprints of both
buckets its year falls in, so that estimates one year apart still meet.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

VERSION = "v1"

_DIGRAPHS = (("ph", "f"), ("bh", "b"), ("dh", "d"), ("th", "t"), ("kh", "k"), ("gh", "g"),
             ("sh", "s"), ("ch", "c"), ("jh", "j"), ("ck", "k"))  # fmt: skip
_LETTERS = str.maketrans({"c": "k", "q": "k", "z": "j", "v": "b", "w": "b", "x": "s"})
_VOWELS = frozenset("aeiouy")
_WORD = re.compile(r"[a-z]+")
_ALIASES = {"md": "mohammad", "mohd": "mohammad", "muhd": "mohammad"}
"""Abbreviations written for a whole name (Md. for Mohammad in Bangladesh)."""


def latin(text: str) -> str:
    """``text`` in lower-case Latin letters (transliterated; marks and symbols dropped)."""
    from anyascii import anyascii

    decomposed = unicodedata.normalize("NFKC", text)
    return str(anyascii(decomposed)).lower()


def skeleton(word: str) -> str:
    """The consonant skeleton of one lower-case Latin word (see the module)."""
    for pair, single in _DIGRAPHS:
        word = word.replace(pair, single)
    word = word.translate(_LETTERS)
    if not word:
        return ""
    head = "a" if word[0] in _VOWELS else word[0]
    body = [c for c in word[1:] if c not in _VOWELS and c != "h"]
    out = head
    for c in body:
        if c != out[-1]:
            out += c
    return out


def words(name: str) -> list[str]:
    """The words of a name in Latin letters, abbreviations written out."""
    return [_ALIASES.get(w, w) for w in _WORD.findall(latin(name))]


def normalised(name: str) -> str:
    """The normalised form of a name: the sorted skeletons of its words."""
    return " ".join(sorted(s for s in (skeleton(w) for w in words(name)) if s))


def birth_year(data: dict[str, Any]) -> int | None:
    """The child's birth year as far as the case file knows it (exact or estimated)."""
    from clr.model.case import dig

    for value in (dig(data, "child", "birth_date"), dig(data, "age_verification", "birth_date")):
        if isinstance(value, str) and value[:4].isdigit():
            return int(value[:4])
    age: Any = dig(data, "child", "estimated_age")
    seen = dig(data, "discovery", "date") or data.get("opened")
    if not isinstance(age, int) or isinstance(age, bool) or not isinstance(seen, str):
        return None
    return int(seen[:4]) - age if seen[:4].isdigit() else None
    return None


def fingerprints(secret: bytes, name: str, year: int | None, country: str | None) -> list[str]:
    """The keyed fingerprints of a child (empty if the name or year is unknown)."""
    norm = normalised(name)
    if not norm or year is None:
        return []
    import hashlib  # OpenSSL: loaded by the commands that fingerprint, not by every check
    import hmac

    place = (country or "").upper()
    out = []
    for bucket in sorted({year // 2, (year + 1) // 2}):
        message = f"{VERSION}|{norm}|{bucket}|{place}".encode()
        digest = hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
        out.append(f"{VERSION}:{digest}")
    return out


def similarity(first: str, second: str) -> float:
    """How alike two names are (0 to 1), once transliterated, for matching in memory.

    1.0 when their normalised forms agree (what the fingerprint compares); else how alike
    their Latin spellings are, words sorted (difflib's ratio).
    """
    import difflib

    a, b = normalised(first), normalised(second)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    plain_a = " ".join(sorted(words(first)))
    plain_b = " ".join(sorted(words(second)))
    return difflib.SequenceMatcher(None, plain_a, plain_b).ratio()


def linked(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True if one case names the other (reopens, related_cases, duplicate_of): known."""

    def names(data: dict[str, Any], other: Any) -> bool:
        if data.get("reopens") == other:
            return True
        related = data.get("related_cases")
        if isinstance(related, list) and any(
            r == other or (isinstance(r, dict) and other in r.values()) for r in related
        ):
            return True
        closure = data.get("closure")
        return isinstance(closure, dict) and closure.get("duplicate_of") == other

    return names(first, second.get("id")) or names(second, first.get("id"))


def case_fingerprints(data: dict[str, Any]) -> list[str]:
    """The fingerprints a case file carries (``privacy.fingerprints``)."""
    block = data.get("privacy")
    found = block.get("fingerprints") if isinstance(block, dict) else None
    return [f for f in found if isinstance(f, str)] if isinstance(found, list) else []


def pairs(cases: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of case ids that share a fingerprint and are not linked already, sorted."""
    by_print: dict[str, list[dict[str, Any]]] = {}
    for data in cases:
        for value in case_fingerprints(data):
            by_print.setdefault(value, []).append(data)
    found: set[tuple[str, str]] = set()
    for group in by_print.values():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                a, b = str(first.get("id")), str(second.get("id"))
                if a != b and not linked(first, second):
                    found.add((min(a, b), max(a, b)))
    return sorted(found)
