"""A side computation in a forked process, to use the second core during bulk work.

The child shares the parent's memory as it was at the fork (copy-on-write), computes one
result, sends it back as bytes through a pipe and exits without running any of the parent's
clean-up. If the child fails for any reason, the parent gets None and does the work itself,
so using a child is only ever an optimisation.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable


class Pending:
    def __init__(self, pid: int, read_fd: int) -> None:
        self._pid = pid
        self._fd = read_fd

    def result(self) -> bytes | None:
        """The child's bytes, or None if it failed; waits for it."""
        try:
            with os.fdopen(self._fd, "rb") as pipe:
                data = pipe.read()
        finally:
            _, status = os.waitpid(self._pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None


def available() -> bool:
    # Forking a process that runs other threads can copy a lock held by one of them.
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def start(work: Callable[[], bytes]) -> Pending | None:
    """Run ``work`` in a forked child; None where forking is not possible."""
    if not available():
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            data = work()
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return Pending(pid, read_fd)
