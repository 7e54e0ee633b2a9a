"""Determinism and audit: decision ids, byte-identical reports everywhere, the decision log, replay.

The same project, packs and ``as_of`` must give byte-identical JSON in another process (another
hash seed) and under many threads sharing one ``Engine``; every report names the engine, packs and
calendar it came from and carries a decision id; a decision log can be replayed line by line.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import govrules
from govrules.audit import DecisionLog, LogError, canonical_json, read_log, replay
from govrules.cli import main
from govrules.vocabulary import FactType

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "wuxing-project.yaml"
WUXING = REPO / "policies" / "wuxing"
SAMPLE_2027 = REPO / "tests" / "data" / "holidays-2027-sample.yaml"
AS_OF = dt.date(2026, 6, 1)
ID = re.compile(r"^sha256:[0-9a-f]{64}$")
SALT = "a-secret-salt-of-sufficient-length"


@functools.cache
def engine() -> govrules.Engine:
    return govrules.load()


def variants(count: int, seed: int = 7) -> list[tuple[dict[str, Any], str, dt.date]]:
    """``count`` varied (project, jurisdiction, as_of), for every jurisdiction, reproducibly."""
    rng = random.Random(seed)
    vocab = engine().vocabulary
    jurisdictions = sorted(engine().jurisdictions())
    base = dict(govrules.read_project(EXAMPLE).to_dict())
    out = []
    for i in range(count):
        project = {k: v for k, v in base.items() if rng.random() < 0.8}
        for name, fact in rng.sample(sorted(vocab.items()), 6):
            if fact.type is FactType.AMOUNT:
                project[name] = rng.choice(["500万元", "499.99万", "5,000,000", "1e7", "0"])
            elif fact.type is FactType.DATE:
                project[name] = (dt.date(2026, 4, 20) + dt.timedelta(days=rng.randrange(400))).isoformat()
            elif fact.type is FactType.BOOLEAN:
                project[name] = rng.random() < 0.5
            elif fact.type is FactType.ENUM:
                project[name] = rng.choice(sorted(fact.values))
        as_of = dt.date(2026, 5, 1) + dt.timedelta(days=rng.randrange(500))
        out.append((project, jurisdictions[i % len(jurisdictions)], as_of))
    return out


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# What every report carries


def test_every_report_names_engine_packs_calendar_and_decision_id() -> None:
    for jurisdiction in engine().jurisdictions():
        data = json.loads(engine().evaluate(EXAMPLE, jurisdiction, AS_OF).to_json())
        assert data["engine"] == {"name": "govrules", "version": govrules.__version__}
        assert ID.match(data["decision_id"])
        assert data["packs"], jurisdiction
        loaded = {p.id: p for p in engine().packs}
        for ref in data["packs"]:
            assert (ref["version"], ref["content_hash"]) == (loaded[ref["id"]].version, loaded[ref["id"]].content_hash)
        assert data["calendar"]["sources"] and re.match(r"^[0-9a-f]{64}$", data["calendar"]["fingerprint"])


def test_decision_id_follows_the_validated_input_not_its_spelling() -> None:
    first = engine().evaluate({"total_investment": "500万元", "contract_signed_on": "2026-04-30"}, "wuxing", AS_OF)
    second = engine().evaluate({"contract_signed_on": dt.date(2026, 4, 30), "total_investment": 5_000_000},
                               "wuxing", AS_OF)
    assert first.decision_id == second.decision_id
    assert first.to_json() == second.to_json()


@pytest.mark.parametrize("change", ["fact", "as_of", "project_name"])
def test_decision_id_changes_with_any_input(change: str) -> None:
    project: dict[str, Any] = {"total_investment": "500万元", "name": "某系统"}
    as_of = AS_OF
    base = engine().evaluate(project, "wuxing", as_of).decision_id
    if change == "fact":
        project["total_investment"] = "500.01万元"
    elif change == "as_of":
        as_of = AS_OF + dt.timedelta(days=1)
    else:
        project["name"] = "另一系统"
    assert engine().evaluate(project, "wuxing", as_of).decision_id != base


def test_decision_id_changes_with_the_pack_content_and_the_calendar(tmp_path: Path) -> None:
    base = engine().evaluate(EXAMPLE, "wuxing", AS_OF)
    copy = tmp_path / "wuxing"
    shutil.copytree(WUXING, copy)
    shutil.copytree(WUXING.parent / "huzhou", tmp_path / "huzhou")  # its parent jurisdiction's pack
    same = govrules.load(tmp_path).evaluate(EXAMPLE, "wuxing", AS_OF)
    assert same.decision_id == base.decision_id  # same content elsewhere on disk: same id
    rules = copy / "rules" / "approval.yaml"
    rules.write_text(rules.read_text("utf-8") + "\n# 注释也是内容\n", "utf-8")
    changed = govrules.load(tmp_path).evaluate(EXAMPLE, "wuxing", AS_OF)
    assert changed.decision_id != base.decision_id
    assert changed.packs[0].content_hash != base.packs[0].content_hash
    with_holidays = govrules.load(holidays=[SAMPLE_2027]).evaluate(EXAMPLE, "wuxing", AS_OF)
    assert with_holidays.decision_id != base.decision_id


# ---------------------------------------------------------------------------------------------
# Byte-identical across processes (hash seeds) and threads

_CHILD = """
import datetime as dt, hashlib, json, sys
import govrules
engine = govrules.load()
out = []
for project, jurisdiction, as_of in json.loads(sys.stdin.read()):
    text = engine.evaluate(project, jurisdiction, dt.date.fromisoformat(as_of)).to_json()
    out.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
