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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Ticket(Generic[T]):
    __slots__ = ("done", "item", "retry_alone")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = False
        self.retry_alone = False


class GroupCommit(Generic[T]):
    def __init__(self, commit: Callable[[list[T]], None]) -> None:
        """`commit(items)` writes the items in one transaction and commits it (raising if it
        could not: nothing of the batch is then committed)."""
        self._commit = commit
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
            if ticket.retry_alone:
                self._run([ticket])
                return
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
