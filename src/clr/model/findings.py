"""Findings: what clr reports about a file, as plain data.

A finding never raises: checks return lists of findings and renderers print them.
Codes are stable; ``CODES`` is the one registry of them, with a title for each.

A finding's ``message`` and ``hint`` are English, always: every machine format (JSON,
SARIF, JUnit, GitLab, GitHub annotations, the concise lines) prints them as they are, in
every language. A check that words its message with :func:`said` (a msgid and its fields)
also keeps those, so that the text a person reads (``clr validate``'s text format) is
worded in the language in force: :attr:`Finding.text` and :attr:`Finding.hint_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from clr.i18n import current, current_catalogue
from clr.model.record import Frozen

Severity = Literal["error", "warning"]

CODES: dict[str, str] = {
    # Reading the file (CLR0xx)
    "CLR001": "File cannot be read",
    "CLR002": "File is not UTF-8 text",
    "CLR003": "YAML syntax error",
    "CLR004": "Tab used for indentation",
    "CLR005": "Duplicate key",
    "CLR006": "Top level is not a mapping",
    "CLR007": "Several YAML documents in one file",
    "CLR008": "A list or mapping is reused through an alias",
    "CLR009": "File too large",
    "CLR010": "Key is not text",
    "CLR011": "Unsupported YAML tag",
    # The case schema (CLR1xx)
    "CLR101": "Required field missing",
    "CLR102": "Wrong type",
    "CLR103": "Value not allowed",
    "CLR104": "Unknown field",
    "CLR105": "Wrong form",
    "CLR106": "Out of range",
    "CLR107": "Schema rule not met",
    "CLR110": "Field required by the case's stage is missing",
    "CLR111": "Stage condition not met",
    # Rules a schema cannot express (CLR2xx)
    "CLR201": "Dates out of order",
    "CLR202": "Date in the future",
    "CLR203": "Case id does not match its folder",
    "CLR204": "Duplicate case id",
    "CLR205": "History disagrees with stage",
    "CLR206": "History moves backwards or skips a stage",
    "CLR207": "Verified age does not fit the track",
    "CLR208": "Recorded minimum age differs from the effective minimum age",
    "CLR209": "Closure reason's conditions not met",
    "CLR210": "Cost split does not add up to 100",
    "CLR211": "Unknown playbook",
    "CLR212": "History times out of order",
    "CLR213": "Case file needs migrating",
    "CLR214": "Stipend below the lost wage",
    "CLR215": "Unknown checklist item",
    "CLR216": "Stage moved backwards",
    "CLR217": "History rewritten",
    "CLR218": "Case file deleted",
    # Rules of practice: interview safeguards, the young-worker track (CLR240-CLR259)
    "CLR240": "Too few adults at the child's interview",
    "CLR241": "No woman at a girl's interview",
    "CLR242": "Young worker's hours over the legal hours",
    "CLR243": "Night work in a young worker's safe job",
    "CLR244": "Young worker found outside the agreed safe job",
    # Closing a case (the playbook's closing rules)
    "CLR220": "Closed at the minimum age without a young-worker plan",
    "CLR221": "Too few contact attempts before closing",
    "CLR222": "Refusal without who refused",
    "CLR223": "Child under the minimum age closed without a referral",
    "CLR224": "No check that the supplier has not re-hired the child",
    "CLR225": "Payments or fees run past the closure date",
    "CLR226": "No root cause recorded or waived",
    "CLR227": "Corrective action's cause missing from root_causes",
    "CLR228": "Child found working after closure, no linked case",
    # Deadlines (CLR3xx)
    "CLR301": "Required action overdue",
    "CLR302": "Check after closure overdue",
    # Repository files: clr.yaml and playbooks (CLR4xx)
    "CLR401": "Invalid clr.yaml",
    "CLR402": "Invalid playbook",
    "CLR403": "Folder in cases/ without a case file",
    "CLR404": "Case file outside cases/<id>/case.yaml",
    "CLR405": "Temporary file left by an interrupted write",
    # Personal data where it must not be (CLR5xx)
    "CLR501": "Plaintext identity file tracked or not ignored by git",
    "CLR502": "Identity field in the case file",
    "CLR503": "Phone number in free text",
    "CLR504": "E-mail address in free text",
    "CLR505": "ID document number in free text",
    "CLR506": "GPS coordinates or map link in free text",
    "CLR507": "Name or ID number from the identity file in the case file",
    "CLR508": "Private key in the repository",
    "CLR509": "Identity file cannot be read",
    # Retention and erasure (CLR6xx)
    "CLR601": "Case past its retention period",
    "CLR602": "Possibly the same child as another case",
    "CLR603": "Erasure cut short: the case key still exists",
    "CLR604": "Identity file without a case key",
}


GROUPS: dict[str, str] = {
    "CLR0": "Reading the file",
    "CLR1": "The case schema",
    "CLR2": "Rules a schema cannot express",
    "CLR3": "Deadlines",
    "CLR4": "Repository files: clr.yaml and playbooks",
    "CLR5": "Personal data where it must not be",
    "CLR6": "Retention, erasure and the same child twice",
}
"""The groups of codes, by their first digit (the headings of docs/codes.md)."""

DESCRIPTIONS: dict[str, str] = {
    "CLR001": "clr could not open or read the file (it is missing, a folder, or not readable). "
    "Nothing else in it was checked.",
    "CLR002": "The file holds bytes that are not UTF-8 text. Save it as UTF-8 in your editor.",
    "CLR003": "The file is not valid YAML: the message names the line and column where the "
    "parser stopped. Nothing else in it was checked.",
    "CLR004": "A tab character indents a line. YAML allows only spaces for indentation.",
    "CLR005": "The same key appears twice in one mapping; YAML readers would silently keep "
    "only one of the values.",
    "CLR006": "A case file, clr.yaml and a playbook must each be a mapping of fields at the "
    "top level, not a list or a single value.",
    "CLR007": "The file holds more than one YAML document (a '---' line between them); clr "
    "reads one document per file.",
    "CLR008": "An anchor and alias (or a merge key) reuse a list or mapping; clr refuses them "
    "because they can make a small file expand to millions of values. Write the values out.",
    "CLR009": "The file is over clr's size limit; a case file is normally under 100 KB, so "
    "attachments or logs have found their way into it.",
    "CLR010": "A mapping key is a number, a date or another non-text value; keys must be text.",
    "CLR011": "A YAML tag (such as !!python/object) that clr does not read is used.",
    "CLR101": "A field that the case schema requires is missing.",
    "CLR102": "A value has the wrong type: text where a number is expected, a list where a "
    "mapping is expected, and so on.",
    "CLR103": "A value is not one of those allowed for the field (for example a country "
    "code or a closure reason); the hint lists the allowed values or the closest one.",
    "CLR104": "A field that the case schema does not know: often a misspelt field name.",
    "CLR105": "A value does not have the required form, such as a date as YYYY-MM-DD or a "
    "case id as PREFIX-YEAR-CODE.",
    "CLR106": "A number or a list length is outside the range the schema allows.",
    "CLR107": "A rule of the schema that combines several fields is not met.",
    "CLR110": "The case's stage needs a field that is not there yet: record it, or move the "
    "case back to the stage it really is at.",
    "CLR111": "A condition of the case's stage is not met (for example a plan that must be "
    "signed before the plan_agreed stage).",
    "CLR201": "Two dates are in an order that cannot be (for example a visit before the child "
    "was found working).",
    "CLR202": "A date lies in the future of the day clr checks as of.",
    "CLR203": "The case id in the file differs from the name of its folder under cases/.",
    "CLR204": "Two case files have the same case id.",
    "CLR205": "The last entry of the case's history does not end at the case's stage.",
    "CLR206": "An entry of the history starts from another stage than the one before it "
    "ended in, or makes a move that is not allowed (back, or over a stage).",
    "CLR207": "The verified age does not fit the case's track (underage or young-worker).",
    "CLR208": "The minimum age recorded in the case differs from the one clr works out from "
    "the country, clr.yaml and the buyer's code of conduct.",
    "CLR209": "The case is closed for a reason whose conditions (visits, checklist, notes) "
    "are not met.",
    "CLR210": "The shares of the remediation costs do not add up to 100 percent.",
    "CLR211": "The case names a playbook that is neither bundled with clr nor in playbooks/.",
    "CLR212": "The times of the history entries are not in order.",
    "CLR213": "The case file is in an older case format: run clr migrate.",
    "CLR214": "A stipend is lower than the wage the child lost by stopping work.",
    "CLR215": "The checklist names an item that the case's playbook does not have.",
    "CLR216": "Since the given git revision (clr validate --since), the case's stage moved "
    "backwards.",
    "CLR217": "Since the given git revision (clr validate --since), a history entry was changed "
    "or removed; history is only ever appended to.",
    "CLR218": "Since the given git revision (clr validate --since), a case file was deleted.",
    "CLR240": "Fewer adults were at the interview with the child than the playbook's rule "
    "interview_adults asks (two by default, after Save the Children Denmark). A warning by "
    "default; the playbook or clr.yaml (rules:) can change the number or the severity.",
    "CLR241": "The child is a girl and no woman is recorded as present at her interview "
    "(Save the Children Denmark). A warning by default (rule interview_woman_for_girl).",
    "CLR242": "A young worker's new hours (protection.new_hours_per_week, plan.safe_job) are "
    "over the legal hours of young workers in the site's country (clr's table of legal "
    "hours, or the ILO floor of C1 where the country is not in it). An error by default "
    "(rule young_worker_hours); clr.yaml young_worker_hours corrects a country's row.",
    "CLR243": "A young worker's safe job has night work, or its shift reaches into the "
    "night hours of the site's country (ILO C90 where the country is not in the table). "
    "An error by default (rule young_worker_night_work).",
    "CLR244": "The last visit found the young worker outside the agreed safe job "
    "(visits[].safe_job: false). A warning by default (rule safe_job_visits).",
    "CLR220": "The case closed as reached_min_age while the child is under 18, with neither a "
    "young-worker plan (closure.young_worker_plan) nor the young-worker case that carries the "
    "child on (closure.continued_in). Between the minimum age and 18 the child may do only "
    "non-hazardous work, for limited hours and not at night. Blocks clr advance --to closed; "
    "a warning on a closed case.",
    "CLR221": "The case closed as lost_contact or refused with fewer recorded contact attempts "
    "(closure.contact_attempts), or over fewer days, than the playbook asks (default three "
    "over 30 days; clr.yaml closing.contact_attempts changes it).",
    "CLR222": "The case closed as refused without saying who refused (closure.refused_by: "
    "family, child or both).",
    "CLR223": "A child under the minimum age (or of unknown age) was closed as lost_contact or "
    "refused without a referral to the child-protection authority or the labour inspectorate "
    "(closure.referral) or a recorded reason why not (closure.no_referral_reason).",
    "CLR224": "A child under the minimum age (or of unknown age) was closed as lost_contact or "
    "refused without a check that the supplier has not re-hired the child "
    "(closure.rehire_check), or the check found the child re-hired.",
    "CLR225": "The plan runs stipend payments or school fees past the closure date, and the "
    "closure does not say who continues them (closure.commitments_continued_by).",
    "CLR226": "The case closed with no root cause recorded (root_causes) and none waived with a "
    "reason (closure.root_causes_waived). Blocks the closing move unless the playbook (or "
    "clr.yaml closing.root_causes_block_closing: false) says otherwise.",
    "CLR227": "A corrective action at the supplier names a cause that root_causes does not list; "
    "figures and exports of root causes read root_causes.",
    "CLR228": "A check after closure (recurrence_checks) found the child working or re-hired, "
    "and no linked case follows it up (reopened_as): open one with clr reopen.",
    "CLR301": "A required action of the playbook is past its deadline. A warning by default; "
    "an error where clr.yaml says overdue: error, or with --strict.",
    "CLR302": "A check after closure that the child has not gone back to work (the playbook's "
    "closing.recurrence_checks, default 6 and 12 months after closure; the first moved by "
    "closure.recurrence_check) is past its date. Record it with clr follow-up. A warning by "
    "default; an error where clr.yaml says overdue: error, or with --strict.",
    "CLR401": "clr.yaml does not match its schema; no case is checked until it is fixed.",
    "CLR402": "A playbook in playbooks/ does not match the playbook schema or clr's rules.",
    "CLR403": "A folder under cases/ has no case.yaml.",
    "CLR404": "A YAML file lies directly in cases/, where it is not read as a case; a case "
    "lives in cases/<id>/case.yaml.",
    "CLR405": "A temporary file (such as .case.yaml.<pid>.<random>.tmp) was left by a clr "
    "command that was killed while writing. The file it was writing is whole: delete the "
    "leftover.",
    "CLR501": "A plaintext identity file is tracked by git or not ignored: the child's "
    "personal data would be committed. Encrypt it (clr identity) and ignore the plaintext.",
    "CLR502": "A field of the identity file (a name, a contact, an address) is in the case "
    "file, which is not encrypted. Move it to the identity file.",
    "CLR503": "Free text in the case file holds what looks like a phone number.",
    "CLR504": "Free text in the case file holds what looks like an e-mail address.",
    "CLR505": "Free text in the case file holds what looks like an ID document number.",
    "CLR506": "Free text in the case file holds GPS coordinates or a map link.",
    "CLR507": "The case file holds a name or an ID number that is in the case's identity file.",
    "CLR508": "A private key (age or SSH) is in the repository. Remove it and make a new key.",
    "CLR509": "The encrypted identity files could not be read with the key at hand, so names "
    "from them were not looked for in the case files (CLR507).",
    "CLR601": "A closed case is past the retention period that clr.yaml's retention policy "
    "sets for its closure reason, and is not under legal hold: its personal data is due for "
    "erasure. 'clr retention plan' lists such cases and 'clr retention apply' erases them.",
    "CLR602": "Two cases carry the same keyed fingerprint (normalised name, birth year and "
    "country): they may be about the same child. Nothing was decrypted to find this; check "
    "with 'clr duplicates --decrypt' and link the cases if they are.",
    "CLR603": "The case was erased (privacy.erased is set) but its key is still in the key "
    "store, so its identity can still be read: the erasure was cut short. Run it again.",
    "CLR604": "The repository has a key store, but this case's identity file is encrypted "
    "to the team's keys rather than to a key of its own, so erasing the case would not make "
    "its versions in git history unreadable. 'clr migrate' gives it a key.",
}
"""What each code means and what usually causes it: SARIF's fullDescription, docs/codes.md."""


