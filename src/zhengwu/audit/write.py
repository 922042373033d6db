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
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpRequest

from zhengwu.accounts.models import ApiClient, Department
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
        self.department = department
        self.details: dict[str, Any] = {}
        self.target: TargetKey | None = None
        # The refusal event may name only a row that exists outside the rolled-back transaction.
        self.existing_target: TargetKey | None = None
        if target is not None:
            self.set_target(target)
            self.existing_target = self.target

    def lock(self, instance: M, *related: str) -> M:
        """`instance` re-read under a row lock (with `related` joined); it becomes the event's target."""
        manager = type(instance)._default_manager
        query = manager.select_for_update(of=("self",)) if related else manager.select_for_update()
        locked = query.select_related(*related).get(pk=instance.pk)
        self.set_target(locked)
        self.existing_target = self.target
        return locked

    def set_target(self, instance: models.Model) -> None:
        """The row the event is about (a row this write creates, or one it deletes: named as it was now)."""
        if instance.pk is not None:
            self.target = TargetKey.of(instance)
            if self.department is None:
                self.department = _department_of(instance)

    def require(self, allowed: bool, message: str = "您没有执行此操作的权限。") -> None:
        """Refuse (PERMISSION_DENIED, recorded as denied) unless `allowed`."""
        if not allowed:
            raise permission_denied(message)

    def note(self, **details: Any) -> None:
        """Add to the event's details (success or refusal)."""
        self.details.update(details)


@dataclass(frozen=True)
class TargetKey:
    """An event's target as it was named when the write touched it (it may be gone by the end)."""

    type: str
    id: str
    label: str

    @classmethod
    def of(cls, instance: models.Model) -> TargetKey:
        meta = instance._meta
        return cls(f"{meta.app_label}.{meta.model_name}", str(instance.pk), str(instance))


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
            _record(actor, action, write.target, write.department, write.details)
    except ApplicationError as error:
        refusal = getattr(error, "refusal", None)
        if refusal is None:  # the innermost write that saw it says what was refused
            refusal = error.refusal = (actor, action, write.existing_target, write.department)  # type: ignore[attr-defined]
        if outermost:  # outermost: every transaction of the write is rolled back by now
            refused_actor, refused_action, refused_target, refused_department = refusal
            record_refusal(refused_actor, refused_action, error, target=refused_target, department=refused_department)
        raise
    finally:
        _depth.reset(token)


def _text(value: object) -> str:
    # A refusal may quote what was typed: keep it recordable whatever it holds.
    return str(value).replace("\x00", "")[:500]


def _record(
    actor: Actor,
    action: StrEnum,
    target: TargetKey | None,
    department: Department | None,
    details: dict[str, Any],
    outcome: str = AuditEvent.Outcome.SUCCESS,
) -> None:
    record_action(
        actor,
        action,
        outcome=outcome,
        department=department,
        details=details,
        target_type=target.type if target else "",
        target_id=target.id if target else "",
        target_label=target.label if target else "",
    )


def record_request_refusal(request: HttpRequest, error: ApplicationError) -> None:
    """A write refused before any service ran (core.refusals): recorded for a person or an API client."""
    from zhengwu.audit.audit_actions import AuditLogAction  # that module builds on this one

    actor = Actor.from_request(request)
    if actor.is_anonymous:
        # A department system's valid token on an operation that takes another credential is still
        # that system knocking: named. Anything else anonymous is not recorded (core.refusals).
        client = _bearer_client(request)
        if client is None:
            return
        actor = Actor.api(client, ip=actor.ip)
    request_details = {"method": str(request.method), "path": _text(request.path)}
    record_refusal(actor, AuditLogAction.REQUEST_REFUSED, error, extra=request_details)


def _bearer_client(request: HttpRequest) -> ApiClient | None:
    from zhengwu.accounts.services import apiclient_authenticate

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return apiclient_authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def record_refusal(
    actor: Actor,
    action: StrEnum,
    error: ApplicationError,
    *,
    target: TargetKey | None = None,
    department: Department | None = None,
    extra: dict[str, str] | None = None,
) -> None:
    """Record a refused write (outside the transaction that was rolled back)."""
    outcome = AuditEvent.Outcome.DENIED if error.status in _DENIED_STATUSES else AuditEvent.Outcome.FAILURE
    _record(
        actor,
        action,
        target,
        department,
        outcome=outcome,
        details={
            "code": error.code,
            "message": _text(error.message),
            "fields": {k: _text(v) for k, v in error.fields.items()},
        },
    )
