"""govrules speed benchmark (issue 5): the 8-item 吴兴 policy under every engine, side by side.

Run from the repository root::

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # under 30 seconds
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --per-project   # the per-project table only (no cold start, no ledger)

The policy is 吴兴 第八条第（一）（二）（三）（六）项 (exclusions), the 第十三条第一款 tiers, 第十条第二款
city review, 第十七条第一款 supervision and the 第二十条 acceptance route. In govrules it is the ordinary
pack ``benchmarks/policy8`` (eleven rules copied from ``policies/wuxing``: the tiers are three rules and
the acceptance route two). Every engine returns the same thing for a project: the rules that fire,
each with its status (``applies``, ``satisfied`` or ``violated``); govrules returns full decisions with
citations and the benchmark reads their statuses. govrules is timed three ways: from an already-validated
``Project`` (``govrules``), from a plain dict validated inside ``evaluate`` (``govrules-dict``), and from a
dict to the report's JSON text (``govrules-json``); every peer runs on its fastest documented path. All engines are checked to agree on every project
before anything is timed. Inputs are already typed (Decimal amounts for the Python engines, integer
yuan for the JSON-based peers); parsing a project document is timed separately.

Peers come from the optional extra ``bench`` (``pip install -e .[bench]``) and are skipped with a
note when absent.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import operator
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import govrules  # noqa: E402
from govrules import Project, Status  # noqa: E402

POLICY_DIR = ROOT / "benchmarks" / "policy8"
AS_OF = _dt.date(2026, 6, 1)
WAN = Decimal(10000)

Output = dict[str, str]  # rule id -> status, for the rules that fire
P = "policy8."

# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------

BOOL_FACTS = (
    "builds_standalone_data_center", "requirements_unclear", "performance_goals_unclear",
    "duplicate_construction", "security_inadequate", "hinders_data_sharing",
    "processes_nonclassified_data", "relies_on_public_data_platform", "split_to_evade_oversight",
    "has_supervision", "acceptance_filed_with_bureau",
)
# 万元 values on and around every threshold of the policy (50, 100, 500, 2000 万元).
BOUNDARY_WAN = (0, 10, 49, 50, 51, 99, 100, 101, 499, 500, 501, 1999, 2000, 2001, 5000)


def make_projects(n: int, seed: int = 20260601) -> list[dict[str, Any]]:
    """``n`` complete random projects; amounts sit on the thresholds a third of the time."""
    rng = random.Random(seed)

    def amount() -> Decimal:
        if rng.random() < 0.35:
            return Decimal(rng.choice(BOUNDARY_WAN)) * WAN
        return Decimal(rng.randrange(0, 3000 * 10000, 1000))

    projects = []
    for _ in range(n):
        facts: dict[str, Any] = {name: rng.random() < (0.12 if name not in (
            "processes_nonclassified_data", "relies_on_public_data_platform", "has_supervision",
            "acceptance_filed_with_bureau") else 0.6) for name in BOOL_FACTS}
        facts["project_type"] = rng.choice(("construction", "construction", "operation_maintenance"))
        facts["construction_category"] = rng.choice(
            ("infrastructure", "multi_cross_collaboration", "general_application", "other"))
        facts["total_investment"] = amount()
        facts["budget_amount"] = amount() if rng.random() < 0.5 else facts["total_investment"]
        projects.append(facts)
    return projects


# --------------------------------------------------------------------------------------------
# Engines: each is (load() -> evaluate(project) -> Output), built from the same eight provisions
# --------------------------------------------------------------------------------------------

W50, W100, W500, W2000 = 50 * WAN, 100 * WAN, 500 * WAN, 2000 * WAN


def if_else(f: Mapping[str, Any]) -> Output:
    """Hand-written Python: the practical speed limit (ratio 1.0)."""
    out: Output = {}
    if f["builds_standalone_data_center"]:
        out[P + "exclusion.standalone_data_center"] = "applies"
    if (f["requirements_unclear"] or f["performance_goals_unclear"] or f["duplicate_construction"]
            or f["security_inadequate"] or f["hinders_data_sharing"]):
        out[P + "exclusion.unclear_or_duplicate"] = "applies"
    if f["processes_nonclassified_data"] and not f["relies_on_public_data_platform"]:
        out[P + "exclusion.bypasses_public_data_platform"] = "applies"
    if f["split_to_evade_oversight"]:
        out[P + "exclusion.split_to_evade_oversight"] = "applies"
    if f["project_type"] == "construction":
        total = f["total_investment"]
        if f["construction_category"] == "multi_cross_collaboration" and total >= W500:
            out[P + "approval.city_review_multi_cross"] = "applies"
        if total < W500:
            out[P + "approval.contact_sheet"] = "applies"
        else:
            out[P + "approval.feasibility_study"] = "applies"
            if total >= W2000:
                out[P + "approval.preliminary_design"] = "applies"
        if f["budget_amount"] >= W100:
            out[P + "obligation.supervision_required"] = "satisfied" if f["has_supervision"] else "violated"
    if f["budget_amount"] <= W50:
        out[P + "review.final_acceptance_self_organized"] = (
            "satisfied" if f["acceptance_filed_with_bureau"] else "violated")
    else:
        out[P + "review.final_acceptance_by_bureau"] = "applies"
    return out


# A naive data-driven engine: rules as dicts, conditions as (fact, op, value) triples.
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, ">=": operator.ge, "<": operator.lt, "<=": operator.le, ">": operator.gt}
_CONSTRUCTION = ("project_type", "==", "construction")
DATA_RULES: list[dict[str, Any]] = [
    {"id": P + "exclusion.standalone_data_center", "all": [("builds_standalone_data_center", "==", True)]},
    {"id": P + "exclusion.unclear_or_duplicate", "any": [(n, "==", True) for n in (
        "requirements_unclear", "performance_goals_unclear", "duplicate_construction", "security_inadequate",
        "hinders_data_sharing")]},
    {"id": P + "exclusion.bypasses_public_data_platform", "all": [
        ("processes_nonclassified_data", "==", True), ("relies_on_public_data_platform", "==", False)]},
    {"id": P + "exclusion.split_to_evade_oversight", "all": [("split_to_evade_oversight", "==", True)]},
    {"id": P + "approval.city_review_multi_cross", "all": [
        _CONSTRUCTION, ("construction_category", "==", "multi_cross_collaboration"),
        ("total_investment", ">=", W500)]},
    {"id": P + "approval.contact_sheet", "all": [_CONSTRUCTION, ("total_investment", "<", W500)]},
    {"id": P + "approval.feasibility_study", "all": [_CONSTRUCTION, ("total_investment", ">=", W500)]},
    {"id": P + "approval.preliminary_design", "all": [_CONSTRUCTION, ("total_investment", ">=", W2000)]},
    {"id": P + "obligation.supervision_required", "all": [_CONSTRUCTION, ("budget_amount", ">=", W100)],
     "require": ("has_supervision", "==", True)},
    {"id": P + "review.final_acceptance_by_bureau", "all": [], "unless": [("budget_amount", "<=", W50)]},
    {"id": P + "review.final_acceptance_self_organized", "all": [("budget_amount", "<=", W50)],
     "require": ("acceptance_filed_with_bureau", "==", True)},
]


def data_driven(f: Mapping[str, Any]) -> Output:
    """A naive loop over rule dicts, the way a quick in-house rules table is often written."""
    out: Output = {}
    for rule in DATA_RULES:
        if "any" in rule:
            ok = any(_OPS[op](f[name], value) for name, op, value in rule["any"])
        else:
            ok = all(_OPS[op](f[name], value) for name, op, value in rule["all"])
        if ok and "unless" in rule:
            ok = not all(_OPS[op](f[name], value) for name, op, value in rule["unless"])
        if not ok:
            continue
        if "require" in rule:
            name, op, value = rule["require"]
            out[rule["id"]] = "satisfied" if _OPS[op](f[name], value) else "violated"
        else:
            out[rule["id"]] = "applies"
    return out


def load_govrules() -> Callable[[Any], Output]:
    """``Engine.evaluate`` from an already-validated ``Project`` (engine ``govrules``) or from a plain
    dict, validated inside (``govrules-dict``): a report, then every decision's rule and status."""
    engine = govrules.load(POLICY_DIR)
    evaluate = engine.evaluate
    na = Status.NOT_APPLICABLE

    def run(project: Project | Mapping[str, Any]) -> Output:
        report = evaluate(project, "policy8", AS_OF)
        return {d.rule: d.status.value for d in report.decisions if d.status is not na}

    return run


