"""Tests of the literate pack pages (``govrules docs``): anchors, escaping, self-containment, a real browser.

The browser test loads the pages in headless Chromium through Selenium. Without a browser it is
skipped with the reason, unless GOVRULES_REQUIRE_OPTIONAL=1 or GOVRULES_REQUIRE_BROWSER=1 (as in CI),
where it fails instead (``tests/optional.py``).
"""

from __future__ import annotations

import hashlib
import html.parser
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from optional import missing
from toolpacks import write_demo

import govrules
from govrules.cli import main
from govrules.coverage import measure
from govrules.pages import anchor_ids, chinese_number, provision_anchor, render_pack, rule_anchor, write_site

REPO = Path(__file__).resolve().parents[1]
POLICIES = REPO / "policies"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


class _Page(html.parser.HTMLParser):
    """What a page contains: element ids, links, tags, and any external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[tuple[str, dict[str, str]]] = []
        self.tags: list[str] = []
        self.external: list[str] = []
        self.rows: list[dict[str, str]] = []
        self.rules: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append((a["href"], a))
        if tag == "section" and "data-label" in a:
            self.rows.append(a)
        if tag == "article" and "data-rule" in a:
            self.rules.append(a)
        for key in ("src", "href"):
            if key in a and (":" in a[key].split("#")[0] or a[key].startswith("//")):
                self.external.append(a[key])


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled packs with the outline demo pack beside them."""
    root = tmp_path_factory.mktemp("policies")
    for pack in POLICIES.iterdir():
        if (pack / "pack.yaml").is_file():
            shutil.copytree(pack, root / pack.name)
    write_demo(root)
    return root


