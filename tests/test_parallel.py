"""Work beside the rest in a forked child: the same value as in-process, and errors raised in the caller."""
import os

import pytest

from kg import parallel


def _pid_and(value):
    return os.getpid(), value


def _fail(message):
    raise ValueError(message)


def test_the_child_gives_the_value_of_the_work(monkeypatch):
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    with parallel.start(_pid_and, {"a": [1, 2]}) as work:
        pid, value = work.result()
    assert pid != os.getpid() and value == {"a": [1, 2]}


def test_an_error_in_the_child_is_raised_in_the_caller(monkeypatch):
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    with parallel.start(_fail, "broken") as work, pytest.raises(ValueError, match="broken"):
        work.result()


def test_a_failure_beside_the_child_stops_it(monkeypatch):
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    with pytest.raises(RuntimeError), parallel.start(_pid_and, 1) as work:
        raise RuntimeError("the work beside it failed")
    assert work._pid == 0


def test_without_a_second_core_the_work_runs_here(monkeypatch):
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    with parallel.start(_pid_and, 1) as work:
        assert work.result() == (os.getpid(), 1)