def load_govrules_json() -> Callable[[Any], Output]:
    """What another system receives: a plain dict in, the report's JSON text out."""
    engine = govrules.load(POLICY_DIR)
    evaluate = engine.evaluate
    na = Status.NOT_APPLICABLE

    def run(project: Mapping[str, Any]) -> Output:
        report = evaluate(project, "policy8", AS_OF)
        report.to_json()
        return {d.rule: d.status.value for d in report.decisions if d.status is not na}

    return run


def govrules_input(facts: Mapping[str, Any]) -> Project:
    return Project(facts=MappingProxyType(dict(facts)))


# --- peers -----------------------------------------------------------------------------------

def json_input(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The project for JSON-based engines: amounts as integer yuan (all amounts here are whole)."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in facts.items()}


# (rule id, status, condition in the zen expression language); one row per possible outcome.
ZEN_ROWS = [
    (P + "exclusion.standalone_data_center", "applies", "builds_standalone_data_center == true"),
    (P + "exclusion.unclear_or_duplicate", "applies",
     "requirements_unclear == true or performance_goals_unclear == true or duplicate_construction == true"
     " or security_inadequate == true or hinders_data_sharing == true"),
    (P + "exclusion.bypasses_public_data_platform", "applies",
     "processes_nonclassified_data == true and relies_on_public_data_platform == false"),
    (P + "exclusion.split_to_evade_oversight", "applies", "split_to_evade_oversight == true"),
    (P + "approval.city_review_multi_cross", "applies",
     "project_type == 'construction' and construction_category == 'multi_cross_collaboration'"
     " and total_investment >= 5000000"),
    (P + "approval.contact_sheet", "applies", "project_type == 'construction' and total_investment < 5000000"),
    (P + "approval.feasibility_study", "applies", "project_type == 'construction' and total_investment >= 5000000"),
    (P + "approval.preliminary_design", "applies",
     "project_type == 'construction' and total_investment >= 20000000"),
    (P + "obligation.supervision_required", "satisfied",
     "project_type == 'construction' and budget_amount >= 1000000 and has_supervision == true"),
    (P + "obligation.supervision_required", "violated",
     "project_type == 'construction' and budget_amount >= 1000000 and has_supervision == false"),
    (P + "review.final_acceptance_by_bureau", "applies", "budget_amount > 500000"),
    (P + "review.final_acceptance_self_organized", "satisfied",
     "budget_amount <= 500000 and acceptance_filed_with_bureau == true"),
    (P + "review.final_acceptance_self_organized", "violated",
     "budget_amount <= 500000 and acceptance_filed_with_bureau == false"),
]


def load_zen() -> Callable[[Any], Output]:
    import zen

    table = {
        "hitPolicy": "collect",
        "inputs": [{"id": "cond", "name": "condition"}],
        "outputs": [{"id": "rule", "name": "rule", "field": "rule"},
                    {"id": "status", "name": "status", "field": "status"}],
        "rules": [{"_id": f"r{i}", "cond": cond, "rule": json.dumps(rule), "status": json.dumps(status)}
                  for i, (rule, status, cond) in enumerate(ZEN_ROWS)],
    }
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "project", "position": {"x": 0, "y": 0}},
            {"id": "table", "type": "decisionTableNode", "name": "policy8", "position": {"x": 200, "y": 0},
             "content": table},
            {"id": "out", "type": "outputNode", "name": "decisions", "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
                  {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"}],
    }
    # zen's recommended path for repeated evaluation: one engine with a loader, decisions evaluated
    # by key (the engine caches what the loader gives). The static loader was the fastest of the
    # documented loaders here; ``create_decision(content).evaluate`` per call is ~30x slower.
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"policy8": content}}})
    evaluate = engine.evaluate

    def run(project: dict[str, Any]) -> Output:
        return {row["rule"]: row["status"] for row in evaluate("policy8", project)["result"]}

    return run


