"""Loading data into the store: files (CSV, XLSX, JSON) and API batches, all or nothing.

`ingest_file(*, actor, resource, path, mode)` reads a file, maps its header (item names or
codes) to the resource's data items, checks every value by its type, and writes the rows in one
transaction. Any wrong value means nothing is written: the `LoadJob` records the failure and
the row-level errors (row number as the user sees it in the file, item, value, message) that
`error_report_csv` / `error_report_xlsx` turn into a report. A crash half-way rolls back, so the
old data stay as they were.

`ingest_records(*, actor, resource, records)` does the same for the upsert API.

Who may load (the `Actor`): the data officer (Role.DATA_OFFICER) of the provider department, an
API client of the provider department, or the platform itself (`Actor.platform()`: the command
line, the demo, a base resource refreshed by another app). A job moves along `LOAD_JOB`
(`store.states`); every load ends in one `exchange.load` audit event (success or failure, with the
job), and a refused one in a denied or failed event, written by `record_action`: the job's own row
must outlive a failed load, so the load is not one rolled-back write.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.accounts.models import Role, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.catalog.models import Resource
from zhengwu.catalog.services import resource_mark_loaded
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, not_found, permission_denied
from zhengwu.core.idnumbers import mask_middle
from zhengwu.core.spreadsheets import csv_text, xlsx_row
from zhengwu.exchange.audit_actions import ExchangeAction
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store import columnar
from zhengwu.exchange.store.checking import NESTED, Checker, CsvPlan, check_csv_chunks, check_rows, csv_plan
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.states import LOAD_JOB
from zhengwu.exchange.store.tables import STRUCTURED_FORMATS, TableSpec, TableWriter, sync_indexes, table_spec
from zhengwu.exchange.store.validation import Invalid, cell_text, visible

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024 * 1024  # 1 GiB: about 5 million 法人 rows
MAX_JSON_BYTES = 64 * 1024 * 1024  # JSON is parsed whole
MAX_API_RECORDS = 1000
MAX_REPORTED_ERRORS = 1000
PROGRESS_EVERY = 20000
PROGRESS_SECONDS = 0.5  # the progress file's shortest interval (the workbench polls it every 2 s)
CHUNK = 1024 * 1024

Progress = Callable[[int, float | None], None]  # (rows read, fraction done or None)


class _Rollback(Exception):
    """Raised inside the load transaction when a value was wrong: nothing may be written."""


@dataclass
class LoadResult:
    job: LoadJob
    ok: bool
    rows_total: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""


@dataclass
class _Source:
    """A parsed input: its header cells and an iterator of (row number, cell texts)."""

    file_format: str
    encoding: str
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, Sequence[str]]]
    fraction: Callable[[], float | None] = lambda: None
    close: Callable[[], None] = lambda: None
    plan: CsvPlan | None = None  # a CSV file that worker processes may check in chunks


class _Errors:
    def __init__(self, spec: TableSpec) -> None:
        self.count = 0
        self.items: list[dict[str, Any]] = []
        self.names = {column.code: column.name for column in spec.columns}
        self.personal = {column.code for column in spec.columns if column.is_personal}

    def add(self, row: int | None, code: str, value: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            shown = visible(value[:200])  # a report that PostgreSQL and Excel can hold
            if code in self.personal and shown:
                shown = mask_middle(shown, 4, 4) if len(shown) > 8 else "*" * len(shown)
            self.items.append(
                {"row": row, "item": self.names.get(code, code), "code": code, "value": shown, "message": message}
            )


# --- authorization ---------------------------------------------------------------------------


def may_load(actor: User, resource: Resource) -> bool:
    """The data officer of the providing department (a view's convenience check)."""
    return (
        actor.is_authenticated
        and actor.has_role(Role.DATA_OFFICER)
        and actor.department_id is not None
        and actor.department_id == resource.provider_id
    )


def _authorize(actor: Actor, resource: Resource) -> None:
    if actor.api_client is not None:
        if actor.api_client.department_id != resource.provider_id:
            raise not_found("信息资源")
    elif not (actor.is_platform or (actor.user is not None and may_load(actor.user, resource))):
        raise permission_denied("只有提供部门的数据管理员可以加载该资源的数据。")
    if resource.state != Resource.State.PUBLISHED:
        raise ApplicationError(ExchangeError.NOT_PUBLISHED, f"资源“{resource.name}”尚未发布，不能加载数据。")
    if resource.format_class not in STRUCTURED_FORMATS:
        raise ApplicationError(ExchangeError.NOT_STRUCTURED, f"资源“{resource.name}”不是结构化数据资源，不能加载数据。")


def _audit(actor: Actor, resource: Resource, outcome: str, **details: Any) -> None:
    record_action(actor, ExchangeAction.LOAD, target=resource, outcome=outcome, details=details)


def _refused(*, actor: Actor, resource: Resource, error: ApplicationError, via: str) -> None:
    outcome = AuditEvent.Outcome.DENIED if error.status in (403, 404) else AuditEvent.Outcome.FAILURE
    _audit(actor, resource, outcome, via=via, code=error.code, message=error.message)
    error.refusal = "load"  # type: ignore[attr-defined]  # recorded: not again by core.refusals


# --- reading files ---------------------------------------------------------------------------


def _scan(path: Path) -> tuple[str, bool]:
    """(text encoding guess, has a quote character) in one pass.

    The encoding is UTF-8 if every byte decodes, else GB18030. A quote byte cannot be part of a
    multi-byte character in either, so `b'"' in chunk` finds quoted fields. The UTF-8 check is
    Arrow's validator over each chunk cut at a character's start (`columnar.utf8_valid`): 0.08
    against 0.20 CPU-s for a 137 MB file by Python's decoder, which made a str of each chunk.
    """
    utf8, quote, carry = True, False, 0
    buffer = bytearray(CHUNK + 4)  # read into, chunk after chunk, behind a cut character's first bytes
    view = memoryview(buffer)
    with path.open("rb") as handle:
        while size := handle.readinto(view[carry : carry + CHUNK]):
            end = carry + size
            quote = quote or buffer.find(b'"', carry, end) >= 0
            if not utf8:
                carry = 0
                continue
            cut = _last_character_start(buffer, end)
            utf8 = columnar.utf8_valid(view[:cut])
            carry = end - cut
            buffer[:carry] = buffer[cut:end]  # the bytes of a character the next chunk completes
    utf8 = utf8 and (carry == 0 or columnar.utf8_valid(view[:carry]))  # a file cut inside a character
    view.release()
    return ("utf-8" if utf8 else "gb18030"), quote


def _last_character_start(data: bytearray, end: int) -> int:
    """Where the chunk `data[:end]` is cut for checking: before its last UTF-8 lead byte if
    that is among the last four bytes (its character may go on in the next chunk), else at
    `end`. A longer run of continuation bytes is wrong in any cut, and fails the check."""
    for index in range(end - 1, max(end - 4, 0) - 1, -1):
        if data[index] < 0x80:
            return end  # ASCII: the chunk ends with a whole character
        if data[index] >= 0xC0:
            return index
    return end


class _FileDigest:
    """The file's SM3 digest, computed by a thread beside the load (OpenSSL releases the GIL:
    0.36 s of a 137 MB file off the load's path); `value()` waits for it, and is "" if the file
    could not be read (the load then fails on reading it too, and says so).

    `start()` is called when the load transaction opens: on the columnar path that is after the
    file was read and written by two processes, one core each, so the digest runs beside the index
    builds, on the core the writer has left, rather than taking CPU from either process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = ""
        self.thread = threading.Thread(target=self._run, name="zhengwu-load-sm3", daemon=True)

    def start(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def _run(self) -> None:
        digest = hashes.Hash(hashes.SM3())
        buffer = bytearray(CHUNK)
        try:
            with self.path.open("rb") as handle:
                while size := handle.readinto(buffer):
                    digest.update(memoryview(buffer)[:size])
        except OSError:
            return
        self.digest = digest.finalize().hex()

    def value(self) -> str:
        self.start()
        self.thread.join()
        return self.digest

    def done(self) -> None:
        """Before the file is deleted: the thread, if it ran, has finished reading it."""
        if self.thread.ident is not None:
            self.thread.join()


def _cjk_count(text: str) -> int:
    return sum(1 for char in text if "\u4e00" <= char <= "\u9fff")


def _encoding_problem(path: Path) -> ApplicationError | None:
    """Why a text file that is not UTF-8 throughout cannot be read, naming the line and byte; None
    when it reads as GB18030 (what `_scan` then took it for).

    A file whose non-ASCII text decodes as UTF-8 up to some point is a UTF-8 file broken there (a
    cut multi-byte sequence, or text of another encoding pasted in): it is not GB18030. Lines
    split on 0x0A, which is never part of a multi-byte character in either encoding.
    """

    def where(number: int, offset: int, line: bytes, error: UnicodeDecodeError) -> str:
        bad = " ".join(f"0x{byte:02X}" for byte in line[error.start : error.end])
        return f"第 {number} 行第 {error.start + 1} 字节（全文件第 {offset + error.start + 1} 字节，{bad}）"

    utf8_chinese = 0  # CJK characters read as UTF-8 so far (GB18030 bytes rarely make even one)
    with path.open("rb") as handle:
        offset = 0
        for number, line in enumerate(handle, 1):
            if not line.isascii():
                try:
                    utf8_chinese += _cjk_count(line.decode("utf-8"))
                except UnicodeDecodeError as error:
                    utf8_chinese += _cjk_count(line[: error.start].decode("utf-8", errors="ignore"))
                    if utf8_chinese >= 2:
                        return _file_error(
                            f"文件按 UTF-8 编码读取，{where(number, offset, line, error)}不是完整的 UTF-8 字符："
                            "文件可能被截断，或混入了其他编码的文字。请检查该处后重新上传。"
                        )
                    break  # its first Chinese text is not UTF-8: a GB18030 file, checked below
            offset += len(line)
    with path.open("rb") as handle:
        offset = 0
        for number, line in enumerate(handle, 1):
            try:
                line.decode("gb18030")
            except UnicodeDecodeError as error:
                return _file_error(
                    f"文件既不是 UTF-8 也不是 GB18030 编码：按 GB18030 读取时，{where(number, offset, line, error)}"
                    "无法识别。请将文件另存为 UTF-8 编码后重新上传。"
                )
            offset += len(line)
    return None


def _detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head.removeprefix(codecs.BOM_UTF8).strip() and len(head) < 512:
        raise _file_error("文件为空：没有表头，也没有数据行。")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传。")
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"[") or path.suffix.lower() == ".json":
        return "json"
    return "csv"


def _file_error(message: str) -> ApplicationError:
    return ApplicationError(ExchangeError.INVALID_FILE, message, {"file": message})


def _open_csv(path: Path, encoding: str, *, has_quote: bool = True) -> _Source:
    raw = path.open("rb")
    size = max(path.stat().st_size, 1)
    bom = raw.read(3)
    if encoding == "utf-8" and bom == codecs.BOM_UTF8:
        encoding = "utf-8-sig"
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    first = text.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    plan = csv_plan(path, encoding=encoding, delimiter=delimiter, has_quote=has_quote)

    def rows() -> Iterator[tuple[int, Sequence[str]]]:
        number = 1
        try:
            for cells in csv.reader(text, delimiter=delimiter):
                number += 1
                yield number, cells
        except UnicodeDecodeError:  # pragma: no cover - _scan already proved the encoding
            raise _file_error(f"文件第 {number} 行附近的文字不是 {encoding} 编码。") from None
        except csv.Error as error:
            raise _file_error(f"CSV 格式错误（第 {number} 行附近）：{error}") from None

    def fraction() -> float | None:
        if plan is not None and plan.position > plan.data_start:
            return min(plan.position / size, 1.0)  # checked in chunks by worker processes
        try:
            return min(raw.tell() / size, 1.0)
        except (OSError, ValueError):
            return None

    return _Source("csv", encoding.replace("-sig", "-bom"), header, 1, rows(), fraction, text.close, plan)


def _open_xlsx(path: Path) -> _Source:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for damaged files
        raise _file_error("无法读取 Excel 文件，文件可能已损坏或不是 .xlsx 格式。") from None
    sheet = book.worksheets[0]
    total = sheet.max_row or 0
    iterator = sheet.iter_rows(values_only=True)
    header_cells: tuple[Any, ...] = ()
    header_row = 0
    for header_row, candidate in enumerate(iterator, start=1):  # noqa: B007 - used after the loop
        if any(cell not in (None, "") for cell in candidate):
            header_cells = candidate
            break
    header = [cell_text(cell) for cell in header_cells]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    position = [header_row]

    def rows() -> Iterator[tuple[int, Sequence[str]]]:
        for number, cells in enumerate(iterator, start=header_row + 1):
            position[0] = number
            texts = [cell_text(cell) for cell in cells]
            while len(texts) > width and not texts[-1].strip():
                texts.pop()
            if len(texts) < width:
                texts += [""] * (width - len(texts))
            yield number, texts

    return _Source(
        "xlsx",
        "",
        header,
        header_row,
        rows(),
        lambda: min(position[0] / total, 1.0) if total else None,
        book.close,
    )


def _records_source(records: list[Any], *, file_format: str, first_number: int = 1) -> _Source:
    header: list[str] = []
    seen: set[str] = set()
    for entry in records:
        if not isinstance(entry, dict):
            raise _file_error('每条记录应为一个对象（{"信息项": 值, …}）。')
        for name in entry:
            if name not in seen:
                seen.add(name)
                header.append(str(name))
    total = max(len(records), 1)
    position = [0]

    def rows() -> Iterator[tuple[int, Sequence[str]]]:
        for index, entry in enumerate(records):
            position[0] = index
            cells: list[str] = []
            for name in header:
                value = entry.get(name)
                if isinstance(value, (dict, list)):
                    cells.append(NESTED)
                else:
                    cells.append(cell_text(value))
            yield index + first_number, cells

    return _Source(file_format, "utf-8", header, 0, rows(), lambda: position[0] / total)


def _open_json(path: Path) -> _Source:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ApplicationError(
            ExchangeError.FILE_TOO_LARGE,
            f"JSON 文件超过 {MAX_JSON_BYTES // (1024 * 1024)} MB，请改用 CSV 或分批上传。",
            {"file": "文件过大"},
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise _file_error(f"JSON 格式错误：{error}") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise _file_error("JSON 文件应为对象数组（[{…}, {…}]）。")
    return _records_source(data, file_format="json")


# --- the load itself -------------------------------------------------------------------------


def _map_header(spec: TableSpec, source: _Source, errors: _Errors) -> list[str]:
    """Item codes of the source's columns; header problems go to `errors`."""
    by_code = {column.code.lower(): column.code for column in spec.columns}
    by_name = {column.name: column.code for column in spec.columns}
    codes: list[str] = []
    row = source.header_row or None
    for index, cell in enumerate(source.header):
        label = cell.replace("\ufeff", "").strip()
        code = by_name.get(label) or by_code.get(label.lower())
        if code is None:
            errors.add(row, label or f"第 {index + 1} 列", label, f"未知列“{label}”：不是该资源的信息项名称或编码")
        elif code in codes:
            errors.add(row, code, label, f"列“{label}”重复")
        codes.append(code or "")
    for column in spec.columns:
        if column.required and column.code not in codes:
            errors.add(row, column.code, "", f"缺少必填列“{column.name}”（{column.code}）")
    return codes


def _run(
    *,
    spec: TableSpec,
    resource: Resource,
    source: _Source,
    mode: str,
    errors: _Errors,
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Validate and write inside the caller's transaction; (rows, written, deleted).

    Rows are gathered in batches and checked column by column (`batch_converter`); a column of
    a batch that the fast check does not accept is checked cell by cell, which names each error.
    Large CSV files are checked by several processes at once (`checking.check_csv_chunks`);
    the writing stays in this process and transaction. After the first error nothing more is
    written, but checking goes on to report every error.
    """
    codes = _map_header(spec, source, errors)
    if errors.count:
        raise _Rollback
    key_index = codes.index(spec.key)
    checker = Checker(
        codes,
        [spec.batch_converter(code) for code in codes],
        [spec.db_converter(code) for code in codes],
        source.file_format == "json",
    )
    seen: set[Any] = set()
    writing = True
    rows = 0
    reported = 0
    if source.plan is not None and source.plan.worth_parallel():
        checked = check_csv_chunks(source.plan, checker, key_index)
    else:
        checked = check_rows(checker, source.rows, key_index)
    with TableWriter(resource, mode=mode, columns=codes) as writer:
        for result in checked:
            if result.columns:
                keys = result.columns[key_index]
                fresh = set(keys)
                if len(fresh) != len(keys) or not seen.isdisjoint(fresh):
                    texts = keys if result.key_texts is None else result.key_texts
                    for number, cell, key in zip(result.numbers, texts, keys, strict=True):
                        if key is None or type(key) is Invalid:
                            continue
                        if key in seen:
                            result.pending.append(
                                (number, key_index, spec.key, cell, "主键重复：文件中已有相同主键的记录")
                            )
                        seen.add(key)
                else:
                    seen.update(fresh)
            if result.pending:
                writing = False
                result.pending.sort(key=lambda entry: (entry[0], entry[1]))
                for number, _, code, cell, message in result.pending:
                    errors.add(number, code, cell, message)
            if writing and result.columns:
                writer.add_columns(result.columns)
            rows += result.rows
            if progress is not None and rows - reported >= PROGRESS_EVERY:
                reported = rows
                progress(rows, source.fraction())
        if errors.count or not writing:
            raise _Rollback
        if rows == 0:
            errors.add(None, "", "", "文件中没有数据行")
            raise _Rollback
        written, deleted = writer.finish()
    if progress is not None:
        progress(rows, 1.0)
    return rows, written, deleted


def _columnar_codes(
    spec: TableSpec, source: _Source, takes: Callable[[CsvPlan | None, TableSpec], bool]
) -> list[str] | None:
    """The item codes of the file's columns when the columnar path `takes` it and its header is
    right; else None (the row path reports header problems)."""
    if not takes(source.plan, spec):
        return None
    header_errors = _Errors(spec)
    codes = _map_header(spec, source, header_errors)
    return None if header_errors.count else codes


def _prepare_columnar(
    spec: TableSpec, resource: Resource, source: _Source, progress: Progress | None
) -> columnar.Prepared | None:
    """A plain CSV file for a SQLite table, read, checked and written into a load table by the
    columnar path (streamed in record batches) before the load transaction; None when the row
    path (`_run`) is to take it."""
    codes = _columnar_codes(spec, source, columnar.available)
    if codes is None or source.plan is None:
        return None
    if progress is None:
        return columnar.prepare(spec, resource, source.plan, codes, now=timezone.now())
    progress(0, 0.0)
    return columnar.prepare(spec, resource, source.plan, codes, now=timezone.now(), progress=progress)


def _stream_postgresql(
    spec: TableSpec, resource: Resource, source: _Source, mode: str, progress: Progress | None
) -> tuple[int, int, int] | None:
    """A plain CSV file for a PostgreSQL table, streamed by COPY in record batches (checked by
    the columnar path) inside the load transaction; (rows, written, deleted), or None when the
    row path (`_run`) is to take it: everything written here is rolled back to a savepoint."""
    codes = _columnar_codes(spec, source, columnar.streams_to_postgresql)
    if codes is None or source.plan is None:
        return None
    try:
        with transaction.atomic(), TableWriter(resource, mode=mode, columns=codes) as writer:
            rows = columnar.copy_batches(writer, source.plan, codes, progress or (lambda rows, fraction: None))
            if rows is None:
                raise _Rollback
            written, deleted = writer.finish()
    except _Rollback:
        return None
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", "") != UNIQUE_VIOLATION:
            raise
        return None  # a repeated key: the row path names its rows
    if progress is not None:
        progress(rows, 1.0)
    return rows, written, deleted


UNIQUE_VIOLATION = "23505"  # the key index over an empty table's rows, or the stage's


def _discard(prepared: columnar.Prepared) -> None:
    try:
        columnar.discard(prepared)
    except Exception:  # the load's own outcome stands; the next load drops the table
        logger.exception("could not drop the load table %s", prepared.load_table)


def _finish_job(job: LoadJob, move: str, **fields: Any) -> None:
    LOAD_JOB.move(job, move)
    fields["state"], fields["finished_at"] = job.state, timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def _load(
    *,
    job: LoadJob,
    actor: Actor,
    resource: Resource,
    open_source: Callable[[], _Source],
    mode: str,
    progress: Progress | None,
    via: str,
    file_digest: _FileDigest | None = None,
) -> LoadResult:
    spec = table_spec(resource)
    errors = _Errors(spec)
    LOAD_JOB.move(job, "start")
    job.started_at = timezone.now()
    job.runner = this_process()
    job.save(update_fields=["state", "started_at", "runner"])
    source: _Source | None = None
    prepared: columnar.Prepared | None = None

    def finish(move: str, **fields: Any) -> None:  # the digest, computed beside the load, is recorded however it ends
        if file_digest is not None:
            job.file_sm3 = file_digest.value()
        _finish_job(job, move, file_sm3=job.file_sm3, **fields)

    try:
        source = open_source()
        job.file_format, job.encoding = source.file_format, source.encoding
        prepared = _prepare_columnar(spec, resource, source, progress)
        if file_digest is not None:
            file_digest.start()
        with transaction.atomic():
            applied = columnar.apply(prepared, mode) if prepared is not None else None
            if applied is not None:
                written, deleted = applied
                rows = written
                sync_indexes(resource)  # the load's index phase (the row path's writer does its own)
                if progress is not None:
                    progress(rows, 1.0)
            elif streamed := _stream_postgresql(spec, resource, source, mode, progress):
                rows, written, deleted = streamed
            else:
                rows, written, deleted = _run(
                    spec=spec, resource=resource, source=source, mode=mode, errors=errors, progress=progress
                )
            at = timezone.now()
            resource_mark_loaded(resource=resource, at=at)
            message = f"已加载 {written} 条记录" + (f"，删除 {deleted} 条" if deleted else "") + "。"
            finish(
                "succeed",
                rows_total=rows,
                rows_written=written,
                rows_deleted=deleted,
                message=message,
                file_format=job.file_format,
                encoding=job.encoding,
            )
            _audit(
                actor,
                resource,
                AuditEvent.Outcome.SUCCESS,
                via=via,
                job=job.pk,
                mode=mode,
                file=job.file_name,
                sm3=job.file_sm3,
                rows_written=written,
                rows_deleted=deleted,
            )
        return LoadResult(job, True, rows, written, deleted, 0, [], message)
    except (_Rollback, ApplicationError) as failure:
        if isinstance(failure, ApplicationError):
            errors.add(None, "", "", failure.message)
        message = f"发现 {errors.count} 处错误，未写入任何数据。请按错误报告修改后重新上传。"
        outcome_errors = errors.items
    except Exception as crash:
        logger.exception("load job %s crashed", job.pk)
        message = f"加载中断（{type(crash).__name__}），未写入任何数据，原有数据保持不变。"
        finish("fail", message=message, error_count=errors.count, errors=errors.items)
        _audit(actor, resource, AuditEvent.Outcome.FAILURE, via=via, job=job.pk, crash=type(crash).__name__)
        raise ApplicationError(ExchangeError.LOAD_FAILED, message) from crash
    finally:
        if source is not None:
            source.close()
        if prepared is not None:
            _discard(prepared)
    finish(
        "fail",
        message=message,
        error_count=errors.count,
        errors=outcome_errors,
        file_format=job.file_format,
        encoding=job.encoding,
    )
    _audit(actor, resource, AuditEvent.Outcome.FAILURE, via=via, job=job.pk, error_count=errors.count)
    return LoadResult(job, False, 0, 0, 0, errors.count, outcome_errors, message)


def _check_mode(mode: str) -> None:
    if mode not in LoadJob.Mode.values:
        raise ApplicationError(
            ExchangeError.INVALID_FILE, "加载方式应为 replace（全量替换）或 upsert（增量更新）。", {"mode": "无效"}
        )


def loadjob_create(
    *,
    actor: Actor,
    resource: Resource,
    path: Path | str,
    file_name: str = "",
    mode: str = "replace",
    source: str = LoadJob.Source.COMMAND,
    max_bytes: int = MAX_FILE_BYTES,
) -> LoadJob:
    """Check who loads what, and queue a load of the file at `path` (run it with `loadjob_run`)."""
    path = Path(path)
    try:
        _check_mode(mode)
        _authorize(actor, resource)
        size = path.stat().st_size
        if size > max_bytes:
            raise ApplicationError(
                ExchangeError.FILE_TOO_LARGE,
                f"文件大小 {size / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.1f} MB。",
                {"file": "文件过大"},
            )
        table_spec(resource)
    except ApplicationError as error:
        _refused(actor=actor, resource=resource, error=error, via=source)
        raise
    return LoadJob.objects.create(
        resource=resource,
        actor=actor.user,
        source=source,
        file_name=(file_name or path.name)[:255],
        file_size=size,
        stored_path=str(path),
        mode=mode,
    )


def loadjob_run(*, job_id: int, progress: Progress | None = None) -> LoadResult:
    """Run a queued load (also the body of the Huey task)."""
    job = LoadJob.objects.select_related("resource", "actor").get(pk=job_id)
    if job.state != LoadJob.State.PENDING:
        return LoadResult(job, job.state == LoadJob.State.SUCCEEDED, job.rows_total, job.rows_written)
    path = Path(job.stored_path)
    resource = job.resource
    actor = Actor.platform() if job.actor is None else Actor.person(job.actor)
    try:
        _authorize(actor, resource)  # roles may have changed meanwhile
        file_digest = _FileDigest(path)
        encoding, has_quote = _scan(path)
        file_format = _detect_format(path)
        if file_format == "csv" and encoding != "utf-8" and (problem := _encoding_problem(path)):
            raise problem
    except (ApplicationError, OSError) as error:
        message = error.message if isinstance(error, ApplicationError) else "无法读取文件。"
        _finish_job(job, "fail", message=message, errors=[_file_level(message)], error_count=1)
        _audit(actor, resource, AuditEvent.Outcome.FAILURE, job=job.pk, message=message)
        return LoadResult(job, False, error_count=1, errors=job.errors, message=message)

    def open_source() -> _Source:
        if file_format == "xlsx":
            return _open_xlsx(path)
        if file_format == "json":
            return _open_json(path)
        return _open_csv(path, encoding, has_quote=has_quote)

    wrapped = _progress_writer(job.pk, progress)
    try:
        return _load(
            job=job,
            actor=actor,
            resource=resource,
            open_source=open_source,
            mode=job.mode,
            progress=wrapped,
            via=job.source,
            file_digest=file_digest,
        )
    finally:
        file_digest.done()  # before an uploaded file is deleted
        progress_path(job.pk).unlink(missing_ok=True)
        if job.source == LoadJob.Source.UPLOAD:
            path.unlink(missing_ok=True)


def this_process() -> str:
    """host:pid:start time of this process (the start time tells a reused pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux /proc), or "" where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""


def _runner_gone(runner: str) -> bool:
    """True when `runner` was a process of this host that no longer runs."""
    host, _, rest = runner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another node's: its own workers check it
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    return bool(started) and _process_start(pid) != started  # the pid now belongs to another process


ABANDONED = "加载进程（{runner}）已中止，任务未完成，已记为失败，数据表未作任何改动。请重新上传文件加载。"


def loadjob_fail_abandoned() -> list[int]:
    """Mark failed every running load whose process on this host is gone, and remove its progress
    and uploaded files (run when a worker starts and every few minutes). The load's own
    transaction died with its process, so the table is as it was before; only the job is left."""
    failed: list[int] = []
    for job in LoadJob.objects.filter(state=LoadJob.State.RUNNING).exclude(runner="").select_related("resource"):
        if not _runner_gone(job.runner):
            continue
        message = ABANDONED.format(runner=job.runner)
        with transaction.atomic():
            locked = LoadJob.objects.select_for_update().get(pk=job.pk)
            if locked.state != LoadJob.State.RUNNING:
                continue
            _finish_job(locked, "fail", message=message, errors=[_file_level(message)], error_count=1)
            _audit(Actor.platform(), job.resource, AuditEvent.Outcome.FAILURE, job=job.pk, message=message)
        progress_path(job.pk).unlink(missing_ok=True)
        progress_path(job.pk).with_suffix(".tmp").unlink(missing_ok=True)
        if job.source == LoadJob.Source.UPLOAD and job.stored_path:
            Path(job.stored_path).unlink(missing_ok=True)
        failed.append(job.pk)
    return failed


def _file_level(message: str) -> dict[str, Any]:
    return {"row": None, "item": "", "code": "", "value": "", "message": message}


def ingest_file(
    *,
    actor: Actor,
    resource: Resource,
    path: Path | str,
    mode: str = "replace",
    progress: Progress | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    file_name: str = "",
    source: str = LoadJob.Source.COMMAND,
) -> LoadResult:
    """Load a CSV/XLSX/JSON file into the resource's table, all or nothing; see the module doc."""
    job = loadjob_create(
        actor=actor, resource=resource, path=path, file_name=file_name, mode=mode, source=source, max_bytes=max_bytes
    )
    return loadjob_run(job_id=job.pk, progress=progress)


def ingest_records(
    *, actor: Actor, resource: Resource, records: list[dict[str, Any]], mode: str = "upsert"
) -> LoadResult:
    """Upsert a batch of records sent by a department system (`actor` its API client; ≤
    MAX_API_RECORDS), all or nothing."""
    try:
        _check_mode(mode)
        if actor.api_client is None:
            raise permission_denied("只有部门业务系统可以通过接口写入数据。")
        _authorize(actor, resource)
        if not records:
            raise ApplicationError(ExchangeError.INVALID_ROWS, "records 不能为空。", {"records": "不能为空"})
        if len(records) > MAX_API_RECORDS:
            raise ApplicationError(
                ExchangeError.INVALID_ROWS,
                f"每次最多提交 {MAX_API_RECORDS} 条记录，本次 {len(records)} 条。",
                {"records": "条数过多"},
            )
    except ApplicationError as error:
        _refused(actor=actor, resource=resource, error=error, via="api")
        raise
    assert actor.api_client is not None
    job = LoadJob.objects.create(
        resource=resource,
        api_client=actor.api_client,
        source=LoadJob.Source.API,
        file_name=f"api:{actor.api_client.name}"[:255],
        mode=mode,
        file_sm3="",
    )
    return _load(
        job=job,
        actor=actor,
        resource=resource,
        open_source=lambda: _records_source(records, file_format="json", first_number=0),
        mode=mode,
        progress=None,
        via="api",
    )


# --- progress of queued jobs -------------------------------------------------------------------


def progress_path(job_id: int) -> Path:
    folder = Path(settings.DATA_DIR) / "exchange" / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{int(job_id)}.json"


def _progress_writer(job_id: int, inner: Progress | None) -> Progress:
    """The load runs in one transaction, invisible to others: progress goes to a small file, at
    most every `PROGRESS_SECONDS` (and at the start and the end). The columnar path reports
    every record batch, some 130 times a second: a file written and renamed each time cost
    more than a tenth of a 1M-row load on a busy disk."""
    target = progress_path(job_id)
    written = -PROGRESS_SECONDS

    def report(rows: int, fraction: float | None) -> None:
        nonlocal written
        now = time.monotonic()
        if now - written >= PROGRESS_SECONDS or fraction in (0.0, 1.0):
            written = now
            temporary = target.with_suffix(".tmp")
            temporary.write_text(json.dumps({"rows": rows, "fraction": fraction}))
            os.replace(temporary, target)
        if inner is not None:
            inner(rows, fraction)

    return report


def job_progress(job: LoadJob) -> dict[str, Any]:
    """{"rows", "fraction"} of a running job, as far as known."""
    try:
        data = json.loads(progress_path(job.pk).read_text())
    except (OSError, ValueError):
        return {"rows": 0, "fraction": None}
    return {"rows": int(data.get("rows", 0)), "fraction": data.get("fraction")}


def upload_path(file_name: str) -> Path:
    """Where an uploaded file waits for its load."""
    folder = Path(settings.DATA_DIR) / "exchange" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d%H%M%S%f")
    suffix = Path(file_name).suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".json"):
        suffix = ".dat"
    return folder / f"{stamp}-{os.getpid()}{suffix}"


# --- error reports -----------------------------------------------------------------------------

REPORT_HEADER = ["行号", "信息项", "编码", "值", "错误说明"]


def _report_rows(job: LoadJob) -> Iterator[list[Any]]:
    for entry in job.errors:
        row = entry.get("row")
        yield [
            row if row is not None else "",
            entry.get("item", ""),
            entry.get("code", ""),
            entry.get("value", ""),
            entry.get("message", ""),
        ]


def error_report_csv(job: LoadJob) -> bytes:
    """The row-level errors as CSV (UTF-8 with BOM, so Excel opens it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    for row in _report_rows(job):
        writer.writerow([csv_text(cell) for cell in row])
    if job.error_count > len(job.errors):
        writer.writerow(["", "", "", "", f"共 {job.error_count} 处错误，仅列出前 {len(job.errors)} 处"])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def error_report_xlsx(job: LoadJob) -> bytes:
    """The row-level errors as an Excel workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误报告")
    sheet.append(xlsx_row(sheet, [f"{job.resource.name}：{job.file_name}（加载 #{job.pk}）"]))
    sheet.append(xlsx_row(sheet, REPORT_HEADER))
    for row in _report_rows(job):
        sheet.append(xlsx_row(sheet, row))
    if job.error_count > len(job.errors):
        sheet.append(xlsx_row(sheet, ["", "", "", "", f"共 {job.error_count} 处错误，仅列出前 {len(job.errors)} 处"]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
