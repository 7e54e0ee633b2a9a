"""Evaluate a project ledger on a local Dask cluster with govrules' Arrow batch entry point.

    pip install -e '.[batch]' 'dask[dataframe]' distributed
    python examples/dask_ledger.py 100000

Each partition is turned into an Arrow record batch, decided by ``govrules.batch.evaluate_batch``
(whole columns at a time) and returned; Dask only schedules. The same function fits Spark's
``mapInArrow`` or Ray's ``map_batches``. The result is checked against a single-process run.
"""

from __future__ import annotations

import datetime as _dt
import random
import sys
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyarrow as pa

import govrules
from govrules.batch import evaluate_batch, output_schema

AS_OF = _dt.date(2026, 6, 1)
JURISDICTION = "wuxing"


@lru_cache(maxsize=1)
def engine() -> govrules.Engine:
    """One engine per worker process, loaded on first use."""
    return govrules.load()


def decide_partition(frame: Any) -> Any:
    """A pandas partition in, its decisions out (one row per project), through Arrow."""
    batch = pa.RecordBatch.from_pandas(frame, preserve_index=False)
    return evaluate_batch(batch, engine(), JURISDICTION, AS_OF).to_pandas()


def make_ledger(rows: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    ledger = []
    for i in range(rows):
        ledger.append({
            "id": f"HZ-{i:07d}",
            "funding_source": rng.choice(["fiscal", "self_raised", "superior_allocated"]),
            "owner_unit_type": "administrative_unit",
            "subject_matter": "information_system",
            "is_classified": rng.random() < 0.05,
            "project_type": rng.choice(["construction", "operation_maintenance"]),
            "construction_category": rng.choice(["multi_cross_collaboration", "general_application"]),
            "total_investment": Decimal(rng.choice([49, 50, 100, 499, 500, 501, 2000, 3100])) * 10_000,
            "budget_amount": Decimal(rng.randrange(0, 3_000)) * 10_000,
            "has_supervision": rng.random() < 0.8,
        })
    return ledger


def run_on_dask(rows: int = 10_000, partitions: int = 4, processes: bool = False) -> dict[str, Any]:
    import dask.dataframe as dd
    import pandas as pd
    from dask.distributed import Client, LocalCluster

    ledger = make_ledger(rows)
    frame = pd.DataFrame(ledger)
    meta = output_schema(engine(), JURISDICTION, AS_OF).empty_table().to_pandas()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None) as cluster, \
            Client(cluster):
        decided = dd.from_pandas(frame, npartitions=partitions).map_partitions(decide_partition, meta=meta, token="govrules-decide").compute()
    single = evaluate_batch(pa.RecordBatch.from_pylist(ledger), engine(), JURISDICTION, AS_OF).to_pandas()
    agrees = all(decided[c].astype(str).tolist() == single[c].astype(str).tolist()
                 for c in single.columns if c != "row")
    return {"rows": len(decided), "agrees_with_single_process": agrees, "decided": decided}


if __name__ == "__main__":
    result = run_on_dask(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, processes=True)
    decided = result["decided"]
    print(f"{result['rows']} projects decided on a local Dask cluster; "
          f"same as one process: {result['agrees_with_single_process']}")
    print(decided["wuxing.approval.feasibility_study"].value_counts().to_string())
