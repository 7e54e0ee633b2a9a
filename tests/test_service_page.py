"""The project page of ``govrules serve`` in headless Chromium, against a real server process.

Fill the form generated from the fact vocabulary, see the library's decisions grouped by status with
their provisions, due dates, missing facts and local parameters; enter a bad amount, see that field's
message. Skipped without Selenium/Chromium unless GOVRULES_REQUIRE_OPTIONAL=1 (tests/optional.py).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

import pytest
from optional import need

need("fastapi", "pip install 'govrules[service]'")
need("uvicorn", "pip install 'govrules[service]'")

from test_pages import browser  # noqa: E402,F401 - the headless Chromium fixture

import govrules  # noqa: E402
from govrules.cli import _STATUS_ORDER  # noqa: E402
from govrules.report import Status  # noqa: E402
from govrules.service.process import ServerProcess  # noqa: E402

AS_OF = "2026-06-01"
CHOICES = {"owner_unit_type": "administrative_unit", "funding_source": "fiscal", "project_type": "construction",
           "is_key_project": "true"}
SCORES = ("eval_cost_benefit", "eval_application_effect", "eval_collaboration_sharing",
          "eval_security_confidentiality", "eval_innovation_service")
TYPED = {"budget_amount": "600万元", "name": "一网通办平台", **{name: "85" for name in SCORES}}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def _wait(driver: Any, script: str, timeout: float = 120) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: d.execute_script(script))


def _open_form(driver: Any, url: str) -> None:
    driver.get(url + "/")
    _wait(driver, "return document.body.dataset.ready === 'true'")
    driver.execute_script("document.getElementById('jurisdiction').value = 'wuxing';"
                          "document.getElementById('jurisdiction').dispatchEvent(new Event('change'));"
                          f"document.getElementById('as_of').value = '{AS_OF}';")


def _submit(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    driver.execute_script("delete document.getElementById('result').dataset.done")
    driver.find_element(By.ID, "evaluate").click()
    _wait(driver, "return document.getElementById('result').dataset.done !== undefined")


def _fill(driver: Any, typed: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in CHOICES.items():
        Select(driver.find_element(By.ID, f"fact-{name}")).select_by_value(value)
    for name, value in typed.items():
        field = driver.find_element(By.ID, f"fact-{name}")
        field.clear()
        field.send_keys(value)


_SHOWN = """
const groups = {};
for (const section of document.querySelectorAll('section.status-group')) {
  groups[section.dataset.status] = [...section.querySelectorAll('article.decision')].map(a => ({
    rule: a.dataset.rule,
    due: (a.querySelector('dd.due') || {}).textContent || null,
    missing: (a.querySelector('dd.missing') || {}).textContent || null,
    parameters: (a.querySelector('dd.parameters') || {}).textContent || null,
    quotes: [...a.querySelectorAll('blockquote')].map(q => q.textContent),
    links: [...a.querySelectorAll('.citation a')].map(l => l.getAttribute('href')),
  }));
}
return groups;
"""


_AS_FORMAT_1 = """
const done = arguments[arguments.length - 1];
const report = structuredClone(state.report);
for (const d of report.decisions) {
  d.citations = d.citations.map((c) => (typeof c === "number" ? report.provisions[c] : c));
  for (const [key, empty] of [["missing", []], ["due", null], ["exception_to", null], ["overridden_by", null]]) {
    if (!(key in d)) d[key] = empty;
  }
}
delete report.provisions;
report.format = 1;
renderReport(report).then(() => done(true));
"""


def test_fill_the_form_and_see_the_librarys_decisions(browser: Any, server: ServerProcess) -> None:  # noqa: F811
    _open_form(browser, server.url)
    label = browser.execute_script("return document.querySelector('label[for=fact-budget_amount]').textContent")
    assert label.startswith(govrules.default_vocabulary()["budget_amount"].zh), label  # the Chinese label first
    options = browser.execute_script(
        "return [...document.querySelectorAll('#fact-owner_unit_type option')].map(o => o.textContent)")
    assert "行政单位（administrative_unit）" in options
    _fill(browser, TYPED)
    _submit(browser)
    assert browser.execute_script("return document.getElementById('banner').textContent") == ""
    shown = browser.execute_script(_SHOWN)

    project = {**CHOICES, **TYPED, "is_key_project": True}
    engine = govrules.load()
    report = engine.evaluate(project, "wuxing", _dt.date(2026, 6, 1))
    vocab = govrules.default_vocabulary()
    expected = {s.value: [d for d in report.decisions if d.status is s] for s in Status}
    assert {s: [c["rule"] for c in cards] for s, cards in shown.items()} == {
        s: [d.rule for d in ds] for s, ds in expected.items() if ds}
    order = browser.execute_script("return [...document.querySelectorAll('section.status-group')].map(s => s.dataset.status)")
    assert order == [s.value for s in _STATUS_ORDER if expected[s.value]]  # as govrules evaluate prints them
    for status, decisions in expected.items():
        for decision, card in zip(decisions, shown.get(status, []), strict=True):
            assert card["quotes"] == [c.text for c in decision.citations], decision.rule
            assert all(link.startswith(f"/packs/{decision.pack}.html#p-") for link in card["links"]), card["links"]
            if decision.due is not None:
                assert card["due"].startswith(decision.due.isoformat()), decision.rule
            if decision.missing:
                assert all(vocab[name].zh in card["missing"] for name in decision.missing), decision.rule
            for name in decision.local_parameters:
                parameter = next(p.parameters[name] for p in engine.packs if name in p.parameters)
                assert f"{parameter.zh}：{parameter.display()}" in card["parameters"], decision.rule
    assert any(d.missing for ds in expected.values() for d in ds), "the project leaves some facts unknown"
    assert any(d.local_parameters for d in report.decisions), "some decision rests on a local parameter"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    # the same report in the layout of report format 1 (each decision quoting its provisions, every
    # key written) is shown the same: the page reads a report of either layout
    browser.execute_async_script(_AS_FORMAT_1)
    assert browser.execute_script(_SHOWN) == shown

    # a citation link leads to the provision on the pack's page
    link = next(c["links"][0] for cards in shown.values() for c in cards if c["links"])
    browser.get(server.url + link)
    anchor = link.split("#", 1)[1]
    assert browser.execute_script(f"return document.getElementById('{anchor}') !== null")


def test_a_bad_amount_shows_that_fields_message(browser: Any, server: ServerProcess) -> None:  # noqa: F811
    _open_form(browser, server.url)
    _fill(browser, {**TYPED, "budget_amount": "五百万"})
    _submit(browser)
    message = browser.execute_script("return document.getElementById('error-budget_amount').textContent")
    problem = server.post("/v1/evaluate", {"project": {**CHOICES, **TYPED, "budget_amount": "五百万",
                                                       "is_key_project": True},
                                           "jurisdiction": "wuxing", "as_of": AS_OF}).json()["problems"]
    assert [p["field"] for p in problem] == ["budget_amount"]
    assert problem[0]["message"] in message
    assert browser.execute_script(
        "return document.getElementById('fact-budget_amount').getAttribute('aria-invalid')") == "true"
    assert browser.execute_script("return document.querySelectorAll('article.decision').length") == 0
    # the other fields carry no message
    others = browser.execute_script(
        "return [...document.querySelectorAll('.field-error')].filter(e => e.textContent && e.id !== 'error-budget_amount').length")
    assert others == 0
    # corrected, the decisions come back and the message goes
    _fill(browser, TYPED)
    _submit(browser)
    assert browser.execute_script("return document.getElementById('error-budget_amount').textContent") == ""
    assert browser.execute_script("return document.querySelectorAll('article.decision').length") > 0
