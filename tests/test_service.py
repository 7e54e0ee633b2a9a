"""``govrules serve``: a real server process on a free port, spoken to over HTTP.

The answers must be the library's: /v1/evaluate gives ``Report.to_json()`` for every case project of
every pack, /v1/compare ``Comparison.to_json()``. Errors are RFC 9457 problem documents with the
library's structured problems; limits hold on both sides of their boundary; a reload that does not
load keeps the old packs; ``--log`` writes the CLI's audit log.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from optional import missing, need

need("fastapi", "pip install 'govrules[service]'")
need("uvicorn", "pip install 'govrules[service]'")

import jsonschema  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import govrules  # noqa: E402
from govrules.audit import read_log  # noqa: E402
from govrules.casetests import find_case_files, load_case_file  # noqa: E402
from govrules.cli import main  # noqa: E402
from govrules.comparing import compare  # noqa: E402
from govrules.errors import ProjectError  # noqa: E402
from govrules.service.process import ServerProcess  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
POLICIES = REPO / "policies"
AS_OF = "2026-06-01"
PROJECT = {"id": "WX-1", "name": "一网通办平台", "owner_unit_type": "administrative_unit", "funding_source": "fiscal",
           "project_type": "construction", "budget_amount": "600万元"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


def as_json(value: Any) -> Any:
    """A case's project as a client would send it: exact decimals as text, dates ISO."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def problem_of(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status == status, answer
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["title"] and body["title_zh"]
    assert "Traceback" not in answer.text
    return body  # type: ignore[no-any-return]


# -- the same answers as the library -----------------------------------------------------------


def test_evaluate_gives_the_librarys_report_for_every_case_of_every_pack(server: ServerProcess,
                                                                       engine: govrules.Engine) -> None:
    cases = [case for path in find_case_files(POLICIES) for case in load_case_file(path, engine)]
    assert len(cases) > 500 and len({c.pack for c in cases}) == len(engine.packs)
    differing = []
    for case in cases:
        readings = dict(case.readings) or None
        request = {"project": as_json(case.project), "jurisdiction": case.jurisdiction,
                   "as_of": case.as_of.isoformat(), **({"readings": readings} if readings else {})}
        answer = server.post("/v1/evaluate", request)
        try:
            expected = engine.evaluate(case.project, case.jurisdiction, case.as_of, readings=readings).to_json()
        except ProjectError as exc:
            assert problem_of(answer, 422)["problems"] == [p.to_dict() for p in exc.problems]
            continue
        if answer.status != 200 or answer.text != expected:
            differing.append(f"{case.file}:{case.line} {case.name}: {answer.status}")
    assert not differing, "\n".join(differing[:20])


def test_evaluate_names_the_packs_of_the_report_in_a_header(server: ServerProcess, engine: govrules.Engine) -> None:
    answer = server.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing", "as_of": AS_OF})
    report = engine.evaluate(PROJECT, "wuxing", _dt.date(2026, 6, 1))
    assert answer.status == 200 and answer.text == report.to_json()
    assert answer.headers["x-govrules-packs"] == ", ".join(f"{p.id} {p.version} {p.content_hash}" for p in report.packs)
    assert len(report.packs) < len(engine.packs)  # a jurisdiction's packs, not every pack loaded


def test_readings_chosen_by_the_caller_change_the_answer_as_in_the_library(server: ServerProcess,
                                                                           engine: govrules.Engine) -> None:
    cases = [c for path in find_case_files(POLICIES) for c in load_case_file(path, engine) if c.readings]
    case = cases[0]
    readings = dict(case.readings)
    request = {"project": as_json(case.project), "jurisdiction": case.jurisdiction, "as_of": case.as_of.isoformat()}
    with_readings = server.post("/v1/evaluate", {**request, "readings": readings})
    without = server.post("/v1/evaluate", request)
    assert with_readings.json()["readings"] == readings
    assert "readings" not in without.json()
    bad = problem_of(server.post("/v1/evaluate", {**request, "readings": {"no_such_reading": "x"}}), 422)
    assert [p["field"] for p in bad["problems"]] == ["readings.no_such_reading"]


