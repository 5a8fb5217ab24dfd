"""One piece of work run beside the rest, in a forked child, when a second core is free for it."""
import os
import pickle
import signal
import threading


def start(fn, *args):
    """fn(*args), begun now; `.result()` gives its value (or raises its error). Use it in a `with`."""
    return Forked(fn, args) if _can_fork() else Inline(fn, args)


def _can_fork() -> bool:
    # In a process with other threads, one of them could hold a lock the child then waits on forever.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return hasattr(os, "fork") and cores > 1 and threading.active_count() == 1


class Inline:
    def __init__(self, fn, args):
        self._value = fn(*args)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def result(self):
        return self._value


class Forked:
    """The child sends its value back pickled. When it fails, the work runs again here to raise its error."""

    def __init__(self, fn, args):
        self._fn, self._args = fn, args
        read, write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:
            os.close(read)
            _child(write, fn, args)
        os.close(write)
        self._read = read

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        """Stop a child whose result nobody asked for (the work beside it failed)."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            self._wait()

    def _wait(self) -> tuple[bytes, int]:
        with os.fdopen(self._read, "rb") as pipe:
            sent = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return sent, os.waitstatus_to_exitcode(status)

    def result(self):
        sent, code = self._wait()
        return pickle.loads(sent) if code == 0 else self._fn(*self._args)


def _child(write: int, fn, args) -> None:
    """Run in the child, which leaves by os._exit: the parent's exit handlers and buffers are not its own."""
    code = 1
    try:
        with os.fdopen(write, "wb") as pipe:
            pipe.write(pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)