def load_rule_engine() -> Callable[[Any], Output]:
    import rule_engine

    rules = []
    for rule, status, cond in ZEN_ROWS:
        text = cond.replace("== true", "== true").replace("'", '"')
        rules.append((rule, status, rule_engine.Rule(text)))

    def run(project: dict[str, Any]) -> Output:
        return {rule: status for rule, status, compiled in rules if compiled.matches(project)}

    return run


def load_durable() -> Callable[[Any], Output]:
    """durable-rules: assert_fact + retract_fact per project, the only way it reports every firing rule."""
    from durable import lang
    from durable.lang import m

    fired: list[tuple[str, str]] = []
    name = f"policy8_{os.getpid()}_{time.perf_counter_ns()}"

    def condition(text: str) -> Any:
        # The same conditions, in durable's expression objects.
        expr = None
        for part in text.split(" and "):
            part = part.strip()
            if " or " in part:
                ors = None
                for alt in part.split(" or "):
                    fact = alt.split(" == ")[0].strip()
                    term = (getattr(m, fact) == True)  # noqa: E712 - durable overloads ==
                    ors = term if ors is None else (ors | term)
                term = ors
            else:
                for sym, fn in ((">=", operator.ge), ("<=", operator.le), ("==", operator.eq),
                                ("<", operator.lt), (">", operator.gt)):
                    if f" {sym} " in part:
                        fact, raw = part.split(f" {sym} ")
                        raw = raw.strip()
                        value: Any = True if raw == "true" else False if raw == "false" else \
                            raw.strip("'") if raw.startswith("'") else int(raw)
                        term = fn(getattr(m, fact.strip()), value)
                        break
            expr = term if expr is None else (expr & term)
        return expr

    def make_action(index: int, rule: str, status: str) -> Callable[[Any], None]:
        def action(c: Any) -> None:  # durable-rules wants exactly one parameter
            fired.append((rule, status))
        action.__name__ = f"r{index}"
        return action

    with lang.ruleset(name):
        for index, (rule, status, cond) in enumerate(ZEN_ROWS):
            lang.when_all(condition(cond))(make_action(index, rule, status))

    counter = [0]

    def run(project: dict[str, Any]) -> Output:
        counter[0] += 1
        fact = dict(project, seq=counter[0])  # unique, so no fact repeats; one session
        fired.clear()
        lang.assert_fact(name, fact)
        lang.retract_fact(name, fact)
        return dict(fired)

    return run


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------

