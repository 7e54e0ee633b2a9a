"""Optional components a few tests need: skipped for a user who lacks them, required in CI.

README's test command (``pip install -e ".[test]" && pytest``) installs everything but the heavy
components: durable-rules (compiles C), Dask, and Selenium with Chromium. A test needing one of
them skips with the reason and the command that installs it. With ``GOVRULES_REQUIRE_OPTIONAL=1``
(set by .ci/run, which installs them) the same test fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

REQUIRE_ENV = "GOVRULES_REQUIRE_OPTIONAL"


def required() -> bool:
    """Whether a missing optional component fails the test (CI) instead of skipping it."""
    return os.environ.get(REQUIRE_ENV) == "1"


def missing(reason: str, *, needed: bool = True) -> None:
    """Skip with ``reason``, or fail when optional components are required (and ``needed`` here)."""
    if required() and needed:
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def need(module: str, install: str, *, needed: bool = True) -> ModuleType:
    """Import ``module``, or skip/fail saying how to install it (``needed``: required in CI here)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing(f"{module} is not installed ({install}): {exc}", needed=needed)
        raise  # not reached: skip and fail raise
