"""Query slots: at most N queries run at once on one store, across every process that serves it.

Two cores shared by sixteen whole-graph queries give each an eighth of a core: all of them slow down
together, pass the time limit together and are stopped with nothing answered. With slots, the queries
beyond N wait for one (the wait counts against their time limit) and then run at full speed; only those
that cannot start in time are refused. A slot is an exclusive flock on one of N files, which the kernel
releases when the process that holds it dies, so a killed worker leaves no slot taken.

The waiters of all processes stand in one line, first come first served: each takes a ticket (a counter
under a flock) and holds a flock on a file named by it while it waits. Only the oldest living waiter may
take a free slot. Without this, a process that gives a slot back hands it at once to its own next waiter,
and the waiters of another process, polling, starve behind it.
"""
import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


class NoSlot(Exception):
    """Every slot stayed taken until the deadline."""


def default_count() -> int:
    """One slot a core, and never fewer than two: one runaway query must not hold up every other."""
    return max(2, os.cpu_count() or 1)


POLL_S = 0.005  # how often the first in this process's line looks at the slots and the shared line


class _Ticket:
    """A waiter's place in the shared line: a file named by its number, flocked while its waiter lives."""

    def __init__(self, line: Path, number: int):
        self.number, self.path = number, line / f"{number:020d}"
        draft = line / f".{number:020d}"  # locked before it gets its name: a visible ticket is never unlocked
        self.fd = os.open(draft, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.rename(draft, self.path)

    def leave(self) -> None:
        self.path.unlink(missing_ok=True)  # before the lock goes: an unlocked ticket means a dead waiter
        os.close(self.fd)


def _alive(path: Path) -> bool:
    """Whether the waiter of a ticket file still waits; the file of a dead one is removed."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)  # its process died while it waited
    return False


class QuerySlots:
    """The slots of one store (`key`: its link), shared by the threads of this process and by other processes."""

    def __init__(self, key: str, count: int):
        if count < 1:
            raise ValueError(f"query slots must be 1 or more, not {count}")
        self.count = count
        digest = hashlib.sha1(str(Path(key).absolute()).encode()).hexdigest()[:12]
        self.directory = Path(tempfile.gettempdir()) / f"gongzhi-slots-{digest}-{count}"
        self.line = self.directory / "line"
        self._turns = threading.Condition()  # guards all below
        self._waiting: deque = deque()  # this process's tickets, oldest first
        self._held: set[int] = set()
        self._fds: list[int] = []
        self._counter: int | None = None
        self._pid: int | None = None

    def _files(self) -> list[int]:
        # Opened again in a forked process: a descriptor shared with the parent would share its locks.
        if self._pid != os.getpid():
            for fd in self._fds + ([self._counter] if self._counter is not None else []):
                os.close(fd)
            self.line.mkdir(parents=True, exist_ok=True)
            self._fds = [os.open(self.directory / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600)
                         for n in range(self.count)]
            self._counter = os.open(self.directory / "tickets", os.O_RDWR | os.O_CREAT, 0o600)
            self._pid, self._held = os.getpid(), set()
        return self._fds

    def _ticket(self) -> _Ticket:
        self._files()
        fcntl.flock(self._counter, fcntl.LOCK_EX)
        try:
            number = int(os.pread(self._counter, 32, 0) or b"0") + 1
            os.pwrite(self._counter, str(number).encode().ljust(32), 0)
        finally:
            fcntl.flock(self._counter, fcntl.LOCK_UN)
        return _Ticket(self.line, number)

    def _first(self, ticket: _Ticket) -> bool:
        """Whether no living waiter of any process came before this one."""
        for name in sorted(os.listdir(self.line)):
            if name.startswith("."):
                continue
            if int(name) >= ticket.number:
                return True
            if _alive(self.line / name):
                return False
        return True

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
    def slot(self, timeout: float = 0.0, until: Callable[[], float] | None = None):
        """Hold a slot while the block runs; yields the seconds spent waiting for it. Raises NoSlot if none
        is free within `timeout`, or by `until()` (a time.monotonic() deadline that may move later while
        this waits). Waiters are served in the order they came, across processes; the first of this process
        looks again every POLL_S (flock cannot wait with a deadline, nor in order)."""
        started = time.monotonic()
        if until is None:
            until = lambda: started + timeout  # noqa: E731
        with self._turns:
            ticket = self._ticket()
            self._waiting.append(ticket)
            try:
                while True:
                    mine = self._waiting[0] is ticket
                    if mine and self._first(ticket) and (n := self._take()) is not None:
                        break
                    now = time.monotonic()  # before until(): a request moving the deadline later after it saw it ahead
                    left = until() - now
                    if left <= 0:
                        raise NoSlot()
                    self._turns.wait(min(left, POLL_S) if mine else left)  # a deadline only moves later
            finally:
                self._waiting.remove(ticket)
                ticket.leave()
                self._turns.notify_all()  # the next in line
        try:
            yield time.monotonic() - started
        finally:
            self._give(n)
