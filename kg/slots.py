"""Query slots: at most N queries run at once on one store, across every process that serves it.

Two cores shared by sixteen whole-graph queries give each an eighth of a core: all of them slow down
together, pass the time limit together and are stopped with nothing answered. With slots, the queries
beyond N wait for one (the wait counts against their time limit) and then run at full speed; only those
that cannot start in time are refused. A slot is an exclusive flock on one of N files, which the kernel
releases when the process that holds it dies, so a killed worker leaves no slot taken.
"""
import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path


class NoSlot(Exception):
    """Every slot stayed taken until the deadline."""


def default_count() -> int:
    """One slot a core, and never fewer than two: one runaway query must not hold up every other."""
    return max(2, os.cpu_count() or 1)


POLL_S = 0.005  # how often the first in line tries the slots that other processes hold


class QuerySlots:
    """The slots of one store (`key`: its link), shared by the threads of this process and by other processes."""

    def __init__(self, key: str, count: int):
        if count < 1:
            raise ValueError(f"query slots must be 1 or more, not {count}")
        self.count = count
        digest = hashlib.sha1(str(Path(key).absolute()).encode()).hexdigest()[:12]
        self.directory = Path(tempfile.gettempdir()) / f"gongzhi-slots-{digest}-{count}"
        self._turns = threading.Condition()  # guards all below
        self._line: deque = deque()  # this process's waiters, first come first
        self._held: set[int] = set()
        self._fds: list[int] = []
        self._pid: int | None = None

    def _files(self) -> list[int]:
        # Opened again in a forked process: a descriptor shared with the parent would share its locks.
        if self._pid != os.getpid():
            for fd in self._fds:
                os.close(fd)
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fds = [os.open(self.directory / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600)
                         for n in range(self.count)]
            self._pid, self._held = os.getpid(), set()
        return self._fds

    def _take(self) -> int | None:
        # A lock belongs to the open file, not the thread: a slot this process holds is not tried again.
        for n, fd in enumerate(self._files()):
            if n in self._held:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            self._held.add(n)
            return n
        return None

    def _give(self, n: int) -> None:
        with self._turns:
            fcntl.flock(self._fds[n], fcntl.LOCK_UN)
            self._held.discard(n)
            self._turns.notify_all()

    @contextmanager
    def slot(self, timeout: float):
        """Hold a slot while the block runs; yields the seconds spent waiting for it. Raises NoSlot if none
        is free within `timeout`. This process's waiters are served in the order they came; the first in
        line also tries, every POLL_S, the slots of other processes (flock cannot wait with a deadline)."""
        started = time.monotonic()
        turn = object()
        with self._turns:
            self._line.append(turn)
            try:
                while True:
                    first = self._line[0] is turn
                    if first and (n := self._take()) is not None:
                        break
                    left = started + timeout - time.monotonic()
                    if left <= 0:
                        raise NoSlot()
                    self._turns.wait(min(left, POLL_S) if first else left)
            finally:
                self._line.remove(turn)
                self._turns.notify_all()  # the next in line
        try:
            yield time.monotonic() - started
        finally:
            self._give(n)
