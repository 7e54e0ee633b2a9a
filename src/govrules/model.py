"""The validated pack model: frozen objects that hold everything a rule means.

Loading (``loading``) builds these from YAML after every check has passed; compiling
(``compiling``) and any later backend derive their forms from them, so nothing about a rule's
meaning lives only in an evaluator.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from .calendar import Period
from .conditions import Condition, Location, facts_used, params_used, readings_used
from .parameters import Band, Parameter
from .readings import ReadingSpec

__all__ = [
    "Citation",
    "Deadline",
    "Dimension",
    "Document",
    "Jurisdiction",
    "Pack",
    "Provision",
    "Rule",
    "RuleKind",
    "Scoring",
]


class RuleKind(str, enum.Enum):
    """What a rule does; the status a decision can take depends on it (see docs/pack-format.md)."""

    SCOPE = "scope"
    EXCLUSION = "exclusion"
    APPROVAL = "approval"
    REVIEW = "review"
    OBLIGATION = "obligation"
    DEADLINE = "deadline"
    CHANGE_CONTROL = "change_control"
    CONSEQUENCE = "consequence"
    CLASSIFICATION = "classification"
    SCORING = "scoring"


@dataclass(frozen=True, slots=True)
class Provision:
    """One 条/款/项 (or outline item) of a document, with its own numbering and verbatim text."""

    label: str
    path: tuple[str, ...]
    text: str | None
    full_text: str
    evaluable: bool = True
    reason: str | None = None
    children: tuple[str, ...] = ()
    at: Location | None = field(default=None, compare=False)
    # With sub-items: its own text only introduces them (有下列情形之一的：, a heading), so it sets
    # no requirement of its own; otherwise its own words are a unit of coverage (a chapeau).
    lead_in: bool = False

    @property
    def chapeau(self) -> bool:
        """Whether its own words, before its sub-items, may carry a requirement of their own."""
        return bool(self.children) and bool(self.text) and not self.lead_in


@dataclass(frozen=True, slots=True)
class Citation:
    """A provision as cited by a decision: document number, path, display label, verbatim text."""

    document: str
    path: tuple[str, ...]
    label: str
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"document": self.document, "path": list(self.path), "label": self.label, "text": self.text}


@dataclass(frozen=True, slots=True)
class Deadline:
    """Something must be done within ``within`` after the date in fact ``start``.

    ``done`` names the date facts that record doing it; with several, the act is done when all are,
    on the latest of them (e.g. 初验 and 试运行 both finished).
    """

    start: str
    within: Period
    done: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dimension:
    """One evaluation dimension: a score fact, its weight (a local parameter, in percent), its provision."""

    fact: str
    weight: Decimal
    weight_param: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Scoring:
    """A weighted score over dimensions and the grade table it falls into.

    The texts list dimensions (吴政办发〔2023〕43号 第二十八条 …) but give no weights or grades, so
    both are local parameters. The weights sum to 100; total = Σ weight × score / 100, exactly.
    """

    dimensions: tuple[Dimension, ...]
    total: str
    grade: str
    bands: tuple[Band, ...]
    bands_param: str

    def parameters(self) -> tuple[str, ...]:
        """The local parameters the score rests on: every weight and the grade table."""
        return (*(d.weight_param for d in self.dimensions), self.bands_param)


@dataclass(frozen=True, slots=True)
class Rule:
    """One encoded rule: when it applies, what it requires, which provisions justify it."""

    id: str
    kind: RuleKind
    title_zh: str
    title_en: str
    cites: tuple[Citation, ...]
    outcome: str
    pack: str
    when: Condition | None = None
    require: Condition | None = None
    deadline: Deadline | None = None
    effect: str | None = None
    exception_to: str | None = None
    in_principle: bool = False
    note: str | None = None
    scoring: Scoring | None = None
    at: Location | None = field(default=None, compare=False)
    # Exceptions only. ``burden="project"``: the project must establish the exception (除特殊情况外,
    # 上级有明确文件指定的除外 …); unclaimed, it does not make the base rule unknown.
    burden: str | None = None
    # Exceptions only. ``"when_met"``: a permission on a condition (需经…同意): it lifts the base
    # rule only where its own requirement is met. ``"always"``: wherever it applies.
    lifts: str = "always"

    def facts(self) -> tuple[str, ...]:
        """Every fact this rule reads (its own condition, requirement and deadline), in order."""
        names: dict[str, None] = dict.fromkeys(facts_used(self.when))
        names.update(dict.fromkeys(facts_used(self.require)))
        if self.deadline is not None:
            names[self.deadline.start] = None
            names.update(dict.fromkeys(self.deadline.done))
        if self.scoring is not None:
            names.update(dict.fromkeys(d.fact for d in self.scoring.dimensions))
        return tuple(names)

    def readings(self) -> tuple[str, ...]:
        """The readings this rule's conditions read."""
        return tuple(dict.fromkeys(readings_used(self.when) + readings_used(self.require)))

    def parameters(self) -> tuple[str, ...]:
        """The local parameters this rule rests on (never numbers of the text)."""
        names: dict[str, None] = dict.fromkeys(params_used(self.when))
        names.update(dict.fromkeys(params_used(self.require)))
        if self.scoring is not None:
            names.update(dict.fromkeys(self.scoring.parameters()))
        return tuple(names)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    id: str
    name: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """The measure a pack encodes: number, title, issuer, dates and numbering style."""

    number: str
    title: str
    issuer: str
    issued: _dt.date
    in_force_from: _dt.date
    numbering: str
    in_force_until: _dt.date | None = None
    in_force_cites: str | None = None
    repeals: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Pack:
    """A loaded, checked rule pack. Immutable, so one pack can serve many threads.

    Packs compare and hash by identity: two loads of the same files are told apart by
    ``content_hash``, not by ``==``.
    """

    id: str
    version: str
    jurisdiction: Jurisdiction
    document: Document
    provisions: Mapping[str, Provision]
    rules: tuple[Rule, ...]
    content_hash: str
    directory: Path | None = field(default=None, compare=False)
    description: str | None = None
    parameters: Mapping[str, Parameter] = field(default_factory=lambda: MappingProxyType({}))
    readings: Mapping[str, ReadingSpec] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return (f"<Pack {self.id} {self.version} jurisdiction={self.jurisdiction.id!r} "
                f"document={self.document.number!r}: {len(self.rules)} rules, {len(self.provisions)} provisions>")

    def in_force(self, on: _dt.date) -> bool:
        """Whether the document is in force on ``on`` (both ends inclusive)."""
        until = self.document.in_force_until
        return self.document.in_force_from <= on and (until is None or on <= until)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
