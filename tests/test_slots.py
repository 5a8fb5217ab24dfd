"""Query slots (kg/slots.py): at most N queries at once on a store, across threads and processes."""
import multiprocessing
import threading
import time

import pytest

from kg.slots import NoSlot, QuerySlots


def _hold(key: str, count: int, taken) -> None:
    with QuerySlots(key, count).slot(5):
        taken.set()
        time.sleep(60)  # until killed; an Event waited on here would be left broken by the kill


def test_a_slot_taken_by_one_thread_is_refused_to_another_until_given_back(tmp_path):
    slots = QuerySlots(str(tmp_path / "store"), 1)
    outcome = {}

    def other():
        try:
            with slots.slot(0.2):
                outcome["got"] = True
        except NoSlot:
            outcome["got"] = False

    with slots.slot(1):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert outcome["got"] is False
    with slots.slot(0.2) as waited:
        assert waited < 0.1


def test_a_waiter_gets_the_slot_when_it_is_given_back_and_is_told_how_long_it_waited(tmp_path):
    slots = QuerySlots(str(tmp_path / "store"), 1)
    taken, release = threading.Event(), threading.Event()

    def holder():
        with slots.slot(1):
            taken.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(5)
    threading.Timer(0.3, release.set).start()
    with slots.slot(5) as waited:
        assert 0.25 <= waited < 2
    thread.join()


def _wait_and_note(key: str, got) -> None:
    with QuerySlots(key, 1).slot(20):
        got.value = time.monotonic()
        time.sleep(0.3)


def _in_line(slots: QuerySlots, n: int) -> None:
    deadline = time.monotonic() + 30
    while len([f for f in slots.line.iterdir() if not f.name.startswith(".")]) < n:
        assert time.monotonic() < deadline, "the waiter never stood in line"
        time.sleep(0.01)


def test_a_waiter_of_another_process_that_came_first_is_served_before_this_process_s_own(tmp_path):
    """A process giving a slot back must not hand it to its own next waiter past an older one elsewhere:
    that starved one worker's queries behind the other's (a 10M throughput run lost a query sent at 0.05 s)."""
    key = str(tmp_path / "store")
    slots = QuerySlots(key, 1)
    ctx = multiprocessing.get_context("spawn")
    other_got = ctx.Value("d", 0.0)
    mine = {}

    def local_waiter():
        with slots.slot(20):
            mine["got"] = time.monotonic()

    with slots.slot(1):
        other = ctx.Process(target=_wait_and_note, args=(key, other_got), daemon=True)
        other.start()
        _in_line(slots, 1)
        thread = threading.Thread(target=local_waiter)
        thread.start()
        _in_line(slots, 2)
    thread.join(30)
    other.join(30)
    assert 0 < other_got.value < mine["got"]


def test_a_waiter_that_died_in_line_does_not_hold_up_the_line(tmp_path):
    key = str(tmp_path / "store")
    slots = QuerySlots(key, 1)
    ctx = multiprocessing.get_context("spawn")
    with slots.slot(1):
        never = ctx.Value("d", 0.0)
        dead = ctx.Process(target=_wait_and_note, args=(key, never), daemon=True)
        dead.start()
        _in_line(slots, 1)
        dead.kill()
        dead.join(10)
    with slots.slot(1) as waited:
        assert waited < 0.5
    assert not [f for f in slots.line.iterdir() if not f.name.startswith(".")]
    assert never.value == 0.0


def test_the_threads_of_a_process_are_served_in_the_order_they_came(tmp_path):
    slots = QuerySlots(str(tmp_path / "store"), 1)
    order = []

    def waiter(name: str) -> None:
        with slots.slot(10):
            order.append(name)
            time.sleep(0.02)

    with slots.slot(1):
        threads = []
        for name in "abcde":
            threads.append(threading.Thread(target=waiter, args=(name,)))
            threads[-1].start()
            time.sleep(0.05)  # each is in line before the next comes
    for thread in threads:
        thread.join()
    assert order == list("abcde")


def test_two_slots_let_two_run_and_refuse_the_third(tmp_path):
    slots = QuerySlots(str(tmp_path / "store"), 2)
    with slots.slot(1), slots.slot(1):
        with pytest.raises(NoSlot):
            with slots.slot(0.1):
                pass


def test_slots_are_shared_with_other_processes_and_freed_when_the_holder_dies(tmp_path):
    key = str(tmp_path / "store")
    ctx = multiprocessing.get_context("spawn")
    taken = ctx.Event()
    holder = ctx.Process(target=_hold, args=(key, 1, taken), daemon=True)
    holder.start()
    try:
        assert taken.wait(30)
        with pytest.raises(NoSlot):
            with QuerySlots(key, 1).slot(0.3):
                pass
        holder.kill()  # never gives it back: the kernel does
        holder.join(10)
        with QuerySlots(key, 1).slot(1) as waited:
            assert waited < 1
    finally:
        holder.kill()


def test_stores_do_not_share_slots(tmp_path):
    with QuerySlots(str(tmp_path / "a"), 1).slot(1):
        with QuerySlots(str(tmp_path / "b"), 1).slot(0.1) as waited:
            assert waited < 0.1


def test_at_least_one_slot(tmp_path):
    with pytest.raises(ValueError, match="1 or more"):
        QuerySlots(str(tmp_path / "store"), 0)


def test_the_service_refuses_to_start_with_fewer_than_one_slot():
    from server import create_app

    with pytest.raises(ValueError, match="GONGZHI_QUERY_SLOTS must be 1 or more"):
        create_app({"QUERY_SLOTS": -1})
