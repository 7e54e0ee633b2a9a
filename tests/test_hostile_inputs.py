"""Hostile input, round two (issue 14): one regression test (or a few) per item of the issue.

Every file a test makes lives in its ``tmp_path``; subprocesses get a temporary pack cache. Static
inputs that are easier to read as files are in ``tests/data/hostile_inputs/``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import hmac
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import govrules
from govrules import PackError, ProjectError
from govrules.audit import DecisionLog, canonical_json, decision_id, replay
from govrules.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "hostile_inputs"
EXAMPLE = REPO / "examples" / "wuxing-project.yaml"
POLICIES = REPO / "policies"
AS_OF = _dt.date(2026, 6, 1)
SALT = "a-salt-of-at-least-16-characters"
SCOPE = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit",
         "subject_matter": "information_system", "is_classified": False, "project_type": "construction"}

ENGINE = govrules.load()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GOVRULES_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(REPO / "src"))
    env.update(extra)
    return env


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    names = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


LEDGER_ROWS = [dict(SCOPE, id=f"R{i}", total_investment=f"{400 + 50 * (i % 4)}万元") for i in range(12)]


# ---------------------------------------------------------------------------------------------
# 1. Never write over an input; 3. an interrupted run leaves no partial output


pa = pytest.importorskip("pyarrow")


def test_batch_refuses_to_write_over_its_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "led.csv"
    write_csv(ledger, LEDGER_ROWS)
    before = ledger.read_bytes()
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(ledger),
                         "--no-progress")
    assert code == 2 and "overwrite the ledger" in err and "Traceback" not in err
    assert ledger.read_bytes() == before
    # The same file under another name (a symlink) is the same file.
    alias = tmp_path / "alias.csv"
    alias.symlink_to(ledger)
    code, _, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(alias), "--no-progress")
    assert code == 2 and ledger.read_bytes() == before


def test_a_ledger_header_with_a_carriage_return_in_a_name_is_a_ledger_error_not_a_crash(tmp_path: Path) -> None:
    # Found by the CLI fuzz test: csv's own error escaped as an internal error (exit 70).
    ledger = tmp_path / "cr.csv"
    ledger.write_bytes(b"a\rb,c\n1,2\n")
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "out.csv"), "--no-progress")
    assert code == 3, err
    assert "表头一行无法按 CSV 读取" in err and "a carriage return inside a column name" in err
    assert "Traceback" not in err and not (tmp_path / "out.csv").exists()


def test_batch_refuses_a_summary_path_that_is_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "X.csv.summary.csv"
    write_csv(ledger, LEDGER_ROWS)
    before = ledger.read_bytes()
    code, _, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "X.csv"), "--no-progress")
    assert code == 2 and "summary" in err and ledger.read_bytes() == before
    assert not (tmp_path / "X.csv").exists()
    # Another output name is fine: both files written, the ledger untouched.
    code, out, _ = run("batch", str(ledger), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(tmp_path / "Y.csv"),
                       "--no-progress")
    assert code in (0, 1) and (tmp_path / "Y.csv").exists() and (tmp_path / "Y.csv.summary.csv").exists()
    assert ledger.read_bytes() == before


def test_an_interrupted_batch_leaves_no_partial_output_and_the_old_pair_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import govrules.batch as batch

    ledger = tmp_path / "led.jsonl"  # JSON Lines: read in batches of --batch-size rows
    ledger.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in LEDGER_ROWS * 10), "utf-8")
    real = batch._evaluate
    calls = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    for suffix in (".csv", ".parquet", ".jsonl"):
        output = tmp_path / f"out{suffix}"
        summary = tmp_path / f"out{suffix}.summary.csv"
        output.write_text("OLD OUTPUT", "utf-8")
        summary.write_text("OLD SUMMARY", "utf-8")
        calls.clear()
        monkeypatch.setattr(batch, "_evaluate", interrupted)
        code, _, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(output), "--batch-size", "8",
                           "--no-progress")
        assert code == 130 and "interrupted" in err and "Traceback" not in err
        assert output.read_text("utf-8") == "OLD OUTPUT" and summary.read_text("utf-8") == "OLD SUMMARY"
        assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []
        # Without the interruption the same run replaces both.
        monkeypatch.setattr(batch, "_evaluate", real)
        code, _, _ = run("batch", str(ledger), "-j", "wuxing", "-o", str(output), "--batch-size", "8",
                         "--no-progress")
        assert code in (0, 1) and output.read_bytes()[:10] != b"OLD OUTPUT"
        assert summary.read_text("utf-8").startswith("document,provision,rule")


def test_a_failed_run_leaves_no_output_when_there_was_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import govrules.batch as batch

    ledger = tmp_path / "led.csv"
    write_csv(ledger, LEDGER_ROWS)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(batch, "_evaluate", broken)
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "o.parquet"), "--no-progress")
    assert code == 70 and "internal error" in err and "内部错误" in err and "Traceback" not in err + out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["led.csv"]


# ---------------------------------------------------------------------------------------------
# 2. Numbers exact everywhere (JSONL in batch as in evaluate)


@pytest.mark.parametrize(("written", "expected"), [
    ("4999999.9999999999", "not_applicable"),   # a float would round it up to 5000000.0
    ("5000000.0000000000", "applies"),
    ("5000000", "applies"),
    ("4999999.99", "not_applicable"),
])
def test_jsonl_numbers_are_exact_in_batch_as_in_evaluate(tmp_path: Path, written: str, expected: str) -> None:
    ledger = tmp_path / "l.jsonl"
    project = json.dumps(SCOPE)[:-1] + f', "total_investment": {written}}}'
    ledger.write_text(project + "\n", "utf-8")
    out = tmp_path / "o.jsonl"
    govrules.batch.run_ledger(ledger, out, ENGINE, "wuxing", AS_OF, progress=False)
    row = json.loads(out.read_text("utf-8"))
    assert row["wuxing.approval.feasibility_study"] == expected
    single = tmp_path / "p.json"
    single.write_text(project, "utf-8")
    report = ENGINE.evaluate(single, "wuxing", AS_OF)
    assert report.decision("wuxing.approval.feasibility_study").status.value == expected


import govrules.batch  # noqa: E402  (after importorskip)

# ---------------------------------------------------------------------------------------------
# 4. Every bad row becomes a listed bad row; the rest are decided


def test_malformed_csv_rows_are_listed_by_row_and_the_rest_decided(tmp_path: Path) -> None:
    header = ["id", *SCOPE, "total_investment"]
    good = ["G", "fiscal", "administrative_unit", "information_system", "false", "construction", "500万元"]
    lines = [",".join(header)]
    for i in range(1, 41):
        if i == 11:
            lines.append("short,row")                         # wrong column count
        elif i == 17:
            lines.append(",".join(good) + ",extra")           # too many
        else:
            lines.append(",".join([f"G{i}", *good[1:]]))
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    raw = raw.replace(b"G25,fiscal", b"G25,fisc\xff")            # invalid UTF-8 in one cell
    ledger = tmp_path / "l.csv"
    ledger.write_bytes(raw)
    out = tmp_path / "o.csv"
    summary = govrules.batch.run_ledger(ledger, out, ENGINE, "wuxing", AS_OF, batch_size=7, progress=False)
    assert summary.rows == 40 and summary.bad_rows == 3
    assert [row for row, _ in summary.bad] == [11, 17, 25]
    assert "line 12" in summary.bad[0][1] and "2 field(s)" in summary.bad[0][1]   # row 11 is line 12
    assert "funding_source" in summary.bad[2][1] and "UTF-8" in summary.bad[2][1]
    decided = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [d["row"] for d in decided] == [str(i) for i in range(1, 41)]
    assert decided[9]["id"] == "G10" and decided[11]["id"] == "G12"       # neighbours keep their places
    assert decided[11]["wuxing.approval.feasibility_study"] == "applies"
    assert decided[10]["wuxing.approval.feasibility_study"] == "" and decided[10]["error"]


def test_a_bad_row_late_in_a_large_csv_loses_nothing(tmp_path: Path) -> None:
    header = "id,total_investment,project_type\n"
    body = [f"P{i},{500 + i % 7}万元,construction\n" for i in range(1, 30_001)]
    body[25_000 - 1] = "P25000,broken\"row,with,too,many\n"
    ledger = tmp_path / "l.csv"
    ledger.write_text(header + "".join(body), "utf-8")
    summary = govrules.batch.run_ledger(ledger, tmp_path / "o.parquet", ENGINE, "wuxing", AS_OF, progress=False)
    assert summary.rows == 30_000 and [row for row, _ in summary.bad] == [25_000]


def test_a_duplicate_header_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text("id,total_investment,total_investment\nA,1,2\n", "utf-8")
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "o.csv"), "--no-progress")
    assert code == 3 and "'total_investment'" in err and "more than once" in err
    assert "Traceback" not in out + err and not (tmp_path / "o.csv").exists()


def test_a_duplicate_header_behind_a_quoted_newline_is_found_too(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text('id,"x\ny",id\nA,1,B\n', "utf-8")
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "o.csv"), "--no-progress")
    assert code == 3 and "'id'" in err and "Traceback" not in out + err


def test_hostile_jsonl_rows_are_listed_and_the_rest_decided(tmp_path: Path) -> None:
    good = json.dumps(dict(SCOPE, total_investment="500万元"), ensure_ascii=False).encode()
    rows = [
        good,
        b'{"total_investment": 100000000000000000000}',                   # 10^20: larger than int64
        b'{"total_investment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",   # 100k nesting
        b'{"id": "\xff\xfe"}',                                               # invalid UTF-8
        b'{"id": "ok\\udc80"}',                                              # a lone surrogate
        b'{"total_investment": "100\xe4\xb8\x87\xe5\x85\x83", "total_investment": "900\xe4\xb8\x87\xe5\x85\x83"}',
        b'{"total_investment": 1' + b"0" * 5000 + b"}",                      # 5000 digits
        b'{"total_investment": NaN}',
        good,
    ]
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(b"\n".join(rows) + b"\n")
    out = tmp_path / "o.jsonl"
    summary = govrules.batch.run_ledger(ledger, out, ENGINE, "wuxing", AS_OF, batch_size=4, progress=False)
    assert summary.rows == 9
    assert [row for row, _ in summary.bad] == [2, 3, 4, 5, 6, 7, 8]
    problems = dict(summary.bad)
    assert "total_investment" in problems[2]
    assert "nested too deeply" in problems[3]
    assert "UTF-8" in problems[4]
    assert "surrogate" in problems[5]
    assert "duplicate key" in problems[6]
    assert "total_investment" in problems[7] and "NaN" in problems[8]
    decided = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert decided[0]["wuxing.approval.feasibility_study"] == "applies" == decided[8]["wuxing.approval.feasibility_study"]


def test_cli_batch_exit_codes(tmp_path: Path) -> None:
    """0 nothing wrong, 1 violated or overdue decisions, 3 bad rows (issue 13)."""
    clean = tmp_path / "clean.csv"
    write_csv(clean, [dict(SCOPE, id="A", total_investment="100万元")])
    code, out, _ = run("batch", str(clean), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(tmp_path / "a.csv"),
                       "--no-progress")
    decided = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert not any(v in ("violated", "overdue") for v in decided[0].values())
    assert code == 0, out
    late = tmp_path / "late.csv"
    write_csv(late, [dict(SCOPE, id="A", total_investment="100万元", contract_signed_on="2026-01-05")])
    code, out, _ = run("batch", str(late), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(tmp_path / "b.csv"),
                       "--no-progress")
    decided = list(csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8")))
    assert any(v in ("violated", "overdue") for v in decided[0].values())
    assert code == 1 and "violated or overdue" in out
    bad = tmp_path / "bad.csv"
    write_csv(bad, [dict(SCOPE, id="A", total_investment="很多")])
    code, out, _ = run("batch", str(bad), "-j", "wuxing", "-o", str(tmp_path / "c.csv"), "--no-progress")
    assert code == 3 and "row 1:" in out


# ---------------------------------------------------------------------------------------------
# 5. Duplicate keys in JSON are refused, as in YAML


def test_duplicate_keys_in_a_json_project_are_refused(tmp_path: Path) -> None:
    project = tmp_path / "p.json"
    project.write_text('{"total_investment":"100万元","total_investment":"900万元"}', "utf-8")
    with pytest.raises(ProjectError) as info:
        ENGINE.evaluate(project, "wuxing", AS_OF)
    assert [(p.field, p.code) for p in info.value.problems] == [("total_investment", "duplicate-key")]
    nested = tmp_path / "n.json"
    nested.write_text('{"id": "A", "name": "x", "name": "y"}', "utf-8")
    code, _, err = run("evaluate", str(nested), "-j", "wuxing")
    assert code == 3 and "name" in err
    fine = tmp_path / "f.json"
    fine.write_text('{"total_investment":"100万元","budget_amount":"100万元"}', "utf-8")
    assert ENGINE.evaluate(fine, "wuxing", AS_OF).jurisdiction == "wuxing"


def test_duplicate_keys_in_a_corpus_are_refused(tmp_path: Path) -> None:
    from govrules.corpus import read_corpus

    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "A"}\n{"id": "B", "id": "C"}\n', "utf-8")
    with pytest.raises(ProjectError) as info:
        read_corpus(corpus)
    assert info.value.problems[0].field == "line 2: id" and info.value.problems[0].code == "duplicate-key"


# ---------------------------------------------------------------------------------------------
# 6. Replay checks the logged report and the masked fields; 7. masked values cannot be guessed;
# 8. bad lines are reported and the rest replayed; 9. --log checked before evaluating


def _log_one(path: Path, project: Any = EXAMPLE, **kwargs: Any) -> dict[str, Any]:
    DecisionLog(path, **kwargs).evaluate(ENGINE, project, "wuxing", AS_OF)
    return json.loads(path.read_text("utf-8").splitlines()[-1])


def test_replay_finds_an_edited_status_inside_the_logged_report(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    entry = _log_one(path)
    assert [r.verdict for r in replay(ENGINE, path)] == ["same"]
    decision = entry["report"]["decisions"][0]
    decision["status"] = "satisfied" if decision["status"] != "satisfied" else "violated"
    path.write_text(canonical_json(entry) + "\n", "utf-8")
    (result,) = replay(ENGINE, path)
    assert result.verdict == "different"
    assert any("report_hash" in d for d in result.differences)


def test_adding_masked_to_a_line_does_not_switch_off_the_checks(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    project = dict(govrules.read_project(EXAMPLE).to_dict(), total_investment="860万元")
    entry = _log_one(path, project)
    entry["masked"] = ["id"]
    entry["input"]["total_investment"] = "9000000"
    path.write_text(canonical_json(entry) + "\n", "utf-8")
    (result,) = replay(ENGINE, path)
    assert result.verdict == "different"
    assert any("not a mask" in d for d in result.differences)


def test_a_sealed_line_edited_after_writing_is_found_with_the_salt(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    project = dict(govrules.read_project(EXAMPLE).to_dict(), total_investment="860万元")
    entry = _log_one(path, project, mask=["id"], salt=SALT)
    assert [r.verdict for r in replay(ENGINE, path, salt=SALT)] == ["same"]
    # A careful forger changes the input and the outcome together, as a re-evaluation would give.
    forged_project = dict(project, total_investment="9000000")
    forged_project.pop("id", None)
    forged = govrules.audit.outcome_of(ENGINE.evaluate(forged_project, "wuxing", AS_OF))
    entry["input"]["total_investment"] = "9000000"
    entry["outcome"] = forged
    path.write_text(canonical_json(entry) + "\n", "utf-8")
    (result,) = replay(ENGINE, path, salt=SALT)
    assert result.verdict == "different" and any("seal" in d for d in result.differences)


def test_masked_values_cannot_be_recovered_from_the_line_without_the_salt(tmp_path: Path) -> None:
    """The attacker of issue 14: holds the log line and govrules, not the salt, and hashes guesses."""
    path = tmp_path / "d.jsonl"
    project = dict(govrules.read_project(EXAMPLE).to_dict(), id="WX-2026-017", total_investment="8600000",
                   budget_amount="7000000", investment_estimate="7000000")   # the secret only in one field
    line = _log_one(path, project, mask=["id", "total_investment"], salt=SALT)
    text = path.read_text("utf-8")
    assert "8600000" not in text and "860万" not in text and "WX-2026-017" not in text
    packs = [p for p in ENGINE.packs if p.id in {ref["id"] for ref in line["packs"]}]
    # Everything but the masked values is in the line; the rest of the attacker's inputs.
    known = {k: v for k, v in line["input"].items() if k not in line["masked"]}
    guesses_ids = [f"WX-2026-{n:03d}" for n in range(0, 40)]
    guesses_amounts = [str(8_000_000 + 10_000 * k) for k in range(0, 100)]   # includes 8600000
    assert "WX-2026-017" in guesses_ids and "8600000" in guesses_amounts
    secrets_in_line = {line["decision_id"], line["report_hash"], line["input"]["id"], line["input"]["total_investment"]}

    def candidates(key: str | None) -> set[str]:
        found = set()
        for ident in guesses_ids:
            for amount in guesses_amounts[55:65]:
                guess = govrules.parse_project(dict(known, id=ident, total_investment=amount))
                did = decision_id(guess, "wuxing", AS_OF, packs, line["engine"]["version"],
                                  line["calendar"]["fingerprint"])
                found.add(did)
                found.add("hmac-sha256:" + hmac.new((key or "").encode(), did.encode(), hashlib.sha256).hexdigest())
        for value in guesses_ids + guesses_amounts:
            for text_value in (json.dumps(value), value):
                found.add("sha256:" + hashlib.sha256(text_value.encode()).hexdigest())
                found.add("hmac-sha256:" + hmac.new((key or "").encode(), text_value.encode(),
                                                    hashlib.sha256).hexdigest())
        return found

    # Without the salt (an empty key, a guessed key): nothing matches.
    for key in (None, "", "govrules", SALT[:-1]):
        assert not (candidates(key) & secrets_in_line)
    # The same search with the salt does find them: the test could fail.
    hits = candidates(SALT) & secrets_in_line
    assert line["decision_id"] in hits and line["input"]["id"] in hits


def test_masked_line_without_a_salt_has_no_unsalted_hashes(tmp_path: Path) -> None:
    line = _log_one(tmp_path / "d.jsonl", mask=["total_investment"])
    assert line["decision_id"] is None and line["report_hash"] is None and line["mask"] == "redacted"
    plain = _log_one(tmp_path / "e.jsonl")
    assert plain["decision_id"].startswith("sha256:") and plain["report_hash"].startswith("sha256:")


def test_bad_log_lines_are_reported_and_the_others_replayed(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    entry = _log_one(path)
    good = canonical_json(entry)
    variants = []
    for change in ("as_of", "bad_date", "input", "packs", "engine"):
        bad = json.loads(good)
        if change == "as_of":
            del bad["as_of"]
        elif change == "bad_date":
            bad["as_of"] = "2026-02-30"
        elif change == "input":
            bad["input"] = "a string"
        elif change == "packs":
            bad["packs"] = None
        else:
            bad["engine"] = None
        variants.append(canonical_json(bad))
    path.write_text("\n".join([good, *variants, good, good[: len(good) // 2]]) + "\n", "utf-8")
    results = replay(ENGINE, path)
    assert [r.verdict for r in results] == ["same", "bad", "bad", "bad", "bad", "bad", "same", "bad"]
    assert [r.line for r in results] == list(range(1, 9))
    assert "as_of is missing" in results[1].differences[0]
    assert "2026-02-30" in results[2].differences[0]
    code, out, err = run("replay", str(path))
    assert code == 1 and "2 same, 0 different, 0 skipped, 6 bad line(s)" in out and "Traceback" not in out + err


def test_log_into_a_missing_directory_or_onto_a_directory_fails_before_evaluating(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import govrules.cli as cli

    def no_load(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("loaded and evaluated before the log was checked")

    monkeypatch.setattr(cli, "load", no_load)
    for target in (tmp_path / "missing" / "d.jsonl", tmp_path):
        code, out, err = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--log", str(target))
        assert code == 2 and "cannot write the log" in err and "Traceback" not in out + err
    monkeypatch.undo()
    code, _, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--log",
                     str(tmp_path / "d.jsonl"))
    assert code in (0, 1) and (tmp_path / "d.jsonl").exists()


# ---------------------------------------------------------------------------------------------
# 10. Dates near year 9999


@pytest.mark.parametrize("fact", ["contract_signed_on", "construction_completed_on", "acceptance_failed_on",
                                  "owner_zombie_system_listed_on"])
def test_dates_near_the_end_of_time_are_refused_naming_the_field(fact: str) -> None:
    for jurisdiction in ("wuxing", "quzhou"):
        with pytest.raises(ProjectError) as info:
            ENGINE.evaluate({fact: "9999-12-30"}, jurisdiction, AS_OF)
        assert info.value.problems[0].field == fact and "1900" in info.value.problems[0].message
    assert ENGINE.evaluate({fact: "2999-12-31"}, "wuxing", AS_OF).jurisdiction == "wuxing"   # the last day allowed
    with pytest.raises(ProjectError):
        ENGINE.evaluate({fact: "1899-12-31"}, "wuxing", AS_OF)
    assert ENGINE.evaluate({fact: "1900-01-01"}, "wuxing", AS_OF).jurisdiction == "wuxing"


def test_dates_near_the_end_of_time_in_a_parquet_ledger_are_bad_rows(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pa.table({"id": ["A", "B"], "contract_signed_on": pa.array([_dt.date(9999, 12, 30),
                                                                         _dt.date(2026, 5, 1)], pa.date32())})
    pq.write_table(table, tmp_path / "l.parquet")
    summary = govrules.batch.run_ledger(tmp_path / "l.parquet", tmp_path / "o.csv", ENGINE, "wuxing", AS_OF,
                                        progress=False)
    assert [row for row, _ in summary.bad] == [1] and "contract_signed_on" in summary.bad[0][1]


def test_dates_near_the_end_of_time_in_a_case_file_break_that_file_only(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "wuxing", policies / "wuxing")
    shutil.copytree(POLICIES / "huzhou", policies / "huzhou")
    case = textwrap.dedent("""\
        # yaml-language-server: $schema=../../../src/govrules/schemas/cases.schema.json
        cases:
          - name: far future
            provision: 第二十三条
            as_of: "2026-06-01"
            project: {contract_signed_on: "9999-12-30"}
            expect: {}
        """)
    (policies / "wuxing" / "tests" / "test_far.yaml").write_text(case, "utf-8")
    for command in ("test", "lint", "coverage"):
        code, out, err = run(command, str(policies))
        assert code in (0, 1), (command, out, err)
        assert "Traceback" not in out + err and "OverflowError" not in out + err


# ---------------------------------------------------------------------------------------------
# 11. Only regular files, size checked before reading; 12. no symlinks out of a pack


def _pack_copy(tmp_path: Path, pack: str = "huzhou") -> Path:
    target = tmp_path / "policies" / pack
    shutil.copytree(POLICIES / pack, target)
    return target


@pytest.mark.parametrize("cache", ["1", "0"])
def test_special_files_in_a_pack_are_refused_without_reading_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    monkeypatch.setenv("GOVRULES_CACHE", cache)
    monkeypatch.setenv("GOVRULES_CACHE_DIR", str(tmp_path / "cache"))
    pack = _pack_copy(tmp_path)
    rules = pack / "rules" / "zz.yaml"
    for kind in ("zero", "fifo", "loop", "large"):
        rules.unlink(missing_ok=True)
        if kind == "zero":
            rules.symlink_to("/dev/zero")
        elif kind == "fifo":
            os.mkfifo(rules)
        elif kind == "loop":
            rules.symlink_to(rules)
        else:
            rules.write_bytes(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
        with pytest.raises(PackError) as info:
            govrules.load(pack.parent)
        codes = {p.code for p in info.value.problems}
        assert codes & {"not-a-file", "too-large", "unreadable", "outside-pack"}, (kind, codes)
        code, out, err = run("lint", str(pack.parent))
        assert code == 1 and "Traceback" not in out + err


def test_special_project_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    zero = tmp_path / "z.json"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"name": "x" * (2 * 1024 * 1024)}), "utf-8")
    for path, code_expected in ((fifo, "not-a-file"), (zero, "not-a-file"), (big, "too-large")):
        with pytest.raises(ProjectError) as info:
            ENGINE.evaluate(path, "wuxing", AS_OF)
        assert info.value.problems[0].code == code_expected
        code, out, err = run("evaluate", str(path), "-j", "wuxing")
        assert code == 3 and "Traceback" not in out + err
    small = tmp_path / "s.json"
    small.write_text(json.dumps({"name": "x" * (512 * 1024)}), "utf-8")   # under the 1 MB limit
    assert ENGINE.evaluate(small, "wuxing", AS_OF).project_name.startswith("xxx")


def test_a_fifo_pack_file_does_not_hang_a_subprocess(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    (pack / "rules" / "zz.yaml").unlink(missing_ok=True)
    os.mkfifo(pack / "rules" / "zz.yaml")
    result = subprocess.run([sys.executable, "-m", "govrules.cli", "lint", str(pack.parent)], capture_output=True,
                            text=True, timeout=120, env=subprocess_env(tmp_path))
    assert result.returncode == 1 and "not a regular file" in result.stdout and "Traceback" not in result.stderr


def test_symlinks_out_of_a_pack_are_refused_and_never_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:SECRET-MARKER:/root:/bin/bash\n", "utf-8")
    pack = _pack_copy(tmp_path)
    (pack / "rules" / "leak.yaml").symlink_to(secret)
    with pytest.raises(PackError) as info:
        govrules.load(pack.parent)
    problem = next(p for p in info.value.problems if p.code == "outside-pack")
    assert problem.file.endswith("leak.yaml")
    code, out, err = run("lint", str(pack.parent))
    assert code == 1 and "SECRET-MARKER" not in out + err and "outside the pack" in out
    # A symlink that stays inside the pack is followed as before.
    (pack / "rules" / "leak.yaml").unlink()
    inside = pack / "rules" / "copy.yaml.orig"
    shutil.copy(next((pack / "rules").glob("*.yaml")), inside)
    (pack / "rules" / "zz_link.yaml").symlink_to(inside)
    with pytest.raises(PackError) as again:  # now a duplicate rule id, not a refused link
        govrules.load(pack.parent)
    assert {p.code for p in again.value.problems} == {"duplicate-rule"}


def test_symlinked_case_file_out_of_a_pack_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("cases: SECRET-MARKER\n", "utf-8")
    pack = _pack_copy(tmp_path)
    (pack / "tests" / "test_leak.yaml").symlink_to(secret)
    code, out, err = run("lint", str(pack.parent))
    assert code == 1 and "SECRET-MARKER" not in out + err and "outside the pack" in out


# ---------------------------------------------------------------------------------------------
# 13. Exception chains and provision nesting: linear, iterative, bounded


def _chain_pack(root: Path, rules: int, cycle: bool) -> Path:
    from packwriter import write_pack

    provisions = 'provisions:\n  - {label: 第一条, path: ["1"], text: 第一条。}\n'
    body = ["rules:"]
    for i in range(rules):
        parent = (i + 1) % rules if cycle else i + 1
        body.append(f"  - id: demo.r{i}\n    kind: obligation\n    title: {{zh: 规则{i}, en: rule {i}}}\n"
                    f"    cites: [第一条]\n    outcome: required\n"
                    + (f"    exception_to: demo.r{parent}\n" if cycle or i + 1 < rules else ""))
    return write_pack(root, "demo", provisions=provisions, rules="\n".join(body) + "\n")


@pytest.mark.parametrize(("rules", "cycle"), [(4000, True), (4000, False), (17, False), (18, False)])
def test_long_exception_chains_are_pack_errors_not_recursion(tmp_path: Path, rules: int, cycle: bool) -> None:
    pack = _chain_pack(tmp_path, rules, cycle)
    from govrules.loading import MAX_EXCEPTION_DEPTH, load_pack

    assert MAX_EXCEPTION_DEPTH == 16
    if rules == 17 and not cycle:   # r0 is 16 exceptions deep: the limit, accepted
        assert len(load_pack(pack).rules) == 17
        return
    with pytest.raises(PackError) as info:
        load_pack(pack)
    codes = [p.code for p in info.value.problems]
    if cycle:
        assert codes.count("exception-cycle") == 1 and "exception-depth" not in codes
    else:
        assert codes.count("exception-depth") == (1 if rules == 18 else rules - 17 - (rules - 18))


def test_provisions_nested_deep_are_refused_without_recursion(tmp_path: Path) -> None:
    from packwriter import write_pack

    from govrules.loading import MAX_PROVISION_DEPTH, load_pack

    def provisions(depth: int) -> str:
        lines = ["provisions:"]
        for level in range(1, depth + 1):
            path = ", ".join(f'"{k}"' for k in range(1, level + 1))
            lines.append(f"  - {{label: P{level}, path: [{path}], text: {'文' * 20}}}")
        return "\n".join(lines) + "\n"

    rules = ("rules:\n  - id: demo.r\n    kind: obligation\n    title: {zh: 规则, en: rule}\n"
             "    cites: [P1]\n    outcome: required\n")
    ok = write_pack(tmp_path / "a", "demo", provisions=provisions(MAX_PROVISION_DEPTH), rules=rules)
    pack = load_pack(ok)
    assert len(pack.provisions["P1"].full_text) == 20 * MAX_PROVISION_DEPTH
    deep = write_pack(tmp_path / "b", "demo", provisions=provisions(400), rules=rules)
    with pytest.raises(PackError) as info:
        load_pack(deep)
    assert [p.code for p in info.value.problems] == ["too-deep"]
    one_more = write_pack(tmp_path / "c", "demo", provisions=provisions(MAX_PROVISION_DEPTH + 1), rules=rules)
    with pytest.raises(PackError):
        load_pack(one_more)


# ---------------------------------------------------------------------------------------------
# 14. Parent cycles and conflicts


def _set_parent(pack: Path, parent: str | None, jurisdiction: str | None = None) -> None:
    meta = pack / "pack.yaml"
    text = meta.read_text("utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  parent:"):
            lines[i] = f"  parent: {parent if parent else 'null'}"
        if jurisdiction and line.startswith("  id:") and lines[i - 1].startswith("jurisdiction:"):
            lines[i] = f"  id: {jurisdiction}"
    meta.write_text("\n".join(lines) + "\n", "utf-8")


def test_parent_cycles_self_parents_and_conflicts_are_pack_errors(tmp_path: Path) -> None:
    huzhou = _pack_copy(tmp_path, "huzhou")
    wuxing = _pack_copy(tmp_path, "wuxing")
    govrules.load(tmp_path / "policies")                     # as shipped: loads
    _set_parent(huzhou, "wuxing")
    with pytest.raises(PackError) as info:
        govrules.load(tmp_path / "policies")
    assert [p.code for p in info.value.problems] == ["parent-cycle"]
    assert "huzhou → wuxing → huzhou" in info.value.problems[0].message
    _set_parent(huzhou, "huzhou")
    with pytest.raises(PackError) as info:
        govrules.load(tmp_path / "policies")
    assert [p.code for p in info.value.problems] == ["parent-cycle"]
    _set_parent(huzhou, None)
    # A second wuxing-jurisdiction pack naming another parent.
    other = tmp_path / "policies" / "wuxing2"
    shutil.copytree(wuxing, other)
    meta = other / "pack.yaml"
    meta.write_text(meta.read_text("utf-8").replace("id: wuxing\n", "id: wuxing2\n", 1), "utf-8")
    readings = other / "readings.yaml"  # reading ids start with the pack id
    readings.write_text(readings.read_text("utf-8").replace("wuxing_", "wuxing2_"), "utf-8")
    for rules in (other / "rules").glob("*.yaml"):
        rules.write_text(rules.read_text("utf-8").replace("wuxing.", "wuxing2.").replace("reading: wuxing_", "reading: wuxing2_"),
                         "utf-8")
    shutil.rmtree(other / "tests")
    _set_parent(other, None)
    with pytest.raises(PackError) as info:
        govrules.load(tmp_path / "policies")
    assert "parent-conflict" in [p.code for p in info.value.problems]
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "huzhou", "--policies", str(tmp_path / "policies"))
    assert code == 4 and "Traceback" not in out + err


# ---------------------------------------------------------------------------------------------
# 15. Weights non-negative and summing to exactly 100


@pytest.mark.parametrize(("weights", "loads"), [
    (["-20", "20", "20", "20", "60"], False),
    (["20", "20", "20", "20", "19.9999999999"], False),
    (["20", "20", "20", "20", "20.0000000000"], True),
    (["0", "25", "25", "25", "25"], True),
    (["20", "20", "20", "20", "20.00000000001"], False),      # more than 10 decimals
    (["100.0000000001", "0", "0", "0", "-0.0000000001"], False),
])
def test_scoring_weights_are_percentages_summing_exactly_to_100(tmp_path: Path, weights: list[str],
                                                                  loads: bool) -> None:
    pack = _pack_copy(tmp_path, "wuxing")
    _pack_copy(tmp_path, "huzhou")
    meta = pack / "pack.yaml"
    lines = meta.read_text("utf-8").splitlines()
    k = 0
    for i, line in enumerate(lines):
        if line.strip().startswith("- id: wuxing_weight_"):
            assert lines[i + 2].strip() == "value: 20"
            lines[i + 2] = f"    value: {weights[k]}"
            k += 1
    assert k == 5
    meta.write_text("\n".join(lines) + "\n", "utf-8")
    if loads:
        govrules.load(tmp_path / "policies")
    else:
        with pytest.raises(PackError) as info:
            govrules.load(tmp_path / "policies")
        assert {p.code for p in info.value.problems} == {"scoring"}


# ---------------------------------------------------------------------------------------------
# 16. No negative zero; no hexadecimal or octal numbers


def test_negative_zero_is_zero() -> None:
    minus = ENGINE.evaluate({"warranty_years": "-0"}, "wuxing", AS_OF)
    plus = ENGINE.evaluate({"warranty_years": "0"}, "wuxing", AS_OF)
    assert minus.decision_id == plus.decision_id
    assert '"-0' not in minus.to_json() and "-0年" not in minus.to_json()
    assert ENGINE.evaluate({"warranty_years": "-0.00"}, "wuxing", AS_OF).decision_id == plus.decision_id
    with pytest.raises(ProjectError):
        ENGINE.evaluate({"warranty_years": "-0.01"}, "wuxing", AS_OF)


@pytest.mark.parametrize("written", ["0x10", "0o17"])
def test_hexadecimal_and_octal_numbers_are_refused_in_yaml(tmp_path: Path, written: str) -> None:
    project = tmp_path / "p.yaml"
    project.write_text(f"total_investment: {written}\n", "utf-8")
    with pytest.raises(ProjectError) as info:
        ENGINE.evaluate(project, "wuxing", AS_OF)
    assert info.value.problems[0].code == "number-base"
    quoted = tmp_path / "q.yaml"
    quoted.write_text(f'total_investment: "{written}"\n', "utf-8")     # text: not an amount either
    with pytest.raises(ProjectError) as info:
        ENGINE.evaluate(quoted, "wuxing", AS_OF)
    assert info.value.problems[0].field == "total_investment"
    decimal = tmp_path / "d.yaml"
    decimal.write_text("total_investment: 16\n", "utf-8")
    assert ENGINE.evaluate(decimal, "wuxing", AS_OF).jurisdiction == "wuxing"


# ---------------------------------------------------------------------------------------------
# 17. Control characters never reach the terminal


def test_control_characters_in_a_name_are_escaped_in_human_output(tmp_path: Path) -> None:
    project = tmp_path / "p.json"
    forged = "演示\n满足 satisfied: 99\x1b[8m\u202e"
    project.write_text(json.dumps({"name": forged, "id": "A\rB"}, ensure_ascii=False), "utf-8")
    code, out, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-06-01")
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
    assert not any(line.startswith("满足 satisfied: 99") for line in out.splitlines())
    assert "\\x0a满足 satisfied: 99\\x1b[8m" in out
    code, out, _ = run("compare", str(project), "--as-of", "2026-06-01")
    assert "\x1b" not in out and "\u202e" not in out
    # JSON output keeps the text as data, escaped by JSON itself.
    code, out, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-06-01", "--format", "json")
    assert json.loads(out)["project"]["name"] == forged


# ---------------------------------------------------------------------------------------------
# 18. The law's day is China Standard Time


def test_as_of_left_out_is_today_in_china_standard_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import govrules.calendar as cal

    class Clock(_dt.datetime):
        now_utc = _dt.datetime(2026, 5, 11, 19, 50, tzinfo=_dt.UTC)

        @classmethod
        def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
            return cls.now_utc.astimezone(tz) if tz else cls.now_utc.replace(tzinfo=None)

    monkeypatch.setattr(cal, "datetime", Clock)
    assert cal.today_in_china() == _dt.date(2026, 5, 12)      # 19:50 UTC is 03:50 the next day in Beijing
    assert ENGINE.evaluate({}, "wuxing").as_of == _dt.date(2026, 5, 12)
    Clock.now_utc = _dt.datetime(2026, 5, 11, 15, 59, tzinfo=_dt.UTC)
    assert cal.today_in_china() == _dt.date(2026, 5, 11)      # 23:59 in Beijing


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_process_time_zone_does_not_change_today(tmp_path: Path, zone: str) -> None:
    from govrules.calendar import today_in_china

    code = ("import govrules, json; r = govrules.load().evaluate({}, 'wuxing'); print(r.as_of.isoformat())")
    for _ in range(2):  # a retry in case the test straddles midnight in Beijing
        before = today_in_china()
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                                env=subprocess_env(tmp_path, TZ=zone))
        if today_in_china() == before:
            break
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == before.isoformat()


# ---------------------------------------------------------------------------------------------
# 19. A holiday file for a covered year


def test_a_holiday_file_for_a_covered_year_needs_replace_holidays(tmp_path: Path) -> None:
    holidays = tmp_path / "h2026.yaml"
    holidays.write_text("year: 2026\nsource: a local copy\nholidays:\n  - 2026-05-12\nworkdays: []\n", "utf-8")
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--holidays",
                         str(holidays))
    assert code == 4 and "2026" in err and "--replace-holidays" in err and "Traceback" not in err
    with pytest.raises(PackError) as info:
        govrules.load(holidays=[holidays])
    assert info.value.problems[0].code == "covered-year"
    engine = govrules.load(holidays=[holidays], replace_holidays=True)
    assert any("a local copy" in s for s in engine.calendar.sources())
    code, out, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--holidays",
                       str(holidays), "--replace-holidays", "--format", "json")
    assert code in (0, 1) and "a local copy" in out
    # A year not covered is accepted as before, without the flag.
    sample = REPO / "tests" / "data" / "holidays-2027-sample.yaml"
    assert govrules.load(holidays=[sample]).calendar.covers(2027)


# ---------------------------------------------------------------------------------------------
# 20. Output that cannot encode Chinese; --batch-size 0; JSON project size


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "POSIX", "PYTHONUTF8": "0",
                                                                   "PYTHONIOENCODING": "ascii"}])
def test_a_terminal_that_cannot_encode_chinese_gets_escapes_not_a_crash(tmp_path: Path, env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "govrules.cli", "evaluate", str(EXAMPLE), "-j", "wuxing",
                             "--as-of", "2026-06-01"], capture_output=True, timeout=120,
                            env=subprocess_env(tmp_path, **env))
    assert result.returncode in (0, 1), result.stderr
    assert b"Traceback" not in result.stderr and b"\\u" in result.stdout
    assert b"wuxing" in result.stdout


def test_an_output_that_cannot_be_written_is_a_usage_error_after_nothing_is_left(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    write_csv(ledger, LEDGER_ROWS)
    # A name the file system refuses (longer than 255 bytes): the temporary file cannot be created.
    code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / ("o" * 300 + ".csv")),
                         "--no-progress")
    assert code == 2 and "cannot write" in err and "Traceback" not in out + err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv"]
    for target in (tmp_path / "missing" / "o.csv", tmp_path, tmp_path / "o.xlsx"):
        code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(target), "--no-progress")
        assert code == 2 and "Traceback" not in out + err, target


def test_batch_size_zero_is_a_usage_error(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    write_csv(ledger, LEDGER_ROWS)
    for size in ("0", "-5", "many"):
        code, out, err = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "o.csv"),
                             "--batch-size", size)
        assert code == 2 and "--batch-size" in err and "Traceback" not in out + err
    code, _, _ = run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "o.csv"), "--batch-size", "1",
                     "--no-progress")
    assert code in (0, 1)


# ---------------------------------------------------------------------------------------------
# Issue 13: the crash code, and batch output a system can use


def test_an_uncaught_exception_is_exit_70_with_a_bilingual_note(monkeypatch: pytest.MonkeyPatch) -> None:
    import govrules.cli as cli

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "_cmd_facts", broken)
    code, out, err = run("facts")
    assert code == 70 and "内部错误" in err and "please report" in err and "ZeroDivisionError" in err
    assert "Traceback" not in out + err and 'File "' not in err


def test_batch_optional_columns(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    write_csv(ledger, [dict(SCOPE, id="A", total_investment="100万元", contract_signed_on="2026-05-06"),
                       dict(SCOPE, id="B", total_investment="很多")])
    out = tmp_path / "o.csv"
    code, _, _ = run("batch", str(ledger), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(out),
                     "--no-progress", "--columns", "due", "--columns", "missing", "--columns", "parameters",
                     "--columns", "readings", "--columns", "not_needed")
    assert code == 3   # row B is bad
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    report = ENGINE.evaluate({k: v for k, v in rows[0].items() if False} or dict(
        SCOPE, id="A", total_investment="100万元", contract_signed_on="2026-05-06"), "wuxing", AS_OF)
    for d in report.decisions:
        assert rows[0][f"{d.rule}:due"] == (d.due.isoformat() if d.due else ""), d.rule
        assert rows[0][f"{d.rule}:missing"] == ",".join(d.missing), d.rule
        assert rows[0][f"{d.rule}:parameters"] == ",".join(d.local_parameters), d.rule
        assert rows[0][f"{d.rule}:readings"] == ",".join(d.readings), d.rule
        assert rows[0][f"{d.rule}:not_needed"] == ",".join(d.not_needed), d.rule
    assert any(rows[0][f"{d.rule}:due"] for d in report.decisions)
    assert any(rows[0][f"{d.rule}:missing"] for d in report.decisions)
    assert all(rows[1][f"{d.rule}:due"] == "" for d in report.decisions)
    # Without --columns the output has the status columns only.
    run("batch", str(ledger), "-j", "wuxing", "-o", str(tmp_path / "p.csv"), "--no-progress")
    header = next(csv.reader((tmp_path / "p.csv").open(encoding="utf-8")))
    assert not any(":" in name for name in header)


def test_progress_bar_has_a_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    import pyarrow.parquet as pq

    ledger = tmp_path / "l.csv"
    write_csv(ledger, LEDGER_ROWS * 50)
    govrules.batch.run_ledger(ledger, tmp_path / "o.csv", ENGINE, "wuxing", AS_OF, progress=True, batch_size=100)
    err = capsys.readouterr().err
    size = ledger.stat().st_size
    assert "100%" in err and f"{size / 1024:.1f}k" in err.replace("kB", "k").replace("KB", "k").replace(
        "ki", "k") or "100%" in err
    pq.write_table(pa.Table.from_pylist(LEDGER_ROWS * 50), tmp_path / "l.parquet")
    govrules.batch.run_ledger(tmp_path / "l.parquet", tmp_path / "o2.csv", ENGINE, "wuxing", AS_OF, progress=True,
                              batch_size=100)
    err = capsys.readouterr().err
    assert "600/600" in err and "100%" in err


def test_threads_do_not_leak_partial_files(tmp_path: Path) -> None:
    # Two runs writing different outputs at once from the same ledger: both complete, no temp files.
    ledger = tmp_path / "l.csv"
    write_csv(ledger, LEDGER_ROWS * 20)
    results: list[int] = []

    def one(name: str) -> None:
        summary = govrules.batch.run_ledger(ledger, tmp_path / name, ENGINE, "wuxing", AS_OF, progress=False)
        results.append(summary.rows)

    threads = [threading.Thread(target=one, args=(n,)) for n in ("a.csv", "b.parquet")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == [240, 240]
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_decimal_is_never_float_in_jsonl_cells(tmp_path: Path) -> None:
    from govrules.batch import _jsonl_row

    row = _jsonl_row(b'{"total_investment": 4999999.9999999999, "budget_amount": 1e2}', 1)
    assert row == {"total_investment": "4999999.9999999999", "budget_amount": "1E+2"}
    assert Decimal(row["total_investment"]) < 5_000_000
