"""Reports: the decisions an evaluation returns, each citing the provisions that justify it.

A ``Report`` is immutable and its JSON form (``to_dict``/``to_json``) is the stable contract other
systems import: key order is fixed, amounts are exact strings, dates are ISO text.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from .errors import did_you_mean
from .model import Citation
from .projects import json_value
from .scoring import ScoreResult

__all__ = ["DECISION_FIELDS", "Decision", "Notice", "PackRef", "Report", "Status", "REPORT_FORMAT", "json_text"]

#: Version of the JSON layout; bumped only on an incompatible change. 2 (issue 16): each cited
#: provision once per report under ``provisions``, decisions citing it by index; a decision's
#: ``missing``, ``due``, ``provisional``, ``in_principle``, ``exception_to`` and ``overridden_by``
#: only where they have something to say.
REPORT_FORMAT = 2


class Status(str, enum.Enum):
    """Where a project stands against one rule."""

    APPLIES = "applies"
    NOT_APPLICABLE = "not_applicable"
    SATISFIED = "satisfied"
    VIOLATED = "violated"
    PENDING = "pending"
    OVERDUE = "overdue"
    UNKNOWN = "unknown"


class _Details:
    """The parts of a decision that take time to spell out, fixed when the decision is made."""

    __slots__ = ("facts", "explanation_zh", "explanation_en", "score", "local_parameters", "readings")

    def __init__(self, facts: tuple[tuple[str, Any], ...], zh: str, en: str, score: ScoreResult | None = None,
                 local_parameters: tuple[str, ...] = (), readings: tuple[str, ...] = ()) -> None:
        self.facts = facts
        self.explanation_zh = zh
        self.explanation_en = en
        self.score = score
        self.local_parameters = local_parameters
        self.readings = readings


#: In a fast-path decision's ``missing`` slot: "ask the evaluation" (the list takes work to find).
LAZY: Any = object()


class LazyDetails(Protocol):
    """Where a decision made on the fast path finds its facts and explanation when first asked."""

    def decision_missing(self, rule: str) -> tuple[str, ...]: ...

    def decision_facts(self, rule: str) -> tuple[tuple[str, Any], ...]: ...

    def decision_explanation(self, rule: str) -> tuple[str, str]: ...

    def decision_local_parameters(self, rule: str) -> tuple[str, ...]: ...

    def decision_readings(self, rule: str) -> tuple[str, ...]: ...

    def decision_rests(self, rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]: ...

    def decision_not_needed(self, rule: str) -> tuple[str, ...]: ...

    def plain_decision(self, rule: str) -> Decision: ...


_FIELDS = ("rule", "pack", "kind", "status", "outcome", "title_zh", "title_en", "citations", "facts", "missing",
           "due", "provisional", "in_principle", "exception_to", "overridden_by", "explanation_zh", "explanation_en",
           "score", "local_parameters", "readings", "unclaimed", "not_needed")
#: Every field of a ``Decision``, in order (``Decision(**{f: getattr(d, f) for f in DECISION_FIELDS})`` copies one).
DECISION_FIELDS = _FIELDS


class Decision(tuple):  # type: ignore[type-arg]
    """One rule's verdict on one project, with the provisions, facts and reasoning behind it.

    Immutable. It is a tuple underneath only because that is the cheapest immutable object Python
    can build (issue 5: evaluation must be near hand-written speed); read it by attribute. The
    ``facts`` and the two explanations are spelled out on first access, from the project as it was
    evaluated, so a caller who only reads statuses does not pay for the wording.
    """

    __slots__ = ()

    # Layout: the rule's static part (as CompiledRule.head), then status, missing, due,
    # provisional, overridden_by, the source of the details, unclaimed exceptions, facts not needed.
    rule: str = property(itemgetter(0))  # type: ignore[assignment]
    pack: str = property(itemgetter(1))  # type: ignore[assignment]
    kind: str = property(itemgetter(2))  # type: ignore[assignment]
    outcome: str = property(itemgetter(3))  # type: ignore[assignment]
    title_zh: str = property(itemgetter(4))  # type: ignore[assignment]
    title_en: str = property(itemgetter(5))  # type: ignore[assignment]
    citations: tuple[Citation, ...] = property(itemgetter(6))  # type: ignore[assignment]
    in_principle: bool = property(itemgetter(7))  # type: ignore[assignment]
    exception_to: str | None = property(itemgetter(8))  # type: ignore[assignment]
    status: Status = property(itemgetter(9))  # type: ignore[assignment]
    due: _dt.date | None = property(itemgetter(11))  # type: ignore[assignment]
    provisional: bool = property(itemgetter(12))  # type: ignore[assignment]
    overridden_by: str | None = property(itemgetter(13))  # type: ignore[assignment]
    #: The exceptions the project must establish (``burden: project``) and has not: the status
    #: holds unless it shows one of them ("违反（除非能证明存在特殊情况）").
    unclaimed: tuple[str, ...] = property(itemgetter(15))  # type: ignore[assignment]

    def __new__(cls, rule: str, pack: str, kind: str, status: Status, outcome: str, title_zh: str,
                title_en: str, citations: tuple[Citation, ...], facts: tuple[tuple[str, Any], ...] = (),
                missing: tuple[str, ...] = (), due: _dt.date | None = None, provisional: bool = False,
                in_principle: bool = False, exception_to: str | None = None, overridden_by: str | None = None,
                explanation_zh: str = "", explanation_en: str = "", score: ScoreResult | None = None,
                local_parameters: tuple[str, ...] = (), readings: tuple[str, ...] = (),
                unclaimed: tuple[str, ...] = (), not_needed: tuple[str, ...] = ()) -> Decision:
        return tuple.__new__(cls, (rule, pack, kind, outcome, title_zh, title_en, citations, in_principle,
                                   exception_to, status, missing, due, provisional, overridden_by,
                                   _Details(facts, explanation_zh, explanation_en, score, local_parameters, readings),
                                   unclaimed, not_needed))

    @property
    def facts(self) -> tuple[tuple[str, Any], ...]:
        """The facts the rule (and its exceptions) read, with the project's values, in rule order."""
        source = self[14]
        if type(source) is _Details:
            return source.facts
        return source.decision_facts(self[0])  # type: ignore[no-any-return]

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts whose absence leaves the decision (or the requirement) open."""
        missing = self[10]
        if missing is LAZY:
            return self[14].decision_missing(self[0])  # type: ignore[no-any-return]
        return missing  # type: ignore[no-any-return]

    @property
    def explanation_zh(self) -> str:
        source = self[14]
        if type(source) is _Details:
            return source.explanation_zh
        return source.decision_explanation(self[0])[0]  # type: ignore[no-any-return]

    @property
    def explanation_en(self) -> str:
        source = self[14]
        if type(source) is _Details:
            return source.explanation_en
        return source.decision_explanation(self[0])[1]  # type: ignore[no-any-return]

    @property
    def score(self) -> ScoreResult | None:
        """A scoring rule's breakdown, total and grade (scoring rules are always spelled out at once)."""
        source = self[14]
        return source.score if type(source) is _Details else None

    @property
    def local_parameters(self) -> tuple[str, ...]:
        """The local parameters (numbers the text does not give) the decision rests on."""
        source = self[14]
        if type(source) is _Details:
            return source.local_parameters
        return source.decision_local_parameters(self[0])  # type: ignore[no-any-return]

    @property
    def readings(self) -> tuple[str, ...]:
        """The declared readings (interpretations of an unsettled text) the decision rests on."""
        source = self[14]
        if type(source) is _Details:
            return source.readings
        return source.decision_readings(self[0])  # type: ignore[no-any-return]

    @property
    def not_needed(self) -> tuple[str, ...]:
        """Missing facts the decision reads that cannot change it: every value they could take
        leads to the same status (issue 12 C2)."""
        found = self[16]
        if found is LAZY:
            return self[14].decision_not_needed(self[0])  # type: ignore[no-any-return]
        return found  # type: ignore[no-any-return]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Decision(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._values(),))

    def __copy__(self) -> Decision:
        return self

    def __deepcopy__(self, memo: Any) -> Decision:
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def report_dict(self, cite: Callable[[Citation], int]) -> dict[str, Any]:
        """The decision as a report writes it (``Report.to_dict``): citations as indexes into the
        report's ``provisions`` (``cite`` gives a citation's), and the keys that would hold an
        empty list, null or false left out."""
        spelled = self
        source = self[14]
        if type(source) is _Details:
            local_parameters, readings = source.local_parameters, source.readings
        else:  # every detail at once, from the one rendering of the decision
            # What it rests on as the decision itself says (for a scoring rule not applied, the
            # rendering leaves these out while the decision names them).
            local_parameters, readings = source.decision_rests(self[0])
            spelled = source.plain_decision(self[0])
            source = spelled[14]
        data: dict[str, Any] = {
            "rule": self[0],
            "pack": self[1],
            "kind": self[2],
            "status": self[9].value,
            "outcome": self[3],
            "title": {"zh": self[4], "en": self[5]},
            "citations": [cite(c) for c in self[6]],
            "facts": {name: json_value(value) for name, value in source.facts},
        }
        missing = spelled[10]
        if missing:
            data["missing"] = list(missing)
        if self[11] is not None:
            data["due"] = self[11].isoformat()
        if self[12]:
            data["provisional"] = True
        if self[7]:
            data["in_principle"] = True
        if self[8] is not None:
            data["exception_to"] = self[8]
        if self[13] is not None:
            data["overridden_by"] = self[13]
        data["explanation"] = {"zh": source.explanation_zh, "en": source.explanation_en}
        if local_parameters:
            data["local_parameters"] = list(local_parameters)
        if readings:
            data["readings"] = list(readings)
        if self[15]:
            data["unclaimed"] = list(self[15])
        not_needed = spelled[16]
        if not_needed:
            data["not_needed"] = list(not_needed)
        if source.score is not None:
            data["score"] = source.score.to_dict()
        return data

    def to_dict(self) -> dict[str, Any]:
        """The decision alone, every key present and its citations in full (format 1's layout of a
        decision; a report writes its decisions with ``report_dict``)."""
        data = {
            "rule": self.rule,
            "pack": self.pack,
            "kind": self.kind,
            "status": self.status.value,
            "outcome": self.outcome,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "citations": [c.to_dict() for c in self.citations],
            "facts": {name: json_value(value) for name, value in self.facts},
            "missing": list(self.missing),
            "due": self.due.isoformat() if self.due else None,
            "provisional": self.provisional,
            "in_principle": self.in_principle,
            "exception_to": self.exception_to,
            "overridden_by": self.overridden_by,
            "explanation": {"zh": self.explanation_zh, "en": self.explanation_en},
        }
        # Present only where they apply, so decisions of plain rules keep their layout.
        if self.local_parameters:
            data["local_parameters"] = list(self.local_parameters)
        if self.readings:
            data["readings"] = list(self.readings)
        if self.unclaimed:
            data["unclaimed"] = list(self.unclaimed)
        if self.not_needed:
            data["not_needed"] = list(self.not_needed)
        if self.score is not None:
            data["score"] = self.score.to_dict()
        return data


