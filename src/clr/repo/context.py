"""What working on a repository's cases needs to know of it: the day, clr.yaml, playbooks.

The one way to build a :class:`CaseContext`, for every command that reads cases.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from clr import i18n
from clr.checks.results import FileReport
from clr.model.playbook import (
    Playbook,
    build,
    playbook_paths,
    read_playbook_file,
    with_settings,
)
from clr.model.record import Frozen
from clr.model.workflow import Calendar
from clr.repo.repository import Config, display_path, open_repository


class CaseContext(Frozen):
    """What checking one case needs to know of its repository (picklable)."""

    today: dt.date
    config: Config
    playbooks: dict[str, Playbook | None]

    def __init__(
        self,
        today: dt.date,
        config: Config | None = None,
        playbooks: dict[str, Playbook | None] | None = None,
    ) -> None:
        config = config if config is not None else Config()
        playbooks = playbooks if playbooks is not None else {}
        self.__dict__.update(today=today, config=config, playbooks=playbooks)

    @functools.cached_property
    def calendar(self) -> Calendar:
        """Working days and holidays from the configuration (else each case's country).

        Built once, on first use: every case checked asks for it.
        """
        return Calendar.from_config(
            self.config.working_days,
            self.config.holidays,
            by_country=not self.config.working_days_set,
            zone=self.config.timezone,
        )


def repository_context(
    root: Path | None, today: dt.date, config: Config | None = None, lang: str | None = None
) -> tuple[CaseContext, list[FileReport]]:
    """The context for the cases of a repository, and findings about its playbooks.

    ``config`` is the repository's configuration if it has been read already; otherwise it
    is read from ``root``'s ``clr.yaml`` (the defaults without a repository). The playbooks
    are built in ``lang`` (default: the language clr speaks).

    Raises:
        ConfigError: ``config`` is not given and ``root``'s ``clr.yaml`` is invalid.
    """
    if config is None and root is not None:
        config = open_repository(root).config
    reports: list[FileReport] = []
    playbooks: dict[str, Playbook | None] = {}
    settings = config.closing if config is not None else {}
    for name, path in playbook_paths(root).items():
        data, findings = read_playbook_file(path, display_path(path))
        book = build(data, str(path), lang or i18n.current()) if data is not None else None
        playbooks[name] = with_settings(book, settings) if book and settings else book
        if findings:
            reports.append(FileReport(display_path(path), findings))
    return CaseContext(today=today, config=config or Config(), playbooks=playbooks), reports
