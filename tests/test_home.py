"""Tests never write into the user's home directory (the pack cache goes to a temporary directory)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVALUATE = [sys.executable, "-m", "govrules.cli", "evaluate", str(ROOT / "examples" / "wuxing-project.yaml"),
            "--jurisdiction", "wuxing", "--as-of", "2026-06-01"]


def _files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def test_the_session_caches_packs_in_a_temporary_directory() -> None:
    cache = os.environ.get("GOVRULES_CACHE_DIR")
    assert cache, "conftest.py sets GOVRULES_CACHE_DIR for the whole session"
    assert Path(cache).is_relative_to(tempfile.gettempdir())
    assert not Path(cache).is_relative_to(Path.home())


def _run(home: Path, env: dict[str, str]) -> None:
    env = env | {"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("XDG_CACHE_HOME", None)
    env.pop("GOVRULES_CACHE", None)
    result = subprocess.run(EVALUATE, env=env, cwd=home, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # evaluated: nothing wrong, or findings
    assert "吴兴" in result.stdout or "wuxing" in result.stdout


def test_a_run_under_the_test_session_writes_nothing_under_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _run(home, dict(os.environ))  # inherits the session's GOVRULES_CACHE_DIR, as every CLI test does
    assert _files(home) == []


def test_without_the_session_setting_the_cache_would_go_under_home(tmp_path: Path) -> None:
    """The converse, so the test above could fail: the default cache is in the home directory."""
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ)
    env.pop("GOVRULES_CACHE_DIR", None)
    _run(home, env)
    assert any(name.startswith(".cache/govrules/packs/") for name in _files(home)), _files(home)