@pytest.fixture(scope="module")
def site(policies: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every pack of ``policies`` rendered into one directory."""
    out = tmp_path_factory.mktemp("site")
    write_site(measure(policies), out)
    return out


def _pack_ids(site: Path) -> list[str]:
    return sorted(p.stem for p in site.glob("*.html") if p.stem not in ("index", "coverage"))


# -- anchors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("十三", 13), ("二十", 20), ("二十一", 21), ("三十三", 33), ("一百零五", 105),
    ("12", 12), ("甲", None),
])
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(("path", "anchor"), [
    (["第十三条", "第一款"], "p-art13-par1"),
    (["第八条", "（一）"], "p-art8-p1"),
    (["第三条", "第一款", "（二）"], "p-art3-par1-p2"),
    (["第三十三条"], "p-art33"),
    (["二", "（二）", "6"], "p-c2-p2-n6"),
    (["一、"], "p-c1"),
    (["第二章", "第五节"], "p-ch2-sec5"),
    (["②"], "p-q2"),
])
def test_provision_anchors_are_ascii_and_readable(path: list[str], anchor: str) -> None:
    assert provision_anchor(path) == anchor


def test_named_and_unnumbered_parts_stay_ascii_and_stable() -> None:
    assert provision_anchor(["附则", "第一条"]) == "p-final-art1"
    assert provision_anchor(["序言"]) == "p-preamble"
    assert provision_anchor(["三", "（四）", "第二段"]) == "p-c3-p4-seg2"
    anchor = provision_anchor(["二", "（二）", "不予受理的情形", "1"])
    assert anchor == "p-c2-p2-h" + hashlib.sha256("不予受理的情形".encode()).hexdigest()[:8] + "-n1"
    assert anchor.isascii() and anchor != provision_anchor(["二", "（二）", "优先列入的情形", "1"])


def test_every_provision_of_every_pack_gets_a_distinct_anchor() -> None:
    for pack in govrules.load(POLICIES).packs:
        ids = anchor_ids(pack)
        assert set(ids) == set(pack.provisions)
        assert len(set(ids.values())) == len(ids), pack.id
        assert all(i.isascii() and " " not in i for i in ids.values())


def test_rule_anchor_escapes_non_ascii() -> None:
    assert rule_anchor("wuxing.approval.feasibility_study") == "r-wuxing.approval.feasibility_study"
    assert rule_anchor("a b").isascii() and " " not in rule_anchor("a b")


# -- static checks of the pages ------------------------------------------------------------------


def test_site_has_an_index_linking_every_pack(site: Path) -> None:
    index = parse((site / "index.html").read_text(encoding="utf-8"))
    linked = sorted(href.removesuffix(".html") for href, a in index.links if "pack-link" in a.get("class", ""))
    assert linked == _pack_ids(site)
    assert "wuxing" in linked and "demo" in linked
    assert any(href == "coverage.html" for href, _ in index.links) and (site / "coverage.html").is_file()


def test_each_page_shows_every_provision_and_rule_with_working_links(site: Path) -> None:
    for pack_id in _pack_ids(site):
        page = parse((site / f"{pack_id}.html").read_text(encoding="utf-8"))
        ids = set(page.ids)
        assert len(page.ids) == len(ids), f"{pack_id}: duplicate ids"
        for href, _ in page.links:
            if href.startswith("#"):
                assert href[1:] in ids, f"{pack_id}: link {href} has no target"
        cites = [href for href, a in page.links if "cite" in a.get("class", "").split()]
        rows = {r["id"] for r in page.rows}
        assert cites and all(h[1:] in rows for h in cites), pack_id
        assert page.rules, pack_id


def test_wuxing_page_has_each_registry_provision_and_rule(site: Path) -> None:
    pack = next(p for p in govrules.load(POLICIES).packs if p.id == "wuxing")
    page = parse((site / "wuxing.html").read_text(encoding="utf-8"))
    assert [r["data-label"] for r in page.rows] == list(pack.provisions)
    assert sorted(r["data-rule"] for r in page.rules) == sorted(r.id for r in pack.rules)
    text = (site / "wuxing.html").read_text(encoding="utf-8")
    # A rule's condition in plain language, and a provision's reason for not being evaluable.
    assert "总投资500万元以上" in text
    assert pack.provisions["第一条"].reason in text


def test_pages_are_self_contained(site: Path) -> None:
    for path in site.glob("*.html"):
        page = parse(path.read_text(encoding="utf-8"))
        assert page.external == [], path.name
        assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags, path.name
        assert "style" in page.tags


def test_pack_text_is_escaped_never_markup(site: Path) -> None:
    text = (site / "demo.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;原则&lt;/b&gt;" in text and "<b>原则</b>" not in text
    assert "&lt;em&gt;系统&lt;/em&gt;" in text


def test_outline_page_shows_statuses_reasons_and_failing_cases(site: Path) -> None:
    text = (site / "demo.html").read_text(encoding="utf-8")
    page = parse(text)
    assert [r["id"] for r in page.rows] == ["p-c1", "p-c2", "p-c2-p1", "p-c2-p2", "p-c2-p2-n1", "p-c2-p2-n2", "p-c3"]
    assert "不可评估：宣示性" in text
    assert "✘ 未通过 故意写错的期望" in text
    assert "覆盖率 Coverage <strong>25.0%</strong>" in text


def test_render_is_deterministic_and_free_of_machine_paths(tmp_path: Path) -> None:
    write_demo(tmp_path)
    first = render_pack(measure(tmp_path).pack("demo"))
    assert first == render_pack(measure(tmp_path).pack("demo"))
    assert str(tmp_path) not in first and "tests/test_feasibility.yaml:4" in first


def test_docs_command_writes_pages_and_reports_bad_output(tmp_path: Path) -> None:
    code, out, _ = run("docs", str(POLICIES), "--output", str(tmp_path / "site"))
    assert code == 0
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "wuxing.html").is_file()
    assert "index.html" in out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run("docs", str(POLICIES), "--output", str(blocker / "site"))
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    code, _, err = run("docs", str(tmp_path / "nowhere"), "--output", str(tmp_path / "s2"))
    assert code == 4 and "no rule pack found" in err


# -- a real browser ------------------------------------------------------------------------------


def _browser() -> tuple[str, str] | str:
    """The Chromium and chromedriver binaries, or why there are none."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    binary = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        return "no Chromium/chromedriver on PATH (apt-get install chromium chromium-driver)"
    return binary, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    found = _browser()
    if isinstance(found, str):
        if os.environ.get("GOVRULES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GOVRULES_REQUIRE_BROWSER=1 but {found}")
        missing(found)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


_CHECK_LINKS = """
const ids = new Set([...document.querySelectorAll('[id]')].map(e => e.id));
const broken = [...document.querySelectorAll('a[href^="#"]')]
  .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id));
const cites = [...document.querySelectorAll('article.rule')].map(r => ({
  rule: r.dataset.rule,
  targets: [...r.querySelectorAll('a.cite')].map(a => {
    const t = document.getElementById(a.getAttribute('href').slice(1));
    return t ? t.tagName + ':' + (t.dataset.label || '') : null;
  })}));
return {ids: [...ids], broken: broken, cites: cites,
        rows: [...document.querySelectorAll('section.row')].map(s => s.id)};
"""


def test_pages_in_a_real_browser(browser: Any, site: Path, policies: Path) -> None:
    """Every provision anchor exists, every rule cites existing provision anchors, no console errors."""
    packs = {p.id: p for p in govrules.load(policies).packs}
    assert sorted(packs) == _pack_ids(site)
    for pack_id in _pack_ids(site):
        browser.get((site / f"{pack_id}.html").as_uri())
        result = browser.execute_script(_CHECK_LINKS)
        assert result["broken"] == [], f"{pack_id}: links without target {result['broken']}"
        assert result["cites"], pack_id
        for card in result["cites"]:
            assert card["targets"], f"{pack_id}: rule {card['rule']} cites nothing"
            assert all(t is not None and t.startswith("SECTION:") for t in card["targets"]), card
        pack = packs[pack_id]
        expected = anchor_ids(pack)
        assert result["rows"] == [expected[label] for label in pack.provisions]
        assert {rule_anchor(r.id) for r in pack.rules} <= set(result["ids"])
        assert sorted(card["rule"] for card in result["cites"]) == sorted(r.id for r in pack.rules)
        for card in result["cites"]:
            cited = [c.label for c in pack.rule(card["rule"]).cites]
            assert [t.split(":", 1)[1] for t in card["targets"]] == cited
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], f"{pack_id}: console errors {severe}"
    for extra in ("coverage.html", "index.html"):
        browser.get((site / extra).as_uri())
        assert browser.execute_script(_CHECK_LINKS)["broken"] == [], extra
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == [], extra
    assert browser.execute_script("return document.querySelectorAll('a.pack-link').length") == len(_pack_ids(site))


