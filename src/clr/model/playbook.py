"""Playbooks: what to do at each stage of a case, by whom and by when, as data.

A playbook is a YAML file checked against ``schemas/playbook.schema.json``. clr ships
``child-labour``; a case repository's own ``playbooks/`` folder adds playbooks or overrides
the built-in ones by name.

Its texts in other languages sit beside the English, under ``translations:`` (by language,
then keyed as in the English: ``items`` by id, ``purposes`` by stage, ``roles``,
``closure_reasons``, ``difficulty_flags``, ``closing`` by rule). A playbook is built in the
language clr speaks (``clr.i18n``); a text with no translation stays in English. Its items
also keep every language's text, so that a finding built in English (``clr validate``'s)
is printed in the language of whoever reads it (:attr:`Action.words`).
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

from clr import i18n
from clr.errors import ConfigError
from clr.i18n import N_
from clr.io import files, resources, yamlio
from clr.model.findings import Finding, Translated, finding, said
from clr.model.record import Frozen, replace
from clr.model.stages import STAGES


class Action(Frozen):
    """One thing to do (or not to do) in a stage."""

    id: str
    text: str
    stage: str
    roles: tuple[str, ...]
    required: bool
    gate: bool
    tracks: tuple[str, ...]
    done_when: str | None
    due: dict[str, Any] | None
    sources: tuple[str, ...]
    note: str
    kind: str  # action, warning, safeguarding, readiness
    sectors: tuple[str, ...]  # empty: every sector
    done_by_visits: tuple[str, ...]  # visit methods that fulfil it together
    english: str  # the text in English ("": ``text`` is English)
    texts: tuple[tuple[str, str], ...]  # the text in each language the playbook has

    def __init__(
        self,
        id: str,
        text: str,
        stage: str,
        roles: tuple[str, ...] = (),
        required: bool = False,
        gate: bool = False,
        tracks: tuple[str, ...] = ("underage", "young-worker"),
        done_when: str | None = None,
        due: dict[str, Any] | None = None,
        sources: tuple[str, ...] = (),
        note: str = "",
        kind: str = "action",
        sectors: tuple[str, ...] = (),
        done_by_visits: tuple[str, ...] = (),
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            id=id,
            text=text,
            stage=stage,
            roles=roles,
            required=required,
            gate=gate,
            tracks=tracks,
            done_when=done_when,
            due=due,
            sources=sources,
            note=note,
            kind=kind,
            sectors=sectors,
            done_by_visits=done_by_visits,
            english=english,
            texts=texts,
        )

    @property
    def words(self) -> Translated:
        """The text, worded in whatever language is in force when it is printed.

        A finding holds it (its English for the machine formats): ``clr validate`` builds
        the playbook in English and prints the text in the language it speaks.
        """
        return Translated(self.english or self.text, self.texts)

    def applies_to(self, track: str | None, sector: str | None = None) -> bool:
        """True if the action is for cases on ``track`` in ``sector`` (unknown ones: yes)."""
        if track in ("underage", "young-worker") and track not in self.tracks:
            return False
        return not self.sectors or not sector or sector.strip().lower() in self.sectors

    def applies_to_case(self, data: dict[str, Any]) -> bool:
        """True if the action is for this case's track and sector."""
        track = data.get("track")
        site = data.get("site")
        sector = site.get("sector") if isinstance(site, dict) else None
        return self.applies_to(
            track if isinstance(track, str) else None, sector if isinstance(sector, str) else None
        )

    def for_role(self, role: str | None) -> bool:
        """True if ``role`` is one of the action's roles (or no role was asked for)."""
        return role is None or role in self.roles


