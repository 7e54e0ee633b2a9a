"""Literate pack pages: each document provision by provision, beside the rules and tests behind it.

``govrules docs`` writes one static HTML page per pack and an index. A page needs no network and no
JavaScript (inline CSS, printable), so a policy officer and a lawyer can review it together, offline.
Everything shown is escaped by Jinja2's autoescaping; anchors are ASCII ids derived from provision
paths and rule ids, stable as long as the labels are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conditions import describe
from .coverage import CoverageReport, CoverageStatus, PackCoverage
from .errors import GovrulesError
from .model import Pack, Rule
from .vocabulary import Vocabulary, default_vocabulary

__all__ = ["PagesUnavailable", "anchor_ids", "provision_anchor", "render_comparison", "render_coverage",
           "render_index", "render_pack", "rule_anchor", "write_site"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
# One path component and the ASCII prefix for its shape: 第N条 → art, 第N款 → par, 第N项 → item,
# 第N章/节 → ch/sec, （N）/(N) → p, bare N (Chinese numeral, outline level one) → c, Arabic N or N. → n,
# circled ①… → q.
_SHAPES = (
    (re.compile(rf"^第([{_CN}]+|\d+)条$"), "art"),
    (re.compile(rf"^第([{_CN}]+|\d+)款$"), "par"),
    (re.compile(rf"^第([{_CN}]+|\d+)项$"), "item"),
    (re.compile(rf"^第([{_CN}]+|\d+)章$"), "ch"),
    (re.compile(rf"^第([{_CN}]+|\d+)节$"), "sec"),
    (re.compile(rf"^第([{_CN}]+|\d+)段$"), "seg"),
    (re.compile(rf"^附件([{_CN}]+|\d+)$"), "annex"),
    (re.compile(rf"^[（(]([{_CN}]+|\d+)[）)]$"), "p"),
    (re.compile(rf"^([{_CN}]+)[、.．]?$"), "c"),
    (re.compile(r"^(\d+)[.．、]?$"), "n"),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: Unnumbered parts that documents commonly have, by a readable name.
_NAMED = {"序言": "preamble", "前言": "preamble", "主送": "addressees", "落款": "signature", "附则": "final",
          "附件": "annex", "总则": "general"}


class PagesUnavailable(GovrulesError):
    """Rendering HTML needs Jinja2, an optional dependency (``pip install 'govrules[docs]'``)."""


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral up to 9999 (十三 → 13, 二十 → 20, 一百零五 → 105), else None."""
    if text.isdigit():
        return int(text)
    total, current = 0, None
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if current is None else current) * _UNITS[ch]
            current = None
        else:
            return None
    return total + (current or 0)


def _component(part: str) -> str:
    for pattern, prefix in _SHAPES:
        match = pattern.match(part)
        if match:
            number = chinese_number(match.group(1))
            if number is not None:
                return f"{prefix}{number}"
    if len(part) == 1 and part in _CIRCLED:
        return f"q{_CIRCLED.index(part) + 1}"
    if part in _NAMED:
        return _NAMED[part]
    # Anything else (不予受理的情形 …): a short digest of the text, ASCII and stable with the label.
    return "h" + hashlib.sha256(part.encode("utf-8")).hexdigest()[:8]


def provision_anchor(path: Sequence[str]) -> str:
    """The HTML id of a provision, e.g. [第十三条, 第一款] → ``p-art13-par1``, [二, （二）, 6] → ``p-c2-p2-n6``."""
    return "p-" + "-".join(_component(part) for part in path)