def time_engine(run: Callable[[Any], Any], inputs: Sequence[Any], repeat: int) -> float:
    """The fastest of ``repeat`` passes, in seconds per input. The minimum, as ``timeit`` advises:
    on a shared machine the slower passes measure the other jobs, not the code; every engine and
    the if/else baseline are measured the same way."""
    passes = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for item in inputs:
                run(item)
            passes.append((time.perf_counter() - start) / len(inputs))
        finally:
            gc.enable()
    return min(passes)


# Child processes get compiled bytecode the way an installed package has it (pip writes .pyc files
# at install time): written once under this prefix, then reused. Environments that set
# PYTHONDONTWRITEBYTECODE (this project's CI machine does) would otherwise compile every module
# from source in every process, about 100 ms of a cold start that no installed user pays.
PYCACHE = Path(tempfile.gettempdir()) / "govrules-bench-pycache"


def child_env(bytecode: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a measured child process (``bytecode``: with a bytecode cache)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **extra)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def cold_load(runs: int, cache: bool = True, bytecode: bool = True) -> dict[str, float]:
    """``import govrules`` + ``govrules.load()`` (all shipped packs) in fresh processes, median ms.

    One run first, not counted, fills the bytecode and pack caches that are being measured."""
    code = ("import time; t0 = time.perf_counter(); import govrules; t1 = time.perf_counter(); "
            "e = govrules.load(); t2 = time.perf_counter(); import json; "
            "print(json.dumps({'import_ms': (t1 - t0) * 1e3, 'load_ms': (t2 - t1) * 1e3, "
            "'packs': len(e.packs), 'rules': sum(len(p.rules) for p in e.packs)}))")
    results = []
    env = child_env(bytecode, GOVRULES_CACHE="1" if cache else "0")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        wall = (time.perf_counter() - start) * 1e3
        data = json.loads(out.stdout)
        data["process_ms"] = wall
        results.append(data)
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


