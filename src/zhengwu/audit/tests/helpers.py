"""Test helpers: an attacker with raw database access, and events with a chosen time."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Model

from zhengwu.audit import services
from zhengwu.audit.chain import HASHED_FIELDS, event_hash
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.write import AuditAction
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

SQLITE_TRIGGERS = (
    "audit_event_no_update",
    "audit_event_no_early_delete",
    "audit_head_forward_only",
    "audit_head_no_delete",
)
POSTGRESQL_TRIGGERS = (("audit_auditevent", "audit_event_guard"), ("audit_auditchainhead", "audit_head_guard"))


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
        return {row[0] for row in cursor.fetchall()}


def expected_triggers() -> set[str]:
    if connection.vendor == "sqlite":
        return set(SQLITE_TRIGGERS)
    return {name for _, name in POSTGRESQL_TRIGGERS}


def disable_triggers() -> None:
    """What an attacker who owns the database does first. Runs inside the test's transaction,
    so the triggers come back when the test ends (both SQLite and PostgreSQL roll back DDL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            # Deferred foreign-key checks of rows written in this transaction must run first:
            # PostgreSQL does not alter a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name in POSTGRESQL_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def rehash(seq: int) -> str:
    """Recompute the stored hash of one event from its (tampered) content, as a clever attacker would."""
    row = AuditEvent.objects.filter(seq=seq).values(*HASHED_FIELDS).get()
    new_hash = event_hash(row)
    raw("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", [new_hash, seq])
    return new_hash


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Stamp the events recorded inside with `moment` (django.utils.timezone.now is patched)."""
    with mock.patch.object(services.timezone, "now", return_value=moment):
        yield


class HelperAction(AuditAction):
    EVENT = "test.event"


def make_events(count: int, **kwargs: Any) -> list[AuditEvent]:
    return [
        services.record_action(Actor.platform(), HelperAction.EVENT, details={"n": i}, **kwargs)
        for i in range(1, count + 1)
    ]


@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Path:
    """The platform key and the witness of the anchors (audit.anchors) of this test only."""
    settings.DATA_DIR = tmp_path
    settings.ZHENGWU_AUDIT_WITNESS = tmp_path / "witness"
    settings.ZHENGWU_PLATFORM_KEY = None
    return tmp_path


def verify_command() -> tuple[int, str, str]:
    """`zhengwu audit verify`: exit code, output, errors."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def refused_write(
    call: Callable[[], object],
    *,
    apps: Sequence[str] = (),
    models: Sequence[type[Model]] = (),
    rows: Sequence[Model] = (),
    action: str | None = None,
    outcome: str | None = None,
    code: str | None = None,
) -> tuple[ApplicationError, AuditEvent]:
    """Run `call`, which must be refused (Saleor-style: refused and nothing written).

    Checked: it raises ApplicationError (with `code` when given); no table of `apps` or `models`
    gains or loses a row and none of `rows` changes; the audit log gains exactly one event, the
    refusal, carrying the error's code (and `action`, `outcome` when given)."""
    from django.apps import apps as registry

    tables = {m for label in apps for m in registry.get_app_config(label).get_models()} | set(models)
    tables.discard(AuditEvent)

    def counts() -> dict[str, int]:
        return {m._meta.label: m._default_manager.count() for m in tables}

    def state() -> list[dict[str, Any]]:
        for row in rows:
            row.refresh_from_db()
        return [{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} for row in rows]

    before, snapshot = counts(), state()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with pytest.raises(ApplicationError) as caught:
        call()
    if code is not None:
        assert str(caught.value.code) == code
    assert counts() == before, "a refused write changed a table"
    assert state() == snapshot, "a refused write changed a row"
    [event] = AuditEvent.objects.filter(seq__gt=last)
    assert event.details["code"] == str(caught.value.code)
    if action is not None:
        assert event.action == action
    if outcome is not None:
        assert event.outcome == outcome
    return caught.value, event