def test_compare_gives_the_librarys_comparison(server: ServerProcess, engine: govrules.Engine) -> None:
    answer = server.post("/v1/compare", {"project": PROJECT, "as_of": AS_OF})
    assert answer.status == 200
    assert answer.text == compare(engine, PROJECT, _dt.date(2026, 6, 1)).to_json()
    two = server.post("/v1/compare", {"project": PROJECT, "as_of": AS_OF, "jurisdictions": ["wuxing", "huzhou"]})
    assert list(two.json()["jurisdictions"]) == ["wuxing", "huzhou"]
    problem_of(server.post("/v1/compare", {"project": PROJECT, "jurisdictions": ["nowhere"]}), 404)


def test_batch_gives_each_projects_report_or_its_problem_in_order(server: ServerProcess,
                                                                 engine: govrules.Engine) -> None:
    projects = [PROJECT, {"budget_amount": "很多"}, {**PROJECT, "budget_amount": "400万元"}]
    answer = server.post("/v1/batch", {"projects": projects, "jurisdiction": "wuxing", "as_of": AS_OF})
    assert answer.status == 200
    body = answer.json()
    assert [r["index"] for r in body["results"]] == [0, 1, 2] and body["count"] == 3
    for index in (0, 2):
        expected = engine.evaluate(projects[index], "wuxing", _dt.date(2026, 6, 1)).to_json()
        assert body["results"][index]["report"] == json.loads(expected)
    problem = body["results"][1]["problem"]
    assert problem["status"] == 422 and problem["problems"][0]["field"] == "budget_amount"
    assert {p["id"] for p in body["packs"]} == {p.id for p in engine.evaluate(PROJECT, "wuxing", _dt.date(2026, 6, 1)).packs}
    problem_of(server.post("/v1/batch", {"projects": [], "jurisdiction": "nowhere"}), 404)
    bad_reading = problem_of(server.post("/v1/batch", {"projects": [PROJECT], "jurisdiction": "wuxing",
                                                       "readings": {"no_such_reading": None}}), 422)
    assert [p["field"] for p in bad_reading["problems"]] == ["readings.no_such_reading"]


# -- looking up --------------------------------------------------------------------------------


def test_jurisdictions_and_packs_name_version_and_content_hash(server: ServerProcess, engine: govrules.Engine) -> None:
    body = server.get("/v1/jurisdictions").json()
    assert {j["id"] for j in body["jurisdictions"]} == set(engine.jurisdictions())
    assert {(p["id"], p["version"], p["content_hash"]) for p in body["packs"]} == {
        (p.id, p.version, p.content_hash) for p in engine.packs}
    wuxing = engine.packs[[p.id for p in engine.packs].index("wuxing")]
    detail = server.get("/v1/packs/wuxing").json()
    assert (detail["version"], detail["content_hash"]) == (wuxing.version, wuxing.content_hash)
    assert detail["document"]["number"] == wuxing.document.number
    assert len(detail["rules"]) == len(wuxing.rules)
    missing = problem_of(server.get("/v1/packs/wuxin"), 404)
    assert "wuxing" in missing["detail"]


def test_a_provision_comes_verbatim_with_the_rules_citing_it(server: ServerProcess, engine: govrules.Engine) -> None:
    wuxing = engine.packs[[p.id for p in engine.packs].index("wuxing")]
    citing = {r.id for r in wuxing.rules for c in r.cites if c.label.startswith("第十三条")}
    assert citing, "第十三条 (or a part of it) is cited by some rule of the 吴兴 pack"
    body = server.get("/v1/packs/wuxing/provisions/" + urllib.parse.quote("第十三条")).json()
    assert body["full_text"] == wuxing.provisions["第十三条"].full_text
    assert "500万元" in body["full_text"]
    listed = {r["id"] for r in body["rules"]}
    assert citing <= listed
    # every rule listed cites this provision or a part of it; none that cites elsewhere is listed
    for rule in wuxing.rules:
        inside = any(c.path[:1] == ("第十三条",) for c in rule.cites)
        assert (rule.id in listed) == inside, rule.id
    problem_of(server.get("/v1/packs/wuxing/provisions/" + urllib.parse.quote("第九十九条")), 404)


def test_facts_are_the_vocabulary_with_chinese_and_english_labels(server: ServerProcess,
                                                                  engine: govrules.Engine) -> None:
    facts = server.get("/v1/facts").json()["facts"]
    assert [f["name"] for f in facts] == list(engine.vocabulary)
    owner = next(f for f in facts if f["name"] == "owner_unit_type")
    assert owner["zh"] == "建设单位类型" and owner["type"] == "enum"
    assert {"value": "administrative_unit", "zh": "行政单位", "en": "administrative unit"} in owner["values"]
    assert all(v["en"] for f in facts for v in f["values"])
    from govrules.projects import project_json_schema

    assert server.get("/v1/schemas/project").json() == project_json_schema(engine.vocabulary)