def test_fragment_navigation_and_printing(browser: Any, site: Path) -> None:
    browser.get((site / "wuxing.html").as_uri() + "#p-art13-par1")
    top = browser.execute_script("return document.getElementById('p-art13-par1').getBoundingClientRect().top")
    assert abs(top) < 5, "the browser scrolled to the provision"
    assert browser.execute_script("return window.scrollY") > 0
    pdf = browser.print_page()  # base64 PDF: the page prints
    assert isinstance(pdf, str) and len(pdf) > 1000
    import base64

    assert base64.b64decode(pdf)[:5] == b"%PDF-"


_COMPARE_LINKS = """
return {heads: [...document.querySelectorAll('thead th[id^="j-"]')].map(th => th.textContent),
        links: [...document.querySelectorAll('table.compare a')].map(a => a.getAttribute('href'))};
"""


def test_compare_page_beside_the_pack_pages_links_each_rule_to_its_card(browser: Any, site: Path,
                                                                        tmp_path: Path) -> None:
    """``govrules compare --format html -o DIR/compare.html`` beside ``govrules docs`` pages: every rule
    link opens the rule's card on its pack's page."""
    beside = tmp_path / "site"
    shutil.copytree(site, beside)
    project = REPO / "examples" / "wuxing-project.yaml"
    code, _, err = run("compare", str(project), "-j", "wuxing", "-j", "gaoping", "--as-of", "2026-06-01",
                       "--format", "html", "-o", str(beside / "compare.html"))
    assert code in (0, 1), err
    browser.get((beside / "compare.html").as_uri())
    found = browser.execute_script(_COMPARE_LINKS)
    names = govrules.load().jurisdictions()
    assert found["heads"] == [names["wuxing"], names["gaoping"]] == ["湖州市吴兴区", names["gaoping"]]
    assert found["links"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    by_page: dict[str, list[str]] = {}
    for href in found["links"]:
        page, _, anchor = href.partition("#")
        by_page.setdefault(page, []).append(anchor)
    assert set(by_page) <= {f"{p}.html" for p in _pack_ids(site)} and {"wuxing.html", "gaoping.html"} <= set(by_page)
    for page, anchors in by_page.items():
        browser.get((beside / page).as_uri())
        missing_ids = browser.execute_script(
            "return arguments[0].filter(id => !document.getElementById(id) "
            "|| !document.getElementById(id).matches('article.rule'));", anchors)
        assert missing_ids == [], f"{page}: {missing_ids}"


def _english_conditions(page: str) -> list[str]:
    """The English lines under 适用条件 and 要求 of every rule card of a page."""
    found: list[str] = []

    class Parser(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.in_dd = 0
            self.in_en = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "dd":
                self.in_dd += 1
            elif tag == "div" and self.in_dd and ("class", "en") in attrs:
                self.in_en = True
                found.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "dd":
                self.in_dd -= 1
            elif tag == "div":
                self.in_en = False

        def handle_data(self, data: str) -> None:
            if self.in_en:
                found[-1] += data

    Parser().feed(page)
    return found


def test_english_conditions_show_enum_labels_not_ids(site: Path) -> None:
    """huzhou 二（二）: owner_unit_type in [administrative_unit, fiscal_public_institution, …] reads
    "administrative unit, public institution funded by the budget, …" in English."""
    vocab = govrules.load().vocabulary
    owner = vocab["owner_unit_type"]
    english = _english_conditions((site / "huzhou.html").read_text(encoding="utf-8"))
    assert english
    text = "\n".join(english)
    assert "fiscal_public_institution" not in text and "administrative_unit" not in text
    assert owner.value_label("fiscal_public_institution", "en") == "public institution funded by the budget"
    assert "public institution funded by the budget" in text
    # Every enum id a condition of any pack compares with is shown by its English label.
    ids = {v for f in vocab.values() for v in f.values if "_" in v}  # ids no English label contains
    for pack_id in _pack_ids(site):
        shown = "\n".join(_english_conditions((site / f"{pack_id}.html").read_text(encoding="utf-8")))
        # (whole words: a reading id such as quzhou_self_raised_funds may contain an enum id)
        assert not [v for v in ids if re.search(rf"(?<![A-Za-z_]){v}(?![A-Za-z_])", shown)], pack_id


def test_every_enum_value_has_an_english_label_and_a_stray_one_is_refused() -> None:
    vocab = govrules.load().vocabulary
    for fact in vocab.values():
        assert set(fact.values_en) == set(fact.values), fact.name
        assert all(label and label.isascii() for label in fact.values_en.values()), fact.name
    stray = b"facts:\n  kind:\n    type: enum\n    zh: k\n    en: kind\n    values: {a: A}\n    values_en: {b: B}\n"
    with pytest.raises(govrules.PackError) as caught:
        govrules.Vocabulary.from_bytes(stray, "facts.yaml")
    [problem] = caught.value.problems
    assert problem.line == 7 and problem.path == ("facts", "kind", "values_en")
    ok = govrules.Vocabulary.from_bytes(stray.replace(b"{b: B}", b"{a: Ay}"), "facts.yaml")
    assert ok["kind"].value_label("a", "en") == "Ay" and ok["kind"].value_label("a") == "A"
    # Without an English label the id is shown, never nothing.
    bare = govrules.Vocabulary.from_bytes(stray.replace(b"    values_en: {b: B}\n", b""), "facts.yaml")
    assert bare["kind"].value_label("a", "en") == "a"