class StagePlan(Frozen):
    """A stage of a playbook: its purpose, actions, warnings and safeguarding rules."""

    name: str
    purpose: str
    actions: tuple[Action, ...]
    warnings: tuple[Action, ...]
    safeguarding: tuple[Action, ...]

    def __init__(
        self,
        name: str,
        purpose: str,
        actions: tuple[Action, ...] = (),
        warnings: tuple[Action, ...] = (),
        safeguarding: tuple[Action, ...] = (),
    ) -> None:
        self.__dict__.update(
            name=name,
            purpose=purpose,
            actions=actions,
            warnings=warnings,
            safeguarding=safeguarding,
        )

    @property
    def gates(self) -> tuple[Action, ...]:
        """The checklist: actions that must be done before the case leaves this stage."""
        return tuple(a for a in self.actions if a.gate)


class ClosureRule(Frozen):
    """What must hold before a case is closed for one reason (``closure_reasons``)."""

    reason: str
    text: str
    from_stages: tuple[str, ...]  # empty: any stage
    checklist: bool
    follow_ups: dict[str, Any] | None
    fields: tuple[str, ...]
    needs_note: str
    sources: tuple[str, ...]
    note: str
    english: str  # the text in English ("": ``text`` is English)
    texts: tuple[tuple[str, str], ...]  # the text in each language the playbook has
    note_english: str  # needs_note in English ("": ``needs_note`` is English)
    note_texts: tuple[tuple[str, str], ...]  # needs_note in each language the playbook has

    def __init__(
        self,
        reason: str,
        text: str,
        from_stages: tuple[str, ...] = (),
        checklist: bool = False,
        follow_ups: dict[str, Any] | None = None,
        fields: tuple[str, ...] = (),
        needs_note: str = "",
        sources: tuple[str, ...] = (),
        note: str = "",
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
        note_english: str = "",
        note_texts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            reason=reason,
            text=text,
            from_stages=from_stages,
            checklist=checklist,
            follow_ups=follow_ups,
            fields=fields,
            needs_note=needs_note,
            sources=sources,
            note=note,
            english=english,
            texts=texts,
            note_english=note_english,
            note_texts=note_texts,
        )

    @property
    def words(self) -> Translated:
        """The text, worded in whatever language is in force when it is printed."""
        return Translated(self.english or self.text, self.texts)

    @property
    def needs_note_words(self) -> Translated:
        """What the note must say, worded in whatever language is in force when printed."""
        return Translated(self.note_english or self.needs_note, self.note_texts)


# --- closing rules (closing:): what closing a case takes and the checks after it ---------


class ClosingRule(Frozen):
    """One rule of the playbook's ``closing`` section, with its source.

    ``text`` is in the language the playbook was built in; ``english`` is its English
    ("": ``text`` is English) and ``texts`` its text in each language the playbook's
    ``translations`` give it (``translations.<lang>.closing.<rule>``).
    """

    text: str
    sources: tuple[str, ...]
    note: str
    reasons: tuple[str, ...]
    english: str
    texts: tuple[tuple[str, str], ...]

    def __init__(
        self,
        text: str = "",
        sources: tuple[str, ...] = (),
        note: str = "",
        reasons: tuple[str, ...] = (),
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            text=text, sources=sources, note=note, reasons=reasons, english=english, texts=texts
        )

    @property
    def words(self) -> Translated:
        """The text, worded in whatever language is in force when it is printed."""
        return Translated(self.english or self.text, self.texts)


class RecurrenceChecks(ClosingRule):
    """The checks after closure that the child has not gone back to work."""

    id: str
    roles: tuple[str, ...]
    at: tuple[float, ...]
    unit: str

    def __init__(
        self,
        text: str = "",
        sources: tuple[str, ...] = (),
        note: str = "",
        reasons: tuple[str, ...] = (),
        id: str = "after-recurrence-check",
        roles: tuple[str, ...] = ("provider",),
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
        at: tuple[float, ...] = (),
        unit: str = "months",
    ) -> None:
        self.__dict__.update(
            text=text,
            sources=sources,
            note=note,
            reasons=reasons,
            id=id,
            roles=roles,
            english=english,
            texts=texts,
            at=at,
            unit=unit,
        )


