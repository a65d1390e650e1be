"""Answering clr's questions in a real terminal (pexpect), as a caseworker would.

``Terminal.run`` starts clr in a pseudo-terminal and answers each question it asks: the
answer is looked up by the question's label; a question without one is answered with
Enter (clr's proposal, the default date, the first choice). Every answer is counted, and
so is every answer that was only Enter.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\r\x08]")
PROMPT = re.compile(r"\? (?!\()")


@dataclass
class Terminal:
    """Runs clr commands in a pseudo-terminal in ``root``; counts commands and answers."""

    clr: str
    root: Path
    env: dict[str, str]
    commands: int = 0
    answers: int = 0
    typed: int = 0  # answers that were more than Enter
    transcript: list[str] = field(default_factory=list)

    def _quiet(self, child: pexpect.spawn, wait: float = 0.6, first_wait: float = 20) -> str:
        """Everything clr printed until it stays silent for ``wait`` seconds (or exits)."""
        out = ""
        first = True
        while True:
            try:
                out += child.read_nonblocking(100000, timeout=first_wait if first else wait)
            except pexpect.TIMEOUT:
                return out
            except pexpect.EOF:
                return out
            first = False

    def _quiet_after(self, child: pexpect.spawn) -> str:
        out = ""
        while True:
            try:
                out += child.read_nonblocking(100000, timeout=0.3)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return out

    def run(self, args: list[str], replies: dict[str, str], timeout: float = 60) -> str:
        """Run ``clr ARGS``; answer its questions from ``replies`` (label part -> keys)."""
        self.commands += 1
        child = pexpect.spawn(
            self.clr, args, cwd=str(self.root), env=self.env, encoding="utf-8",
            dimensions=(50, 120), timeout=timeout,
        )  # fmt: skip
        seen = ""
        answered_at = 0
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, f"clr did not finish: {seen[-2000:]}"
            waiting = any(m.start() >= answered_at for m in PROMPT.finditer(seen))
            seen += ANSI.sub("", self._quiet(child, first_wait=0.6 if waiting else 20))
            if child.flag_eof or not child.isalive():
                break
            starts = [m.start() for m in PROMPT.finditer(seen) if m.start() >= answered_at]
            assert starts, f"clr waits but asks nothing new: {seen[-2000:]}"
            prompt = seen[starts[-1] + 2 :]
            keys = self._answer(prompt, replies)
            self.transcript.append(f"{prompt.splitlines()[0][:90]!r} <- {keys!r}")
            self.answers += 1
            if keys != "\r":
                self.typed += 1
            child.send(keys)
            answered_at = len(seen)
            # prompt_toolkit draws the answered question once more: let it, and skip it.
            time.sleep(0.3)
            redraw = ANSI.sub("", self._quiet_after(child))
            first = PROMPT.search(redraw)
            seen += redraw
            if child.flag_eof:
                break
            if first is not None and first.start() < 5:
                answered_at += first.end()
        child.close()
        self.transcript.append(f"exit {child.exitstatus}")
        assert child.exitstatus == 0, f"clr {' '.join(args)} failed:\n{seen[-3000:]}"
        return seen

    @staticmethod
    def _answer(prompt: str, replies: dict[str, str]) -> str:
        title = prompt.split("\n")[0]
        for label, keys in replies.items():
            if label in title:
                return keys
        if "(Y/n)" in prompt or "(y/N)" in prompt:
            return "y"
        if "space to tick" in prompt:
            return " \r"
        return "\r"
