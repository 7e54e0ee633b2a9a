"""An integrating developer's view: govrules is a typed package (``py.typed``) and a consumer script
type-checks under ``mypy --strict`` with real types, not ``Any``.

mypy comes with the ``test`` extra; without it these tests skip, and fail under
GOVRULES_REQUIRE_OPTIONAL=1 (CI, tests/optional.py).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from optional import missing, need

import govrules

CONSUMER = '''\
from datetime import date

import govrules
from govrules import Report, Status

engine: govrules.Engine = govrules.load()
report = engine.evaluate({"funding_source": "fiscal", "total_investment": "500万元"},
                         jurisdiction="wuxing", as_of=date(2026, 6, 1))
reveal_type(report)
violated: list[str] = [d.rule for d in report.decisions if d.status is Status.VIOLATED]
counts: dict[str, int] = report.summary()
text: str = report.to_json()


def first_label(r: Report, rule: str) -> str:
    return r.decision(rule).citations[0].label
'''


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    need("mypy", "pip install -e '.[test]'")
    script = tmp_path / "consumer.py"
    script.write_text(source, "utf-8")
    # cwd is the temporary directory: no project configuration applies, the cache stays there
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
                           "--no-error-summary", str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_package_is_marked_typed() -> None:
    assert (Path(govrules.__file__).parent / "py.typed").is_file()


def test_a_consumer_script_type_checks_strictly_with_real_types(tmp_path: Path) -> None:
    result = _mypy(tmp_path, CONSUMER)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines == ['consumer.py:9: note: Revealed type is "govrules.report.Report"'], lines


def test_a_type_error_in_a_consumer_is_caught(tmp_path: Path) -> None:
    """So the test above could fail: were the package untyped, everything would be Any and pass."""
    result = _mypy(tmp_path, CONSUMER.replace("text: str = report.to_json()", "text: int = report.to_json()"))
    assert result.returncode == 1
    assert 'Incompatible types in assignment (expression has type "str", variable has type "int")' in result.stdout


def test_the_package_type_checks_strictly(tmp_path: Path) -> None:
    """The package itself passes ``mypy --strict`` under its own configuration (pyproject.toml), with
    the optional service imports and the stubs of its dependencies present, so nothing is unchecked."""
    need("mypy", "pip install -e '.[test]'")
    need("fastapi", "pip install -e '.[test]'")
    for stubs in ("types-jsonschema", "types-PyYAML"):
        try:
            importlib.metadata.version(stubs)
        except importlib.metadata.PackageNotFoundError:
            missing(f"{stubs} is not installed (pip install -e '.[test]')")
    root = Path(__file__).resolve().parent.parent
    # cwd is the checkout, so its mypy configuration applies; the cache stays in the temporary directory
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
                             "--no-error-summary", "src/govrules"], cwd=root, capture_output=True, text=True,
                            timeout=600, check=False)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert errors == [] and result.returncode == 0, result.stdout + result.stderr


def test_reprs_say_what_an_object_is() -> None:
    import datetime as dt

    engine = govrules.load()
    assert repr(engine).startswith("<Engine packs=[")
    assert "wuxing 2026.2" in repr(engine) and "jurisdictions=['gaoping', 'huzhou', 'quzhou', 'wuxing', 'yaohai']" in repr(engine)
    pack = next(p for p in engine.packs if p.id == "wuxing")
    assert repr(pack) == (f"<Pack wuxing {pack.version} jurisdiction='wuxing' document='吴政办发〔2023〕43号': "
                          f"{len(pack.rules)} rules, {len(pack.provisions)} provisions>")
    report = engine.evaluate(govrules.read_project(Path(__file__).resolve().parents[1] / "examples" / "wuxing-project.yaml"),
                             jurisdiction="wuxing", as_of=dt.date(2026, 6, 1))
    counts = ", ".join(f"{k} {v}" for k, v in report.summary().items() if v)
    assert repr(report) == (f"<Report jurisdiction='wuxing' as_of=2026-06-01 project='WX-2026-017': "
                            f"{len(report.decisions)} decisions ({counts})>")
    assert "satisfied 15" in repr(report)


@pytest.mark.parametrize("name", ["LICENSE", "CHANGELOG.md"])
def test_the_checkout_has_a_license_and_a_changelog(name: str) -> None:
    text = (Path(__file__).resolve().parents[1] / name).read_text("utf-8")
    if name == "LICENSE":
        assert text.startswith("MIT License")
    else:
        assert "## " in text