class ContactAttempts(ClosingRule):
    """The attempts to reach the family before closing as lost_contact or refused."""

    at_least: int
    over_days: int

    def __init__(
        self,
        text: str = "",
        sources: tuple[str, ...] = (),
        note: str = "",
        reasons: tuple[str, ...] = (),
        at_least: int = 0,
        over_days: int = 0,
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            text=text,
            sources=sources,
            note=note,
            reasons=reasons,
            at_least=at_least,
            over_days=over_days,
            english=english,
            texts=texts,
        )


class RootCauseRule(ClosingRule):
    """Root causes recorded (or waived) before the case may close."""

    step: str
    blocks_closing: bool

    def __init__(
        self,
        text: str = "",
        sources: tuple[str, ...] = (),
        note: str = "",
        reasons: tuple[str, ...] = (),
        step: str = "",
        blocks_closing: bool = True,
        english: str = "",
        texts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            text=text,
            sources=sources,
            note=note,
            reasons=reasons,
            step=step,
            blocks_closing=blocks_closing,
            english=english,
            texts=texts,
        )


class Closing(Frozen):
    """The playbook's ``closing`` section; a rule left out is not checked."""

    recurrence_checks: RecurrenceChecks | None
    young_worker_handover: ClosingRule | None
    adult_age: int
    contact_attempts: ContactAttempts | None
    refusal: ClosingRule | None
    protection_referral: ClosingRule | None
    running_commitments: ClosingRule | None
    root_causes: RootCauseRule | None

    def __init__(
        self,
        recurrence_checks: RecurrenceChecks | None = None,
        young_worker_handover: ClosingRule | None = None,
        adult_age: int = 18,
        contact_attempts: ContactAttempts | None = None,
        refusal: ClosingRule | None = None,
        protection_referral: ClosingRule | None = None,
        running_commitments: ClosingRule | None = None,
        root_causes: RootCauseRule | None = None,
    ) -> None:
        self.__dict__.update(
            recurrence_checks=recurrence_checks,
            young_worker_handover=young_worker_handover,
            adult_age=adult_age,
            contact_attempts=contact_attempts,
            refusal=refusal,
            protection_referral=protection_referral,
            running_commitments=running_commitments,
            root_causes=root_causes,
        )


CLOSING_RULES = (
    "recurrence_checks",
    "young_worker_handover",
    "contact_attempts",
    "refusal",
    "protection_referral",
    "running_commitments",
    "root_causes",
)
"""The rules of a playbook's ``closing`` section, each a text to translate."""


def _closing(raw: dict[str, Any], translations: dict[str, Any], lang: str) -> Closing:
    def common(key: str, item: dict[str, Any]) -> dict[str, Any]:
        english = str(item.get("text", ""))
        texts = tuple(
            (code, str(tr["closing"][key]))
            for code, tr in translations.items()
            if isinstance(tr, dict) and isinstance(tr.get("closing"), dict) and key in tr["closing"]
        )
        return {
            "text": dict(texts).get(lang, english),
            "sources": _as_tuple(item.get("source")),
            "note": item.get("note", ""),
            "reasons": _as_tuple(item.get("reasons")),
            "english": english,
            "texts": texts,
        }

    def plain(key: str) -> ClosingRule | None:
        item = raw.get(key)
        return ClosingRule(**common(key, item)) if isinstance(item, dict) else None

    checks, attempts, causes = (
        raw.get("recurrence_checks"),
        raw.get("contact_attempts"),
        raw.get("root_causes"),
    )
    handover = raw.get("young_worker_handover")
    return Closing(
        recurrence_checks=RecurrenceChecks(
            **common("recurrence_checks", checks),
            id=checks["id"],
            roles=_as_tuple(checks.get("roles")) or ("provider",),
            at=tuple(sorted(checks["at"])),
            unit=checks["unit"],
        )
        if isinstance(checks, dict)
        else None,
        young_worker_handover=plain("young_worker_handover"),
        adult_age=int(handover.get("adult_age", 18)) if isinstance(handover, dict) else 18,
        contact_attempts=ContactAttempts(
            **common("contact_attempts", attempts),
            at_least=attempts["at_least"],
            over_days=attempts["over_days"],
        )
        if isinstance(attempts, dict)
        else None,
        refusal=plain("refusal"),
        protection_referral=plain("protection_referral"),
        running_commitments=plain("running_commitments"),
        root_causes=RootCauseRule(
            **common("root_causes", causes),
            step=causes.get("step", ""),
            blocks_closing=bool(causes.get("blocks_closing", True)),
        )
        if isinstance(causes, dict)
        else None,
    )


