"""Checking rows before they are written: in this process, or in several for a large CSV file.

`Checker` turns batches of cell texts into converted columns, column by column (the batch
converters, with the cell converters naming each wrong value), and collects the errors. It is
pure: it reads no database and writes nothing, so worker processes can run it.

`check_rows` checks an iterator of rows here. `check_csv_chunks` splits a CSV file at line
ends into chunks and lets forked worker processes read and check them while this process
writes the rows already checked, so checking and writing overlap (measured in
docs/benchmarks.md). Splitting at line ends is right only when no field is quoted (a
quoted field may hold a line break), so a file with a quote character is checked here.
Results come back in file order, so errors keep their row numbers and the rows their order.
"""

from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings

from zhengwu.exchange.store.tables import BATCH_SIZE
from zhengwu.exchange.store.validation import BatchConverter, Converter, Invalid

NESTED = "\x00nested"  # a JSON cell holding an object or array
CHUNK_BYTES = 4 * 1024 * 1024

Pending = tuple[int, int, str, str, str]  # (row, column index, item code, value, message)


@dataclass
class Checked:
    """One checked batch: its rows' numbers, converted columns, the errors found in it."""

    numbers: list[int]
    columns: list[list[Any]]
    pending: list[Pending]
    key_texts: Sequence[str] | None  # None: the same as the converted keys
    rows: int  # data rows counted (rows of the wrong width included, blank rows not)


@dataclass
class Checker:
    codes: list[str]
    fast: list[BatchConverter]
    slow: list[Converter]
    check_nested: bool = False
    rows: int = 0

    def batches(
        self, rows: Iterator[tuple[int, Sequence[str]]], pending: list[Pending]
    ) -> Iterator[tuple[list[Sequence[str]], list[int]]]:
        """Group rows into batches; a row of the wrong width goes to `pending`, blank rows are skipped."""
        width = len(self.codes)
        batch: list[Sequence[str]] = []
        numbers: list[int] = []
        for number, cells in rows:
            if len(cells) != width:
                if not any(cell.strip() for cell in cells):
                    continue  # blank line
                pending.append((number, -1, "", "", f"本行有 {len(cells)} 列，表头有 {width} 列"))
                self.rows += 1
                continue
            if not any(cells):
                continue  # a blank row (spreadsheets leave them behind)
            self.rows += 1
            batch.append(cells)
            numbers.append(number)
            if len(batch) >= BATCH_SIZE:
                yield batch, numbers
                batch, numbers = [], []
        if batch:
            yield batch, numbers

    def check(self, batch: list[Sequence[str]], numbers: list[int], pending: list[Pending]) -> list[list[Any]]:
        """The converted columns of a batch; each wrong value is an Invalid and goes to `pending`."""
        columns = list(zip(*batch, strict=True))
        converted: list[list[Any]] = []
        for index, column in enumerate(columns):
            values = self.fast[index](column)
            if values is None:
                convert = self.slow[index]
                values = [convert(cell) for cell in column]
                if Invalid in map(type, values):
                    code = self.codes[index]
                    for number, cell, value in zip(numbers, column, values, strict=True):
                        if type(value) is Invalid:
                            pending.append((number, index, code, cell, value.message))
            converted.append(values)
        if self.check_nested:
            for number, cells in zip(numbers, batch, strict=True):
                for index, cell in enumerate(cells):
                    if cell == NESTED:
                        message = "值应为文字、数字或布尔值，不能是对象或数组"
                        pending.append((number, index, self.codes[index], "", message))
        return converted


def check_rows(checker: Checker, rows: Iterator[tuple[int, Sequence[str]]], key_index: int) -> Iterator[Checked]:
    """Check rows in this process, batch by batch."""
    pending: list[Pending] = []
    counted = checker.rows
    for batch, numbers in checker.batches(rows, pending):
        columns = checker.check(batch, numbers, pending)
        yield Checked(numbers, columns, pending, [cells[key_index] for cells in batch], checker.rows - counted)
        counted = checker.rows
        pending = []
    if pending or checker.rows > counted:
        yield Checked([], [], pending, [], checker.rows - counted)


def check_parsed(checker: Checker, rows: list[Sequence[str]], key_index: int) -> Iterator[Checked]:
    """`check_rows` for rows already read: when all are full rows (the usual file), batches are
    slices, without a Python step per row to sort out short and blank ones (a tenth of a worker's time)."""
    width = len(checker.codes)
    if not (rows and set(map(len, rows)) == {width} and all(map(any, rows))):
        yield from check_rows(checker, enumerate(rows, 1), key_index)
        return
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        numbers = list(range(start + 1, start + len(batch) + 1))
        checker.rows += len(batch)
        pending: list[Pending] = []
        columns = checker.check(batch, numbers, pending)
        yield Checked(numbers, columns, pending, [cells[key_index] for cells in batch], len(batch))


# --- several processes -------------------------------------------------------------------------


@dataclass
class CsvPlan:
    """A CSV file whose data rows may be checked in chunks: no quoted fields, header on line 1."""

    path: Path
    encoding: str  # the codec of the data rows (a UTF-8 BOM only precedes the header)
    delimiter: str
    data_start: int  # byte offset of line 2
    size: int
    position: int = 0  # byte offset checked so far (progress)

    def worth_parallel(self) -> bool:
        return (
            processes() > 1
            and self.size - self.data_start >= settings.ZHENGWU_LOAD_PARALLEL_MIN_BYTES
            and "fork" in multiprocessing.get_all_start_methods()
        )


