"""The fact vocabulary: the one typed list of what a project can state and a pack can test.

It is data (``data/facts.yaml``), read once; packs and projects are both checked against it, so a
fact means the same thing in every jurisdiction and one project can be evaluated under every pack.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, overload

from .errors import PackError, PackProblem
from .yamlfiles import YamlDocument, YamlReadError, read_yaml, read_yaml_text

_T = TypeVar("_T")

__all__ = ["NOT_HAPPENED", "Fact", "FactType", "NotHappened", "Vocabulary", "default_vocabulary"]


class FactType(str, enum.Enum):
    """The types a fact can have; the condition language checks every comparison against them."""

    AMOUNT = "amount"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"
    TEXT = "text"

    @property
    def ordered(self) -> bool:
        """Whether 以上/以下/超过/… make sense for values of this type."""
        return self in (FactType.AMOUNT, FactType.NUMBER, FactType.INTEGER, FactType.DATE)


@dataclass(frozen=True, slots=True)
class Fact:
    """One declared fact: its name, type, unit and meaning in Chinese and English."""

    name: str
    type: FactType
    zh: str
    en: str
    unit: str | None = None
    description: str | None = None
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A date fact recording an act (签订、验收、审查…): a project may state that the act did not
    # take place, as ``false`` (issue 12 C3); see ``NOT_HAPPENED``.
    act: bool = False
    #: English labels of an enum's values (value → label), beside the Chinese ones in ``values``.
    values_en: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def value_label(self, value: str, lang: str = "zh") -> str:
        """An enum value as people read it, in ``lang`` (the value itself when no label is given)."""
        labels = self.values if lang == "zh" else self.values_en
        return labels.get(value, value)

    def label(self) -> str:
        """``中文名（name）`` for messages a policy officer reads."""
        return f"{self.zh}（{self.name}）"


class NotHappened:
    """The value of an act's date fact when the project states the act did not take place.

    Every comparison with it is false: a comparison of an act's date ("签订合同之日起…", "验收前…")
    asserts that the act happened. ``{fact: F, happened: false}`` tests for it. There is one
    instance, ``NOT_HAPPENED``; in JSON it is written ``false``.
    """

    __slots__ = ()
    _instance: NotHappened | None = None

    def __new__(cls) -> NotHappened:
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_HAPPENED"

    def __reduce__(self) -> str:
        return "NOT_HAPPENED"

    def _false(self, other: object) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    def __eq__(self, other: object) -> bool:
        return other is self

    __ne__ = _false  # "happened on a date other than …" is false too

    def __hash__(self) -> int:
        return 0x6E0D0E


#: The one ``NotHappened`` value (see there).
NOT_HAPPENED = NotHappened()


class Vocabulary(Mapping[str, Fact]):
    """An immutable mapping of fact name to ``Fact``."""

    def __init__(self, facts: Mapping[str, Fact], source: str) -> None:
        self._facts = MappingProxyType(dict(facts))
        self.source = source

    def __getitem__(self, name: str) -> Fact:
        return self._facts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    # The mapping's own lookups (Mapping's generic ones go through __getitem__ and an exception):
    # explanations look facts up by name many times per decision.
    @overload
    def get(self, name: str, /) -> Fact | None: ...

    @overload
    def get(self, name: str, default: Fact | _T, /) -> Fact | _T: ...

    def get(self, name: str, default: Any = None, /) -> Any:
        return self._facts.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._facts

    # Identity semantics: a vocabulary is loaded once and used as a cache key for derived models.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @classmethod
    def from_file(cls, path: Path) -> Vocabulary:
        """Read a vocabulary file, raising ``PackError`` with every problem located."""
        try:
            doc = read_yaml(path)
        except YamlReadError as exc:
            raise PackError(exc.problems) from None
        return cls._from_document(doc)

    @classmethod
    def from_bytes(cls, raw: bytes, name: str) -> Vocabulary:
        """Read a vocabulary from bytes (``name`` is used in problems)."""
        try:
            doc = read_yaml_text(raw, name)
        except YamlReadError as exc:
            raise PackError(exc.problems) from None
        return cls._from_document(doc)

    @classmethod
    def _from_document(cls, doc: YamlDocument) -> Vocabulary:
        problems: list[PackProblem] = []
        facts: dict[str, Fact] = {}
        body = doc.data.get("facts") if isinstance(doc.data, dict) else None
        if not isinstance(body, dict):
            raise PackError([doc.problem((), "a vocabulary file needs a mapping under 'facts'")])
        known_keys = {"type", "zh", "en", "unit", "description", "values", "values_en", "minimum", "maximum", "act"}
        for name, spec in body.items():
            path = ("facts", name)
            if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
                problems.append(doc.problem(path, f"fact name {name!r} must be an ASCII identifier", key=True))
                continue
            if not isinstance(spec, dict):
                problems.append(doc.problem(path, "a fact needs a mapping with type, zh and en"))
                continue
            for key in spec:
                if key not in known_keys:
                    problems.append(doc.problem(path + (key,), f"unknown key {key!r}", key=True))
            try:
                ftype = FactType(spec.get("type"))
            except ValueError:
                problems.append(doc.problem(
                    path + ("type",), f"unknown fact type {spec.get('type')!r}",
                    hint="one of: " + ", ".join(t.value for t in FactType),
                ))
                continue
            values = spec.get("values") or {}
            if (ftype is FactType.ENUM) != bool(values):
                problems.append(doc.problem(path, "an enum fact, and only an enum fact, lists its values"))
                continue
            values_en = spec.get("values_en") or {}
            if not isinstance(values_en, dict) or not all(
                    isinstance(k, str) and k in values and isinstance(v, str) for k, v in values_en.items()):
                problems.append(doc.problem(path + ("values_en",), "values_en gives an English label (text) "
                                            "for values listed under values"))
                continue
            if not all(isinstance(spec.get(k), str) for k in ("zh", "en")):
                problems.append(doc.problem(path, "a fact needs zh and en text"))
                continue
            bounds: dict[str, Decimal | None] = {}
            for key in ("minimum", "maximum"):
                bound = spec.get(key)
                if bound is not None and (ftype not in (FactType.NUMBER, FactType.INTEGER)
                                          or isinstance(bound, bool) or not isinstance(bound, (int, Decimal))):
                    problems.append(doc.problem(path + (key,), f"{key} is a number, for number and integer facts"))
                    bound = None
                bounds[key] = None if bound is None else Decimal(bound)
            act = spec.get("act", False)
            if act is not False and (act is not True or ftype is not FactType.DATE):
                problems.append(doc.problem(path + ("act",), "act: true marks a date fact that records an act"))
                act = False
            facts[name] = Fact(
                name=name, type=ftype, zh=spec["zh"], en=spec["en"], unit=spec.get("unit"),
                description=spec.get("description"),
                values=MappingProxyType({str(k): str(v) for k, v in values.items()}),
                minimum=bounds["minimum"], maximum=bounds["maximum"], act=act,
                values_en=MappingProxyType(dict(values_en)),
            )
        if problems:
            raise PackError(problems)
        return cls(facts, source=doc.file)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The vocabulary shipped with govrules (read once; immutable, so shared safely)."""
    resource = resources.files("govrules") / "data" / "facts.yaml"
    return Vocabulary.from_bytes(resource.read_bytes(), "govrules/data/facts.yaml")