LEDGER_CODE = """
import json, sys, time
import datetime as dt
from pathlib import Path
import govrules
from govrules.batch import run_ledger
ledger, out, root, jurisdiction = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
engine = govrules.load(root) if root != "-" else govrules.load()
start = time.perf_counter()
summary = run_ledger(ledger, out, engine, jurisdiction, dt.date(2026, 6, 1), progress=False)
cold = time.perf_counter() - start
print("done", flush=True)  # the parent's clock stops here: spawn to first ledger written
start = time.perf_counter()  # the same ledger again in the warm process: the steady state
again = run_ledger(ledger, out, engine, jurisdiction, dt.date(2026, 6, 1), progress=False)
warm = time.perf_counter() - start
assert again.counts == summary.counts
peak = None
try:  # Linux: this process's own high-water mark (ru_maxrss can carry the parent's over fork+exec)
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": summary.rows, "bad": summary.bad_rows, "cold_s": cold, "warm_s": warm, "peak_mb": peak}))
"""


def _ledger_process(ledger: Path, out: Path, root: str, jurisdiction: str) -> dict[str, Any]:
    """One fresh process: ``run_ledger`` once (timed by this process from spawn, so interpreter
    start-up, imports and pack loading count) and once more warm (the steady state)."""
    env = child_env()
    spawned = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", LEDGER_CODE, str(ledger), str(out), root, jurisdiction],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    end_to_end = time.perf_counter() - spawned
    rest, err = child.communicate()
    if child.returncode != 0 or first.strip() != "done":
        return {"error": (err.strip().splitlines() or ["no output"])[-1:]}
    data: dict[str, Any] = json.loads(rest)
    data["end_to_end_s"] = end_to_end
    return data