class Said(Frozen):
    """A message as a msgid (``template``) and the values of its fields.

    A field's value is text, printed as it is in every language, or words of its own (a
    :class:`Said`, such as "a whole number" in "must be a whole number", a :class:`Joined`
    list of them or a :class:`Translated` text), worded in the same language as the
    message. With ``plural`` (and ``count``) the message is a ``ngettext`` pair. Without
    fields, ``template`` is a text looked up as it is, not formatted (a schema's
    description, say).
    """

    template: str
    fields: tuple[tuple[str, Any], ...]
    plural: str
    count: int

    def __init__(
        self,
        template: str,
        fields: tuple[tuple[str, Any], ...] = (),
        plural: str = "",
        count: int = 0,
    ) -> None:
        self.__dict__.update(template=template, fields=fields, plural=plural, count=count)

    def english(self) -> str:
        """The message in English (what machine formats print)."""
        return self.say("en", None)

    def local(self) -> str:
        """The message in the language in force."""
        return self.say(current(), current_catalogue())

    def say(self, lang: str, texts: Any) -> str:
        """The message in ``lang``, from the gettext catalogue ``texts`` (None: English)."""
        if self.plural:
            if texts is None:
                text = self.template if self.count == 1 else self.plural
            else:
                text = texts.ngettext(self.template, self.plural, self.count)
        else:
            text = (
                self.template
                if texts is None or not self.template
                else texts.gettext(self.template)
            )
            if not self.fields:
                return str(text)
        return str(text).format(**{k: say(v, lang, texts) for k, v in self.fields})

    def row(self) -> list[Any]:
        """As JSON data (for the result cache); a worded field is a mapping, text a string."""
        out: list[Any] = [self.template, [[k, _row(v)] for k, v in self.fields]]
        return [*out, self.plural, self.count] if self.plural else out

    @classmethod
    def from_row(cls, row: Any) -> Said | None:
        """Back from :meth:`row` (None for nothing)."""
        if not row:
            return None
        template, fields, *plural = row
        return cls(
            template,
            tuple((str(k), _from_row(v)) for k, v in fields),
            *(plural or ("", 0)),
        )