def test_every_response_names_the_packs(server: ServerProcess, engine: govrules.Engine) -> None:
    every = ", ".join(f"{p.id} {p.version} {p.content_hash}" for p in engine.packs)
    for path in ("/healthz", "/v1/jurisdictions", "/v1/facts", "/nowhere", "/openapi.json"):
        assert server.get(path).headers["x-govrules-packs"] == every, path
    assert server.get("/v1/packs/huzhou").headers["x-govrules-packs"].startswith("huzhou ")


# -- errors ------------------------------------------------------------------------------------


def test_a_bad_project_is_422_with_the_librarys_problems(server: ServerProcess, engine: govrules.Engine) -> None:
    bad = {"budget_amount": "五百万", "owner_unit_type": "ministry", "colour": "red"}
    body = problem_of(server.post("/v1/evaluate", {"project": bad, "jurisdiction": "wuxing"}), 422)
    with pytest.raises(ProjectError) as raised:
        engine.evaluate(bad, "wuxing", _dt.date(2026, 6, 1))
    assert body["problems"] == [p.to_dict() for p in raised.value.problems]
    assert {"budget_amount", "owner_unit_type", "colour"} == {p["field"] for p in body["problems"]}


def test_an_unknown_jurisdiction_is_404_with_a_suggestion(server: ServerProcess) -> None:
    body = problem_of(server.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxin"}), 404)
    assert "wuxing" in body["detail"]


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"{not json", 400, None),
    (b"", 400, None),
    (b'{"project": {}, "jurisdiction": "wuxing", "project": {}}', 400, None),  # a duplicate key
    (b"[1, 2]", 422, "(request)"),
    (b'{"jurisdiction": "wuxing"}', 422, "project"),
    (b'{"project": {}}', 422, "jurisdiction"),
    (b'{"project": {}, "jurisdiction": "wuxing", "as_of": "2026-13-01"}', 422, "as_of"),
    (b'{"project": {}, "jurisdiction": "wuxing", "as_of": 20260601}', 422, "as_of"),
    (b'{"project": {}, "jurisdiction": "wuxing", "asof": "2026-06-01"}', 422, "asof"),
    (b'{"project": [], "jurisdiction": "wuxing"}', 422, "(project)"),
    (b'{"project": {"budget_amount": 5000000.5}, "jurisdiction": "wuxing"}', 200, None),  # exact, as the CLI reads
    (b'{"project": {"budget_amount": 1e999999}, "jurisdiction": "wuxing"}', 422, "budget_amount"),
    (b"[" * 100_000 + b"]" * 100_000, 400, None),
])
def test_bad_requests_get_a_problem_never_a_traceback(server: ServerProcess, body: bytes, status: int,
                                                       field: str | None) -> None:
    answer = server.post("/v1/evaluate", body)
    if status == 200:
        assert answer.status == 200 and answer.json()["decisions"]
        return
    problem = problem_of(answer, status)
    if field is not None:
        assert field in [p["field"] for p in problem["problems"]]


def test_unknown_paths_and_methods_are_problems(server: ServerProcess) -> None:
    problem_of(server.get("/v2/evaluate"), 404)
    assert server.get("/v1/evaluate").status == 405
    problem_of(server.get("/v1/evaluate"), 405)


# -- limits ------------------------------------------------------------------------------------


LIMIT_BYTES = 4000


@pytest.fixture(scope="module")
def limited() -> Iterator[ServerProcess]:
    with ServerProcess(["--max-body-bytes", str(LIMIT_BYTES), "--max-batch", "3"]) as running:
        yield running


def _padded(size: int) -> bytes:
    """An evaluate request of exactly ``size`` bytes (the project's name pads it)."""
    head = b'{"project": {"name": "'
    tail = b'"}, "jurisdiction": "wuxing", "as_of": "2026-06-01"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_the_body_limit_holds_at_its_boundary(limited: ServerProcess) -> None:
    assert limited.post("/v1/evaluate", _padded(LIMIT_BYTES)).status == 200
    body = problem_of(limited.post("/v1/evaluate", _padded(LIMIT_BYTES + 1)), 413)
    assert str(LIMIT_BYTES) in body["detail"]


