"""Group commit (core.group_commit): items of threads that arrive while a batch commits are
committed together, each writer returns only once its own item is committed, and one bad item
fails no one else's."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zhengwu.core.group_commit import GroupCommit, ProcessLock


def wait_until(condition: Callable[[], bool]) -> None:
    event = threading.Event()
    for _ in range(5000):  # at most 5 s; no timing is asserted, only that the state is reached
        if condition():
            return
        event.wait(0.001)
    raise AssertionError("condition not reached")


def write_during_a_commit(
    group: GroupCommit[int], writer: Callable[[int], None], release: threading.Event, *, others: int
) -> None:
    """Item 0 is written first and its commit holds (until `release`); items 1…`others` are
    written meanwhile, and queue; then the commit goes on and every writer finishes."""
    first = threading.Thread(target=writer, args=(0,))
    first.start()
    wait_until(lambda: group._commit_lock.locked() and not group._queue)
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(1, others + 1)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(group._queue) == others)
    release.set()
    for thread in [first, *threads]:
        thread.join(5)


def test_a_lone_writer_commits_its_own_item_at_once() -> None:
    committed: list[list[int]] = []
    group = GroupCommit(lambda items: committed.append(list(items)))
    group.write(1)
    group.write(2)
    assert committed == [[1], [2]] and group.batches == 2


def test_writers_arriving_during_a_commit_are_committed_in_one_batch() -> None:
    committed: list[list[int]] = []
    release = threading.Event()
    returned: dict[int, bool] = {}

    def commit(items: list[int]) -> None:
        if not committed:
            release.wait(5)  # the first batch holds the commit until the others queued
        committed.append(list(items))

    group: GroupCommit[int] = GroupCommit(commit)

    def writer(item: int) -> None:
        group.write(item)
        # Returned only once its own item is in a committed batch.
        returned[item] = any(item in batch for batch in committed)

    write_during_a_commit(group, writer, release, others=5)
    assert committed == [[0], [1, 2, 3, 4, 5]]
    assert group.batches == 2
    assert returned == dict.fromkeys(range(6), True)


def test_one_bad_item_fails_only_its_own_writer() -> None:
    committed: list[list[int]] = []
    release = threading.Event()
    errors: dict[int, str] = {}

    def commit(items: list[int]) -> None:
        if not committed and items == [0]:
            release.wait(5)
        if 3 in items:
            raise ValueError("item 3 is refused")  # nothing of this batch is committed
        committed.append(list(items))

    group: GroupCommit[int] = GroupCommit(commit)

    def writer(item: int) -> None:
        try:
            group.write(item)
        except ValueError as error:
            errors[item] = str(error)

    write_during_a_commit(group, writer, release, others=4)
    assert errors == {3: "item 3 is refused"}
    # The batch [1, 2, 3, 4] failed as a whole; each of its writers wrote its own item again.
    assert committed[0] == [0] and sorted(item for batch in committed[1:] for item in batch) == [1, 2, 4]
    assert all(len(batch) == 1 for batch in committed[1:])


def test_items_queued_while_the_gate_is_awaited_join_the_batch() -> None:
    """The batch is taken once the gate is held: writers that queued while the committing thread
    waited at the gate (another process's commit, under ProcessLock) are in its batch."""
    committed: list[list[int]] = []
    release = threading.Event()
    waiting = threading.Event()

    @contextlib.contextmanager
    def gate() -> Iterator[None]:
        if not committed:
            waiting.set()
            release.wait(5)  # the first batch waits here until the others queued
        yield

    group: GroupCommit[int] = GroupCommit(lambda items: committed.append(list(items)), gate=gate)
    first = threading.Thread(target=group.write, args=(0,))
    first.start()
    waiting.wait(5)
    threads = [threading.Thread(target=group.write, args=(i,)) for i in (1, 2, 3)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(group._queue) == 4)  # item 0 is still queued: taken once past the gate
    release.set()
    for thread in [first, *threads]:
        thread.join(5)
    assert committed == [[0, 1, 2, 3]] and group.batches == 1


def test_a_process_lock_excludes_another_process(tmp_path: Path) -> None:
    """Held in this process, the lock cannot be taken by a forked child, which opens the file
    itself (a descriptor inherited across the fork would share this process's lock)."""
    lock = ProcessLock(lambda: str(tmp_path / "db.sqlite3-staging.lock"))
    with lock.held():
        pid = os.fork()
        if pid == 0:  # the child: exit 0 only if the lock is refused to it
            try:
                fd = lock._descriptor()
                assert fd is not None
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os._exit(0)
            os._exit(1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    fd = os.open(tmp_path / "db.sqlite3-staging.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on leaving the block
    finally:
        os.close(fd)


@pytest.mark.parametrize("shared", [True, False])
def test_a_process_lock_excludes_the_processes_other_threads(tmp_path: Path, shared: bool) -> None:
    """flock locks the open file, not the thread: two threads of one process holding the same
    descriptor would both get it. The thread lock keeps them apart, with a file to share between
    processes (SQLite) or without one (PostgreSQL, an in-memory database)."""
    lock = ProcessLock(lambda: str(tmp_path / "db.sqlite3-sealer.lock") if shared else None)
    inside: list[str] = []

    def other() -> None:
        with lock.held():
            inside.append("other")

    with lock.held():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and inside == []  # waits while this thread holds it
        inside.append("this")
    thread.join(5)
    assert inside == ["this", "other"]
