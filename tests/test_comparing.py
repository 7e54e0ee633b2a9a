"""`govrules compare` and `govrules.comparing.compare`: one project under every jurisdiction."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

import govrules
from govrules import Status
from govrules.cli import main
from govrules.comparing import CATEGORIES, compare

AS_OF = date(2026, 6, 1)
# A city construction project of 860万元 whose contract was signed before 劳动节 2026 and not filed.
PROJECT = {
    "owner_unit_type": "administrative_unit", "funding_source": "fiscal", "subject_matter": "information_system",
    "is_classified": False, "project_type": "construction", "total_investment": "860万元",
    "managed_by_district": True, "contract_signed_on": "2026-04-30",
}


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


def test_every_jurisdiction_gets_a_column_built_from_its_own_report(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF)
    assert list(comparison.reports) == sorted(engine.jurisdictions())
    for j, report in comparison.reports.items():
        direct = engine.evaluate(PROJECT, j, AS_OF)
        assert report.to_json() == direct.to_json()
        for category in CATEGORIES:
            for entry in comparison.column(j, category):
                decision = direct.decision(entry.rule)
                assert decision.status is entry.status
                assert decision.status not in (Status.NOT_APPLICABLE, Status.UNKNOWN)


def test_deadlines_differ_by_jurisdiction_and_show_the_due_date(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "gaoping", "yaohai"])
    # 吴兴 第十五条 and 高平 第十五条第二款: 5 working days from 2026-04-30 across 劳动节 (5-09 is worked).
    wuxing = {e.rule: e for e in comparison.column("wuxing", "deadlines")}
    gaoping = {e.rule: e for e in comparison.column("gaoping", "deadlines")}
    assert any(e.due == date(2026, 5, 11) for e in wuxing.values())
    assert any(e.due == date(2026, 5, 11) for e in gaoping.values())
    assert comparison.column("yaohai", "deadlines") == ()
    # 吴兴's column includes its parent 湖州's decisions (pack metadata), 高平's does not.
    assert comparison.reports["wuxing"].packs[1].id == "huzhou"
    assert [p.id for p in comparison.reports["gaoping"].packs] == ["gaoping"]


def test_an_exclusion_lands_in_the_excludes_column(engine: govrules.Engine) -> None:
    duplicate = dict(PROJECT, duplicate_construction=True)
    comparison = compare(engine, duplicate, AS_OF, ["wuxing"])
    assert any(e.status is Status.APPLIES for e in comparison.column("wuxing", "excludes"))
    assert compare(engine, PROJECT, AS_OF, ["wuxing"]).column("wuxing", "excludes") == ()


def test_markdown_and_json_name_every_category_and_what_is_still_needed(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "quzhou"])
    table = comparison.to_markdown()
    assert [c.strip() for c in table.splitlines()[0].strip("|").split("|")] == [
        "类别", "湖州市吴兴区", engine.jurisdictions()["quzhou"]]
    for zh, _, _ in CATEGORIES.values():
        assert zh in table
    data = json.loads(comparison.to_json())
    assert set(data["jurisdictions"]) == {"wuxing", "quzhou"}
    for column in data["jurisdictions"].values():
        assert set(CATEGORIES) <= set(column)
        assert isinstance(column["undecided_facts"], list)
    with pytest.raises(KeyError):
        comparison.column("wuxing", "nonsense")


def test_cli_compare(tmp_path: Path) -> None:
    project = tmp_path / "p.json"
    project.write_text(json.dumps(PROJECT, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["compare", str(project), "-j", "wuxing", "-j", "gaoping", "--as-of", "2026-06-01",
                 "--format", "json"], out=out, err=err)
    # Exit 1 (issue 13): a column shows a violated or overdue decision (the contract of 2026-04-30 is
    # not filed by 2026-06-01).
    assert code == 1, err.getvalue()
    data = json.loads(out.getvalue())
    assert list(data["jurisdictions"]) == ["wuxing", "gaoping"]
    assert "overdue" in out.getvalue() or "violated" in out.getvalue()
    # Nothing violated or overdue (no contract date, as of the day it was stated): exit 0.
    quiet = tmp_path / "q.json"
    quiet.write_text(json.dumps({k: v for k, v in PROJECT.items() if k != "contract_signed_on"},
                                ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    code = main(["compare", str(quiet), "-j", "wuxing", "-j", "gaoping", "--as-of", "2026-06-01",
                 "--format", "json"], out=out, err=err)
    assert code == 0 and "overdue" not in out.getvalue() and "violated" not in out.getvalue(), out.getvalue()
    out = io.StringIO()
    code = main(["compare", str(project), "-j", "wuxin", "--as-of", "2026-06-01"], out=out, err=err)
    assert code == 2 and "wuxing" in err.getvalue() and "Traceback" not in err.getvalue()


# ---------------------------------------------------------------------------------------------
# Output people read (issue 15): place names, fact labels, a terminal form and an HTML form

def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_is_headed_by_place_names_one_decision_a_row_and_aligned(engine: govrules.Engine, lang: str) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "huzhou"])
    table = comparison.to_markdown(lang)
    lines = table.splitlines()
    head = _cells(lines[0])
    assert head == (["类别", "湖州市吴兴区", engine.jurisdictions()["huzhou"]] if lang == "zh" else
                    ["category", "湖州市吴兴区 (wuxing)", engine.jurisdictions()["huzhou"] + " (huzhou)"])
    assert "<br>" not in table
    # Aligned for a terminal: every line is as wide as the first, counting a CJK character as two.
    assert {_width(line) for line in lines} == {_width(lines[0])}
    assert all(len(_cells(line)) == 3 for line in lines)
    # One decision per row: the rows of a category under a jurisdiction are its entries, in order.
    rows = [_cells(line) for line in lines[2:]]
    title = CATEGORIES["requires"][0 if lang == "zh" else 1]
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    end = next(i for i, r in enumerate(rows[start + 1:], start + 1) if r[0])
    entries = comparison.column("wuxing", "requires")
    assert len(entries) > 1
    assert [r[1] for r in rows[start:end]] == [e.line(lang).replace("|", "\\|") for e in entries]
    # Each language its own status words: [适用] in Chinese, [applies] in English.
    shown, hidden = ("[适用]", "[applies]") if lang == "zh" else ("[applies]", "[适用]")
    assert any(r[1].endswith(shown) for r in rows[start:end]) and hidden not in table


def test_facts_still_needed_are_shown_by_their_labels(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing"])
    needed = comparison.undecided("wuxing")
    assert needed  # the project leaves facts out, so some rules are unknown
    vocab = engine.vocabulary
    for lang, label in (("zh", lambda f: vocab[f].zh), ("en", lambda f: vocab[f].en)):
        rows = [_cells(line) for line in comparison.to_markdown(lang).splitlines()[2:]]
        start = next(i for i, r in enumerate(rows) if r[0] in ("尚缺的事实", "facts still needed"))
        assert [r[1] for r in rows[start:]] == [label(f) for f in needed]
        text = comparison.to_text(lang)
        assert all(label(f) in text for f in needed)
    zh = comparison.to_markdown("zh") + comparison.to_text("zh")
    assert not [f for f in needed if f in zh]  # no fact id, only labels
    # The ids stay in the data for programs.
    assert json.loads(comparison.to_json())["jurisdictions"]["wuxing"]["undecided_facts"] == list(needed)
    assert json.loads(comparison.to_json())["jurisdictions"]["wuxing"]["name"] == "湖州市吴兴区"


def test_terminal_form_lists_each_category_then_each_place_one_decision_a_line(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "yaohai"])
    text = comparison.to_text()
    lines = text.splitlines()
    titles = [zh for zh, _, _ in CATEGORIES.values()] + ["尚缺的事实"]
    assert [line for line in lines if line in titles] == titles  # in order, unindented
    yaohai = engine.jurisdictions()["yaohai"]
    deadline = comparison.column("wuxing", "deadlines")[0]
    start = lines.index("期限")
    assert lines[start + 1] == "  湖州市吴兴区"
    assert lines[start + 2] == f"    {deadline.state()}  {deadline.title()}"
    assert "截止 2026-05-11" in lines[start + 2] and "逾期" in deadline.state()
    assert lines[start + 3].split() == [yaohai, "—"]  # nothing there: the place and a dash on one line
    # No line is wider than its own entry needs: the width does not grow with the number of places.
    longest = max(_width("    " + e.state() + "  " + e.title()) for j in comparison.reports for c in CATEGORIES
                  for e in comparison.column(j, c))
    assert max(_width(line) for line in lines) <= max(longest, _width(lines[0]))
    english = comparison.to_text("en")
    assert "overdue, due 2026-05-11" in english and "湖州市吴兴区 (wuxing)" in english


def test_html_form_is_headed_by_place_names_and_links_rules_to_the_pack_pages(engine: govrules.Engine) -> None:
    pytest.importorskip("jinja2")
    from html.parser import HTMLParser

    from markupsafe import escape

    from govrules.pages import rule_anchor

    hostile = dict(PROJECT, id="<script>alert(1)</script>")
    comparison = compare(engine, hostile, AS_OF, ["wuxing", "gaoping"])
    page = comparison.to_html()

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.heads: list[str] = []
            self.links: list[str] = []
            self.titles: list[str] = []
            self._in_th = False
            self.scripts = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            self._in_th = tag == "th" and (a.get("id") or "").startswith("j-")
            if tag == "a":
                self.links.append(a["href"] or "")
            if tag == "li" and a.get("title"):
                self.titles.append(a["title"] or "")
            self.scripts += tag == "script"

        def handle_data(self, data: str) -> None:
            if self._in_th:
                self.heads.append(data)
                self._in_th = False

    parser = Parser()
    parser.feed(page)
    assert parser.heads == ["湖州市吴兴区", engine.jurisdictions()["gaoping"]]
    assert parser.scripts == 0 and "&lt;script&gt;" in page
    expected = [f"{e.pack}.html#{rule_anchor(e.rule)}" for c in CATEGORIES
                for j in ("wuxing", "gaoping") for e in comparison.column(j, c)]
    assert sorted(parser.links) == sorted(expected) and expected
    # Facts by label, the id kept in the title attribute.
    needed = [f for j in ("wuxing", "gaoping") for f in comparison.undecided(j)]
    assert parser.titles == needed
    assert all(str(escape(engine.vocabulary[f].zh)) in page for f in needed)


def test_cli_compare_table_and_html_forms(tmp_path: Path) -> None:
    project = tmp_path / "p.json"
    project.write_text(json.dumps(PROJECT, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["compare", str(project), "-j", "wuxing", "--as-of", "2026-06-01", "--format", "table"],
                out=out, err=err)
    assert code == 1 and out.getvalue().splitlines()[0] == "项目 （未命名项目） · 评估日期 2026-06-01"
    assert "\n需要的审批、审查和义务\n  湖州市吴兴区\n" in out.getvalue()
    pytest.importorskip("jinja2")
    page = tmp_path / "compare.html"
    out = io.StringIO()
    code = main(["compare", str(project), "-j", "wuxing", "--as-of", "2026-06-01", "--format", "html",
                 "-o", str(page)], out=out, err=err)
    assert code == 1 and out.getvalue() == ""
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
