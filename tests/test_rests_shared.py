"""What a decision rests on (its local parameters and readings), and the explanations and missing
facts of its conditions, are shared between the evaluations of one engine (issue 16): a project's
report must not depend on which projects came before it."""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest

import govrules
from govrules.corpus import read_corpus

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
DATES = (_dt.date(2026, 6, 1), _dt.date(2027, 3, 15))


@pytest.mark.parametrize("jurisdiction", ["huzhou", "wuxing", "gaoping"])
def test_reports_do_not_depend_on_the_projects_evaluated_before(jurisdiction: str) -> None:
    entries = read_corpus(CORPORA / f"{jurisdiction}.jsonl")
    projects = [e.project for e in random.Random(16).sample(entries, min(60, len(entries)))]
    shared = govrules.load()
    no_position = {name: None for name in shared.readings()}
    # Each project on an engine that has seen every other one, on two dates, with and without the
    # packs' readings.
    seen = {}
    for as_of in DATES:
        for readings in (None, no_position):
            for project in projects + projects[::-1]:
                seen[(project.id, as_of, readings is None)] = shared.evaluate(
                    project, jurisdiction, as_of, readings=readings).to_dict()
    resting = 0
    for project in projects:
        for as_of in DATES:
            for readings in (None, no_position):
                alone = govrules.load().evaluate(project, jurisdiction, as_of, readings=readings).to_dict()
                assert seen[(project.id, as_of, readings is None)] == alone, (project.id, as_of)
                resting += sum(1 for d in alone["decisions"] if "local_parameters" in d or "readings" in d)
    assert resting, "the sample must hold decisions that rest on something, or it shows nothing"
