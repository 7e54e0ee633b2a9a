"""Batch evaluation (govrules.batch): the vectorized, compiled and plain evaluators agree (issue 5).

Hypothesis-generated ledgers over every pack that ``govrules.load()`` finds; bad rows are reported
by row and field and never stop a run; the Arrow entry point maps over Dask partitions. No timing.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optional import need

pa = need("pyarrow", "pip install -e '.[test]'")

from govrules import Project, Status  # noqa: E402
from govrules import batch as batch_module  # noqa: E402
from govrules.batch import _ARROW_TYPES, evaluate_batch, run_ledger  # noqa: E402
from govrules.vocabulary import NOT_HAPPENED  # noqa: E402
from govrules.cli import main  # noqa: E402

from test_fast_paths import ENGINE, FACTS, JURISDICTIONS, VOCAB, projects  # noqa: E402

SCHEMA = pa.schema([("id", pa.string())] + [(name, _ARROW_TYPES[VOCAB[name].type]) for name in FACTS])


def _batch(ledger: list[Project]) -> pa.RecordBatch:
    rows = [{"id": f"P{i}", **dict(p.facts)} for i, p in enumerate(ledger)]
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=st.lists(projects(), min_size=1, max_size=40),
       as_of=st.dates(min_value=_dt.date(2026, 1, 1), max_value=_dt.date(2027, 6, 30)))
def test_vectorized_compiled_and_plain_agree(jurisdiction: str, ledger: list[Project], as_of: _dt.date) -> None:
    batch = _batch(ledger)
    vectorized = evaluate_batch(batch, ENGINE, jurisdiction, as_of)
    per_row = evaluate_batch(batch, ENGINE, jurisdiction, as_of, vectorized=False)
    assert vectorized.column("error").null_count == len(ledger)
    for i, project in enumerate(ledger):
        plain = ENGINE.evaluate_plain(project, jurisdiction, as_of)
        compiled = ENGINE.evaluate(project, jurisdiction, as_of)
        expected = {d.rule: d.status.value for d in plain.decisions}
        assert {d.rule: d.status.value for d in compiled.decisions} == expected
        for rule, status in expected.items():
            assert vectorized.column(rule)[i].as_py() == status, (rule, project.facts)
            assert per_row.column(rule)[i].as_py() == status, (rule, project.facts)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=st.lists(projects(), min_size=1, max_size=12), repeat=st.integers(min_value=3, max_value=6))
def test_repeated_rows_are_decided_once_per_combination_and_agree(jurisdiction: str, ledger: list[Project],
                                                                   repeat: int) -> None:
    # Each project several times over: at most a third of the rows are distinct, so the column path
    # decides each distinct combination of condition values once and spreads it back to the rows.
    batch = _batch(ledger * repeat)
    as_of = _dt.date(2026, 6, 1)
    vectorized = evaluate_batch(batch, ENGINE, jurisdiction, as_of)
    per_row = evaluate_batch(batch, ENGINE, jurisdiction, as_of, vectorized=False)
    assert vectorized.to_pylist() == per_row.to_pylist()


def test_summary_counts_match_the_written_statuses(tmp_path: Path) -> None:
    import json

    rows = [dict(GOOD, id=f"R{i}", total_investment=f"{400 + 50 * (i % 4)}万元") for i in range(40)]
    rows[7] = dict(rows[7], budget_amount="很多")
    ledger = tmp_path / "ledger.csv"
    _write_csv(ledger, rows)
    out = tmp_path / "out.jsonl"
    summary = run_ledger(ledger, out, ENGINE, "wuxing", _dt.date(2026, 6, 1), batch_size=16, progress=False)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert (summary.rows, summary.bad_rows, summary.bad[0][0]) == (40, 1, 8)
    for rule, counts in summary.counts.items():
        written = [line[rule] for line in lines if line[rule] is not None]
        assert counts == {s.value: written.count(s.value) for s in Status}, rule
    # 500万元以上 includes 500万元: 20 rows at 500 or 550万元, less the bad one (550万元).
    assert summary.counts["wuxing.approval.feasibility_study"]["applies"] == 19


def test_a_failing_writer_thread_fails_the_run() -> None:
    from govrules.batch import _BackgroundWriter

    closed = []

    def write(batch: object) -> None:
        raise OSError("disk full")

    writer = _BackgroundWriter(write, lambda: closed.append(True))
    writer.write(pa.record_batch({"a": [1]}))
    with pytest.raises(OSError, match="disk full"):
        writer.close()
    assert closed == [True]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    names = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


GOOD = {"id": "A", "project_type": "construction", "total_investment": "500万元", "budget_amount": "120万",
        "funding_source": "fiscal", "owner_unit_type": "administrative_unit", "subject_matter": "information_system",
        "is_classified": "false", "has_supervision": "true"}


def test_bad_rows_are_reported_by_row_and_field_and_counted(tmp_path: Path) -> None:
    rows = [GOOD, dict(GOOD, id="B", budget_amount="很多"), dict(GOOD, id="C", project_type="bogus"),
            dict(GOOD, id="D", has_supervision="")]
    ledger = tmp_path / "ledger.csv"
    _write_csv(ledger, rows)
    out = tmp_path / "out.jsonl"
    summary = run_ledger(ledger, out, ENGINE, "wuxing", _dt.date(2026, 6, 1), progress=False)
    assert (summary.rows, summary.bad_rows) == (4, 2)
    assert [row for row, _ in summary.bad] == [2, 3]
    assert "budget_amount" in summary.bad[0][1] and "project_type" in summary.bad[1][1]
    import json

    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["A", "B", "C", "D"]
    assert lines[0]["wuxing.approval.feasibility_study"] == "applies"  # 500万元以上, on the boundary
    assert lines[0]["wuxing.obligation.supervision_required"] == "satisfied"
    assert lines[1]["wuxing.approval.feasibility_study"] is None and lines[1]["error"]
    # An empty cell is a missing fact: the rule applies, whether it is met is unknown.
    assert lines[3]["wuxing.obligation.supervision_required"] == "applies"


def test_cli_batch_writes_decisions_and_provision_summary(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    _write_csv(ledger, [GOOD, dict(GOOD, id="B", total_investment="499.99万元")])
    out_file = tmp_path / "decisions.csv"
    out = io.StringIO()
    code = main(["batch", str(ledger), "-j", "wuxing", "--as-of", "2026-06-01", "-o", str(out_file),
                 "--no-progress"], out=out)
    assert code == 0, out.getvalue()
    decisions = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert [d["wuxing.approval.contact_sheet"] for d in decisions] == ["not_applicable", "applies"]
    summary = list(csv.DictReader((tmp_path / "decisions.csv.summary.csv").open(encoding="utf-8")))
    tiers = [s for s in summary if s["rule"] == "wuxing.approval.contact_sheet"]
    assert tiers[0]["provision"] == "第十三条第一款" and tiers[0]["applies"] == "1" and tiers[0]["not_applicable"] == "1"


def test_cli_batch_unreadable_ledger_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["batch", str(tmp_path / "missing.csv"), "-j", "wuxing", "-o", str(tmp_path / "o.csv")],
                out=io.StringIO(), err=err)
    assert code == 2 and "no such ledger" in err.getvalue()


def test_parquet_round_trip_and_statuses_are_status_values(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    ledger = tmp_path / "ledger.parquet"
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in GOOD.items() if k not in ("is_classified", "has_supervision")}
                                         | {"is_classified": False, "has_supervision": False}]), ledger)
    out = tmp_path / "out.parquet"
    run_ledger(ledger, out, ENGINE, "wuxing", _dt.date(2026, 6, 1), progress=False)
    table = pq.read_table(out)
    assert table.column("wuxing.obligation.supervision_required").to_pylist() == ["violated"]
    statuses = {v for name in table.column_names[3:] for v in table.column(name).to_pylist()}
    assert statuses <= {s.value for s in Status}


def test_dask_maps_the_arrow_entry_point_over_partitions() -> None:
    need("dask.dataframe", "pip install -e '.[dev]'")
    need("dask.distributed", "pip install -e '.[dev]'")
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "examples" / "dask_ledger.py"
    spec = importlib.util.spec_from_file_location("dask_ledger", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_ledger"] = module  # so Dask can name (tokenize) its functions
    spec.loader.exec_module(module)
    run_on_dask = module.run_on_dask

    result = run_on_dask(rows=600, partitions=3)
    assert result["rows"] == 600 and result["agrees_with_single_process"]


def test_jsonl_with_mixed_spellings_and_a_broken_line(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    scope = ('"funding_source": "fiscal", "owner_unit_type": "administrative_unit", '
             '"subject_matter": "information_system", "is_classified": false, "project_type": "construction"')
    ledger.write_text("\n".join([
        '{"id": "A", ' + scope + ', "total_investment": 5000000}',
        '{"id": "B", ' + scope + ', "total_investment": "499.99万元"}',
        '{"id": "C", "project_type": "construction", "total_investment": ',
        '{"id": "D", ' + scope + ', "total_investment": true}',
    ]) + "\n", "utf-8")
    out = tmp_path / "out.csv"
    summary = run_ledger(ledger, out, ENGINE, "wuxing", _dt.date(2026, 6, 1), progress=False)
    assert (summary.rows, summary.bad_rows) == (4, 2)
    assert "line 3" in summary.bad[0][1] and summary.bad[1][0] == 4 and "total_investment" in summary.bad[1][1]
    decided = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [d["id"] for d in decided] == ["A", "B", "", "D"]  # the broken line keeps its place
    assert decided[0]["error"] == "" and decided[1]["error"] == "" and decided[2]["error"]
    # 5000000 and "499.99万元" in one column: each read exactly, on either side of 500万元.
    assert decided[0]["wuxing.approval.feasibility_study"] == "applies"
    assert decided[1]["wuxing.approval.feasibility_study"] == "not_applicable"
    assert decided[1]["wuxing.approval.contact_sheet"] == "applies"


ACTS = [name for name in FACTS if VOCAB[name].act]


def _text(value: object) -> str:
    """A ledger cell as a CSV file writes it: false for an act that did not take place."""
    if value is NOT_HAPPENED or value is False:
        return "false"
    if value is True:
        return "true"
    return value.isoformat() if isinstance(value, _dt.date) else str(value)


@st.composite
def ledgers_with_absent_acts(draw: st.DrawFn) -> list[Project]:
    """Projects some of whose acts (the date facts marked ``act``) are stated as not having happened."""
    ledger = []
    for project in draw(st.lists(projects(), min_size=1, max_size=30)):
        facts = dict(project.facts)
        for name in ACTS:
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                facts[name] = NOT_HAPPENED
        ledger.append(Project(facts=facts))
    return ledger


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(ledger=ledgers_with_absent_acts(),
       as_of=st.dates(min_value=_dt.date(2026, 1, 1), max_value=_dt.date(2027, 6, 30)))
def test_acts_that_did_not_happen_are_decided_by_columns_as_for_one_project(
        jurisdiction: str, ledger: list[Project], as_of: _dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    names = sorted({name for p in ledger for name in p.facts})
    batch = pa.RecordBatch.from_pylist(
        [{name: None if p.facts.get(name) is None else _text(p.facts[name]) for name in names} for p in ledger],
        schema=pa.schema([(name, pa.string()) for name in names]))
    per_row = evaluate_batch(batch, ENGINE, jurisdiction, as_of, vectorized=False)
    with monkeypatch.context() as patched:  # no falling back to the per-row path
        patched.setattr(batch_module, "_per_row", _no_per_row)
        vectorized = evaluate_batch(batch, ENGINE, jurisdiction, as_of)
    assert vectorized.to_pylist() == per_row.to_pylist()
    for i, project in enumerate(ledger):
        for decision in ENGINE.evaluate(project, jurisdiction, as_of).decisions:
            assert vectorized.column(decision.rule)[i].as_py() == decision.status.value, (decision.rule, project.facts)


def _no_per_row(*args: object, **kwargs: object) -> None:
    raise AssertionError("the batch fell back to the per-row path")
