"""A ``govrules serve`` child process on a free port, for tests and benchmarks that speak real HTTP to it."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Answer", "ServerProcess"]


class Answer:
    """One HTTP response: status, headers (lower-case names), body text."""

    def __init__(self, status: int, headers: Mapping[str, str], text: str) -> None:
        self.status, self.headers, self.text = status, dict(headers), text

    def json(self) -> Any:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.text[:200]!r}>"


class ServerProcess:
    """``govrules serve --port 0 ARGS`` started with this interpreter; ``url`` once it answers /healthz.

    Use as a context manager: the process is stopped (SIGTERM, then SIGKILL) on exit. ``startup``
    is generous: the machine may be busy.
    """

    def __init__(self, args: Sequence[str] = (), *, env: Mapping[str, str] | None = None, startup: float = 120.0,
                 cwd: Path | None = None) -> None:
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.startup = startup
        self.cwd = cwd
        self.url = ""
        self.process: subprocess.Popen[str] | None = None
        self.stderr_lines: list[str] = []
        self._stderr_thread = threading.Thread()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        command = [sys.executable, "-c", "import sys; from govrules.cli import main; sys.exit(main())",
                   "serve", "--host", "127.0.0.1", "--port", "0", *self.args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        encoding="utf-8", env=self.env, cwd=self.cwd)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.process.stdout, lines), daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        deadline = time.monotonic() + self.startup
        first = ""
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                first = lines.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        if not first.startswith("govrules serve: http://"):
            self.stop()
            raise RuntimeError(f"govrules serve did not start: {first!r}; stderr: {''.join(self.stderr_lines)[-2000:]}")
        self.url = first.split()[2].rstrip("/")
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("govrules serve did not answer /healthz in time")

    @staticmethod
    def _pump(stream: Any, lines: queue.Queue[str]) -> None:
        for line in stream:
            lines.put(line)

    def _drain_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and collect the rest of its standard error."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._stderr_thread.join(timeout=30)

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def request(self, method: str, path: str, body: bytes | str | Any = None, *,
                headers: Mapping[str, str] | None = None, timeout: float = 120.0) -> Answer:
        """One request; ``body`` as bytes, text, or data sent as JSON. Proxies from the environment are ignored."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, ensure_ascii=False)
        data = body.encode("utf-8") if isinstance(body, str) else body
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                              response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode("utf-8"))

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Answer:
        return self.request("POST", path, body, **kwargs)
