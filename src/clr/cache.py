"""A cache of validation results for files that have not changed.

Each entry is keyed by the file's content hash; the whole cache by everything else the
result depends on: clr's version, the bundled schemas, the repository's playbooks and
``clr.yaml``, and the day (deadlines and "no date in the future" depend on it). Change any
of them and the cache is not used. The cache lives in ``.clr-cache/`` at the repository's
root (``clr init`` keeps it out of git), is written atomically, carries a checksum so a
damaged file is never trusted, and two clr processes may use it at once: the last to
finish writes its view, and both views are correct.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from clr import __version__, resources

CACHE_DIR = ".clr-cache"
FORMAT = 1


def digest(data: bytes) -> str:
    """The content hash used for cache entries."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@functools.cache
def _schemas_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(resources.schemas_dir().rglob("*.json")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def context_key(root: Path, playbook_files: list[Path], today: str, kind: str) -> str:
    """The key of everything a cached result depends on besides the file itself."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}|{__version__}|{kind}|{today}|{_schemas_digest()}".encode())
    for path in [root / "clr.yaml", *sorted(playbook_files)]:
        h.update(str(path.name).encode())
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()


class ResultCache:
    """Results by file, for one repository and one context key."""

    def __init__(self, root: Path, key: str, kind: str = "validate") -> None:
        self.path = root / CACHE_DIR / f"{kind}.json"
        self.key = key
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self._load()

    def _load(self) -> None:
        # The file is a header line (format, key, checksum of the rest) and the entries.
        try:
            raw = self.path.read_bytes()
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if (
                not isinstance(header, dict)
                or header.get("format") != FORMAT
                or header.get("key") != self.key
                or header.get("checksum") != digest(body)
            ):
                return
            entries = json.loads(body)
        except (OSError, ValueError):
            return
        if isinstance(entries, dict):
            self.entries = entries

    def get(self, name: str, content_digest: str) -> Any:
        """The stored result for a file with this content, or None."""
        entry = self.entries.get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == content_digest:
            return entry[1]
        return None

    def put(self, name: str, content_digest: str, result: Any) -> None:
        """Store a result."""
        self.entries[name] = [content_digest, result]
        self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        """Forget files that are gone."""
        for name in list(self.entries):
            if name not in names:
                del self.entries[name]
                self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a cache that cannot be written is simply skipped."""
        if not self.dirty:
            return
        body = json.dumps(self.entries, separators=(",", ":")).encode()
        header = {"format": FORMAT, "key": self.key, "checksum": digest(body)}
        data = json.dumps(header).encode() + b"\n" + body
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=".cache-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                Path(tmp).replace(self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
                raise