class Joined(Frozen):
    """Words side by side, ``sep`` between them (a list of fields, each worded)."""

    sep: str
    parts: tuple[Any, ...]

    def __init__(self, sep: str, parts: tuple[Any, ...]) -> None:
        self.__dict__.update(sep=sep, parts=parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def english(self) -> str:
        """In English."""
        return self.say("en", None)

    def local(self) -> str:
        """In the language in force."""
        return self.say(current(), current_catalogue())

    def say(self, lang: str, texts: Any) -> str:
        """In ``lang``, from the gettext catalogue ``texts`` (None: English)."""
        return self.sep.join(say(p, lang, texts) for p in self.parts)


class Translated(Frozen):
    """A text whose translations are data, not the catalogue's: a playbook's item, say.

    ``texts`` are ``(language, text)`` pairs; a language without one reads the English.
    """

    text: str
    texts: tuple[tuple[str, str], ...]

    def __init__(self, text: str, texts: tuple[tuple[str, str], ...] = ()) -> None:
        self.__dict__.update(text=text, texts=texts)

    def english(self) -> str:
        """In English."""
        return self.text

    def local(self) -> str:
        """In the language in force."""
        return self.say(current(), None)

    def say(self, lang: str, texts: Any) -> str:
        """In ``lang`` (``texts``, the catalogue, is not needed: the translations are here)."""
        return dict(self.texts).get(lang, self.text)


def say(value: Any, lang: str, texts: Any) -> str:
    """A field's value in ``lang``, from the gettext catalogue ``texts`` (None: English)."""
    return value if isinstance(value, str) else str(value.say(lang, texts))


def _row(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Said):
        return {"said": value.row()}
    if isinstance(value, Joined):
        return {"joined": [value.sep, [_row(p) for p in value.parts]]}
    return {"translated": [value.text, [list(pair) for pair in value.texts]]}


def _from_row(row: Any) -> Any:
    if isinstance(row, str):
        return row
    if "said" in row:
        return Said.from_row(row["said"]) or Said("")
    if "joined" in row:
        sep, parts = row["joined"]
        return Joined(sep, tuple(_from_row(p) for p in parts))
    text, texts = row["translated"]
    return Translated(text, tuple((str(k), str(v)) for k, v in texts))


def _value(value: object) -> Any:
    return value if isinstance(value, Said | Joined | Translated) else str(value)


def said(template: str, **fields: object) -> Said:
    """A message worded by ``template`` (a msgid, marked with ``N_``) with ``fields``.

    A field given as words (:class:`Said`, :class:`Joined`, :class:`Translated`) is worded
    in the language too; any other is text.
    """
    return Said(template, tuple((name, _value(value)) for name, value in fields.items()))


def said_n(forms: tuple[str, str], count: int, **fields: object) -> Said:
    """A message in the singular or plural form for ``count`` (``forms`` marked ``Nn_``).

    ``count`` is also the field ``n``.
    """
    values = {"n": count, **fields}
    return Said(
        forms[0],
        tuple((name, _value(value)) for name, value in values.items()),
        forms[1],
        count,
    )


def wording(text: str | Said) -> tuple[str, Said | None]:
    """A message given as plain English or as :class:`Said`: (English text, the wording)."""
    if isinstance(text, str):
        return text, None
    return (text.english(), text) if text.template else ("", None)


class Worded:
    """A message and a hint, in English and worded for a person.

    ``message`` and ``hint`` are English (what machine formats print); ``worded`` and
    ``hint_worded``, where given, word them in the language in force.
    """

    __slots__ = ()
    message: str
    hint: str
    worded: Said | None
    hint_worded: Said | None

    @property
    def text(self) -> str:
        """The message in the language in force (for a person; machine formats: ``message``)."""
        return self.message if self.worded is None else self.worded.local()

    @property
    def hint_text(self) -> str:
        """The hint in the language in force (for a person; machine formats: ``hint``)."""
        return self.hint if self.hint_worded is None else self.hint_worded.local()


class Finding(Frozen, Worded):
    """One thing wrong (or worth a look) in one file.

    Attributes:
        path: The file, as given or relative to the repository.
        line: 1-based line, or 0 when the whole file is meant.
        col: 1-based column, or 0.
        code: A stable code from ``CODES``.
        severity: ``error`` fails validation; ``warning`` does unless asked not to.
        message: What is wrong, in plain words.
        pointer: JSON pointer of the value (``/site/country``), or "".
        hint: What to do about it, or "".
        worded: The message as a msgid and its fields (``message`` is then made from it).
        hint_worded: The hint as a msgid and its fields (``hint`` is then made from it).
    """

    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    pointer: str
    hint: str
    worded: Said | None
    hint_worded: Said | None

    _not_compared: ClassVar[frozenset[str]] = frozenset(
        ("message", "pointer", "hint", "worded", "hint_worded")
    )
    _not_shown: ClassVar[frozenset[str]] = frozenset(("worded", "hint_worded"))

    def __init__(
        self,
        path: str,
        line: int,
        col: int,
        code: str,
        severity: Severity = "error",
        message: str = "",
        pointer: str = "",
        hint: str = "",
        worded: Said | None = None,
        hint_worded: Said | None = None,
    ) -> None:
        if worded is not None and not message:
            message = worded.english()
        if hint_worded is not None and not hint:
            hint = hint_worded.english()
        self.__dict__.update(
            path=path,
            line=line,
            col=col,
            code=code,
            severity=severity,
            message=message,
            pointer=pointer,
            hint=hint,
            worded=worded,
            hint_worded=hint_worded,
        )

    # Sorted by file, place, code and severity, as the fields compared.
    def __lt__(self, other: Finding) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key(self) < self._key(other))

    def __le__(self, other: Finding) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key(self) <= self._key(other))

    def __gt__(self, other: Finding) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key(self) > self._key(other))

    def __ge__(self, other: Finding) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key(self) >= self._key(other))

    @property
    def title(self) -> str:
        """The short title of this finding's code."""
        return CODES.get(self.code, self.code)

    def at(self, line: int, col: int) -> Finding:
        """Return a copy placed at ``line``:``col``."""
        return Finding(
            self.path,
            line,
            col,
            self.code,
            self.severity,
            self.message,
            self.pointer,
            self.hint,
            self.worded,
            self.hint_worded,
        )


def finding(
    path: str,
    line: int,
    col: int,
    code: str,
    message: str | Said,
    hint: str | Said = "",
    *,
    severity: Severity = "error",
    pointer: str = "",
) -> Finding:
    """A finding whose message and hint are each plain English or worded by :func:`said`."""
    text, worded = wording(message)
    hint_text, hint_worded = wording(hint)
    return Finding(
        path,
        line,
        col,
        code,
        severity,
        message=text,
        pointer=pointer,
        hint=hint_text,
        worded=worded,
        hint_worded=hint_worded,
    )


def pointer_to_path(pointer: str) -> str:
    """Turn a JSON pointer into the dotted form: ``/visits/2/date`` -> ``visits[2].date``."""
    if not pointer:
        return "(top level)"
    out = ""
    for part in pointer.lstrip("/").split("/"):
        token = part.replace("~1", "/").replace("~0", "~")
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out


def join_pointer(parts: Sequence[str | int]) -> str:
    """Build a JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
