"""Case ids that two consultants on two branches never both take.

An id is ``PREFIX-YEAR-RANDOM``: RANDOM is 7 characters of Crockford base 32 (no I, L, O
or U, so ids read aloud and typed by hand stay unambiguous) from the operating system's
random source. With 32^7 (34 billion) values per prefix and year, two branches adding
10,000 cases each collide with odds of about 1 in 340; and if they ever do, ``clr validate``
rejects the duplicate id before it is merged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Container

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 7
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d{4}-[0-9A-HJKMNP-TV-Z]{5,8}$")


def new_case_id(prefix: str, year: int, taken: Container[str] = ()) -> str:
    """Return a fresh case id not in ``taken``."""
    while True:
        random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        case_id = f"{prefix}-{year:04d}-{random_part}"
        if case_id not in taken:
            return case_id


def is_case_id(text: str) -> bool:
    """True if ``text`` has the form of a case id."""
    return bool(ID_PATTERN.match(text))
