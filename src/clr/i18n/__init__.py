"""clr in other languages: the language in force, its gettext catalogue, and choosing it.

Messages are marked with ``_()`` (``ngettext`` for counts) and looked up in the catalogue of
the language in force, with the English text as the key (msgid). The catalogues are
``locale/<code>/LC_MESSAGES/clr.po`` beside this file; a wheel also holds each one compiled
(``clr.mo``), which is read when it is at least as new as its ``.po``. English needs no
catalogue and loads nothing.

The language comes from ``--lang``, then ``CLR_LANG``, then ``language:`` in ``clr.yaml``,
then the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as gettext reads them).
Machine formats (JSON keys, finding codes, SARIF, JUnit, GitLab, CSV headers) never pass
through here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gettext import NullTranslations

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt-BR")
"""The languages clr speaks, as written in ``--lang``, ``CLR_LANG`` and ``clr.yaml``."""

DOMAIN = "clr"
ENV = "CLR_LANG"
LOCALE_DIR = Path(__file__).parent / "locale"

_CODES = {"fr": "fr", "es": "es", "pt-BR": "pt_BR"}  # gettext's folder names
_STATE: dict[str, Any] = {"lang": "en", "catalogue": None}


def gettext(message: str) -> str:
    """``message`` in the language in force (itself in English or when not translated)."""
    catalogue = _STATE["catalogue"]
    if catalogue is None or not message:
        return message
    text: str = catalogue.gettext(message)
    return text


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language in force."""
    catalogue = _STATE["catalogue"]
    if catalogue is None:
        return singular if n == 1 else plural
    text: str = catalogue.ngettext(singular, plural, n)
    return text


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (it is translated later)."""
    return message


def current() -> str:
    """The language in force: one of ``LANGUAGES``."""
    lang: str = _STATE["lang"]
    return lang


def normalise(value: str) -> str | None:
    """The language of ``LANGUAGES`` that ``value`` names, or None.

    Takes the forms people and locales write: ``fr``, ``fr_CI.UTF-8``, ``es-419``,
    ``pt_BR``, ``pt-br``, ``pt_MZ`` (Portuguese has one catalogue, Brazilian), ``C``.
    """
    text = value.strip().split(".")[0].split("@")[0].replace("_", "-")
    if not text:
        return None
    if text in ("C", "POSIX"):
        return "en"
    base = text.split("-")[0].lower()
    if base == "pt":
        return "pt-BR"
    return base if base in LANGUAGES else None


def from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The language of the locale, as gettext finds it; English when clr does not speak it."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if not value:
            continue
        for part in value.split(":"):
            found = normalise(part) if part else None
            if found is not None:
                return found
        return "en"
    return "en"


def choose(
    option: str | None,
    environ: Mapping[str, str] | None = None,
    configured: str | None = None,
) -> str:
    """The language to speak: ``--lang``, then ``CLR_LANG``, then ``clr.yaml``, then the locale.

    Raises:
        ConfigError: ``--lang`` or ``CLR_LANG`` names a language clr does not speak.
    """
    env = os.environ if environ is None else environ
    for where, value in (("--lang", option), (ENV, env.get(ENV) or None)):
        if value is None:
            continue
        found = normalise(value)
        if found is None:
            from clr.errors import ConfigError

            raise ConfigError(
                f"{where} {value!r} is not a language clr speaks",
                hint="use one of " + ", ".join(LANGUAGES),
            )
        return found
    if configured is not None:
        found = normalise(configured)
        if found is not None:
            return found
    return from_locale(env)


def activate(lang: str) -> None:
    """Speak ``lang`` (one of ``LANGUAGES``) from now on, in this process."""
    _STATE["lang"] = lang
    _STATE["catalogue"] = None if lang == "en" else load(lang)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the block, then the language in force before it again."""
    previous = current()
    if previous == lang:
        yield
        return
    activate(lang)
    try:
        yield
    finally:
        activate(previous)


def po_path(lang: str) -> Path:
    """The ``.po`` catalogue of ``lang`` (not English)."""
    return LOCALE_DIR / _CODES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(lang: str) -> NullTranslations:
    """The catalogue of ``lang``: its compiled ``.mo`` when it is up to date, else its ``.po``.

    A missing catalogue gives the English texts (gettext's fallback).
    """
    import gettext as stdlib_gettext
    import io

    po = po_path(lang)
    mo = po.with_suffix(".mo")
    try:
        mo_time = mo.stat().st_mtime_ns
    except OSError:
        mo_time = -1
    try:
        po_time = po.stat().st_mtime_ns
    except OSError:
        po_time = -1
    if mo_time >= 0 and mo_time >= po_time:
        return stdlib_gettext.GNUTranslations(io.BytesIO(_read(mo)))
    if po_time < 0:
        return stdlib_gettext.NullTranslations()
    from clr.i18n import catalogue

    return catalogue.translations(catalogue.parse(_read(po).decode("utf-8")))


def _read(path: Path) -> bytes:
    # clr's own catalogues, inside its installation, not a file of the user's: read here
    # rather than through clr.io.files, so that every module (clr.io's too) may mark its
    # messages without an import cycle.
    return path.read_bytes()