def ledger_figures(rows: int, directory: Path) -> list[dict[str, Any]]:
    """``govrules batch`` on a Parquet ledger (read, decide, write), against the hand-written
    if/else walking the same rows in memory, all in the same run.

    File to file is given twice, from one fresh process: *end to end* is spawn to the output
    written (interpreter start-up, imports, pack loading, pyarrow's first-use costs, then
    reading, deciding and writing every row): what a user waits for. *Steady state* is the same
    ledger run again in that warm process: the per-row cost once the fixed costs are paid. The
    peak memory is the process's high-water mark over both."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return []
    projects = make_projects(rows, seed=7)
    ledger = directory / f"ledger-{rows}.parquet"
    table = pa.Table.from_pylist([{"id": f"P{i}", **p} for i, p in enumerate(projects)])
    pq.write_table(table, ledger, row_group_size=65_536)  # ledgers are written in row groups
    del table
    start = time.perf_counter()
    for facts in projects:
        if_else(facts)
    baseline = rows / (time.perf_counter() - start)
    del projects
    figures = [{"ledger": "if-else per row, in memory (policy8)", "rows": rows, "rows_per_s": baseline,
                "peak_mb": None}]
    from govrules.batch import evaluate_batch

    batches = list(pq.ParquetFile(ledger).iter_batches(batch_size=65_536))
    for label, engine, jurisdiction in (("evaluate_batch policy8, in memory", govrules.load(POLICY_DIR), "policy8"),
                                        ("evaluate_batch wuxing, in memory", govrules.load(), "wuxing")):
        evaluate_batch(batches[0], engine, jurisdiction, AS_OF)  # warm up Arrow's kernels once
        start = time.perf_counter()
        for batch in batches:
            evaluate_batch(batch, engine, jurisdiction, AS_OF)
        figures.append({"ledger": label, "rows": rows, "rows_per_s": rows / (time.perf_counter() - start),
                        "peak_mb": None})
    del batches
    # Fill the bytecode cache for everything a ledger process imports (pyarrow, and pandas, which
    # pyarrow imports on first use when it is installed), so the first measured process does not
    # pay for compiling them and the second not.
    subprocess.run([sys.executable, "-c", "import govrules.batch, pyarrow.parquet, pyarrow.csv, pyarrow as pa; "
                    "pa.scalar(1)"], check=True, env=child_env(), capture_output=True)
    for name, root, jurisdiction in (("policy8", str(POLICY_DIR), "policy8"), ("wuxing", "-", "wuxing")):
        data = _ledger_process(ledger, directory / f"out-{jurisdiction}-{rows}.parquet", root, jurisdiction)
        if "error" in data:
            figures.append({"ledger": f"govrules batch {name}, file to file", "rows": rows, "rows_per_s": None,
                            "peak_mb": None, "error": data["error"]})
            continue
        figures.append({"ledger": f"batch {name} file→file, end to end", "rows": data["rows"],
                        "rows_per_s": data["rows"] / data["end_to_end_s"], "peak_mb": data["peak_mb"],
                        "seconds": data["end_to_end_s"],
                        "fixed_s": data["end_to_end_s"] - data["cold_s"]})
        figures.append({"ledger": f"batch {name} file→file, steady state", "rows": data["rows"],
                        "rows_per_s": data["rows"] / data["warm_s"], "peak_mb": None, "seconds": data["warm_s"]})
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a run under 30 seconds")
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON to this file")
    parser.add_argument("--ledger-rows", type=int, nargs="*", default=None,
                        help="ledger sizes for the batch figures (default 100000 and 1000000; --quick 20000)")
    parser.add_argument("--per-project", action="store_true",
                        help="only the per-project figures (no cold start, no ledger)")
    args = parser.parse_args(argv)
    if os.environ.get("BENCHMARK_ARGS_ONLY") == "1":  # tests/test_docs.py: the arguments are valid, nothing is timed
        print(f"benchmark arguments: {vars(args)}")
        return 0
    quick = args.quick
    n_fast, n_slow, n_check, repeat = (5_000, 300, 1_000, 3) if quick else (100_000, 3_000, 20_000, 5)

    print(f"govrules {govrules.__version__} on Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs ({platform.platform()})")
    projects = make_projects(max(n_fast, n_check))
    check = projects[:n_check]

    engines: list[tuple[str, Callable[[], Callable[[Any], Output]], Callable[[Mapping[str, Any]], Any], int]] = [
        ("if-else", lambda: if_else, dict, n_fast),
        ("govrules", load_govrules, govrules_input, n_fast),
        ("govrules-dict", load_govrules, dict, n_fast),
        ("govrules-json", load_govrules_json, dict, n_slow * 5),
        ("data-driven", lambda: data_driven, dict, n_fast),
        ("zen-engine", load_zen, json_input, n_fast),
        ("rule-engine", load_rule_engine, json_input, n_slow),
        ("durable-rules", load_durable, json_input, n_slow),
    ]
    loaded = []
    notes = []
    for name, loader, convert, count in engines:
        start = time.perf_counter()
        try:
            run = loader()
        except Exception as exc:  # an optional peer that is absent or broken is skipped, not fatal
            notes.append(f"{name}: skipped ({type(exc).__name__}: {exc}); install with pip install -e .[bench]")
            continue
        load_ms = (time.perf_counter() - start) * 1e3
        loaded.append((name, run, convert, count, load_ms))

    # Agreement before timing: every engine, every check project, the same firing rules and statuses.
    reference = [if_else(p) for p in check]
    for name, run, convert, count, _ in loaded:
        limit = n_check if count >= n_check else min(n_check, 2 * count)
        for i, facts in enumerate(check[:limit]):
            got = run(convert(facts))
            if got != reference[i]:
                raise SystemExit(f"{name} disagrees with if-else on project {i}: {facts}\n  {got}\n  {reference[i]}")
        print(f"agree: {name} on {limit} projects")

    # Passes are interleaved (one pass of every engine, then the next round), so a burst of load
    # from elsewhere on a shared machine hits all engines alike; each engine's fastest pass counts
    # (see time_engine).
    inputs = {name: [convert(p) for p in projects[:count]] for name, _, convert, count, _ in loaded}
    passes: dict[str, list[float]] = {name: [] for name, *_ in loaded}
    for _ in range(repeat):
        for name, run, _, _, _ in loaded:
            passes[name].append(time_engine(run, inputs[name], 1))
    rows = []
    base = None
    for name, run, convert, count, load_ms in loaded:
        seconds = min(passes[name])
        if base is None:
            base = seconds
        rows.append({"engine": name, "us_per_eval": seconds * 1e6, "ratio": seconds / base, "load_ms": load_ms,
                     "projects": count})
    del inputs

    # The whole 吴兴 pack (and its parents, where loaded) on the realistic example project.
    start = time.perf_counter()
    engine = govrules.load()
    load_ms = (time.perf_counter() - start) * 1e3
    example = govrules.read_project(ROOT / "examples" / "wuxing-project.yaml")
    assert base is not None
    na = Status.NOT_APPLICABLE
    # The example as another system sends it: JSON values (amounts and dates as text), a plain dict.
    raw = example.to_dict()

    def wuxing(project: Project) -> Any:
        report = engine.evaluate(project, "wuxing", AS_OF)
        return [d.status for d in report.decisions if d.status is not na]

    def wuxing_explained(project: Project) -> Any:
        report = engine.evaluate(project, "wuxing", AS_OF)
        return [(d.explanation_zh, d.explanation_en) for d in report.decisions]

    def wuxing_json(data: Mapping[str, Any]) -> Any:
        return engine.evaluate(data, "wuxing", AS_OF).to_json()

    def wuxing_dict(data: Mapping[str, Any]) -> Any:
        report = engine.evaluate(data, "wuxing", AS_OF)
        return [d.status for d in report.decisions if d.status is not na]

    # parse_project alone (goal 4 of issue 16): the example's first 20 facts, as JSON values.
    twenty = dict(list((k, v) for k, v in raw.items() if k not in ("id", "name"))[:20])
    parse = govrules.parse_project

    n_whole = 300 if quick else 3_000
    for label, fn, item, count in (
        ("wuxing", wuxing, example, n_whole),
        ("wuxing-dict", wuxing_dict, raw, n_whole),
        ("wuxing-explained", wuxing_explained, example, n_whole // 10),
        ("wuxing-json", wuxing_json, raw, n_whole // 10),
        ("parse_project-20", parse, twenty, n_whole * 10),
        ("parse_project-example", parse, raw, n_whole * 10),
    ):
        seconds = time_engine(fn, [item] * count, repeat)
        rows.append({"engine": label, "us_per_eval": seconds * 1e6, "ratio": seconds / base,
                     "load_ms": load_ms, "projects": count})
    text = wuxing_json(raw)
    report_size = {"indented_bytes": len(text.encode()),
                   "compact_bytes": len(engine.evaluate(raw, "wuxing", AS_OF).to_json(indent=None).encode())}

    print()
    print(f"{'engine':34} {'µs/project':>12} {'× if-else':>10} {'load ms':>9} {'projects':>9}")
    for row in rows:
        print(f"{row['engine']:34} {row['us_per_eval']:12.2f} {row['ratio']:10.1f} {row['load_ms']:9.1f} "
              f"{row['projects']:9d}")
    print(f"wuxing-json report: {report_size['indented_bytes'] / 1000:.1f} kB as to_json() writes it "
          f"(two-space indent), {report_size['compact_bytes'] / 1000:.1f} kB compact (to_json(indent=None))")
    for note in notes:
        print("note:", note)

    if args.per_project:
        if args.json is not None:
            args.json.write_text(json.dumps({"rows": rows, "report_size": report_size, "notes": notes,
                                             "machine": platform.platform(), "python": platform.python_version(),
                                             "quick": quick}, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return 0
    cold = cold_load(3 if quick else 7)
    print(f"\ncold start, fresh process with bytecode cached as installed (median): import {cold['import_ms']:.0f} ms + load all packs "
          f"{cold['load_ms']:.0f} ms ({int(cold['packs'])} packs, {int(cold['rules'])} rules); "
          f"whole process {cold['process_ms']:.0f} ms")
    uncached = cold_load(3, cache=False)
    print(f"  the same without the pack cache (GOVRULES_CACHE=0): import {uncached['import_ms']:.0f} ms + load "
          f"{uncached['load_ms']:.0f} ms; whole process {uncached['process_ms']:.0f} ms")
    cold["uncached_import_ms"], cold["uncached_load_ms"] = uncached["import_ms"], uncached["load_ms"]
    source = cold_load(3, bytecode=False)
    print(f"  the same without a bytecode cache (PYTHONDONTWRITEBYTECODE=1, every module compiled from source "
          f"in every process): import {source['import_ms']:.0f} ms + load {source['load_ms']:.0f} ms; "
          f"whole process {source['process_ms']:.0f} ms")
    cold["no_bytecode_process_ms"] = source["process_ms"]
    sizes = args.ledger_rows if args.ledger_rows is not None else ([20_000] if quick else [100_000, 1_000_000])
    ledger: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            ledger += ledger_figures(size, Path(tmp))
    if ledger:
        print(f"\n{'ledger':40} {'rows':>9} {'rows/s':>11} {'× if-else':>10} {'peak MB':>8} {'start ms':>9}")
        base_rate = None
        for fig in ledger:
            if fig["ledger"].startswith("if-else"):
                base_rate = fig["rows_per_s"]
            rate = fig["rows_per_s"]
            ratio = f"{rate / base_rate:10.2f}" if rate and base_rate else f"{'':>10}"
            peak = f"{fig['peak_mb']:8.0f}" if fig["peak_mb"] else f"{'':>8}"
            shown = f"{rate:11,.0f}" if rate else f"{'failed':>11}"
            fixed = f"{fig['fixed_s'] * 1e3:9.0f}" if "fixed_s" in fig else ""
            print(f"{fig['ledger']:40} {fig['rows']:9d} {shown} {ratio} {peak} {fixed}")
            if "error" in fig:
                print("   ", fig["error"])
        print("end to end: a fresh process, spawn to output written; start ms: of which interpreter, imports and "
              "pack loading.\nsteady state: the same ledger again in that warm process. × if-else: against the "
              "hand-written per-row if/else of this run.")
    elif sizes:
        notes.append("ledger: skipped (pyarrow absent; pip install -e .[batch])")
        print("note: ledger figures skipped (pyarrow absent; pip install -e .[batch])")
    if args.json is not None:
        args.json.write_text(json.dumps({"rows": rows, "report_size": report_size, "cold_load": cold, "ledger": ledger, "notes": notes,
                                         "machine": platform.platform(), "python": platform.python_version(),
                                         "quick": quick}, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
