"""Session-wide test setup: the test run never writes into the user's home directory.

Loading packs caches them (src/govrules/cache.py), by default under ``~/.cache/govrules/packs``.
For the whole session, before any pack is loaded (the per-provision cases load theirs while being
collected), ``GOVRULES_CACHE_DIR`` points at a temporary directory that is removed at the end; CLI
subprocesses inherit it. tests/test_home.py checks that a run leaves the home directory untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_SAVED = pytest.StashKey[tuple[str | None, str]]()


def pytest_configure(config: pytest.Config) -> None:
    cache = tempfile.mkdtemp(prefix="govrules-test-cache-")
    config.stash[_SAVED] = (os.environ.get("GOVRULES_CACHE_DIR"), cache)
    os.environ["GOVRULES_CACHE_DIR"] = cache


def pytest_unconfigure(config: pytest.Config) -> None:
    saved = config.stash.get(_SAVED, None)
    if saved is None:
        return
    before, cache = saved
    if before is None:
        os.environ.pop("GOVRULES_CACHE_DIR", None)
    else:
        os.environ["GOVRULES_CACHE_DIR"] = before
    shutil.rmtree(cache, ignore_errors=True)