def with_settings(book: Playbook, settings: dict[str, Any]) -> Playbook:
    """``book`` with a repository's changes to its closing rules (clr.yaml ``closing``)."""
    closing = book.closing
    checks = settings.get("recurrence_checks")
    if isinstance(checks, dict) and closing.recurrence_checks is not None:
        closing = replace(
            closing,
            recurrence_checks=replace(
                closing.recurrence_checks,
                at=tuple(sorted(checks.get("at", closing.recurrence_checks.at))),
                unit=checks.get("unit", closing.recurrence_checks.unit),
            ),
        )
    attempts = settings.get("contact_attempts")
    if isinstance(attempts, dict) and closing.contact_attempts is not None:
        closing = replace(
            closing,
            contact_attempts=replace(
                closing.contact_attempts,
                at_least=attempts.get("at_least", closing.contact_attempts.at_least),
                over_days=attempts.get("over_days", closing.contact_attempts.over_days),
            ),
        )
    blocks = settings.get("root_causes_block_closing")
    if isinstance(blocks, bool) and closing.root_causes is not None:
        closing = replace(closing, root_causes=replace(closing.root_causes, blocks_closing=blocks))
    return replace(book, closing=closing) if closing is not book.closing else book


class Playbook(Frozen):
    """A whole playbook."""

    name: str
    title: str
    version: str
    description: str
    stages: dict[str, StagePlan]
    readiness: tuple[Action, ...]
    difficulty_flags: tuple[dict[str, Any], ...]
    sources: dict[str, dict[str, Any]]
    roles: dict[str, str]
    closure_reasons: dict[str, ClosureRule]
    origin: str
    rules: dict[str, dict[str, Any]]
    """The playbook's rules of practice (``rules:``), by name, each with its source."""
    closing: Closing
    language: str
    role_words: dict[str, Translated]
    """What each role does, in every language the playbook has (for the phone forms)."""

    def __init__(
        self,
        name: str,
        title: str,
        version: str,
        description: str,
        stages: dict[str, StagePlan],
        readiness: tuple[Action, ...] = (),
        difficulty_flags: tuple[dict[str, Any], ...] = (),
        sources: dict[str, dict[str, Any]] | None = None,
        roles: dict[str, str] | None = None,
        closure_reasons: dict[str, ClosureRule] | None = None,
        origin: str = "",
        rules: dict[str, dict[str, Any]] | None = None,
        closing: Closing | None = None,
        language: str = "en",
        role_words: dict[str, Translated] | None = None,
    ) -> None:
        sources = sources if sources is not None else {}
        roles = roles if roles is not None else {}
        closure_reasons = closure_reasons if closure_reasons is not None else {}
        rules = rules if rules is not None else {}
        closing = closing if closing is not None else Closing()
        self.__dict__.update(
            name=name,
            title=title,
            version=version,
            description=description,
            stages=stages,
            readiness=readiness,
            difficulty_flags=difficulty_flags,
            sources=sources,
            roles=roles,
            closure_reasons=closure_reasons,
            origin=origin,
            rules=rules,
            closing=closing,
            language=language,
            role_words=role_words if role_words is not None else {},
        )

    def action(self, action_id: str) -> Action | None:
        """Find an action (of any stage, or readiness) by id."""
        return self._by_id.get(action_id)

    @functools.cached_property
    def _by_id(self) -> dict[str, Action]:
        """Every item by id, the first of :meth:`all_items` where an id is used twice.

        Checking a case looks up each of its checklist items: a search through every item
        each time cost more than the rest of the checks on the checklist.
        """
        by_id: dict[str, Action] = {}
        for item in self.all_items():
            by_id.setdefault(item.id, item)
        return by_id

    def all_items(self) -> list[Action]:
        """Every action, warning and safeguarding rule, readiness first."""
        items = list(self.readiness)
        for plan in self.stages.values():
            items += [*plan.actions, *plan.warnings, *plan.safeguarding]
        return items


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def _texts_of(item: str, items: dict[str, dict[str, str]]) -> tuple[tuple[str, str], ...]:
    """An item's text in each language that translates it."""
    return tuple((lang, texts[item]) for lang, texts in items.items() if item in texts)