def test_the_batch_limit_holds_at_its_boundary(limited: ServerProcess) -> None:
    request = {"jurisdiction": "wuxing", "as_of": AS_OF}
    assert limited.post("/v1/batch", {**request, "projects": [{}] * 3}).json()["count"] == 3
    body = problem_of(limited.post("/v1/batch", {**request, "projects": [{}] * 4}), 413)
    assert "limit is 3" in body["detail"]


def test_the_time_limit_answers_503() -> None:
    with ServerProcess(["--timeout", "0.000001"]) as tight:
        body = problem_of(tight.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing"}), 503)
        assert "time" in body["title"]
        assert tight.get("/healthz").status == 200  # the service goes on


# -- reloading ---------------------------------------------------------------------------------


def _copy_policies(root: Path) -> Path:
    target = root / "policies"
    shutil.copytree(POLICIES, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _bump_version(pack_dir: Path, version: str) -> None:
    path = pack_dir / "pack.yaml"
    text = path.read_text("utf-8")
    lines = [f"version: {json.dumps(version)}" if line.startswith("version:") else line for line in text.splitlines()]
    assert lines != text.splitlines()
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_reload_swaps_packs_that_load_and_refuses_packs_that_do_not(tmp_path: Path) -> None:
    policies = _copy_policies(tmp_path)
    token = "reload-token-for-the-test"
    auth = {"Authorization": f"Bearer {token}"}
    with ServerProcess(["--policies", str(policies)], env={"GOVRULES_ADMIN_TOKEN": token}) as srv:
        before = srv.get("/v1/packs/wuxing").json()
        problem_of(srv.post("/v1/admin/reload", {}), 403)
        problem_of(srv.post("/v1/admin/reload", {}, headers={"Authorization": "Bearer wrong"}), 403)

        _bump_version(policies / "wuxing", "2099.1")
        answer = srv.post("/v1/admin/reload", {}, headers=auth)
        assert answer.status == 200 and answer.json()["generation"] == 2
        after = srv.get("/v1/packs/wuxing").json()
        assert after["version"] == "2099.1" and after["content_hash"] != before["content_hash"]
        evaluated = srv.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing", "as_of": AS_OF}).json()
        assert {p["id"]: p["version"] for p in evaluated["packs"]}["wuxing"] == "2099.1"

        rules = sorted((policies / "wuxing" / "rules").glob("*.yaml"))[0]
        rules.write_text(rules.read_text("utf-8") + "\n  - id: broken\n    kind: no_such_kind\n", "utf-8")
        refused = problem_of(srv.post("/v1/admin/reload", {}, headers=auth), 422)
        assert refused["problems"] and all("file" in p and "line" in p for p in refused["problems"])
        assert refused["generation"] == 2
        health = srv.get("/healthz").json()
        assert health["generation"] == 2
        assert {p["id"]: p["version"] for p in health["packs"]}["wuxing"] == "2099.1"
        assert srv.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing"}).status == 200


def test_sighup_reloads_and_requests_in_flight_finish_on_their_packs(tmp_path: Path) -> None:
    policies = _copy_policies(tmp_path)
    with ServerProcess(["--policies", str(policies), "--max-batch", "400", "--timeout", "600"]) as srv:
        old = srv.get("/v1/packs/wuxing").json()
        problem_of(srv.post("/v1/admin/reload", {}), 404)  # no token: reloading over HTTP is off
        results: list[Any] = []
        batch = {"projects": [PROJECT] * 400, "jurisdiction": "wuxing", "as_of": AS_OF}
        worker = threading.Thread(target=lambda: results.append(srv.post("/v1/batch", batch, timeout=600)))
        worker.start()
        time.sleep(0.3)  # let the batch begin: it is read and evaluating when the packs change below
        _bump_version(policies / "wuxing", "2099.2")
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 120
        while srv.get("/healthz").json()["generation"] < 2:
            assert time.monotonic() < deadline, "SIGHUP did not reload"
            time.sleep(0.2)
        assert worker.is_alive(), "the batch was still being evaluated when the new packs came in"
        worker.join(600)
        answer = results[0]
        assert answer.status == 200
        body = answer.json()
        assert body["count"] == 400
        versions = {p["version"] for r in body["results"] for p in r["report"]["packs"] if p["id"] == "wuxing"}
        assert versions == {old["version"]}  # every report of the batch on the packs it began with
        assert srv.get("/v1/packs/wuxing").json()["version"] == "2099.2"


def test_packs_that_do_not_load_stop_the_server_before_it_listens(tmp_path: Path) -> None:
    policies = _copy_policies(tmp_path)
    (policies / "wuxing" / "pack.yaml").write_text("id: [unclosed\n", "utf-8")
    refused = ServerProcess(["--policies", str(policies)], startup=120)
    with pytest.raises(RuntimeError, match="pack.yaml"):
        refused.start()
    assert refused.process is not None and refused.process.returncode == 4  # the CLI's code for a bad pack
    assert "Traceback" not in "".join(refused.stderr_lines)


def test_serve_without_the_extra_says_how_to_install_it() -> None:
    script = ("import sys; sys.modules['fastapi'] = None; from govrules.cli import main; "
              "sys.exit(main(['serve', '--port', '0']))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2
    assert "pip install 'govrules[service]'" in run.stderr and "Traceback" not in run.stderr


# -- the audit log -----------------------------------------------------------------------------


def test_log_writes_the_clis_audit_log(tmp_path: Path, engine: govrules.Engine) -> None:
    served, cli = tmp_path / "served.jsonl", tmp_path / "cli.jsonl"
    project_file = tmp_path / "project.json"
    project_file.write_text(json.dumps(PROJECT, ensure_ascii=False), "utf-8")
    with ServerProcess(["--log", str(served)]) as srv:
        assert srv.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing", "as_of": AS_OF}).status == 200
        assert srv.post("/v1/evaluate", {"project": {"budget_amount": "x"}, "jurisdiction": "wuxing"}).status == 422
    assert main(["evaluate", str(project_file), "-j", "wuxing", "--as-of", AS_OF, "--format", "json",
                 "--log", str(cli)], out=io.StringIO(), err=io.StringIO()) in (0, 1)
    (_, from_server), = list(read_log(served))  # the bad project is not logged, as in the CLI
    (_, from_cli), = list(read_log(cli))
    from_server.pop("recorded_at"), from_cli.pop("recorded_at")
    assert from_server == from_cli
    assert main(["replay", str(served)], out=io.StringIO(), err=io.StringIO()) == 0


# -- the OpenAPI document ----------------------------------------------------------------------


def test_openapi_describes_every_endpoint_with_the_project_and_report_schemas(server: ServerProcess,
                                                                             engine: govrules.Engine) -> None:
    doc = server.get("/openapi.json").json()
    assert {"/v1/evaluate", "/v1/compare", "/v1/batch", "/v1/jurisdictions", "/v1/packs/{pack_id}",
            "/v1/packs/{pack_id}/provisions/{label}", "/v1/facts", "/healthz", "/v1/admin/reload"} <= set(doc["paths"])
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert "200" in operation["responses"], (path, method)
            if method == "post" and path != "/v1/admin/reload":
                assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    def validator(name: str) -> jsonschema.Draft202012Validator:
        return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                                "components": doc["components"]})

    report = json.loads(engine.evaluate(PROJECT, "wuxing", _dt.date(2026, 6, 1)).to_json())
    validator("Report").validate(report)
    assert not validator("Report").is_valid({**report, "unexpected": 1})
    validator("EvaluateRequest").validate({"project": PROJECT, "jurisdiction": "wuxing", "as_of": AS_OF})
    assert not validator("EvaluateRequest").is_valid({"project": {"colour": "red"}, "jurisdiction": "wuxing"})
    problem = server.post("/v1/evaluate", {"project": {"budget_amount": "x"}, "jurisdiction": "wuxing"}).json()
    validator("Problem").validate(problem)
    batch = server.post("/v1/batch", {"projects": [PROJECT, {"budget_amount": "x"}], "jurisdiction": "wuxing"}).json()
    validator("BatchResponse").validate(batch)


# -- the page and the pack pages ---------------------------------------------------------------


def test_the_page_and_the_pack_pages_are_served(server: ServerProcess, engine: govrules.Engine) -> None:
    page = server.get("/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/page.js"></script>' in page.text
    assert server.get("/page.js").headers["content-type"].startswith("text/javascript")
    wuxing = engine.packs[[p.id for p in engine.packs].index("wuxing")]
    pack_page = server.get("/packs/wuxing.html")
    assert pack_page.status == 200 and wuxing.document.number in pack_page.text
    assert 'id="p-art13"' in pack_page.text
    index = server.get("/packs/index.html").text
    assert "wuxing.html" in index and 'href="coverage.html"' in index
    assert server.get("/packs/coverage.html").status == 200
    problem_of(server.get("/packs/nowhere.html"), 404)


# -- from Java ---------------------------------------------------------------------------------


def test_the_java_example_is_the_one_in_the_docs_and_gets_the_librarys_report(
        server: ServerProcess, engine: govrules.Engine, tmp_path: Path) -> None:
    source = REPO / "examples" / "service" / "Evaluate.java"
    docs = (REPO / "docs" / "service.md").read_text("utf-8")
    shown = docs.split("```java\n", 1)[1].split("```", 1)[0]
    assert shown == source.read_text("utf-8"), "docs/service.md shows examples/service/Evaluate.java as it is"
    java = shutil.which("java")
    if java is None:
        missing("no JDK (java) on PATH to run examples/service/Evaluate.java", needed=False)
    project = tmp_path / "project.json"
    project.write_text(json.dumps(PROJECT, ensure_ascii=False), "utf-8")
    run = subprocess.run([java, str(source), server.url, str(project)], capture_output=True, text=True,
                         encoding="utf-8", timeout=600, check=False,
                         env={**os.environ, "HOME": str(tmp_path)})  # the JVM writes nothing into HOME
    assert run.returncode == 0, run.stderr[-2000:]
    status, packs, body = run.stdout.split("\n", 2)
    report = engine.evaluate(PROJECT, "wuxing", _dt.date(2026, 6, 1))
    assert status == "200 application/json"
    assert packs == "packs: " + ", ".join(f"{p.id} {p.version} {p.content_hash}" for p in report.packs)
    assert body == report.to_json() + "\n"


# -- a bug in govrules -------------------------------------------------------------------------


class _BrokenEngine(govrules.Engine):
    """An engine whose evaluation fails as a bug would (not a user's mistake)."""

    def evaluate(self, *args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug deep in the evaluator")


def test_a_bug_is_a_500_problem_without_a_traceback(engine: govrules.Engine) -> None:
    import socket

    import uvicorn

    from govrules.service.app import create_app
    from govrules.service.process import Answer

    app = create_app(engine=_BrokenEngine(engine.packs))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        client = ServerProcess()
        client.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        deadline = time.monotonic() + 120
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        answer: Answer = client.post("/v1/evaluate", {"project": PROJECT, "jurisdiction": "wuxing"})
        body = problem_of(answer, 500)
        assert "ZeroDivisionError" in body["detail"]
        assert "a bug deep" not in answer.text and "File " not in answer.text and ".py" not in answer.text
        assert client.get("/healthz").status == 200  # and the service goes on
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()


# -- any JSON at all ---------------------------------------------------------------------------

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12)
                     | st.floats(allow_nan=False, allow_infinity=False),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)


@st.composite
def _requests(draw: st.DrawFn) -> Any:
    names = sorted(govrules.default_vocabulary())
    project = draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=8), _JSON, max_size=5))
    request: dict[str, Any] = {"project": project,
                               "jurisdiction": draw(st.sampled_from(["wuxing", "huzhou", "nowhere"]) | st.text(max_size=6))}
    if draw(st.booleans()):
        request["as_of"] = draw(st.dates().map(str) | _JSON)
    if draw(st.booleans()):
        request[draw(st.text(max_size=8))] = draw(_JSON)
    return draw(st.just(request) | _JSON)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(request=_requests())
def test_any_json_gets_the_librarys_report_or_a_problem(server: ServerProcess, engine: govrules.Engine,
                                                         request: Any) -> None:
    text = json.dumps(request, ensure_ascii=False)
    answer = server.post("/v1/evaluate", text)
    assert answer.status in (200, 404, 422), answer
    if answer.status != 200:
        problem_of(answer, answer.status)
        return
    data = json.loads(text, parse_float=Decimal)
    as_of = _dt.date.fromisoformat(data["as_of"]) if data.get("as_of") is not None else None
    if as_of is None:  # the server's today; the test's may have turned since, so compare all but the date
        assert json.loads(answer.text)["jurisdiction"] == data["jurisdiction"]
        return
    assert answer.text == engine.evaluate(data["project"], data["jurisdiction"], as_of).to_json()
