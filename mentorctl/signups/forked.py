"""A side computation in a forked process, to use the second core during bulk work.

The child shares the parent's memory as it was at the fork (copy-on-write), computes one
result, leaves it as bytes in an anonymous in-memory file the two share and exits without
running any of the parent's clean-up. The result never touches a disk, and the child never
waits on the parent to read it. If the child fails for any reason, the parent gets None and
does the work itself, so using a child is only ever an optimisation.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from mentorctl.fileio import write_all

T = TypeVar("T")


class Pending:
    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd

    def result(self, load: Callable[[memoryview], T]) -> T | None:
        """``load`` of the child's bytes (mapped, not copied), or None if it failed.

        ``load`` may keep parts of the view it is given: the mapping lasts as long as they do.
        """
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:  # SIGCHLD ignored: the system reaped the child unseen
            os.close(self._fd)
            return None
        except BaseException:  # interrupted while waiting: the child must not outlive us
            self.cancel()
            raise
        try:
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            size = os.fstat(self._fd).st_size
            if size == 0:
                return load(memoryview(b""))
            # Not closed here: views of it kept by ``load`` keep it, the others let it go.
            shared = mmap.mmap(self._fd, size, prot=mmap.PROT_READ)
            return load(memoryview(shared))
        finally:
            os.close(self._fd)

    def cancel(self) -> None:
        """Stop the child, whose result is no longer wanted."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        os.close(self._fd)


def available() -> bool:
    # Forking a process that runs other threads can copy a lock held by one of them.
    return (
        hasattr(os, "fork")
        and hasattr(os, "memfd_create")
        and (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
    )


def start(work: Callable[[], Iterable[bytes | memoryview]]) -> Pending | None:
    """Run ``work`` in a forked child, whose result is the pieces ``work`` returns, one after
    the other; None where forking is not possible."""
    if not available():
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        fd = os.memfd_create("mentorctl-result", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            for piece in work():
                write_all(fd, piece)
            code = 0
        finally:
            os._exit(code)
    return Pending(pid, fd)
