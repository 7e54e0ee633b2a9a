"""govrules serve benchmark (issue 17): POST /v1/evaluate at 1, 8 and 64 concurrent clients, beside in-process.

Run from the repository root (needs the ``service`` extra)::

    python benchmarks/service.py            # 2000 requests per concurrency level
    python benchmarks/service.py --quick    # 200 requests per level, under a minute
    python benchmarks/service.py --json out.json

The projects are the 吴兴 pack's case projects (policies/wuxing/tests), sent as JSON to one
``govrules serve`` process started on a free port; each client is a thread keeping one HTTP/1.1
connection open. In-process is ``engine.evaluate(project, ...).to_json()`` on the same
projects (the server's work without HTTP). Every answer is checked against the in-process text
before anything is timed. Latency is per request, measured by the client.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import os
import platform
import sys
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import govrules  # noqa: E402
from govrules.casetests import find_case_files, load_case_file  # noqa: E402
from govrules.service.process import ServerProcess  # noqa: E402

JURISDICTION = "wuxing"


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def requests_of(engine: govrules.Engine) -> list[tuple[bytes, str]]:
    """(request body, the library's report text) for each 吴兴 case project without chosen readings."""
    pack = next(p for p in engine.packs if p.id == JURISDICTION)
    assert pack.directory is not None
    found = []
    for path in find_case_files(pack.directory):
        for case in load_case_file(path, engine):
            if case.readings or case.jurisdiction != JURISDICTION:
                continue
            body = {"project": _json(case.project), "jurisdiction": JURISDICTION, "as_of": case.as_of.isoformat()}
            expected = engine.evaluate(case.project, JURISDICTION, case.as_of).to_json()
            found.append((json.dumps(body, ensure_ascii=False).encode("utf-8"), expected))
    return found


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def in_process(engine: govrules.Engine, n: int) -> dict[str, float]:
    bodies = [json.loads(body) for body, _ in requests_of(engine)]
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        body = bodies[i % len(bodies)]
        t = time.perf_counter()
        engine.evaluate(body["project"], JURISDICTION, _dt.date.fromisoformat(body["as_of"])).to_json()
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - start
    return {"requests": n, "per_second": n / wall, "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000}


def over_http(url: str, work: list[tuple[bytes, str]], clients: int, n: int) -> dict[str, float]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=600)
        mine = []
        for i in counter:  # shared iterator: n requests in all, spread over the clients
            body, _ = work[i % len(work)]
            t = time.perf_counter()
            connection.request("POST", "/v1/evaluate", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - t)
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} request(s) failed: {errors[:3]}")
    return {"clients": clients, "requests": n, "per_second": n / wall,
            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000}


def check(server: ServerProcess, work: list[tuple[bytes, str]]) -> None:
    """Every answer is the library's report, character for character."""
    for body, expected in work:
        answer = server.post("/v1/evaluate", body)
        if answer.status != 200 or answer.text != expected:
            raise SystemExit(f"the server's answer differs from the library's for {body[:120]!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 requests per level instead of 2000")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64], help="concurrency levels")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if os.environ.get("BENCHMARK_ARGS_ONLY") == "1":  # tests/test_docs.py: the arguments are valid, nothing is timed
        return 0
    n = 200 if args.quick else 2000
    engine = govrules.load()
    work = requests_of(engine)
    figures: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                           "platform": platform.platform()},
                               "projects": len(work), "requests_per_level": n}
    in_process(engine, min(n, 50))  # warm the plans
    figures["in_process"] = in_process(engine, n)
    with ServerProcess(["--max-body-bytes", str(1 << 20)]) as server:
        check(server, work)
        over_http(server.url, work, 1, min(n, 50))  # warm the server
        figures["http"] = [over_http(server.url, work, clients, n) for clients in args.clients]
    print(f"{len(work)} 吴兴 case projects, {n} requests per level, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s)")
    print(f"{'':>22} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
    row = figures["in_process"]
    print(f"{'in-process':>22} {row['per_second']:>11.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}")
    for row in figures["http"]:
        label = f"HTTP, {row['clients']} client(s)"
        print(f"{label:>22} {row['per_second']:>11.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