def processes() -> int:
    configured = int(settings.ZHENGWU_LOAD_PROCESSES or 0)
    return configured if configured > 0 else (os.cpu_count() or 1)


def csv_plan(path: Path, *, encoding: str, delimiter: str, has_quote: bool) -> CsvPlan | None:
    """A plan for `check_csv_chunks`, or None when the file must be read as a whole (quotes)."""
    if has_quote:
        return None
    with path.open("rb") as handle:
        handle.readline()
        data_start = handle.tell()
        size = path.stat().st_size
    return CsvPlan(path, encoding.removesuffix("-sig"), delimiter, data_start, size, data_start)


def _split(plan: CsvPlan, chunk_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges of about `chunk_bytes` that start and end at line ends."""
    ranges: list[tuple[int, int]] = []
    with plan.path.open("rb") as handle:
        start = plan.data_start
        while start < plan.size:
            handle.seek(min(start + chunk_bytes, plan.size))
            handle.readline()
            end = min(handle.tell(), plan.size)
            ranges.append((start, end))
            start = end
    return ranges


@dataclass
class _Chunk:
    checked: list[Checked]
    records: int  # CSV records in the chunk (each is one line): the next chunk's row offset


# What a forked worker checks with: set before the pool forks, read by `_check_chunk`.
_FORKED: tuple[CsvPlan, Checker, int] | None = None


def _check_chunk(span: tuple[int, int]) -> _Chunk:
    assert _FORKED is not None, "_check_chunk runs in a worker forked by check_csv_chunks"
    plan, checker, key_index = _FORKED
    start, end = span
    with plan.path.open("rb") as handle:
        handle.seek(start)
        text = handle.read(end - start).decode(plan.encoding)
    parsed: list[Sequence[str]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=plan.delimiter))
    checked = list(check_parsed(checker, parsed, key_index))
    for batch in checked:
        if batch.columns and batch.key_texts is not None and list(batch.key_texts) == batch.columns[key_index]:
            batch.key_texts = None  # the same texts: not sent twice
        batch.columns = [_pack(column) for column in batch.columns]
    return _Chunk(checked, text.count("\n") + (0 if not text or text.endswith("\n") else 1))


_SEPARATOR = "\x1f"  # ASCII unit separator


class _Packed(NamedTuple):
    """A column of strings joined by the unit separator: one string to pickle, not thousands."""

    text: str


def _pack(column: list[Any]) -> Any:
    try:
        joined = _SEPARATOR.join(column)
    except TypeError:  # not all strings (None, numbers, Invalid): pickled as it is
        return column
    return _Packed(joined) if joined.count(_SEPARATOR) == len(column) - 1 else column


def _unpack(column: Any) -> list[Any]:
    return column.text.split(_SEPARATOR) if type(column) is _Packed else column


def _serve(channel: Connection) -> None:
    """A forked worker: check each span it is sent and send the result back, until None."""
    while (span := channel.recv()) is not None:
        try:
            channel.send(_check_chunk(span))
        except Exception as error:  # reported to the loader, which fails the load
            channel.send(RuntimeError(f"worker failed on bytes {span[0]}–{span[1]}: {error!r}"))


def check_csv_chunks(plan: CsvPlan, checker: Checker, key_index: int) -> Iterator[Checked]:
    """Check the file's data rows in forked worker processes; results in file order.

    Chunk i goes to worker i mod n, at most two chunks per worker in flight, so memory stays
    bounded however fast the workers are compared with the writer. Results are unpickled here,
    in the loading thread, which then writes them (no second thread contending for the GIL).
    """
    global _FORKED
    spans = _split(plan, CHUNK_BYTES)
    workers = max(1, min(processes(), len(spans)))
    context = multiprocessing.get_context("fork")
    channels: list[Connection] = []
    children: list[multiprocessing.process.BaseProcess] = []
    _FORKED = (plan, checker, key_index)
    try:
        for _ in range(workers):
            mine, theirs = context.Pipe()
            child = context.Process(target=_serve, args=(theirs,), name="zhengwu-load-check", daemon=True)
            child.start()
            theirs.close()
            channels.append(mine)
            children.append(child)
    finally:
        _FORKED = None  # the workers have their copy
    try:
        sent = min(2 * workers, len(spans))
        for index in range(sent):
            channels[index % workers].send(spans[index])
        offset = 1  # the header is line 1
        for index, span in enumerate(spans):
            chunk = channels[index % workers].recv()
            if isinstance(chunk, BaseException):
                raise chunk
            if sent < len(spans):
                channels[sent % workers].send(spans[sent])
                sent += 1
            for checked in chunk.checked:
                checked.columns = [_unpack(column) for column in checked.columns]
                checked.numbers = [number + offset for number in checked.numbers]
                checked.pending = [
                    (row + offset, column, code, value, message)
                    for row, column, code, value, message in checked.pending
                ]
                yield checked
            offset += chunk.records
            plan.position = span[1]
    finally:
        for channel in channels:
            with contextlib.suppress(OSError):  # the worker is gone already
                channel.send(None)
            channel.close()
        for worker in children:
            worker.join(timeout=1)
            if worker.is_alive():  # still sending a result nobody reads: the load has failed
                worker.terminate()
                worker.join()