def _action(
    raw: dict[str, Any], stage: str, kind: str, items: dict[str, dict[str, str]], lang: str
) -> Action:
    texts = _texts_of(raw["id"], items)
    return Action(
        id=raw["id"],
        text=dict(texts).get(lang, raw["text"]),
        stage=stage,
        roles=_as_tuple(raw.get("roles", raw.get("role"))),
        required=bool(raw.get("required", False)),
        gate=bool(raw.get("gate", False)),
        tracks=_as_tuple(raw.get("tracks")) or ("underage", "young-worker"),
        done_when=raw.get("done_when"),
        due=raw.get("due"),
        sources=_as_tuple(raw.get("source")),
        note=raw.get("note", ""),
        kind=kind,
        sectors=tuple(s.lower() for s in raw.get("sectors") or ()),
        done_by_visits=tuple(raw.get("done_by_visits") or ()),
        english=raw["text"],
        texts=texts,
    )


def _closure_rule(
    reason: str, raw: dict[str, Any], texts: dict[str, str], translations: dict[str, Any]
) -> ClosureRule:
    needs_note = raw.get("needs_note", "")

    def every(key: str) -> tuple[tuple[str, str], ...]:
        return tuple(
            (code, str(tr["closure_reasons"][reason][key]))
            for code, tr in translations.items()
            if isinstance(tr, dict)
            and isinstance(tr.get("closure_reasons"), dict)
            and isinstance(tr["closure_reasons"].get(reason), dict)
            and key in tr["closure_reasons"][reason]
        )

    return ClosureRule(
        reason=reason,
        text=texts.get("text", raw["text"]),
        from_stages=tuple(raw.get("from_stages", ())),
        checklist=bool(raw.get("checklist", False)),
        follow_ups=raw.get("follow_ups"),
        fields=tuple(raw.get("fields", ())),
        needs_note=texts.get("needs_note", needs_note) if needs_note else "",
        sources=_as_tuple(raw.get("source")),
        note=raw.get("note", ""),
        english=str(raw["text"]),
        texts=every("text"),
        note_english=str(needs_note),
        note_texts=every("needs_note") if needs_note else (),
    )


