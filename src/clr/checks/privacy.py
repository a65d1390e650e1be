"""The personal-data lint (CLR5xx): identity details where they must never be.

Two entry points, both called by ``clr validate``:

* ``case_privacy_findings``: one walk over a parsed case file. Identity fields (a
  ``name``, ``phone``, ``address``… key anywhere, ``x-`` fields included) are CLR502;
  free text that looks like a phone number (CLR503), an e-mail address (CLR504), an ID
  document number (CLR505) or GPS coordinates (CLR506) are findings too. Structured
  values (ids, dates, codes, enums, money) are not read, and dates, amounts, receipt
  references, case ids and percentages never match. It depends only on the file's
  content, so its results may be cached with the file's other findings.
* ``repository_privacy_findings``: once per repository. Plaintext identity files that
  git tracks or does not ignore (CLR501), private keys git could pick up (CLR508), and,
  when the user's key is at hand, names and ID numbers from a case's encrypted identity
  file found in its case file (CLR507).

Messages never repeat the personal data they found: they go to CI logs.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr.i18n import N_
from clr.io import files
from clr.model.findings import Finding, Said, finding, join_pointer, pointer_to_path, said

if TYPE_CHECKING:
    from clr.checks.results import FileReport

Locate = Callable[..., tuple[int, int]]

IDENTITY_KEYS = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "surname",
        "given_name",
        "family_name",
        "child_name",
        "real_name",
        "guardian_name",
        "father_name",
        "mother_name",
        "parent_name",
        "phone",
        "phones",
        "phone_number",
        "mobile",
        "mobile_number",
        "telephone",
        "tel",
        "contact",
        "contacts",
        "contact_number",
        "guardian_contact",
        "email",
        "e_mail",
        "email_address",
        "address",
        "home_address",
        "street",
        "street_address",
        "gps",
        "coordinates",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "id_number",
        "id_document_number",
        "id_document_type",
        "national_id",
        "nid",
        "passport",
        "passport_number",
        "birth_certificate_number",
        "photo",
        "photos",
        "picture",
        "pictures",
        "image",
        "images",
    }
)
"""Keys that hold who the child is: they belong in the identity file only (CLR502)."""

SKIP_KEYS = frozenset(
    {
        # ids, codes and enums
        "schema_version",
        "id",
        "reopens",
        "related_cases",
        "duplicate_of",
        "playbook",
        "track",
        "stage",
        "country",
        "currency",
        "sex",
        "age_basis",
        "channel",
        "reported_by",
        "method",
        "methods",
        "purpose",
        "payer",
        "party",
        "period",
        "result",
        "reason",
        "frequency",
        "type",
        "authentic",
        "minimum_age_decided_by",
        "informed",
        "needs",
        "root_causes",
        "difficulties",
        "cause",
        "how",
        "sector",
        "supplier_id",
        "receipt",
        "from",
        # dates
        "opened",
        "date",
        "at",
        "started",
        "done",
        "first_due",
        "until",
        "birth_date",
        "hired",
        "removed_from_work",
        "hazards_removed",
        "family_contacted",
        "follow_ups",
        "out_of_school_since",
        "recurrence_check",
        "start",
        "end",
        "date_signed",
        # written by clr: keyed fingerprints (hex), the erasure date, an age band
        "fingerprints",
        "erased",
        "age_band",
    }
)
"""Keys whose values are structured (never free text): the lint does not read them."""

# --- patterns (compiled once) ----------------------------------------------------------------
#
# Every pattern here reads free text of any length, so every one of them runs in time linear
# in the text: no quantifier that can scan far is followed by something that can fail and
# make it rescan from the next position. Runs that need not be long are bounded ({0,3}
# spaces, a label of 63 letters); the e-mail pattern starts at the character before the
# '@' rather than at the start of the address. tests/reliability/test_linear_time.py
# measures it for each pattern on inputs built to be its worst case; add a pattern to
# FREE_TEXT_PATTERNS and to that test together.


class _Lazy:
    """A regular expression compiled on first use.

    Most case files need few of them, and compiling them all costs 2 ms of every start.
    """

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return getattr(self._compiled, name)


_EMAIL = _Lazy(
    r"[A-Za-z0-9._%+\-]@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
"""The last character of the local part, the '@' and a domain: enough to know there is one."""

_DIGITS_RUN = _Lazy(r"(?<![\w+/.,:])(\+|\b00)?(\(?\d[\d \u00a0().\-]*\d\)?)(?![\w/%])")
"""A run of digits with phone-style separators (space, dot, hyphen, brackets)."""

_PHONE_LINK = _Lazy(
    r"(?i:\b(?:tel|callto|sms|whatsapp|viber|skype)\s{0,3}:(?://)?"
    r"|\bwa\.me/|\bapi\.whatsapp\.com/send/?\?phone=|\bt\.me/(?=\+))"
)
"""What glues a phone number to a link ('tel:', 'wa.me/'): taken out before runs are read."""

_CASE_ID = _Lazy(r"(?<![\w-])[A-Z][A-Z0-9]{1,11}-\d{4}-[0-9A-HJKMNP-TV-Z]{5,8}(?![\w-])")
"""A case id (model.ids): never personal data, whatever digits it holds."""

_UUID = _Lazy(
    r"(?<![\w-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-])"
)
"""A UUID (the instance id of an ODK or KoboToolbox submission): never personal data."""

_DATEISH = _Lazy(
    r"(?:19|20)\d\d[-./](?:0[1-9]|1[0-2])|\d\d[-./](?:0[1-9]|1[0-2])[-./](?:19|20)\d\d"
)
_DATE_TOKEN = _Lazy(r"(?:19|20)\d\d[-./]\d\d(?:[-./]\d\d)?|\d\d[-./]\d\d[-./](?:19|20)\d\d")
_YEAR = _Lazy(r"(?:19|20)\d\d")
_CURRENCY_AFTER = _Lazy(r"\s?(?:[A-Z]{3}\b|%|percent\b|per\b|hours?\b|days?\b)")
_CURRENCY_BEFORE = _Lazy(r"(?:(?<![A-Za-z])[A-Z]{3}|[$€£¥₹৳₵₦])\s?$")
"""Read only on the few characters before a run (see ``_phone_like``)."""
_AMOUNT = _Lazy(r"[1-9]\d{0,10}|[1-9]\d{0,2}(?:[ \u00a0.,']\d{3})+")
"""How an amount of money is written: no leading zero, at most 11 digits or in thousands."""

_ID_LABELLED = _Lazy(
    r"(?:(?i:\b(?:nid|national\s{1,3}id(?:entity)?(?:\s{1,3}card)?"
    r"|id\s{0,3}(?:card|no\.?|number|nr\.?|#)"
    r"|passport(?:\s{1,3}(?:no\.?|number))?|birth\s{1,3}(?:certificate|registration)"
    r"(?:\s{1,3}(?:no\.?|number))?|brn|cni|voter(?:'s)?\s{1,3}(?:id|card)|ghana\s{0,3}card"
    r"|aadhaar))"
    r"|\bID\b)"
    r"(?i:(?:\s{0,3}(?:[:#=]|\b(?:is|was|no\.?|number|nr\.?)(?!\w))){0,4})\s{0,3}"
    r"([A-Z]{0,3}[ \-]?\d(?:[ /\-]?\d){4,40})"
)
"""A number after a label such as 'NID', 'passport no.', 'birth certificate', 'ID:'."""

_ID_SHAPED = _Lazy(r"\b(?:[A-Z]{1,2}\d{7,8}|[A-Z]{3}-\d{9}-\d)\b")
"""Passport-style (one or two capitals and 7-8 digits) and Ghana-card-style numbers."""

_GPS = _Lazy(
    r"(?<![\d.])[-+]?\d{1,2}\.\d{4,20}\s{0,3}°?\s{0,3}[NSns]?\s{0,3}[,;/ ]\s{0,3}"
    r"[-+]?\d{1,3}\.\d{4,20}(?![\d.])"
    r"|\d{1,3}\s{0,3}°\s{0,3}\d{1,2}\s{0,3}['′]\s{0,3}"
    r"(?:\d{1,2}(?:\.\d{1,6})?\s{0,3}[\"″]\s{0,3})?[NSEW]"
    r"|(?i:\bgeo:-?\d|maps\.google\.|google\.[a-z.]{1,24}/maps|goo\.gl/maps|maps\.app\.goo\.gl"
    r"|openstreetmap\.org/[^\s#]{0,200}#map=|what3words\.com/)"
    r"|///[a-z]{1,30}\.[a-z]{1,30}\.[a-z]{1,30}"
    r"|\b[23456789CFGHJMPQRVWX]{4,8}\+[23456789CFGHJMPQRVWX]{2,3}\b"
)
"""Decimal or degree-minute coordinates, map links, what3words and plus codes."""

_HAS_DIGIT = _Lazy(r"\d")

_FIVE_DIGITS_SOURCE = r"\d(?:[ \u00a0().\-/]?\d){4}"
_MARKERS = ("@", "＠", "﹫", "°", "+", "///", "maps", "geo:", "what3words", "openstreetmap")
_INTERESTING = _Lazy(_FIVE_DIGITS_SOURCE + "|[@＠﹫°+]|///|maps|geo:|what3words|openstreetmap")
"""What every finding of ``scan_text`` needs: five digits in a run, or a marker."""
_FIVE_DIGITS = _Lazy(_FIVE_DIGITS_SOURCE)
"""The first half of ``_INTERESTING``; the other is any of ``_MARKERS``."""

FREE_TEXT_PATTERNS: dict[str, _Lazy] = {
    "email": _EMAIL,
    "digits_run": _DIGITS_RUN,
    "phone_link": _PHONE_LINK,
    "case_id": _CASE_ID,
    "uuid": _UUID,
    "dateish": _DATEISH,
    "date_token": _DATE_TOKEN,
    "year": _YEAR,
    "currency_after": _CURRENCY_AFTER,
    "currency_before": _CURRENCY_BEFORE,
    "amount": _AMOUNT,
    "id_labelled": _ID_LABELLED,
    "id_shaped": _ID_SHAPED,
    "gps": _GPS,
    "has_digit": _HAS_DIGIT,
    "interesting": _INTERESTING,
    "five_digits": _FIVE_DIGITS,
}
"""Every pattern the lint runs over free text, by name (for the linear-time test)."""


def _phone_like(text: str, match: re.Match[str]) -> str | None:
    """'phone', 'id' (a long run of digits), or None for a digit run that is neither."""
    plus, run = match.group(1), match.group(2)
    digits = sum(ch.isdigit() for ch in run)
    if digits < (8 if plus else 9):
        return None
    if _DATEISH.search(run):
        return None
    groups = [g for g in re.split(r"\D+", run) if g]
    if all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups):
        return None
    singles = sum(len(g) == 1 for g in groups)
    spelled = singles >= len(groups) - (1 if plus or groups[0].startswith("0") else 0)
    if singles > 1 and not spelled:
        return None  # a list of small numbers ('grades 3-4-5'), not digits read out one by one
    start = match.start()
    money = _CURRENCY_AFTER.match(text, match.end()) or _CURRENCY_BEFORE.search(
        text[max(0, start - 6) : start]
    )
    if money and not plus and _AMOUNT.fullmatch(run.strip("() ")):
        return None
    if digits > 15:
        return "id" if len(groups) <= 3 else None
    return "phone"


def _drop_id(match: re.Match[str]) -> str:
    """A labelled ID number becomes a NUL (so it is not read as a phone number too)."""
    return match.group(0) if _DATE_TOKEN.fullmatch(match.group(1).strip()) else "\0"


def scan_text(text: str) -> list[str]:
    """The kinds of personal data ``text`` seems to hold: phone, email, id, gps (in order)."""
    if not text.isascii():
        # full-width '＠' and digits, ligatures and the like read as what they stand for
        text = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    if "@" in text and _EMAIL.search(text):
        found.append("email")
    if not _HAS_DIGIT.search(text) and "///" not in text:
        return found
    if _GPS.search(text):
        found.append("gps")
        # coordinates are digit runs too: look for the rest in the text without them
        text = _GPS.sub(" ", text)
    text = _CASE_ID.sub(" ", text)
    text = _UUID.sub(" ", text)
    if _ID_LABELLED.search(text):
        text = _ID_LABELLED.sub(_drop_id, text)
        if "\0" in text:
            found.append("id")
    if "id" not in found and _ID_SHAPED.search(text):
        found.append("id")
    text = _PHONE_LINK.sub(" ", text)
    for match in _DIGITS_RUN.finditer(text):
        kind = _phone_like(text, match)
        if kind == "phone" and "phone" not in found:
            found.append("phone")
        elif kind == "id" and "id" not in found:
            found.append("id")
    return found


_SCANNED: dict[str, list[str]] = {}
"""What :func:`scan_text` found in the texts seen (notes repeat from case to case)."""


def _scan(text: str) -> list[str]:
    """:func:`scan_text`, remembered for texts of up to a few KB (not to be changed)."""
    found = _SCANNED.get(text)
    if found is None:
        found = scan_text(text)
        if len(text) <= 4096 and len(_SCANNED) < 4096:
            _SCANNED[text] = found
    return found


_CODES = {"phone": "CLR503", "email": "CLR504", "id": "CLR505", "gps": "CLR506"}
_WHAT = {
    "phone": N_("{field} holds what looks like a phone number"),
    "email": N_("{field} holds what looks like an e-mail address"),
    "id": N_("{field} holds what looks like an ID document number"),
    "gps": N_("{field} holds what looks like GPS coordinates or a map link"),
}


def _identity_hint(case_id: str) -> Said:
    return said(
        N_(
            "move it to the encrypted identity file ({command}) and delete it here; if it "
            "was committed, tell your data-protection lead (git history keeps it)"
        ),
        command=f"clr identity edit {case_id}",
    )


def _text_hint(case_id: str) -> Said:
    return said(
        N_(
            "move it to the encrypted identity file ({command}); if it is not personal "
            "data, reword it"
        ),
        command=f"clr identity edit {case_id}",
    )


_TEXT, _IDENTITY, _SKIP = 0, 1, 2
_Text = tuple[tuple[str | int, ...], str | int, str]
"""A string of free text: the path of its parent, its key or index, the text."""
_KEY_KINDS: dict[str, int] = {}


def _key_kind(key: str) -> int:
    kind = _KEY_KINDS.get(key)
    if kind is None:
        norm = key.lower().removeprefix("x-").replace("-", "_")
        kind = _IDENTITY if norm in IDENTITY_KEYS else _SKIP if key in SKIP_KEYS else _TEXT
        if len(_KEY_KINDS) < 10_000:
            _KEY_KINDS[key] = kind
    return kind


def case_privacy_findings(
    data: dict[str, Any], path: str, locate: Locate | None = None
) -> list[Finding]:
    """Identity fields and personal data in the free text of one parsed case file.

    ``locate(pointer, key=True)`` (``Loaded.locate``) places key findings on their key;
    other findings carry a pointer and no position, for the caller to place.
    """
    if _nothing_to_say(data):
        return []
    return _privacy_findings(data, path, locate)


def _privacy_findings(data: dict[str, Any], path: str, locate: Locate | None) -> list[Finding]:
    """:func:`case_privacy_findings` by the full walk, which names where each one is."""
    case_id = str(data["id"]) if isinstance(data.get("id"), str) else "CASE"
    out: list[Finding] = []
    texts: list[_Text] = []
    kinds = _KEY_KINDS
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                kind = kinds.get(key)
                if kind is None:
                    if not isinstance(key, str):
                        continue
                    kind = _key_kind(key)
                if kind == _IDENTITY:
                    if key != "name" or where != ("site",):
                        out.append(_identity_field(path, (*where, key), case_id, locate))
                        continue
                    kind = _TEXT  # the site's name
                if isinstance(item, str):
                    if kind == _TEXT and len(item) >= 6:
                        texts.append((where, key, item))
                elif isinstance(item, dict) or (isinstance(item, list) and kind == _TEXT):
                    stack.append((item, (*where, key)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    if len(item) >= 6:
                        texts.append((where, i, item))
                elif isinstance(item, dict | list):
                    stack.append((item, (*where, i)))
    # A cheap test lets most strings skip the full scan: six characters and a match.
    for where, last, text in _worth_scanning(texts):
        for found in _scan(text):
            pointer = join_pointer([*where, last])
            out.append(
                finding(
                    path,
                    0,
                    0,
                    _CODES[found],
                    said(_WHAT[found], field=pointer_to_path(pointer)),
                    _text_hint(case_id),
                    pointer=pointer,
                )
            )
    return out


_PLAIN_LEAVES = frozenset((int, float, bool, type(None)))


def _nothing_to_say(data: dict[str, Any]) -> bool:
    """True if :func:`case_privacy_findings` would find nothing; False if it may.

    The usual case file holds no identity field and no personal data: this finds so by
    one walk that builds no paths (the full walk, which names where each finding is, runs
    only on the rest). It looks at the same strings under the same keys, and answers
    False at anything it is not sure of (a key that is not text, a value of another
    type, the site's mapping reached twice), so it never hides a finding.
    """
    kinds = _KEY_KINDS
    leaves = _PLAIN_LEAVES
    site = data.get("site")
    sites = 0
    strings: list[str] = []
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            for key, item in value.items():
                kind = kinds.get(key)
                if kind is None:
                    if type(key) is not str:
                        return False
                    kind = _key_kind(key)
                if kind == _IDENTITY:
                    if key != "name" or value is not site:
                        return False
                    kind = _TEXT  # the site's name, if the site is reached once only
                kind_of = type(item)
                if kind_of is str:
                    if kind == _TEXT:
                        strings.append(item)
                elif kind_of is dict:
                    if item is site:
                        sites += 1
                    stack.append(item)
                elif kind_of is list:
                    if kind == _TEXT:
                        stack.append(item)
                elif kind_of not in leaves:
                    return False
        elif type(value) is list:
            for item in value:
                kind_of = type(item)
                if kind_of is str:
                    strings.append(item)
                elif kind_of is dict:
                    if item is site:
                        sites += 1
                    stack.append(item)
                elif kind_of is list:
                    stack.append(item)
                elif kind_of not in leaves:
                    return False
        else:
            return False
    if sites > 1:
        return False
    return not any(len(strings[i]) >= 6 and _scan(strings[i]) for i in _interesting(strings))


def _digit_classes() -> bytes:
    table = bytearray(b"x" * 256)
    table[0] = 0  # the NUL between two strings
    for byte in b"0123456789":
        table[byte] = ord("0")
    for byte in range(0x80, 0x100):
        table[byte] = ord("0")  # other digits are made of these bytes (so are letters)
    for byte in b" ().-/":
        table[byte] = ord(" ")
    return bytes(table)


_DIGIT_CLASSES = _digit_classes()
_FIVE_CLASS_RUN = re.compile(rb"0(?: ?0){4}")
_ASCII_MARKERS = tuple(marker.encode() for marker in _MARKERS if marker.isascii())
_OTHER_MARKERS = tuple(marker for marker in _MARKERS if not marker.isascii())


def _interesting(strings: list[str]) -> list[int]:
    """The indexes of the strings that ``_INTERESTING`` matches, found in one pass over all.

    A case holds about a hundred strings of free text. They are joined by NULs (which no
    match can span) and searched as bytes, each byte mapped to a class: an ASCII digit or
    any byte of a character that is not ASCII (so of every other digit, and of the space
    U+00A0) to ``0``, the separators of ``_FIVE_DIGITS`` to a space. Five digits in a run
    are then five ``0`` with at most one space between each two: every string holding
    them is found (and some others, looked at again with ``_FIVE_DIGITS`` itself), in a
    third of the time of that search over the text. A string's index is the number of
    NULs before a match. Where a marker is found, or a string holds a NUL, each string is
    searched as before.
    """
    if not strings:
        return []
    joined = "\0".join(strings)
    raw = joined.encode("utf-8", "surrogatepass")
    if (
        raw.count(b"\0") >= len(strings)
        or any(marker in raw for marker in _ASCII_MARKERS)
        or (not joined.isascii() and any(marker in joined for marker in _OTHER_MARKERS))
    ):
        search = _INTERESTING.search
        return [i for i, text in enumerate(strings) if search(text) is not None]  # as before
    classes = raw.translate(_DIGIT_CLASSES)
    run = _FIVE_CLASS_RUN.search
    count = classes.count
    five = _FIVE_DIGITS.search
    hits = []
    index = start = 0
    match = run(classes)
    while match is not None:
        index += count(b"\0", start, match.start())
        if five(strings[index]) is not None:
            hits.append(index)
        start = classes.find(b"\0", match.end())  # on to the next string
        if start < 0:
            break
        match = run(classes, start)
    return hits


def _worth_scanning(texts: list[_Text]) -> list[_Text]:
    """The texts that ``_INTERESTING`` matches, in their order (see :func:`_interesting`)."""
    return [texts[i] for i in _interesting([text for _, _, text in texts])]


def _identity_field(
    path: str, where: tuple[str | int, ...], case_id: str, locate: Locate | None
) -> Finding:
    pointer = join_pointer(where)
    line, col = locate(pointer, key=True) if locate is not None else (0, 0)
    return finding(
        path,
        line,
        col,
        "CLR502",
        said(
            N_("{field}: {key} is an identity field; a case file is pseudonymous"),
            field=pointer_to_path(pointer),
            key=repr(str(where[-1])),
        ),
        _identity_hint(case_id),
        pointer=pointer,
    )


# --- the repository ----------------------------------------------------------------------

PLAINTEXT_PATTERNS = (
    ":(glob)**/identity.yaml",
    ":(glob)**/identity.yml",
    ":(glob)**/*.identity.yaml",
    ":(glob)**/*.decrypted",
)
KEY_PATTERNS = (
    ":(glob)**/identity.txt",
    ":(glob)**/keys.txt",
    ":(glob)**/*.key",
    ":(glob)**/age-identity*.txt",
    ":(glob)**/id_ed25519",
    ":(glob)**/id_rsa",
)
_KEY_MARKERS = (b"AGE-SECRET-KEY-1", b"PRIVATE KEY-----")


def _in_git(root: Path) -> bool:
    here = root.resolve()
    return any((folder / ".git").exists() for folder in (here, *here.parents))


GIT_TIMEOUT = 60
"""Seconds git may take to list a repository's files."""
GIT_GRACE = 10
"""Seconds git is still given when its answer is asked for after ``GIT_TIMEOUT``: a cold
check of 100,000 cases takes longer than that, and git, long done, only waits to be read."""


WATCHED_NAMES = tuple(p.removeprefix(":(glob)**/") for p in PLAINTEXT_PATTERNS + KEY_PATTERNS)
"""The file names git is asked about, as ``fnmatch`` patterns of one name."""
GIT_PATHSPEC_LIMIT = 2000
"""Past this many pathspecs git is asked about the whole tree (one walk of it)."""


class GitQuery:
    """``git ls-files`` for plaintext-identity and key files, started ahead of its answer.

    git reads the whole tree to find files it does not track (about 0.15 s for 10,000
    cases). ``within``, when given, is what of ``cases/`` may hold such a file (see
    :meth:`clr.repo.repository.Repository.scan_all`: the case folders holding a watched
    name or a sub-folder, as ``cases/<id>/``, and the watched files directly in
    ``cases/``): git is then asked about the tracked files (its index, no walk) and about
    the untracked ones only there and outside ``cases/``, which comes to the same answer.
    Outside a git repository nothing is started and :meth:`answer` is not to be asked.
    """

    def __init__(self, root: Path, within: list[str] | None = None) -> None:
        self.root = root
        self.in_git = _in_git(root)
        self._processes: list[subprocess.Popen[bytes]] = []
        self._failed: str | None = None
        self._started = 0.0
        if not self.in_git:
            return
        import time

        self._started = time.monotonic()
        everything = [*PLAINTEXT_PATTERNS, *KEY_PATTERNS]
        places = _untracked_pathspecs(root, within) if within is not None else None
        if places is None or len(places) > GIT_PATHSPEC_LIMIT:
            asked = [["--cached", "--others", "--exclude-standard", "--", *everything]]
        else:
            asked = [["--cached", "--", *everything]]
            if places:
                asked.append(["--others", "--exclude-standard", "--", *places])
        try:
            for question in asked:
                self._processes.append(
                    subprocess.Popen(
                        ["git", "-C", str(root), "ls-files", "-z", "-t", *question],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                )
        except OSError as exc:
            self._failed = f"git could not be run: {exc}"

    def answer(self) -> tuple[list[tuple[str, bool]], str | None]:
        """The files (path relative to the root, tracked) and an error message if git failed."""
        import time

        processes, self._processes = self._processes, []
        if self._failed is not None or not processes:
            for process in processes:
                _stop(process)
            return [], self._failed or "git was not asked"
        found: list[tuple[str, bool]] = []
        problem: str | None = None
        for process in processes:
            left = max(GIT_GRACE, GIT_TIMEOUT - (time.monotonic() - self._started))
            try:
                out, err = process.communicate(timeout=left)
            except subprocess.TimeoutExpired as exc:
                _stop(process)
                problem = problem or f"git could not be run: {exc}"
                continue
            if process.returncode != 0:
                first = (err.decode("utf-8", "replace").strip().splitlines() or ["?"])[0]
                problem = problem or first
                continue
            for entry in out.decode("utf-8", "surrogateescape").split("\0"):
                if len(entry) > 2:
                    found.append((entry[2:], entry[0] != "?"))
        if problem is not None:
            return [], problem
        return sorted(found), None

    def cancel(self) -> None:
        """Stop git if it is still running (the answer is not wanted)."""
        processes, self._processes = self._processes, []
        for process in processes:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate()


def _glob_escaped(text: str) -> str:
    return "".join("\\" + c if c in "\\*?[]" else c for c in text)


def _untracked_pathspecs(root: Path, within: list[str]) -> list[str] | None:
    """Where untracked watched files may be: ``within`` and what lies outside ``cases/``.

    A folder is asked about with one pattern per watched name under it (a pattern whose
    first character is a wildcard would make git walk every folder); a file by its name.
    None if the root cannot be listed (git is then asked about everything).
    """
    import fnmatch

    def under(folder: str) -> list[str]:
        return [f":(glob){_glob_escaped(folder)}**/{name}" for name in WATCHED_NAMES]

    def watched(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in WATCHED_NAMES)

    out: list[str] = []
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.name in (".git", "cases"):
                    continue
                if entry.is_dir():
                    out += under(f"{entry.name}/")
                elif watched(entry.name):
                    out.append(f":(literal){entry.name}")
    except OSError:
        return None
    for place in within:
        out += under(place) if place.endswith("/") else [f":(literal){place}"]
    return out


def _is_plaintext_identity(name: str) -> bool:
    return name in ("identity.yaml", "identity.yml") or name.endswith(
        (".identity.yaml", ".decrypted")
    )


def _holds_key(path: Path) -> bool:
    try:
        head = files.read_bytes(path, limit=16384, truncate=True)
    except OSError:
        return False
    return any(marker in head for marker in _KEY_MARKERS)


def repository_privacy_findings(
    root: Path,
    reports: list[FileReport],
    *,
    keys: list[Any] | None = None,
    git: GitQuery | None = None,
) -> list[FileReport]:
    """Repository-wide privacy findings for a case repository at ``root``.

    Findings about a case file are added to its report in ``reports`` (so that it is
    counted once); the reports of other files (plaintext identity files, keys) are
    returned. ``keys`` are the user's age identities; by default they are read from
    ``CLR_IDENTITY_FILE`` or the default key file, if there is one. ``git``: the question
    to git about the repository's files, if it was asked already.
    """
    from clr.checks.results import FileReport
    from clr.repo.repository import display_path

    base = os.path.abspath(root)  # noqa: PTH100
    here = os.getcwd()  # noqa: PTH109
    new: list[FileReport] = []
    query = git if git is not None else GitQuery(root)
    if query.in_git:
        visible, problem = query.answer()
        if problem is not None:
            shown = display_path(f"{base}/clr.yaml", here)
            new.append(
                FileReport(
                    shown,
                    [
                        finding(
                            shown,
                            0,
                            0,
                            "CLR501",
                            said(
                                N_(
                                    "cannot ask git which plaintext identity files it "
                                    "tracks: {problem}"
                                ),
                                problem=problem,
                            ),
                            said(N_("run 'git status' in the repository to see what is wrong")),
                            severity="warning",
                        )
                    ],
                )
            )
        for rel, tracked in visible:
            shown = display_path(f"{base}/{rel}", here)
            name = rel.rsplit("/", 1)[-1]
            if _is_plaintext_identity(name):
                new.append(FileReport(shown, [_plaintext_finding(shown, rel, tracked)]))
            elif _holds_key(Path(base) / rel):
                new.append(FileReport(shown, [_key_finding(shown, rel, tracked)]))
    new += _identity_names(root, reports, base, here, keys)
    return new


def _plaintext_finding(shown: str, rel: str, tracked: bool) -> Finding:
    if tracked:
        message = said(
            N_(
                "a plaintext identity file is tracked by git: anyone with the repository can "
                "read it"
            )
        )
        hint = said(
            N_(
                "encrypt it (clr identity set/edit), then: {command}; it stays in git history "
                "until that is rewritten: tell whoever looks after data protection"
            ),
            command=f"git rm --cached {rel}",
        )
    else:
        message = said(
            N_("a plaintext identity file is not ignored by git: the next 'git add' takes it")
        )
        hint = said(
            N_(
                "encrypt it (clr identity set/edit) and delete it; or add 'identity.yaml' to "
                ".gitignore (clr init does)"
            )
        )
    return finding(shown, 0, 0, "CLR501", message, hint)


def _key_finding(shown: str, rel: str, tracked: bool) -> Finding:
    message = (
        N_("a private key is tracked by git: whoever has it can read every identity file")
        if tracked
        else N_("a private key is not ignored by git: whoever has it can read every identity file")
    )
    return finding(
        shown,
        0,
        0,
        "CLR508",
        said(message),
        said(
            N_(
                "move it out of the repository (clr keygen puts keys in your configuration "
                "folder); if it was committed, make a new key and have the identity files "
                "re-encrypted"
            )
        ),
    )


# --- names from the identity files ------------------------------------------------------------

NOT_NAMES = frozenset(
    {
        # kinship and roles, often written beside a name: "Rahima Begum (mother)"
        "mother", "father", "parent", "parents", "guardian", "grandmother", "grandfather",
        "grandma", "grandpa", "grandparent", "aunt", "auntie", "uncle", "brother", "sister",
        "sibling", "cousin", "son", "daughter", "child", "husband", "wife", "stepmother",
        "stepfather", "mum", "mom", "dad", "mama", "papa", "nephew", "niece", "relative",
        "family", "foster", "tutor", "employer", "neighbour", "neighbor", "friend",
        "mère", "père", "tante", "oncle", "frère", "sœur", "soeur", "tuteur", "tutrice",
        "grand-mère", "grand-père", "cousine", "fille", "fils", "maa", "baba", "abba", "ammu",
        # titles and common words
        "mr", "mrs", "ms", "miss", "mme", "mlle", "dr", "the", "and", "her", "his", "der",
        "del", "des", "les", "late", "alias", "known", "unknown", "not", "none", "given",
        "see", "above", "same", "also", "called", "name",
    }
)  # fmt: skip
"""Words in an identity's name fields that are not names: never matched on their own."""

_PERSON_KEYS = frozenset({"by", "recorded_by", "approved_by", "provider", "institution", "to"})
"""Fields that name staff or an organisation (a site's fields too)."""

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_BRACKETED = re.compile(r"\([^()]{0,200}\)|\[[^\[\]]{0,200}\]")


def mask(text: str) -> str:
    """``text`` with each word shown by its first and last letter: 'R***a B***m'."""
    return " ".join(w[0] + "***" + w[-1] if len(w) > 2 else "***" for w in text.split())


class _Names:
    """Names (whole words of three letters or more) and the ID number of one identity."""

    def __init__(self, identity: dict[str, Any]) -> None:
        words: set[str] = set()
        phrases: list[str] = []
        for key in ("name", "guardian_name"):
            value = identity.get(key)
            if not isinstance(value, str):
                continue
            value = _BRACKETED.sub(" ", value)  # "(mother)", "[aunt]": a note, not a name
            tokens = [w for w in _WORD.findall(value) if len(w) >= 3 and w.lower() not in NOT_NAMES]
            words.update(tokens)
            if len(tokens) > 1:
                phrases.append(r"\s+".join(re.escape(w) for w in tokens))
            elif tokens:
                phrases.append(re.escape(tokens[0]))
        phrases.sort(key=len, reverse=True)
        self.needles = [w.lower() for w in words]
        number = identity.get("id_document_number")
        ids: list[str] = []
        if isinstance(number, str) and len(number.strip()) >= 5:
            ids.append(rf"(?<![\w-]){re.escape(number.strip())}(?![\w-])")
            self.needles.append(number.strip().lower())
        tokens = [re.escape(w) for w in sorted(words, key=len, reverse=True)]
        self.pattern = _alternatives([*phrases, *tokens], ids)
        # A staff member or a site may share one word with a family ("Begum", "Ahmed"):
        # there, only a whole name (or a one-word name) is a finding.
        self.strict = _alternatives(phrases or tokens, ids)

    def found_in(self, text: str, *, strict: bool = False) -> str | None:
        """What of the names (as whole words) or the ID number ``text`` holds, or None.

        ``strict``: for a staff or site field, a whole name only (see ``strict``).
        """
        pattern = self.strict if strict else self.pattern
        if pattern is None:
            return None
        lowered = text.lower()
        if not any(needle in lowered for needle in self.needles):
            return None  # the common case, without running the regex
        match = pattern.search(text)
        return match.group(0) if match else None


def _alternatives(names: list[str], ids: list[str]) -> re.Pattern[str] | None:
    parts = [rf"(?<!\w)(?:{'|'.join(names)})(?!\w)"] if names else []
    parts += ids
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _strings(
    data: Any, where: tuple[str | int, ...] = ()
) -> Iterable[tuple[tuple[str | int, ...], str, bool]]:
    """Every string of a case that is not a structured value, and whether it names staff.

    Staff and site fields (``by``, ``provider``, ``site.name`` …) are read too: a family's
    name has no place there either.
    """
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(data, where, False)]
    while stack:
        value, at, staff = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in SKIP_KEYS and not isinstance(item, dict | list):
                    continue
                named = staff or key in _PERSON_KEYS or at[-1:] == ("site",) or key == "site"
                stack.append((item, (*at, key), named))
        elif isinstance(value, list):
            stack.extend((item, (*at, i), staff) for i, item in enumerate(value))
        elif isinstance(value, str):
            yield at, value, staff


def _user_keys() -> tuple[list[Any] | None, str | None]:
    """The user's keys if there are any to use, else None (and why, if it matters)."""
    from clr.cases.identity import KEY_ENV, default_key_path, load_keys
    from clr.errors import ClrError

    given = os.environ.get(KEY_ENV)
    path = Path(given).expanduser() if given else default_key_path()
    if not given and not path.exists():
        return None, None
    try:
        return load_keys(path), None
    except ClrError as exc:
        return None, exc.message


def _key_store(root: Path) -> Any:
    """The repository's key store if it has one that exists, else None."""
    from clr.cases.keystore import open_store
    from clr.repo.repository import read_config

    store = open_store(root, read_config(root)[0].key_store)
    return store if store is not None and store.exists else None


def _identity_names(
    root: Path, reports: list[FileReport], base: str, here: str, keys: list[Any] | None
) -> list[FileReport]:
    from clr.cases.identity import IDENTITY_FILE, decrypt_text, parse
    from clr.checks.results import FileReport
    from clr.errors import ClrError
    from clr.io import yamlio
    from clr.repo.repository import CASE_FILE, CASES_DIR, Config, Repository, display_path

    problem = None
    if keys is None:
        keys, problem = _user_keys()
    if problem is not None:
        shown = display_path(f"{base}/clr.yaml", here)
        return [
            FileReport(
                shown,
                [
                    finding(
                        shown,
                        0,
                        0,
                        "CLR509",
                        said(
                            N_("names from the identity files were not looked for: {problem}"),
                            problem=problem,
                        ),
                        said(N_("fix the key file, or unset CLR_IDENTITY_FILE")),
                        severity="warning",
                    )
                ],
            )
        ]
    if not keys:
        return []
    by_path = {r.path: r for r in reports}
    new: list[FileReport] = []
    store = _key_store(root)
    cases = os.path.join(base, CASES_DIR)  # noqa: PTH118 - a join of strings per case
    for case_id in Repository(root, Config()).case_ids():
        if not os.path.lexists(os.path.join(cases, case_id, IDENTITY_FILE)):  # noqa: PTH118
            continue  # most cases have none: no path objects, no exception
        folder = Path(base) / CASES_DIR / case_id
        try:
            raw = files.read_bytes(folder / IDENTITY_FILE)
        except OSError:
            continue
        shown_identity = display_path(f"{folder}/{IDENTITY_FILE}", here)
        opening = keys
        if store is not None and store.has(case_id):
            try:  # encrypted to the case's own key, kept in the key store
                opening = [store.case_key(case_id, keys), *keys]
            except ClrError:
                continue  # not for this user: nothing to compare with
        try:
            identity = parse(decrypt_text(raw, opening, shown_identity), case_id, shown_identity)
        except ClrError as exc:
            if "not encrypted to your public key" in exc.message:
                continue  # not for this user: nothing to compare with
            new.append(
                FileReport(
                    shown_identity,
                    [
                        finding(
                            shown_identity,
                            0,
                            0,
                            "CLR509",
                            exc.message.splitlines()[0],
                            said(
                                N_("correct it: {command}"), command=f"clr identity edit {case_id}"
                            ),
                        )
                    ],
                )
            )
            continue
        names = _Names(identity)
        if names.pattern is None:
            continue
        try:
            raw_case = yamlio.read_bytes(folder / CASE_FILE)
        except OSError:
            continue
        if not names.found_in(raw_case.decode("utf-8", "replace")):
            continue  # most cases: no need to parse the file again
        shown = display_path(f"{folder}/{CASE_FILE}", here)
        loaded = yamlio.parse_bytes(raw_case, shown)
        if loaded.data is None:
            continue
        found = []
        for where, text, staff in _strings(loaded.data):
            matched = names.found_in(text, strict=staff)
            if matched is not None:
                pointer = join_pointer(where)
                line, col = loaded.locate(pointer)
                found.append(
                    finding(
                        shown,
                        line,
                        col,
                        "CLR507",
                        said(
                            N_(
                                "{field} holds a name or ID number from the case's identity "
                                "file ({masked})"
                            ),
                            field=pointer_to_path(pointer),
                            masked=mask(matched),
                        ),
                        _identity_hint(case_id),
                        pointer=pointer,
                    )
                )
        if found:
            holder = by_path.get(shown)
            if holder is None:
                holder = FileReport(shown)
                new.append(holder)
            holder.findings.extend(found)
    return new
