"""govrules batch against a per-row if/else, file to file, each in a fresh process (issue 16, goal 5).

Run from the repository root::

    python benchmarks/batch_1e6.py                 # 1,000,000 rows (about a minute)
    python benchmarks/batch_1e6.py --rows 100000   # fewer rows
    python benchmarks/batch_1e6.py --json out.json

A ledger of random projects of the 8-item policy (``benchmarks/policy8``; the same mix of facts as
benchmarks/run.py, amounts on the thresholds a third of the time) is written as CSV into a temporary
directory (nothing large is kept). Then, each in a fresh Python process and timed from start to exit:

* ``if/else``: Python's ``csv`` module reads the ledger row by row, converts each cell (yes/no,
  Decimal amounts), decides the eleven rules with hand-written if/else and writes one CSV row of
  statuses per project (row number, id, error, one status per rule);
* ``govrules batch``: the command line, ``govrules batch LEDGER -o OUT.csv`` (which also writes the
  per-provision summary beside it).

The two outputs are then read back and compared cell by cell: the timing only counts if they agree.
Needs the extra ``batch`` (pyarrow, numpy comes with it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICY_DIR = ROOT / "benchmarks" / "policy8"
AS_OF = "2026-06-01"
BOOL_FACTS = (
    "builds_standalone_data_center", "requirements_unclear", "performance_goals_unclear",
    "duplicate_construction", "security_inadequate", "hinders_data_sharing",
    "processes_nonclassified_data", "relies_on_public_data_platform", "split_to_evade_oversight",
    "has_supervision", "acceptance_filed_with_bureau",
)
OFTEN_TRUE = {"processes_nonclassified_data", "relies_on_public_data_platform", "has_supervision",
              "acceptance_filed_with_bureau"}
BOUNDARY_WAN = (0, 10, 49, 50, 51, 99, 100, 101, 499, 500, 501, 1999, 2000, 2001, 5000)
RULES = tuple("policy8." + name for name in (
    "exclusion.standalone_data_center", "exclusion.unclear_or_duplicate", "exclusion.bypasses_public_data_platform",
    "exclusion.split_to_evade_oversight", "approval.city_review_multi_cross", "approval.contact_sheet",
    "approval.feasibility_study", "approval.preliminary_design", "obligation.supervision_required",
    "review.final_acceptance_by_bureau", "review.final_acceptance_self_organized"))


def write_ledger(path: Path, rows: int, seed: int = 20260601) -> None:
    """``rows`` random projects as CSV (columns: id, then the facts), written by Arrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)

    def amounts() -> np.ndarray:
        boundary = rng.choice(np.array(BOUNDARY_WAN, dtype=np.int64) * 10_000, rows)
        random = rng.integers(0, 3000 * 10, rows, dtype=np.int64) * 1000
        return np.where(rng.random(rows) < 0.35, boundary, random)

    columns: dict[str, pa.Array] = {"id": pa.array([f"P{i:07d}" for i in range(rows)])}
    for name in BOOL_FACTS:
        columns[name] = pa.array(rng.random(rows) < (0.6 if name in OFTEN_TRUE else 0.12))
    columns["project_type"] = pa.array(rng.choice(np.array(["construction", "construction", "operation_maintenance"]),
                                                  rows))
    columns["construction_category"] = pa.array(rng.choice(np.array(
        ["infrastructure", "multi_cross_collaboration", "general_application", "other"]), rows))
    total = amounts()
    columns["total_investment"] = pa.array(total)
    columns["budget_amount"] = pa.array(np.where(rng.random(rows) < 0.5, amounts(), total))
    pcsv.write_csv(pa.table(columns), path)