print(json.dumps(out))
"""


@pytest.mark.parametrize("seed", ["1", "987654321"])
def test_reports_are_byte_identical_in_another_process_with_another_hash_seed(seed: str) -> None:
    cases = variants(60)
    expected = [digest(engine().evaluate(p, j, d).to_json()) for p, j, d in cases]
    assert len(set(expected)) > 40, "the variants should give many different reports"
    payload = json.dumps([(p, j, d.isoformat()) for p, j, d in cases], ensure_ascii=False)
    result = subprocess.run([sys.executable, "-c", _CHILD], input=payload, capture_output=True, text=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}, cwd=REPO, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == expected


def test_many_threads_sharing_one_engine_give_the_sequential_bytes() -> None:
    cases = variants(40, seed=11)
    expected = [digest(engine().evaluate(p, j, d).to_json()) for p, j, d in cases]
    threads, per_thread = 16, 125  # 2000 evaluations at once on one Engine
    start = threading.Barrier(threads)

    def worker(index: int) -> list[tuple[int, str]]:
        start.wait()  # all threads begin together, to maximize interleaving
        got = []
        for k in range(per_thread):
            i = (index * 7 + k) % len(cases)
            project, jurisdiction, as_of = cases[i]
            got.append((i, digest(engine().evaluate(project, jurisdiction, as_of).to_json())))
        return got

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = [r for chunk in pool.map(worker, range(threads)) for r in chunk]
    assert len(results) == threads * per_thread
    mismatched = [i for i, h in results if h != expected[i]]
    assert not mismatched


# ---------------------------------------------------------------------------------------------
# The decision log


def _clock() -> dt.datetime:
    return dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def test_log_writes_one_json_line_per_evaluation_with_input_report_and_hashes(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl", clock=_clock)
    reports = [log.evaluate(engine(), EXAMPLE, "wuxing", AS_OF),
               log.evaluate(engine(), {"total_investment": "500万"}, "wuxing", AS_OF)]
    lines = (tmp_path / "decisions.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert lines[0] == canonical_json(first)  # canonical: sorted keys, no spaces
    assert first["log_format"] == 2  # format 2: keyed ids on masked lines, seals (issue 14)
    assert first["recorded_at"] == "2026-06-01T08:00:00+00:00"
    assert first["decision_id"] == reports[0].decision_id
    assert first["engine"]["version"] == govrules.__version__
    # 吴兴 and its parent 湖州, each with the exact version that decided.
    assert first["packs"] == [{"id": ref.id, "version": ref.version, "content_hash": ref.content_hash}
                              for ref in reports[0].packs]
    assert [p["id"] for p in first["packs"]] == ["wuxing", "huzhou"]
    assert first["input"] == govrules.read_project(EXAMPLE).to_dict()
    assert first["report"] == reports[0].to_dict()
    assert first["report_hash"] == "sha256:" + digest(canonical_json(reports[0].to_dict()))
    assert first["masked"] == [] and first["mask"] is None
    assert [d["status"] for d in first["outcome"]] == [d.status.value for d in reports[0].decisions]
    assert json.loads(lines[1])["input"] == {"total_investment": "5000000"}


def test_a_bad_project_raises_and_is_not_logged(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "d.jsonl")
    with pytest.raises(govrules.ProjectError):
        log.evaluate(engine(), {"total_investment": "NaN"}, "wuxing", AS_OF)
    assert not (tmp_path / "d.jsonl").exists()


def test_masking_with_a_salt_writes_an_hmac_and_no_trace_of_the_value(tmp_path: Path) -> None:
    project = dict(govrules.read_project(EXAMPLE).to_dict())
    project["total_investment"] = "8765432.1"  # a value found nowhere else in the project
    secret = project["name"]
    path = tmp_path / "d.jsonl"
    log = DecisionLog(path, mask=["name", "total_investment"], salt=SALT)
    log.evaluate(engine(), project, "wuxing", AS_OF)
    log.evaluate(engine(), project, "wuxing", AS_OF)
    text = path.read_text("utf-8")
    assert secret not in text
    assert "8765432.1" not in text and "876.54321万元" not in text  # nor in explanations: no full report
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["masked"] == ["name", "total_investment"] and first["mask"] == "hmac-sha256"
    assert first["report"] is None
    assert first["input"]["name"].startswith("hmac-sha256:")
    assert first["input"]["name"] == second["input"]["name"]  # same value, same salt: same mask
    other = DecisionLog(tmp_path / "o.jsonl", mask=["name"], salt=SALT + "x").entry(
        govrules.parse_project(project), engine().evaluate(project, "wuxing", AS_OF))
    assert other["input"]["name"] != first["input"]["name"]  # the salt matters


def test_masking_without_a_salt_redacts(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "d.jsonl", mask=["id"])
    entry = log.entry(govrules.parse_project({"id": "WX-1"}), engine().evaluate({"id": "WX-1"}, "wuxing", AS_OF))
    assert entry["input"]["id"] == "***" and entry["mask"] == "redacted"
    assert "WX-1" not in canonical_json(entry)


def test_mask_field_must_exist_and_salt_must_be_long(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="total_investment"):
        DecisionLog(tmp_path / "d.jsonl", mask=["total_investmnt"]).evaluate(engine(), {}, "wuxing", AS_OF)
    with pytest.raises(LogError, match="16"):
        DecisionLog(tmp_path / "d.jsonl", salt="short")


def test_threads_writing_one_log_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    log = DecisionLog(path)
    cases = variants(8, seed=3)

    def worker(index: int) -> None:
        for k in range(25):
            project, jurisdiction, as_of = cases[(index + k) % len(cases)]
            log.evaluate(engine(), project, jurisdiction, as_of)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))
    entries = list(read_log(path))
    assert len(entries) == 200
    assert all(r.verdict == "same" for r in replay(engine(), path))


# ---------------------------------------------------------------------------------------------
# Replay


def _write(path: Path, entries: list[dict[str, Any]]) -> None:
    path.write_text("".join(canonical_json(e) + "\n" for e in entries), "utf-8")


def test_replay_of_an_unchanged_log_is_all_same(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    log = DecisionLog(path)
    for project, jurisdiction, as_of in variants(12, seed=5):
        log.evaluate(engine(), project, jurisdiction, as_of)
    results = replay(govrules.load(), path)  # a fresh engine, as an auditor would have
    assert [r.verdict for r in results] == ["same"] * 12
    assert [r.line for r in results] == list(range(1, 13))


def test_replay_finds_a_tampered_decision(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    DecisionLog(path).evaluate(engine(), EXAMPLE, "wuxing", AS_OF)
    ((_, entry),) = read_log(path)
    rule = entry["outcome"][0]["rule"]
    entry["outcome"][0]["status"] = "violated" if entry["outcome"][0]["status"] != "violated" else "satisfied"
    _write(path, [entry])
    (result,) = replay(engine(), path)
    assert result.verdict == "different"
    assert any(d.startswith(f"rule {rule}: status logged") for d in result.differences)


def test_replay_with_a_changed_pack_names_the_pack_and_the_changed_decisions(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    project = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit",
               "subject_matter": "information_system", "is_classified": False, "project_type": "construction",
               "total_investment": "500万元"}
    DecisionLog(path).evaluate(engine(), project, "wuxing", AS_OF)
    policies = tmp_path / "policies"
    shutil.copytree(WUXING, policies / "wuxing")
    rules = policies / "wuxing" / "rules" / "approval.yaml"
    text = rules.read_text("utf-8")
    assert "value: 500万元" in text
    rules.write_text(text.replace("value: 500万元", "value: 600万元"), "utf-8")  # a different threshold
    (result,) = replay(govrules.load(policies), path)
    assert result.verdict == "different"
    assert any("pack wuxing content hash" in d for d in result.differences)
    assert any(d.startswith("rule wuxing.approval.") and "status" in d for d in result.differences)
    assert any("decision id" in d for d in result.differences)


def test_replay_of_masked_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    log = DecisionLog(path, mask=["name", "id"], salt=SALT)
    log.evaluate(engine(), EXAMPLE, "wuxing", AS_OF)
    DecisionLog(path, mask=["total_investment"]).evaluate(engine(), EXAMPLE, "wuxing", AS_OF)
    identity, decisive = replay(engine(), path)
    # no rule reads the project's id or name: the decisions can be checked without them
    assert identity.verdict == "same"
    # total_investment decides rules: the log cannot show what it was, so replay says so
    assert decisive.verdict == "skipped"
    assert "total_investment" in decisive.differences[0]


def test_read_log_rejects_a_line_that_is_not_a_log_entry(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"log_format": 1}\nnot json\n', "utf-8")
    with pytest.raises(LogError, match=":2:"):
        list(read_log(path))
    with pytest.raises(LogError, match="cannot read"):
        list(read_log(tmp_path / "missing.jsonl"))


# ---------------------------------------------------------------------------------------------
# The command line


def test_cli_evaluate_log_then_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "d.jsonl"
    args = ["evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--format", "json", "--log", str(log)]
    main(args)
    main([*args, "--mask", "name"])
    printed = capsys.readouterr().out
    assert len(log.read_text("utf-8").splitlines()) == 2
    assert json.loads(printed.split("\n}\n")[0] + "\n}")["decision_id"] == json.loads(
        log.read_text("utf-8").splitlines()[0])["decision_id"]
    assert main(["replay", str(log)]) == 0
    assert "2 same, 0 different, 0 skipped" in capsys.readouterr().out
    ((_, entry), second) = read_log(log)
    entry["outcome"][0]["due"] = "1999-01-01"
    _write(log, [entry, second[1]])
    assert main(["replay", str(log), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"same": 1, "different": 1, "skipped": 0, "bad": 0}


def test_cli_mask_needs_log_and_a_known_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01"]
    assert main([*base, "--mask", "name"]) == 2
    assert main([*base, "--log", str(tmp_path / "d.jsonl"), "--mask", "nmae"]) == 2
    err = capsys.readouterr().err
    assert "--mask only applies to --log" in err and "'name'" in err
    assert "Traceback" not in err


def test_cli_salt_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVRULES_MASK_SALT", SALT)
    log = tmp_path / "d.jsonl"
    main(["evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--log", str(log), "--mask", "name"])
    entry = json.loads(log.read_text("utf-8"))
    assert entry["mask"] == "hmac-sha256" and entry["input"]["name"].startswith("hmac-sha256:")


def test_decimal_amounts_in_the_log_are_exact_strings(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "d.jsonl")
    log.evaluate(engine(), {"total_investment": Decimal("4999999.99")}, "wuxing", AS_OF)
    ((_, entry),) = read_log(tmp_path / "d.jsonl")
    assert entry["input"]["total_investment"] == "4999999.99"
