"""Performance-evaluation scoring: dimension scores in, weighted total and grade out.

Several documents list what a performance evaluation looks at — 吴政办发〔2023〕43号 第二十八条
(成本效益、应用效果、协同共享、安全保密、创新服务), 高政办发〔2020〕35号 第二十二条 — but none gives
weights or grade bands, so those are local parameters of the pack (``parameters``). A scoring rule
computes, exactly in Decimal, total = Σ weight × score / 100 with weights in percent, and the grade
from the pack's band table (a band's ``at_least`` is inclusive, like 以上). The total and grade become
facts that classification rules read (湖政办发〔2023〕40号 二（三）: 根据应用评价结果进行分类).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import Citation, Rule, Scoring

__all__ = ["DimensionScore", "ScoreResult", "compute_score", "derived_facts"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """One dimension's part of a total: its score, weight, weighted points and points lost."""

    fact: str
    score: Decimal | None
    weight: Decimal
    weight_param: str
    cites: tuple[Citation, ...]

    @property
    def weighted(self) -> Decimal | None:
        """Points this dimension adds to the total (weight × score / 100)."""
        return None if self.score is None else _exact(self.weight * self.score / _HUNDRED)

    @property
    def lost(self) -> Decimal | None:
        """Points of the total this dimension gives away against full marks (100)."""
        return None if self.score is None else _exact(self.weight * (_HUNDRED - self.score) / _HUNDRED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "score": None if self.score is None else _text(self.score),
            "weight": _text(self.weight),
            "weight_parameter": self.weight_param,
            "weighted": None if self.weighted is None else _text(self.weighted),
            "lost": None if self.lost is None else _text(self.lost),
            "citations": [c.label for c in self.cites],
        }


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A scoring rule's breakdown: per dimension, and the total and grade when every score is known."""

    dimensions: tuple[DimensionScore, ...]
    total: Decimal | None
    grade: str | None
    bands_param: str

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(d.fact for d in self.dimensions if d.score is None)

    def weakest(self) -> DimensionScore | None:
        """The dimension that lost the most points (the first, on a tie): what pulled the total down."""
        known = [d for d in self.dimensions if d.lost is not None]
        if not known:
            return None
        return max(known, key=lambda d: d.lost or Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        weakest = self.weakest()
        return {
            "total": None if self.total is None else _text(self.total),
            "grade": self.grade,
            "bands_parameter": self.bands_param,
            "weakest": None if weakest is None or weakest.lost == 0 else weakest.fact,
            "dimensions": [d.to_dict() for d in self.dimensions],
        }


def _exact(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (92.50 → 92.5, 100 → 100)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _text(value: Decimal) -> str:
    return f"{_exact(value):f}"


def compute_score(spec: Scoring, facts: Mapping[str, Any]) -> ScoreResult:
    """Score the project's dimension facts; total and grade stay None while any score is missing."""
    dims = tuple(DimensionScore(d.fact, facts.get(d.fact), d.weight, d.weight_param, d.cites)
                 for d in spec.dimensions)
    if any(d.score is None for d in dims):
        return ScoreResult(dims, None, None, spec.bands_param)
    # Weights are percentages summing to 100 (checked at load), so the division is exact.
    total = _exact(sum((d.weight * (d.score or Decimal(0)) for d in dims), Decimal(0)) / _HUNDRED)
    grade = spec.bands[-1].grade
    for band in spec.bands:
        if band.at_least is not None and total >= band.at_least:  # at_least reads as 以上: inclusive
            grade = band.grade
            break
    return ScoreResult(dims, total, grade, spec.bands_param)


def derived_facts(rules: Iterable[Rule], facts: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """Totals and grades the scoring ``rules`` compute: fact → (value, rule id).

    ``rules`` come nearest jurisdiction first; the first rule that computes a fact wins. Facts the
    project states itself are not overwritten — a stated evaluation result is the official one — and
    the scoring decision says where the two differ.
    """
    derived: dict[str, tuple[Any, str]] = {}
    for rule in rules:
        if rule.scoring is None:
            continue
        result = compute_score(rule.scoring, facts)
        if result.total is None:
            continue
        for name, value in ((rule.scoring.total, result.total), (rule.scoring.grade, result.grade)):
            if name not in derived and facts.get(name) is None:
                derived[name] = (value, rule.id)
    return derived
