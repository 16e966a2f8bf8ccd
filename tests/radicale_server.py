"""A real CalDAV server for tests: Radicale on 127.0.0.1, no authentication, temp storage.

``radicale`` is a module-scoped fixture (import it into a test module) that yields the
server's base URL. The server runs as a subprocess (``python -m radicale``) with its storage
in a folder of the test's own and ``auth.type = none`` (any user name and password log in),
and is stopped by terminating that one process.

When Radicale or the caldav client is not installed (``pip install -e '.[test]'`` brings
both), or the server does not come up, the tests are skipped with the reason, never failed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

READY_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module", name="radicale")
def radicale_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for module in ("radicale", "caldav"):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(f"{module} is not installed (pip install -e '.[test]' brings it)")
    folder: Path = tmp_path_factory.mktemp("radicale")
    port = _free_port()
    log = (folder / "server.log").open("wb")
    # fmt: off
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale",
         "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder / "collections"),
         "--auth-type", "none",
         "--logging-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    # fmt: on
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (folder / "server.log").read_text(errors="replace")[-400:]
                pytest.skip(f"Radicale did not start on 127.0.0.1:{port}: {tail.strip()}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