def if_else_file(ledger: Path, output: Path) -> None:
    """The per-row peer: read, convert, decide with if/else and write, one row at a time."""
    from decimal import Decimal

    w50, w100, w500, w2000 = (Decimal(n * 10_000) for n in (50, 100, 500, 2000))
    na, applies, satisfied, violated = "not_applicable", "applies", "satisfied", "violated"
    with ledger.open(newline="", encoding="utf-8") as source, output.open("w", newline="", encoding="utf-8") as sink:
        reader = csv.reader(source)
        header = next(reader)
        at = {name: i for i, name in enumerate(header)}
        bools = [at[name] for name in BOOL_FACTS]
        ident, kind, category = at["id"], at["project_type"], at["construction_category"]
        total_at, budget_at = at["total_investment"], at["budget_amount"]
        writer = csv.writer(sink)
        writer.writerow(("row", "id", "error") + RULES)
        for number, cells in enumerate(reader, 1):
            (standalone, unclear, goals, duplicate, insecure, hinders, nonclassified, public_platform, split,
             supervision, filed) = (cells[i] == "true" for i in bools)
            total, budget = Decimal(cells[total_at]), Decimal(cells[budget_at])
            construction = cells[kind] == "construction"
            big = construction and total >= w500
            writer.writerow((
                number, cells[ident], "",
                applies if standalone else na,
                applies if unclear or goals or duplicate or insecure or hinders else na,
                applies if nonclassified and not public_platform else na,
                applies if split else na,
                applies if big and cells[category] == "multi_cross_collaboration" else na,
                applies if construction and total < w500 else na,
                applies if big else na,
                applies if construction and total >= w2000 else na,
                (satisfied if supervision else violated) if construction and budget >= w100 else na,
                na if budget <= w50 else applies,
                (satisfied if filed else violated) if budget <= w50 else na,
            ))


def timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, all threads) of ``command`` from start to exit."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):  # govrules batch exits 1 when some decision is a violation
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def same_output(a: Path, b: Path) -> int:
    """Compare two decision files cell by cell (as text); the number of rows compared."""
    import pyarrow.csv as pcsv

    options = pcsv.ConvertOptions(strings_can_be_null=True, column_types=None)
    left, right = pcsv.read_csv(a, convert_options=options), pcsv.read_csv(b, convert_options=options)
    assert left.column_names == right.column_names, (left.column_names, right.column_names)
    for name in left.column_names:
        x, y = left.column(name).cast("string"), right.column(name).cast("string")
        if not x.equals(y):
            raise SystemExit(f"the outputs differ in column {name}")
    return left.num_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="projects in the ledger (default 1,000,000)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--if-else", nargs=2, type=Path, metavar=("LEDGER", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.if_else:  # the peer's own fresh process
        if_else_file(*args.if_else)
        return 0
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    with tempfile.TemporaryDirectory(prefix="govrules-batch-bench-") as tmp:
        directory = Path(tmp)
        ledger = directory / "ledger.csv"
        start = time.perf_counter()
        write_ledger(ledger, args.rows)
        print(f"ledger: {args.rows:,} rows, {ledger.stat().st_size / 1e6:.0f} MB, written in "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
        peer_out, ours_out = directory / "if_else.csv", directory / "govrules.csv"
        peer = timed([sys.executable, str(Path(__file__).resolve()), "--if-else", str(ledger), str(peer_out)])
        env_src = str(ROOT / "src")
        ours = timed([sys.executable, "-c", f"import sys; sys.path.insert(0, {env_src!r}); "
                      "from govrules.cli import main; sys.exit(main())",
                      "batch", str(ledger), "-j", "policy8", "--policies", str(POLICY_DIR), "--as-of", AS_OF,
                      "-o", str(ours_out), "--no-progress"])
        compared = same_output(peer_out, ours_out)
    rows = [
        {"engine": "if/else (csv module, per row)", "seconds": round(peer[0], 2), "cpu_seconds": round(peer[1], 2),
         "rows_per_s": round(args.rows / peer[0])},
        {"engine": "govrules batch", "seconds": round(ours[0], 2), "cpu_seconds": round(ours[1], 2),
         "rows_per_s": round(args.rows / ours[0]), "ratio": round(ours[0] / peer[0], 3)},
    ]
    print(f"{'engine':<32} {'seconds':>8} {'CPU s':>8} {'rows/s':>12}")
    for row in rows:
        print(f"{row['engine']:<32} {row['seconds']:>8.2f} {row['cpu_seconds']:>8.2f} {row['rows_per_s']:>12,}")
    print(f"outputs agree on all {compared:,} rows; govrules batch takes {ours[0] / peer[0]:.2f}× the if/else's "
          f"time ({ours[1] / peer[1]:.2f}× its CPU time; {os.cpu_count()} CPUs, Python {platform.python_version()})")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "results": rows}, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
