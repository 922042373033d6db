"""Group commit: the writes of the threads of one process that arrive together, committed together.

A thread that hands its item to `GroupCommit.write` returns only once the item is committed (or
raises if it could not be). While one thread commits a batch, the items of the threads that
arrive meanwhile queue; the first of them to get the commit lock next commits every item queued
by then, in one transaction, and the others find theirs done. One writer at a time per process,
and no waiting when there is no one to wait for: a lone thread commits its own item at once.

Used by the access log's staging (`exchange.sharing.access_log`): on SQLite every commit takes the
database's one write lock, and a thread that finds it taken sleeps in SQLite's busy handler
(1, 2, 5, 10 ms …) rather than queueing; with the threads of a process committing together, the
lock is taken once per batch, and a thread waits on a Python lock that wakes it at once. On
PostgreSQL each batch is one round trip of inserts and one WAL flush instead of one per call.

If a batch of several items fails, each thread writes its own item again alone (so one bad item
does not fail the others); a thread whose item cannot be written gets the error.

`commit` runs under the group's commit lock, one batch at a time per process, and may give the
items what must follow the order of commits: the access log numbers its staged rows there (their
writer stream), and keeps the numbers only once the batch is committed.

A `gate` (optional) is held while a batch is taken from the queue and committed: `ProcessLock`,
for SQLite, makes the processes' committing threads queue on a lock the kernel hands over at
once, instead of finding SQLite's write lock taken and sleeping in its busy handler; and the
items of the threads that arrive while the thread waits there join its batch (docs/benchmarks.md,
"The access log's pages per call").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _Ticket(Generic[T]):
    __slots__ = ("done", "item", "retry_alone")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = False
        self.retry_alone = False


class ProcessLock:
    """An exclusive lock shared by the threads of every process that uses the same file: a thread
    lock, then `flock` (which alone would let two threads of one process in: it locks the open
    file, not the thread). A context manager. Each process opens the file itself: a descriptor
    inherited across a fork would share its lock. `path()` names the file, or None when there is
    nothing to share between processes (then only the thread lock is taken)."""

    def __init__(self, path: Callable[[], str | None]) -> None:
        self._path = path
        self._fd: int | None = None
        self._owner: tuple[int, str] | None = None  # (pid, path) the descriptor was opened for
        self._threads = threading.Lock()

    def _descriptor(self) -> int | None:
        path = self._path()
        if path is None:
            return None
        if self._owner != (os.getpid(), path):
            if self._fd is not None:
                # Another path, or a descriptor inherited from the parent process: this copy of it
                # would keep a lock the parent held at the fork.
                os.close(self._fd)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._owner = (os.getpid(), path)
        return self._fd

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            fd = self._descriptor()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits without the GIL
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


class GroupCommit(Generic[T]):
    def __init__(
        self,
        commit: Callable[[list[T]], None],
        gate: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
    ) -> None:
        """`commit(items)` writes the items in one transaction and commits it (raising if it
        could not: nothing of the batch is then committed); `gate()`, if given, is held while a
        batch is taken and committed."""
        self._commit = commit
        self._gate = gate or contextlib.nullcontext
        self._queue: list[_Ticket[T]] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self.batches = 0  # batches committed (tests and profiles read it)

    def write(self, item: T) -> None:
        """Returns once `item` is committed; raises what committing it raised."""
        ticket = _Ticket(item)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._commit_lock:
            # Under this lock a batch is taken from the queue and, before the lock is released,
            # either committed (its tickets done) or failed (its tickets to be retried alone):
            # a ticket neither done nor to be retried is still queued.
            if ticket.done:
                return  # committed with another thread's batch
            with self._gate():
                if ticket.retry_alone:
                    self._run([ticket])
                    return
                # Taken once the gate is held: what queued while this thread waited there joins.
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    self._run(batch)
                except Exception:
                    if len(batch) == 1:
                        raise
                    for queued in batch:
                        queued.retry_alone = True
                    self._run([ticket])  # the others retry theirs when they get the lock

    def _run(self, batch: list[_Ticket[T]]) -> None:
        self._commit([ticket.item for ticket in batch])
        self.batches += 1
        for ticket in batch:
            ticket.done = True
