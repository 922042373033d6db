"""The one audited-write path (docs/design.md rules 1 and 5).

Every service that changes something does it inside `audited_write`:

    def letter_accept(*, actor: Actor, letter: Letter) -> Letter:
        with audited_write(actor, ParticipationAction.LETTER_ACCEPT, letter) as write:
            locked = write.lock(letter)
            write.require(is_office(actor, locked), "只有受理单位可以受理来信。")
            LETTER_STATES.move(locked, "accept")
            locked.save()
        return locked

- the block runs in one transaction; authorization is decided on the locked row, inside it;
- on success the event is recorded in that same transaction (it commits or rolls back with the write);
- on a refusal (any `ApplicationError`: no permission, wrong state, bad input) the transaction is
  rolled back, then the refusal is recorded outside it with its code and reason, and the error goes
  on to the caller. A write nested in another (a service calling a service) leaves the recording to
  the outermost one, after its rollback, so the record survives; it names the innermost refused action.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TypeVar

from django.db import models, transaction

from zhengwu.accounts.models import Department
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, permission_denied

M = TypeVar("M", bound=models.Model)

_depth: ContextVar[int] = ContextVar("audited_write_depth", default=0)

# Codes whose refusal is "you may not" rather than "this cannot be done now".
_DENIED_STATUSES = {401, 403, 404}


class AuditAction(StrEnum):
    """Base of every app's enum of audit action names (`app.entity.verb` for new ones)."""


class Write:
    """What a service tells the write path while it runs: the row it locked, the event's details."""

    def __init__(self, actor: Actor, target: models.Model | None, department: Department | None) -> None:
        self.actor = actor
        self.target = target
        self.department = department
        self.details: dict[str, Any] = {}
        # The refusal event may name only a row that exists outside the rolled-back transaction.
        self._existing_target = target if target is not None and target.pk is not None else None

    def lock(self, instance: M, *related: str) -> M:
        """`instance` re-read under a row lock (with `related` joined); it becomes the event's target."""
        manager = type(instance)._default_manager
        query = manager.select_for_update(of=("self",)) if related else manager.select_for_update()
        locked = query.select_related(*related).get(pk=instance.pk)
        self.target = locked
        self._existing_target = locked
        return locked

    def require(self, allowed: bool, message: str = "您没有执行此操作的权限。") -> None:
        """Refuse (PERMISSION_DENIED, recorded as denied) unless `allowed`."""
        if not allowed:
            raise permission_denied(message)

    def note(self, **details: Any) -> None:
        """Add to the event's details (success or refusal)."""
        self.details.update(details)

    def created(self, instance: models.Model) -> None:
        """The row this write made: the success event's target."""
        self.target = instance


def _department_of(target: models.Model | None) -> Department | None:
    department = getattr(target, "department", None) if target is not None else None
    return department if isinstance(department, Department) else None


@contextmanager
def audited_write(
    actor: Actor,
    action: StrEnum,
    target: models.Model | None = None,
    *,
    department: Department | None = None,
) -> Iterator[Write]:
    """Run the block as one audited write of `action` by `actor` (see the module's docstring)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"audited_write needs an Actor, not {actor!r}")
    write = Write(actor, target, department)
    outermost = _depth.get() == 0
    token = _depth.set(_depth.get() + 1)
    try:
        with transaction.atomic():
            yield write
            record_action(
                actor,
                action,
                target=write.target if write.target is not None and write.target.pk is not None else None,
                department=write.department or _department_of(write.target),
                details=write.details,
            )
    except ApplicationError as error:
        refusal = getattr(error, "refusal", None)
        if refusal is None:  # the innermost write that saw it says what was refused
            refusal = error.refusal = (actor, action, write._existing_target, write.department)  # type: ignore[attr-defined]
        if outermost:  # outermost: every transaction of the write is rolled back by now
            refused_actor, refused_action, refused_target, refused_department = refusal
            record_refusal(refused_actor, refused_action, error, target=refused_target, department=refused_department)
        raise
    finally:
        _depth.reset(token)


def _text(value: object) -> str:
    # A refusal may quote what was typed: keep it recordable whatever it holds.
    return str(value).replace("\x00", "")[:500]


def record_refusal(
    actor: Actor,
    action: StrEnum,
    error: ApplicationError,
    *,
    target: models.Model | None = None,
    department: Department | None = None,
) -> None:
    """Record a refused write (outside the transaction that was rolled back)."""
    outcome = AuditEvent.Outcome.DENIED if error.status in _DENIED_STATUSES else AuditEvent.Outcome.FAILURE
    record_action(
        actor,
        action,
        target=target,
        outcome=outcome,
        department=department or _department_of(target),
        details={
            "code": error.code,
            "message": _text(error.message),
            "fields": {k: _text(v) for k, v in error.fields.items()},
        },
    )
