"""Which module holds each command, and its one-line summary.

The summaries let ``clr --help`` list every command without building each command's
options (which costs tens of milliseconds); a test checks that they match the commands'
own help.
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cases", "Make a case repository: clr.yaml, cases/, .gitignore, pre-commit and CI files."),
    "new-case": ("cases", "Open a new case, by prompts in a terminal or entirely by flags."),
    "validate": ("validate", "Check cases against the schema of their stage and clr's rules."),
    "show": ("cases", "Show one case at a glance: where it stands, its timeline, plan, money and visits."),
    "next": ("workflow", "Say what to do next for a case: open actions, deadlines, overdue items, blockers."),
    "advance": ("workflow", "Move a case to its next stage (or to closed), once it holds what that stage needs."),
    "set": ("setcmd", "Record facts in a case: values typed by its schema, checked against its stage."),
    "tick": ("workflow", "Record a playbook checklist item as done."),
    "visit": ("workflow", "Record a monitoring visit."),
    "edit": ("edit", "Change a case in your editor, with what the next stage needs as a skeleton."),
    "pay": ("workflow", "Record a payment (stipend, fees, …) with its receipt."),
    "follow-up": ("workflow", "Record a check after closure that the child has not gone back to work."),
    "reopen": ("cases", "Open a new case for a child found working again, linked to the closed one."),
    "status": ("bulk", "One line per case: stage, days open, next action and its date, overdue actions."),
    "stats": ("bulk", "Figures over many cases, split by sex: funnel, speed, coverage, outcomes, money."),
    "report": ("bulk", "A Markdown report of one case: timeline, plan, payments, visits, open actions."),
    "export": ("bulk", "Export cases to SQLite and/or CSV: cases, history, visits, payments, checklist, actions."),
    "dashboard": ("dashboard", "A static web page of the figures: charts, the tables behind them, definitions."),
    "agenda": ("agenda", "Due and overdue actions over all cases, by person, role, site or week."),
    "history": ("history", "Every commit that changed a case: who, when, signed or not, and each field's change."),
    "playbook": ("playbook", "Read the playbooks: the process itself, by stage and by role."),
    "schema": ("schema", "Print one of clr's JSON Schemas (draft 2020-12), or list them."),
    "migrate": ("migrate", "Upgrade case files written for an older case format, keeping comments and layout."),
    "identity": ("identity", "Read and change a child's encrypted identity file: show, edit, set, rekey."),
    "git-setup": ("identity", "Set up git to show identity files decrypted in diffs, with your key."),
    "keygen": ("identity", "Make a key pair for reading identity files, and say what to do with the public key."),
    "keys": ("privacy", "The key store: each case's own key, kept outside the case repository."),
    "erase": ("privacy", "Erase a child's personal data on request: destroy the case key, redact the case."),
    "retention": ("privacy", "Retention of closed cases: which are due for erasure, and erasing them."),
    "duplicates": ("privacy", "List pairs of cases that may be about the same child, without decrypting anything."),
    "form": ("form", "Phone forms for ODK and KoboToolbox (XLSForm), and the list of cases they follow up."),
    "import": ("importcmd", "Import phone submissions (ODK Central, KoboToolbox) into cases, each once."),
}  # fmt: skip
