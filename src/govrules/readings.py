"""Readings: the interpretations a pack declares where the text does not settle a question.

An open list ending in 等, "须结合实际判断", a kind of unit the text neither names nor excludes:
wherever a rule could go two ways, the pack declares a reading in ``readings.yaml`` — the
provision, the question, the answer it chooses, the alternatives and why — instead of deciding in
a note nobody sees. Rules read it with ``{reading: ID, is: ANSWER}``; a decision whose status
depends on the answer lists the reading, the report carries a notice, and a caller may evaluate
under another alternative (``Engine.evaluate(..., readings={ID: ANSWER})``, ``--reading ID=ANSWER``).
An answer of ``null`` means the pack takes no position: decisions resting on it are ``unknown``
until a caller chooses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import PackProblem, did_you_mean
from .yamlfiles import YamlDocument

__all__ = ["READINGS_FILE", "Alternative", "ReadingSpec", "parse_readings"]

READINGS_FILE = "readings.yaml"

Location = tuple[str, int | None, int | None]


@dataclass(frozen=True, slots=True)
class Alternative:
    """One possible answer to a reading's question, in both languages."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class ReadingSpec:
    """A declared interpretation: where the text leaves a question open, and which answer the pack takes."""

    id: str
    pack: str
    provision: str
    question_zh: str
    question_en: str
    quote: str
    answer: str | None
    alternatives: Mapping[str, Alternative]
    why_zh: str
    why_en: str
    at: Location | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "pack": self.pack, "provision": self.provision,
            "question": {"zh": self.question_zh, "en": self.question_en}, "quote": self.quote,
            "answer": self.answer,
            "alternatives": {k: {"zh": a.zh, "en": a.en} for k, a in self.alternatives.items()},
            "why": {"zh": self.why_zh, "en": self.why_en},
        }


def parse_readings(doc: YamlDocument, pack_id: str, provisions: Mapping[str, Any],
                   problems: list[PackProblem], broken: set[tuple[str | int, ...]]) -> dict[str, ReadingSpec]:
    """The readings of ``doc`` (already checked against readings.schema.json); problems are appended, located."""
    found: dict[str, ReadingSpec] = {}
    for index, data in enumerate(doc.data.get("readings") or ()):
        here: tuple[str | int, ...] = ("readings", index)
        if here in broken:
            continue
        rid = data["id"]
        if not rid.startswith(pack_id + "_"):
            problems.append(doc.problem(here + ("id",), f"reading id {rid!r} must start with the pack id: "
                                        f"{pack_id}_…", code="reading-id"))
            continue
        if rid in found:
            problems.append(doc.problem(here + ("id",), f"reading id {rid!r} is used twice", code="duplicate-reading"))
            continue
        # A reading with a problem is still registered (the pack fails to load all the same), so that
        # the rules reading it are not also told it does not exist.
        if data["provision"] not in provisions:
            problems.append(doc.problem(here + ("provision",), f"provision {data['provision']!r} is not in the registry",
                                        hint=did_you_mean(data["provision"], list(provisions)),
                                        code="unknown-provision"))
        alternatives = {str(k): Alternative(str(k), v["zh"], v["en"]) for k, v in data["alternatives"].items()}
        answer = data["answer"]
        if answer is not None and answer not in alternatives:
            problems.append(doc.problem(here + ("answer",), f"answer {answer!r} is not one of its alternatives",
                                        hint=did_you_mean(str(answer), list(alternatives))
                                        or "one of: " + ", ".join(alternatives), code="unknown-alternative"))
            answer = None
        line, column = doc.locate(here)
        found[rid] = ReadingSpec(
            id=rid, pack=pack_id, provision=data["provision"], question_zh=data["question"]["zh"],
            question_en=data["question"]["en"], quote=data["quote"], answer=answer,
            alternatives=MappingProxyType(alternatives), why_zh=data["why"]["zh"], why_en=data["why"]["en"],
            at=(doc.file, line, column),
        )
    return found
