"""What the service loads and what one request may ask for; importable without FastAPI (the CLI reads the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "Settings"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask for; each is a ``govrules serve`` option (docs/service.md)."""

    max_body_bytes: int = 1024 * 1024  # a project is a few KB; a full batch fits in 1 MiB
    max_batch: int = 200  # projects per POST /v1/batch (each report is tens of KB of JSON)
    timeout_seconds: float = 60.0  # per request, evaluation included


@dataclass(frozen=True, slots=True)
class Settings:
    """How the service loads its packs and what it records."""

    policies: Path | None = None  # None: the packs shipped with govrules
    holidays: tuple[Path, ...] = ()
    replace_holidays: bool = False
    log: Path | None = None  # the CLI's audit log (govrules.audit), one line per evaluation
    mask: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    # POST /v1/admin/reload is served only when a token is set (GOVRULES_ADMIN_TOKEN); SIGHUP always works.
    admin_token: str | None = None
