"""`python -m local.run` (what `make run` starts) on free ports, for tests that talk real HTTP to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 90


@dataclass(frozen=True)
class LocalServer:
    base: str
    log: Path  # everything the server printed: SMS, e-mails, structured logs

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_local_server(settings: dict[str, str] | None = None) -> Iterator[LocalServer]:
    """Start the local server, yield it once it answers, stop it with Ctrl-C as a developer would.
    `settings`: environment a developer would set on `make run` (e.g. VSSID_DEADLINE_SECONDS)."""
    api_port, moto_port = free_port(), free_port()
    # The server must build its own environment (endpoint, stage, local mode), not inherit the test one.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VSSID_", "MOTO"))}
    env.update(settings or {})
    env.update(VSSID_API_PORT=str(api_port), VSSID_MOTO_PORT=str(moto_port), PYTHONUNBUFFERED="1")
    with tempfile.TemporaryDirectory(prefix="vssid-local-") as folder:
        server = LocalServer(f"http://127.0.0.1:{api_port}", Path(folder) / "server.log")
        # A file, not a pipe: nobody reads the output while tests run, and a full pipe would stall the server.
        with server.log.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(  # noqa: S603 - our own module
                [sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                text=True, start_new_session=True,
            )
        try:
            _wait_until_up(process, server)
            yield server
        finally:
            _stop(process)


def _wait_until_up(process: subprocess.Popen, server: LocalServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("local server exited:\n" + server.output())
        try:
            if requests.get(f"{server.base}/v1/provinces", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"local server did not start in {START_SECONDS} s:\n" + server.output())


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as a developer stops it
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError("local server did not stop on Ctrl-C") from None