def translation(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The playbook's texts in ``lang`` (``translations.<lang>``); empty for English or none."""
    if lang == "en":
        return {}
    found = (data.get("translations") or {}).get(lang)
    return found if isinstance(found, dict) else {}


def build(data: dict[str, Any], origin: str = "", lang: str = "en") -> Playbook:
    """Make a Playbook from data that passed the playbook schema, its texts in ``lang``."""
    tr = translation(data, lang)
    items = {  # every language's items: a finding words an item in the language it is read in
        code: texts["items"]
        for code, texts in (data.get("translations") or {}).items()
        if isinstance(texts, dict) and isinstance(texts.get("items"), dict)
    }
    purposes: dict[str, str] = tr.get("purposes", {})
    stages = {}
    for name in STAGES:
        raw = data["stages"][name]
        stages[name] = StagePlan(
            name=name,
            purpose=purposes.get(name, raw.get("purpose", "")),
            actions=tuple(_action(a, name, "action", items, lang) for a in raw.get("actions", [])),
            warnings=tuple(
                _action(a, name, "warning", items, lang) for a in raw.get("warnings", [])
            ),
            safeguarding=tuple(
                _action(a, name, "safeguarding", items, lang) for a in raw.get("safeguarding", [])
            ),
        )
    flags = tr.get("difficulty_flags", {})
    reasons = tr.get("closure_reasons", {})
    return Playbook(
        name=data["name"],
        title=tr.get("title", data.get("title", data["name"])),
        version=str(data.get("version", "")),
        description=tr.get("description", data.get("description", "")),
        stages=stages,
        readiness=tuple(
            _action(a, "readiness", "readiness", items, lang) for a in data.get("readiness", [])
        ),
        difficulty_flags=tuple(
            {**flag, **flags.get(flag.get("id"), {})} for flag in data.get("difficulty_flags", [])
        ),
        sources=dict(data.get("sources", {})),
        roles={**dict(data.get("roles", {})), **tr.get("roles", {})},
        closure_reasons={
            reason: _closure_rule(
                reason, raw, reasons.get(reason, {}), data.get("translations") or {}
            )
            for reason, raw in data.get("closure_reasons", {}).items()
            if not reason.startswith("x-")
        },
        origin=origin,
        rules={k: dict(v) for k, v in (data.get("rules") or {}).items()},
        closing=_closing(data.get("closing") or {}, data.get("translations") or {}, lang),
        language=lang if tr else "en",
        role_words={
            role: Translated(
                str(text),
                tuple(
                    (code, str(texts["roles"][role]))
                    for code, texts in (data.get("translations") or {}).items()
                    if isinstance(texts, dict)
                    and isinstance(texts.get("roles"), dict)
                    and role in texts["roles"]
                ),
            )
            for role, text in (data.get("roles") or {}).items()
        },
    )


def check_playbook_file(
    path: Path, display: str | None = None
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Read and check a playbook file: YAML, schema, unique ids, defined sources."""
    loaded = yamlio.read_file(path, display)
    findings = list(loaded.findings)
    if loaded.data is None:
        return None, findings
    data = loaded.data
    from clr.checks import schemas

    problems = schemas.check(data, loaded.path, "playbook")
    if not problems:
        problems = _cross_checks(data, loaded.path)
    for f in problems:
        line, col = loaded.locate(f.pointer, key=f.code == "CLR104")
        findings.append(
            finding(
                f.path,
                line,
                col,
                "CLR402",
                said(N_("playbook: {problem}"), problem=f.worded or f.message),
                f.hint_worded or f.hint,
                severity=f.severity,
                pointer=f.pointer,
            )
        )
    return (data if not findings else None), findings


def _cross_checks(data: dict[str, Any], path: str) -> list[Finding]:
    out: list[Finding] = []
    seen: set[str] = set()
    sources = set(data.get("sources", {}))
    groups: list[tuple[str, list[Any]]] = [("/readiness", data.get("readiness", []))]
    for stage, raw in data.get("stages", {}).items():
        for kind in ("actions", "warnings", "safeguarding"):
            groups.append((f"/stages/{stage}/{kind}", raw.get(kind, [])))
    for reason, rule in data.get("closure_reasons", {}).items():
        if not reason.startswith("x-"):
            out += _undefined_sources(rule, f"/closure_reasons/{reason}", sources, path)
    for name, rule in (data.get("rules") or {}).items():
        out += _undefined_sources(rule, f"/rules/{name}", sources, path)
    for key, rule in (data.get("closing") or {}).items():
        if not key.startswith("x-"):
            out += _undefined_sources(rule, f"/closing/{key}", sources, path)
    out += _translation_keys(data, path, {i["id"] for _, items in groups for i in items})
    for base, items in groups:
        for i, item in enumerate(items):
            pointer = f"{base}/{i}"
            if item["id"] in seen:
                out.append(
                    finding(
                        path,
                        0,
                        0,
                        "CLR402",
                        said(N_("id {id} is used twice"), id=item["id"]),
                        said(N_("give each action its own id")),
                        pointer=pointer + "/id",
                    )
                )
            seen.add(item["id"])
            out += _undefined_sources(item, pointer, sources, path)
    return out


def _translation_keys(data: dict[str, Any], path: str, ids: set[str]) -> list[Finding]:
    """A translation of an item, flag or reason the playbook does not have."""
    known = {
        "items": ids,
        "difficulty_flags": {f.get("id") for f in data.get("difficulty_flags", [])},
        "closure_reasons": set(data.get("closure_reasons", {})),
    }
    out = []
    for lang, texts in (data.get("translations") or {}).items():
        if lang.startswith("x-") or not isinstance(texts, dict):
            continue
        for part, names in known.items():
            for key in texts.get(part, {}):
                if key not in names:
                    out.append(
                        finding(
                            path,
                            0,
                            0,
                            "CLR402",
                            said(
                                N_("{field} names {key}, which the playbook does not have"),
                                field=f"translations.{lang}.{part}",
                                key=key,
                            ),
                            said(N_("translate an id the English part of the playbook defines")),
                            pointer=f"/translations/{lang}/{part}/{key}",
                        )
                    )
    return out


def _undefined_sources(
    item: dict[str, Any], pointer: str, sources: set[str], path: str
) -> list[Finding]:
    return [
        finding(
            path,
            0,
            0,
            "CLR402",
            said(N_("source {key} is not defined under sources"), key=key),
            said(N_("add it under sources: with a title and url")),
            pointer=pointer + "/source",
        )
        for key in _as_tuple(item.get("source"))
        if key not in sources
    ]


def read_playbook_file(
    path: Path, display: str | None = None
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """As :func:`check_playbook_file`, but a playbook clr ships is read as trusted.

    A bundled playbook is known before clr starts: its tests hold it to the playbook
    schema and the checks here, and hold the fast YAML parser's reading of it to the strict
    reader's (tests/model/test_playbook_data.py). Reading it through the fast reader's
    gate and checking it again cost more than the rest of ``clr next`` (the work, not the
    start-up). A repository's own playbooks are checked every time.
    """
    if path.parent == resources.playbooks_dir():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            loaded = yamlio.parse_trusted(files.read_text(path), display or str(path))
            if loaded.data is not None and not loaded.findings:
                return loaded.data, []
    return check_playbook_file(path, display)


def _yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` entries of a folder, sorted (a glob compiles a pattern every run)."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".yaml"))
    except OSError:
        return []


def playbook_paths(repo_root: Path | None) -> dict[str, Path]:
    """Every playbook available: built-in ones, then the repository's, which win by name."""
    found = {p.stem: p for p in _yaml_files(resources.playbooks_dir())}
    if repo_root is not None and (repo_root / "playbooks").is_dir():
        for p in _yaml_files(repo_root / "playbooks"):
            found[p.stem] = p
    return found


@functools.cache
def _load_cached(path: Path, mtime_ns: int, lang: str = "en") -> Playbook:
    data, findings = read_playbook_file(path)
    if data is None:
        first = findings[0]
        raise ConfigError(
            said(
                N_("playbook {where}: {problem}"),
                where=f"{path}:{first.line}:{first.col}",
                problem=first.worded or first.message,
            ),
            hint=first.hint_worded
            or first.hint
            or said(N_("run 'clr validate' to see every problem in it")),
        )
    return build(data, origin=str(path), lang=lang)


def load_playbook(name: str, repo_root: Path | None = None) -> Playbook:
    """Load a playbook by name, the repository's own first, in the language clr speaks.

    Raises:
        ConfigError: no playbook of that name, or it is invalid.
    """
    paths = playbook_paths(repo_root)
    if name not in paths:
        raise ConfigError(
            said(N_("no playbook named {name}"), name=repr(name)),
            hint=said(N_("available: {names}"), names=", ".join(sorted(paths))),
        )
    path = paths[name]
    return _load_cached(path, path.stat().st_mtime_ns, i18n.current())
