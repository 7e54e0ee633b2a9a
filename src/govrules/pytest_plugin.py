"""A pytest plugin that collects each pack's per-provision YAML cases as test items.

Registered through the ``pytest11`` entry point, it collects ``<pack>/tests/test_*.yaml`` where
``<pack>`` holds a ``pack.yaml``; each case becomes one item whose failure shows the expected and
actual decision with the engine's reasoning. Engines are cached per policies directory on the
pytest config (no module-level state).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .casetests import Case, CaseResult, load_case_file, run_case
from .errors import PackError
from .evaluation import Engine, load
from .loading import PACK_FILE

_ENGINES = pytest.StashKey[dict[Path, "Engine | PackError"]]()


def _is_case_file(path: Path) -> bool:
    return (path.suffix in (".yaml", ".yml") and path.name.startswith("test_")
            and path.parent.name == "tests" and (path.parent.parent / PACK_FILE).is_file())


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_case_file(file_path):
        return ProvisionCaseFile.from_parent(parent, path=file_path)
    return None


def _engine(config: pytest.Config, root: Path) -> Engine:
    engines = config.stash.setdefault(_ENGINES, {})
    if root not in engines:
        try:
            engines[root] = load(root)
        except PackError as exc:
            engines[root] = exc
    found = engines[root]
    if isinstance(found, PackError):
        raise found
    return found


class ProvisionCaseFile(pytest.File):
    """One case file; its items are the cases it lists."""

    def collect(self) -> Any:
        root = self.path.resolve().parent.parent.parent
        try:
            engine = _engine(self.config, root)
            cases = load_case_file(self.path, engine)
        except PackError as exc:
            raise self.CollectError("\n".join(str(p) for p in exc.problems)) from None
        for case in cases:
            yield ProvisionCase.from_parent(self, name=case.name, case=case, engine=engine)


class CaseFailed(Exception):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.describe())
        self.result = result


class ProvisionCase(pytest.Item):
    """One project evaluated and compared with the decisions its case expects."""

    def __init__(self, *, case: Case, engine: Engine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.engine = engine
        self.user_properties.append(("provision", case.provision))

    def runtest(self) -> None:
        result = run_case(self.engine, self.case)
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.result.describe()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.line - 1 if self.case.line else None
        return self.path, line, f"[{self.case.provision}] {self.case.name}"
