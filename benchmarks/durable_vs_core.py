"""How much slower the durable-rules backend is than the core evaluator (numbers in docs/trust.md).

Run: python benchmarks/durable_vs_core.py  (needs the extra: pip install -e ".[durable]")
Both sides answer the same question for the same projects: which rule conditions (when/require)
are true and which are false. Ratios matter, not absolute times (the machine is shared).
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from pathlib import Path

import govrules
from govrules.backends.durable import DurableBackend, reference_labels
from govrules.compiling import compile_pack

REPO = Path(__file__).resolve().parents[1]


def best(seconds: list[float]) -> float:
    return min(seconds)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return best(runs)


def main() -> None:
    engine = govrules.load()
    example = govrules.read_project(REPO / "examples" / "wuxing-project.yaml")
    rng = random.Random(1)
    for pack in engine.packs:
        projects = []
        for _ in range(200):
            facts = {k: v for k, v in example.facts.items() if rng.random() < 0.7}
            facts["total_investment"] = Decimal(rng.choice([10**6, 5 * 10**6 - 1, 5 * 10**6, 2 * 10**7]))
            projects.append(facts)
        build_core = timed(lambda: compile_pack(pack, engine.calendar))
        build_durable = timed(lambda: DurableBackend(pack, calendar=engine.calendar), repeat=3)
        backend = DurableBackend(pack, calendar=engine.calendar)
        compiled = compile_pack(pack, engine.calendar)

        def core() -> None:
            for facts in projects:
                for rule in compiled.rules:
                    rule.when(facts)
                    if rule.require is not None:
                        rule.require(facts)

        def durable() -> None:
            for facts in projects:
                backend.firing(facts)

        def full() -> None:
            for facts in projects:
                engine.evaluate(facts, pack.jurisdiction.id, pack.document.in_force_from)

        assert all(backend.firing(f) == reference_labels(pack, f, engine.calendar) for f in projects[:20])
        t_core, t_durable, t_full = timed(core), timed(durable), timed(full)
        n = len(projects)
        print(f"pack {pack.id}: {len(pack.rules)} rules, {backend.rule_count} durable rules in "
              f"{len(backend._chunks)} rulesets")  # noqa: SLF001
        print(f"  conditions per project: core {t_core / n * 1e6:8.1f} µs, durable {t_durable / n * 1e6:8.1f} µs, "
              f"ratio {t_durable / t_core:6.1f}x")
        print(f"  full evaluation (Engine.evaluate, decisions and explanations): {t_full / n * 1e6:8.1f} µs; "
              f"durable conditions alone / full core evaluation: {t_durable / t_full:4.2f}x")
        print(f"  building: compile_pack {build_core * 1e3:6.2f} ms, durable rulesets {build_durable * 1e3:6.2f} ms, "
              f"ratio {build_durable / build_core:6.1f}x")


if __name__ == "__main__":
    main()