def anchor_ids(pack: Pack) -> dict[str, str]:
    """Label → anchor for every provision of ``pack``; a clash (第13条 beside 第十三条) gets a digest suffix."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for label, provision in pack.provisions.items():
        anchor = provision_anchor(provision.path)
        if anchor in used:
            anchor += "-h" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]
        used.add(anchor)
        ids[label] = anchor
    return ids


def rule_anchor(rule_id: str) -> str:
    """The HTML id of a rule: ``r-`` and the rule id, any character outside [A-Za-z0-9_.-] in hex."""
    return "r-" + "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_.-") else f"x{ord(ch):x}"
                          for ch in rule_id)


@dataclass(frozen=True, slots=True)
class _RuleView:
    rule: Rule
    anchor: str
    primary: bool            # the first provision it cites: the full card is shown there
    cites: tuple[tuple[str, str], ...]  # (label, anchor)
    when_zh: str | None
    when_en: str | None
    require_zh: str | None
    require_en: str | None
    deadline_zh: str | None
    exception_anchor: str | None


def _rule_view(rule: Rule, anchors: Mapping[str, str], vocab: Vocabulary, primary: bool) -> _RuleView:
    deadline = None
    if rule.deadline is not None:
        d = rule.deadline
        start = vocab[d.start].zh if d.start in vocab else d.start
        done = "、".join(vocab[n].zh if n in vocab else n for n in d.done)
        deadline = f"自{start}起{d.within.describe()}内" + (f"完成（{done}）" if done else "")
    return _RuleView(
        rule=rule, anchor=rule_anchor(rule.id), primary=primary,
        cites=tuple((c.label, anchors.get(c.label, "")) for c in rule.cites),
        when_zh=describe(rule.when, vocab, "zh") if rule.when is not None else None,
        when_en=describe(rule.when, vocab, "en") if rule.when is not None else None,
        require_zh=describe(rule.require, vocab, "zh") if rule.require is not None else None,
        require_en=describe(rule.require, vocab, "en") if rule.require is not None else None,
        deadline_zh=deadline,
        exception_anchor=rule_anchor(rule.exception_to) if rule.exception_to else None,
    )


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:  # pragma: no cover - exercised only without the extra installed
        raise PagesUnavailable("HTML pages need Jinja2: pip install 'govrules[docs]'") from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("govrules", "templates"),
        autoescape=True,  # every value is escaped: pack text is data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["status_zh"] = _STATUS_ZH
    env.globals["rule_anchor"] = rule_anchor
    return env


_STATUS_ZH = {
    CoverageStatus.TESTED.value: "已编码并测试",
    CoverageStatus.ENCODED.value: "已编码、未测试",
    CoverageStatus.NOT_ENCODED.value: "未编码",
    CoverageStatus.NOT_EVALUABLE.value: "不可评估",
}


def render_pack(coverage: PackCoverage, vocab: Vocabulary | None = None) -> str:
    """The literate page of one pack: each provision, its rules (conditions in words) and its tests."""
    vocab = vocab or default_vocabulary()
    pack = coverage.pack
    anchors = anchor_ids(pack)
    shown: set[str] = set()
    rows = []
    for prov in coverage.provisions:
        views = []
        for rule_id in prov.rules:
            rule = pack.rule(rule_id)
            views.append(_rule_view(rule, anchors, vocab, primary=rule_id not in shown))
            shown.add(rule_id)
        readings = [(spec, [r.id for r in pack.rules if spec.id in r.readings()])
                    for spec in pack.readings.values() if spec.provision == prov.label]
        rows.append({"p": prov, "anchor": anchors[prov.label], "rules": views,
                     "inherited": [(r, rule_anchor(r)) for r in prov.inherited_rules], "readings": readings})
    return str(_environment().get_template("pack.html.j2").render(
        pack=pack, coverage=coverage, counts=coverage.counts(), percent=f"{coverage.percent:.1f}", rows=rows))


def render_index(report: CoverageReport) -> str:
    """The index page: every pack with its document, version and coverage."""
    return str(_environment().get_template("index.html.j2").render(
        packs=[(c, f"{c.percent:.1f}", f"{c.pack.id}.html") for c in report.packs]))


def render_coverage(report: CoverageReport) -> str:
    """The coverage report as one HTML page (``govrules coverage --format html``)."""
    packs = [(c, f"{c.percent:.1f}", anchor_ids(c.pack)) for c in report.packs]
    return str(_environment().get_template("coverage.html.j2").render(
        packs=packs, percent=f"{report.percent:.1f}"))


def render_comparison(comparison: Any, lang: str = "zh") -> str:
    """``govrules compare --format html``: the comparison as a page in the style of the pack pages,
    headed by place names, facts by their labels; each rule links to its card on ``<pack>.html``."""
    from .comparing import CATEGORIES

    zh = lang == "zh"
    names = list(comparison.reports)
    categories = [(title_zh if zh else title_en, [comparison.column(j, c) for j in names])
                  for c, (title_zh, title_en, _) in CATEGORIES.items()]
    undecided = [[(f, comparison.fact_label(f, lang)) for f in comparison.undecided(j)] for j in names]
    return str(_environment().get_template("compare.html.j2").render(
        zh=zh, lang=lang, heading="各辖区对照" if zh else "The project under each jurisdiction",
        project=comparison.project_id or ("（未命名项目）" if zh else "(unnamed project)"),
        as_of=comparison.as_of.isoformat(), places=[(j, comparison.place(j, lang)) for j in names],
        categories=categories, undecided=undecided))


def write_site(report: CoverageReport, output: Path, vocab: Vocabulary | None = None) -> list[Path]:
    """Write one ``<pack>.html`` per pack, ``coverage.html`` and ``index.html``; return the files written."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for coverage in report.packs:
        path = output / f"{coverage.pack.id}.html"
        path.write_text(render_pack(coverage, vocab), encoding="utf-8")
        written.append(path)
    report_page = output / "coverage.html"
    report_page.write_text(render_coverage(report), encoding="utf-8")
    written.append(report_page)
    index = output / "index.html"
    index.write_text(render_index(report), encoding="utf-8")
    written.append(index)
    return written
