"""Running the service: load the packs, bind the socket, serve with uvicorn until stopped."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any, TextIO

from .app import create_app
from .settings import Limits, Settings

__all__ = ["serve"]


def serve(*, host: str, port: int, policies: Path | None, log: Path | None, mask: tuple[str, ...] = (),
          holidays: tuple[Path, ...] = (), replace_holidays: bool = False, limits: Limits | None = None,
          out: TextIO | None = None) -> int:
    """Serve until SIGINT/SIGTERM; returns 0. Packs that do not load raise ``PackError`` before binding.

    Port 0 takes a free port; the first line written to ``out`` names the address actually bound.
    """
    import uvicorn

    settings = Settings(policies=policies, holidays=holidays, replace_holidays=replace_holidays, log=log,
                        mask=mask, limits=limits or Limits(),
                        admin_token=os.environ.get("GOVRULES_ADMIN_TOKEN") or None)
    app = create_app(settings)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        from ..errors import GovrulesError

        raise GovrulesError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    stream = out or sys.stdout
    print(f"govrules serve: http://{shown}:{bound}/ (packs: {app.state.service.current.header})",
          file=stream, flush=True)
    config: Any = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=30)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0
