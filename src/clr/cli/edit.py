"""clr edit: change a case in your editor, with what the next stage needs as a skeleton."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from clr.cli._common import AsOf, parse_as_of
from clr.i18n import N_, _, ngettext


def _editor() -> list[str]:
    from clr.errors import ClrError

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        raise ClrError(
            _("no editor: neither $VISUAL nor $EDITOR is set"),
            hint=_("set one, e.g. export EDITOR=nano; or record facts with clr set or clr advance"),
        )
    return shlex.split(command)


def _run_editor(command: list[str], folder: Path, text: str) -> str:
    from clr.errors import ClrError

    path = folder / "case.yaml"
    # The editor's working copy in a private folder; the case itself goes through the writer.
    path.write_text(text, encoding="utf-8", newline="")  # atomic-writer: exempt
    try:
        done = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise ClrError(
            _("cannot start the editor {editor}: {reason}").format(
                editor=repr(command[0]), reason=exc.strerror
            ),
            hint=_("check $VISUAL / $EDITOR"),
        ) from None
    if done.returncode != 0:
        raise ClrError(
            _("the editor exited with status {status}; nothing was written").format(
                status=done.returncode
            ),
            hint=_("save and quit normally to keep your changes"),
        )
    from clr.io import files

    try:
        text = files.read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        why = _(files.reason(exc) if isinstance(exc, OSError) else N_("it is not UTF-8 text"))
        raise ClrError(
            _("cannot read back the edited file: {reason}; nothing was written").format(reason=why)
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as read_text() did


def edit_command(
    case: Annotated[
        str,
        typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False),
    ],
    as_of: AsOf = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input",
            envvar="CLR_NO_INPUT",
            help="Open the editor once: on an error keep the draft and exit 1, never reopen.",
        ),
    ] = False,
) -> None:
    """Change a case in your editor, with what the next stage needs as a skeleton.

    The fields the next stage needs are inserted as commented lines: uncomment and fill in
    what you know; lines left commented are removed. On save clr checks the case: if it is
    not valid in its stage, the editor opens again with the errors at the top; quit without
    a change (or use --no-input) to keep your draft in a private file instead. An invalid
    case is never written; your comments and layout are kept.

    Example: clr edit EXR-2026-7KQ3M   (with EDITOR=nano, or your editor, set)
    """
    from clr.cases import caseops, editing

    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    command = _editor()
    draft = editing.skeleton(session)
    shown = draft.text
    with tempfile.TemporaryDirectory(prefix="clr-edit-") as folder:
        Path(folder).chmod(0o700)
        while True:
            edited = _run_editor(command, Path(folder), shown)
            check = editing.check_draft(session, edited, draft.inserted)
            if check.ok:
                if check.text == session.doc.text:
                    typer.echo(
                        _("{case}: no change; nothing written").format(case=session.data.get("id")),
                        err=True,
                    )
                    return
                typer.echo(editing.write_draft(session, check.text), nl=False)
                typer.echo(
                    _("{case}: saved {file}").format(
                        case=session.data.get("id"), file=session.shown
                    ),
                    err=True,
                )
                return
            if no_input or edited == shown:
                kept = editing.keep_draft(edited, str(session.data.get("id")))
                for problem in check.problems:
                    typer.echo(f"  {problem}", err=True)
                from clr.errors import CaseFileError

                count = len(check.problems)
                raise CaseFileError(
                    ngettext(
                        "{file} was not changed: the edited case is not valid ({count} problem)",
                        "{file} was not changed: the edited case is not valid ({count} problems)",
                        count,
                    ).format(file=session.shown, count=count),
                    hint=_(
                        "your draft is kept in {draft} (readable only by you): fix it and "
                        "copy it over the case, or run clr edit again"
                    ).format(draft=kept),
                )
            shown = editing.with_errors(edited, check.problems)


def register(app: typer.Typer) -> None:
    """Add clr edit."""
    app.command("edit")(edit_command)