def _rebuild(values: tuple[Any, ...]) -> Decision:
    return Decision(**dict(zip(_FIELDS, values, strict=True)))


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the reader of a report must know that is not a rule's decision."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class PackRef:
    """Which pack, in which exact version, produced decisions."""

    id: str
    version: str
    content_hash: str
    jurisdiction: str
    document: str
    title: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "content_hash": self.content_hash,
                "jurisdiction": self.jurisdiction, "document": self.document, "title": self.title}


class LaterNotices:
    """A report's notices, found when first read: ``head``, then what ``find()`` returns, then ``tail``."""

    __slots__ = ("find", "head", "tail")

    def __init__(self, head: tuple[Notice, ...], find: Callable[[], tuple[Notice, ...]],
                 tail: tuple[Notice, ...]) -> None:
        self.head = head
        self.find = find
        self.tail = tail

    def __call__(self) -> tuple[Notice, ...]:
        return self.head + self.find() + self.tail


@dataclass(frozen=True)
class Report:
    """The result of evaluating one project under one jurisdiction on one date."""

    jurisdiction: str
    as_of: _dt.date
    project_id: str | None
    project_name: str | None
    packs: tuple[PackRef, ...]
    decisions: tuple[Decision, ...]
    notices: tuple[Notice, ...]
    engine_version: str
    calendar_sources: tuple[str, ...]
    calendar_fingerprint: str
    # label -> ((document number, path), ...) for every provision of the packs used
    provision_paths: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False)
    # The answers to declared readings the caller chose otherwise than the packs (empty: the packs' own).
    readings: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    # The decision id, or a function computing it on first access: the hash of the project is not
    # paid for by callers that never read the id (see the ``decision_id`` property).
    _decision_id: str | Callable[[], str] = field(default="", repr=False, compare=False)

    @property
    def decision_id(self) -> str:
        """sha256 over the validated project, jurisdiction, as_of, packs consulted, engine version and
        calendar fingerprint (``govrules.audit.decision_id``): equal ids mean equal reports."""
        value: str | Callable[[], str] = self.__dict__["_decision_id"]
        if callable(value):
            value = value()
            self.__dict__["_decision_id"] = value  # memoised; frozen for every other purpose
        return value

    @classmethod
    def _fast(cls, *values: Any) -> Report:
        """Build a report from its fields in order, without the frozen dataclass's per-field
        ``object.__setattr__`` (the evaluator's hot path; the result is the same frozen object).

        ``notices`` may be a ``LaterNotices``: the notices that take work to find (which decisions
        rest on local parameters or readings) are then found on first read, as ``decision_id`` is."""
        report = object.__new__(cls)
        fields_ = report.__dict__
        fields_.update(zip(_REPORT_FIELDS, values, strict=True))
        if type(fields_["notices"]) is LaterNotices:
            fields_["_notices"] = fields_.pop("notices")
        return report

    if not TYPE_CHECKING:  # hidden from type checkers, which would otherwise accept any attribute
        def __getattr__(self, name: str) -> Any:
            # Only reached for an attribute not stored yet: the notices of a report made with LaterNotices.
            if name == "notices":
                fields_ = self.__dict__
                later = fields_.get("_notices")
                if later is not None:
                    notices = later()
                    fields_["notices"] = notices  # memoised; frozen for every other purpose
                    return notices
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


    def decision(self, rule: str) -> Decision:
        """The decision of rule ``rule``; ``KeyError`` (with a did-you-mean) if there is none."""
        for decision in self.decisions:
            if decision.rule == rule:
                return decision
        hint = did_you_mean(rule, [d.rule for d in self.decisions])
        raise KeyError(f"no decision for rule {rule!r}" + (f"; {hint}" if hint else ""))

    def for_provision(self, label: str, document: str | None = None) -> tuple[Decision, ...]:
        """The decisions citing provision ``label`` or anything inside it (its 款 and 项).

        ``report.for_provision("第十七条")`` also returns decisions citing 第十七条第一款. Give
        ``document`` (its number) when two packs in the report share a label.
        """
        targets = self.provision_paths.get(label)
        if not targets:
            hint = did_you_mean(label, list(self.provision_paths))
            raise KeyError(f"no provision {label!r} in the packs of this report" + (f"; {hint}" if hint else ""))
        if document is not None:
            targets = tuple(t for t in targets if t[0] == document)
        found = []
        for decision in self.decisions:
            for citation in decision.citations:
                if any(citation.document == doc and citation.path[: len(path)] == path
                       for doc, path in targets):
                    found.append(decision)
                    break
        return tuple(found)

    def by_status(self, *statuses: Status | str) -> tuple[Decision, ...]:
        """The decisions with any of ``statuses``."""
        wanted = {Status(s) for s in statuses}
        return tuple(d for d in self.decisions if d.status in wanted)

    def summary(self) -> dict[str, int]:
        """How many decisions have each status (every status listed, in a fixed order)."""
        counts = {status.value: 0 for status in Status}
        for decision in self.decisions:
            counts[decision.status.value] += 1
        return counts

    def __repr__(self) -> str:
        counts = ", ".join(f"{status} {count}" for status, count in self.summary().items() if count)
        project = f" project={self.project_id!r}" if self.project_id else ""
        return (f"<Report jurisdiction={self.jurisdiction!r} as_of={self.as_of.isoformat()}{project}: "
                f"{len(self.decisions)} decisions ({counts or 'none'})>")

    def to_dict(self) -> dict[str, Any]:
        provisions: list[dict[str, Any]] = []
        index: dict[tuple[str, tuple[str, ...]], int] = {}

        def cite(citation: Citation) -> int:
            key = (citation.document, citation.path)
            found = index.get(key)
            if found is None:
                found = index[key] = len(provisions)
                provisions.append(citation.to_dict())
            return found

        decisions = [d.report_dict(cite) for d in self.decisions]
        return {
            "format": REPORT_FORMAT,
            "engine": {"name": "govrules", "version": self.engine_version},
            "decision_id": self.decision_id,
            "jurisdiction": self.jurisdiction,
            "as_of": self.as_of.isoformat(),
            "project": {"id": self.project_id, "name": self.project_name},
            "packs": [p.to_dict() for p in self.packs],
            "calendar": {"sources": list(self.calendar_sources), "fingerprint": self.calendar_fingerprint},
            "notices": [n.to_dict() for n in self.notices],
            **({"readings": dict(self.readings)} if self.readings else {}),
            "summary": self.summary(),
            "provisions": provisions,
            "decisions": decisions,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text (UTF-8 Chinese kept readable, key order fixed)."""
        return json_text(self.to_dict(), indent=indent)


# Values orjson would write but json refuses (dates, dataclasses, str/int subclasses) are passed
# through to the fallback, so both paths accept and refuse exactly the same data.
_ORJSON_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_PASSTHROUGH_SUBCLASS)


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=indent)``, byte for byte, but fast.

    Python's own encoder falls back to pure Python whenever ``indent`` is set, and spent more time
    than the evaluation itself on a whole-pack report (issue 5); orjson writes the same text for
    the two-space layout. It refuses a few values json accepts (a lone surrogate in a project's
    name, an integer beyond 64 bits): those reports, and any other indent, go through ``json``.
    tests/test_report_json.py checks the two agree on every character and on hostile values.
    """
    if indent == 2:
        try:
            return orjson.dumps(data, option=_ORJSON_OPTIONS).decode()
        except orjson.JSONEncodeError:
            pass
    return json.dumps(data, ensure_ascii=False, indent=indent)


_REPORT_FIELDS = tuple(f.name for f in fields(Report))
