"""Sharing by rule (docs/rules.md §3): share requests, grants and objections (纠错).

Services are keyword-only, atomic, validated and audited (docs/design.md rule 1); each checks who may
act and raises `ApplicationError` before writing anything, so a refusal changes nothing.

- 无条件共享: the request is granted at once.
- 有条件共享: the provider answers within 10 working days (`ZHENGWU_SHARE_REQUEST_DAYS`), a
  supervision timer `exchange.share_request` on the provider department; a refusal needs reasons.
- 不予共享: the request goes to coordination; only the e-gov office can grant (or refuse) it.
- Grants end at `valid_until` and can be revoked by the provider or the e-gov office.
- Objections: the consumer reports a wrong value with evidence; the record is disputed
  (`store.set_disputed`) until the provider resolves it; timer `exchange.objection`, 5 working days
  (`ZHENGWU_OBJECTION_DAYS`, unverified default).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.catalog.models import Resource, ShareType
from zhengwu.core import workdays
from zhengwu.core.actors import legacy_actor
from zhengwu.core.errors import ApplicationError, from_validation_error, not_found, permission_denied
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing.models import Grant, Objection, ShareRequest
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services

SHARE_REQUEST_TIMER = "exchange.share_request"
OBJECTION_TIMER = "exchange.objection"
CONSUMER_ROLES = (Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER)
PROVIDER_ROLES = (Role.DATA_OFFICER, Role.DEPT_LEADER)
DEFAULT_RATE_LIMIT = 600


def share_request_days() -> int:
    return int(settings.ZHENGWU_SHARE_REQUEST_DAYS)


def objection_days() -> int:
    return int(settings.ZHENGWU_OBJECTION_DAYS)


# --- helpers ------------------------------------------------------------------------------


def _clean(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None


def _required(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(ExchangeError.INVALID_REQUEST, f"请填写{what}。", {field: "必填"})
    return value


def _reason(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(ExchangeError.REASON_REQUIRED, f"请填写{what}。", {field: "必填"})
    return value


def _staff_of(actor: User, department_id: int | None, roles: Iterable[str]) -> bool:
    return actor.has_role(*roles) and department_id is not None and actor.department_id == department_id


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=workdays.CHINA_TZ)


def _published(resource: Resource) -> None:
    if resource.state != Resource.State.PUBLISHED or not resource.code:
        raise not_found("信息资源")


def _item_codes(resource: Resource, codes: Iterable[str]) -> list[str]:
    wanted = [str(c).strip() for c in codes if str(c).strip()]
    known = list(resource.items.order_by("position").values_list("code", flat=True))
    unknown = sorted(set(wanted) - set(known))
    if not wanted or unknown:
        message = "请选择要申请的信息项。" if not wanted else f"信息项 {'、'.join(unknown)} 不属于该资源。"
        raise ApplicationError(ExchangeError.INVALID_REQUEST, message, {"item_codes": "无效"})
    return [c for c in known if c in set(wanted)]  # catalog order, no duplicates


def _finish_timer(actor: User | None, target: models.Model, kind: str) -> None:
    timer = supervision_selectors.timer_for(target, kind)
    if timer is not None and timer.is_live:
        supervision_services.timer_finish(actor=legacy_actor(actor), timer=timer)


def _cancel_timer(actor: User | None, target: models.Model, kind: str, reason: str) -> None:
    timer = supervision_selectors.timer_for(target, kind)
    if timer is not None and timer.is_live:
        supervision_services.timer_cancel(actor=legacy_actor(actor), timer=timer, reason=reason)


def _make_grant(
    *,
    share_request: ShareRequest,
    actor: User | None,
    item_codes: list[str],
    plain_personal: bool,
    rate_limit_per_minute: int,
) -> Grant:
    grant = Grant(
        consumer=share_request.consumer,
        resource=share_request.resource,
        request=share_request,
        item_codes=item_codes,
        purpose=share_request.purpose,
        legal_basis=share_request.legal_basis,
        valid_from=timezone.now(),
        valid_until=_end_of_day(share_request.period_end),
        plain_personal=plain_personal,
        rate_limit_per_minute=rate_limit_per_minute,
        granted_by=actor,
    )
    _clean(grant)
    grant.save()
    return grant


# --- share requests -----------------------------------------------------------------------


@transaction.atomic
def share_request_create(
    *,
    actor: User,
    resource: Resource,
    item_codes: Iterable[str],
    purpose: str,
    legal_basis: str,
    period_start: date,
    period_end: date,
    plain_personal: bool = False,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """A clerk, data officer or leader of the consumer department asks for a resource."""
    if not actor.has_role(*CONSUMER_ROLES) or actor.department_id is None:
        raise permission_denied("只有部门业务人员、数据管理员或负责人可以申请共享。")
    _published(resource)
    if resource.provider_id == actor.department_id:
        raise ApplicationError(ExchangeError.INVALID_REQUEST, "本部门的资源无需申请共享。")
    codes = _item_codes(resource, item_codes)
    purpose = _required(purpose, "purpose", "用途")
    legal_basis = _required(legal_basis, "legal_basis", "依据")
    if period_end < period_start:
        raise ApplicationError(
            ExchangeError.INVALID_REQUEST, "使用期限的截止日期不能早于起始日期。", {"period_end": "过早"}
        )
    if period_end < workdays.today():
        raise ApplicationError(ExchangeError.INVALID_REQUEST, "使用期限已过。", {"period_end": "已过期"})
    assert actor.department is not None
    share_request = ShareRequest(
        consumer=actor.department,
        resource=resource,
        item_codes=codes,
        purpose=purpose,
        legal_basis=legal_basis,
        period_start=period_start,
        period_end=period_end,
        plain_personal=bool(plain_personal),
        requested_by=actor,
    )
    if resource.share_type == ShareType.UNCONDITIONAL:
        share_request.state = ShareRequest.State.GRANTED
        share_request.decided_at = timezone.now()
    elif resource.share_type == ShareType.NONE:
        share_request.state = ShareRequest.State.COORDINATING
    _clean(share_request)
    share_request.save()
    details = {"resource": resource.code, "items": codes, "purpose": purpose, "share_type": resource.share_type}
    record(actor=actor, action="exchange.share_request_create", target=share_request, request=request, details=details)
    if share_request.state == ShareRequest.State.GRANTED:
        # 无条件共享: granted at once; personal items stay masked (plain values need a decision).
        grant = _make_grant(
            share_request=share_request,
            actor=None,
            item_codes=codes,
            plain_personal=False,
            rate_limit_per_minute=DEFAULT_RATE_LIMIT,
        )
        record(actor=None, action="exchange.grant_create", target=grant, department=resource.provider, details=details)
    elif share_request.state == ShareRequest.State.SUBMITTED:
        supervision_services.timer_start(
            actor=legacy_actor(actor),
            kind=SHARE_REQUEST_TIMER,
            kind_label="共享申请答复",
            target=share_request,
            title=f"{share_request.consumer.name}申请共享“{resource.name}”",
            department=resource.provider,
            limit=share_request_days(),
        )
    return share_request


def _lock_request(share_request: ShareRequest) -> ShareRequest:
    return (
        ShareRequest.objects.select_for_update(of=("self",))
        .select_related("resource", "consumer")
        .get(pk=share_request.pk)
    )


def _require_state(share_request: ShareRequest, *states: str) -> None:
    if share_request.state not in states:
        raise ApplicationError(
            ExchangeError.WRONG_STATE,
            f"该申请{share_request.get_state_display()}，不能再办理。",
            {"state": share_request.state},
        )


@transaction.atomic
def share_request_approve(
    *,
    actor: User,
    share_request: ShareRequest,
    item_codes: Iterable[str] | None = None,
    plain_personal: bool = False,
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT,
    request: HttpRequest | None = None,
) -> Grant:
    """The provider's data officer or leader approves a conditional request (all or some items)."""
    locked = _lock_request(share_request)
    if not _staff_of(actor, locked.resource.provider_id, PROVIDER_ROLES):
        raise permission_denied("只有资源提供部门的数据管理员或负责人可以答复共享申请。")
    _require_state(locked, ShareRequest.State.SUBMITTED)
    codes = locked.item_codes if item_codes is None else _item_codes(locked.resource, item_codes)
    if not set(codes) <= set(locked.item_codes):
        raise ApplicationError(
            ExchangeError.INVALID_REQUEST, "只能同意申请范围内的信息项。", {"item_codes": "超出申请"}
        )
    if not 1 <= int(rate_limit_per_minute) <= 100000:
        raise ApplicationError(
            ExchangeError.INVALID_REQUEST, "每分钟调用上限应在 1 至 100000 之间。", {"rate": "超出范围"}
        )
    locked.state = ShareRequest.State.GRANTED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    _clean(locked)
    locked.save()
    grant = _make_grant(
        share_request=locked,
        actor=actor,
        item_codes=codes,
        plain_personal=bool(plain_personal and locked.plain_personal),
        rate_limit_per_minute=int(rate_limit_per_minute),
    )
    _finish_timer(actor, locked, SHARE_REQUEST_TIMER)
    details = {"items": codes, "plain_personal": grant.plain_personal, "grant": grant.pk}
    record(actor=actor, action="exchange.share_request_approve", target=locked, request=request, details=details)
    share_request.refresh_from_db()
    return grant


@transaction.atomic
def share_request_refuse(
    *, actor: User, share_request: ShareRequest, reason: str, request: HttpRequest | None = None
) -> ShareRequest:
    """The provider refuses a conditional request, with reasons (docs/rules.md §3)."""
    locked = _lock_request(share_request)
    if not _staff_of(actor, locked.resource.provider_id, PROVIDER_ROLES):
        raise permission_denied("只有资源提供部门的数据管理员或负责人可以答复共享申请。")
    _require_state(locked, ShareRequest.State.SUBMITTED)
    reason = _reason(reason, "reason", "不同意共享的理由")
    locked.state = ShareRequest.State.REFUSED
    locked.decided_by, locked.decided_at, locked.refusal_reason = actor, timezone.now(), reason
    _clean(locked)
    locked.save()
    _finish_timer(actor, locked, SHARE_REQUEST_TIMER)
    record(
        actor=actor, action="exchange.share_request_refuse", target=locked, request=request, details={"reason": reason}
    )
    share_request.refresh_from_db()
    return locked


@transaction.atomic
def share_request_coordinate(
    *,
    actor: User,
    share_request: ShareRequest,
    approve: bool,
    note: str,
    item_codes: Iterable[str] | None = None,
    plain_personal: bool = False,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """不予共享 resources: the e-gov office decides after coordination, with a recorded note."""
    locked = _lock_request(share_request)
    if not actor.has_role(Role.EGOV_OFFICE):
        raise permission_denied("只有电子政务主管部门可以协调不予共享的申请。")
    _require_state(locked, ShareRequest.State.COORDINATING)
    note = _reason(note, "note", "协调意见")
    locked.decided_by, locked.decided_at, locked.coordination_note = actor, timezone.now(), note
    if approve:
        codes = locked.item_codes if item_codes is None else _item_codes(locked.resource, item_codes)
        if not set(codes) <= set(locked.item_codes):
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST, "只能同意申请范围内的信息项。", {"item_codes": "超出申请"}
            )
        locked.state = ShareRequest.State.GRANTED
        _clean(locked)
        locked.save()
        _make_grant(
            share_request=locked,
            actor=actor,
            item_codes=codes,
            plain_personal=bool(plain_personal and locked.plain_personal),
            rate_limit_per_minute=DEFAULT_RATE_LIMIT,
        )
    else:
        locked.state = ShareRequest.State.REFUSED
        locked.refusal_reason = note
        _clean(locked)
        locked.save()
    record(
        actor=actor,
        action="exchange.share_request_coordinate",
        target=locked,
        request=request,
        details={"approve": bool(approve), "note": note},
    )
    share_request.refresh_from_db()
    return locked


@transaction.atomic
def share_request_withdraw(
    *, actor: User, share_request: ShareRequest, request: HttpRequest | None = None
) -> ShareRequest:
    """The consumer department withdraws a request not yet answered."""
    locked = _lock_request(share_request)
    if not _staff_of(actor, locked.consumer_id, CONSUMER_ROLES):
        raise permission_denied("只有申请部门的工作人员可以撤回申请。")
    _require_state(locked, ShareRequest.State.SUBMITTED, ShareRequest.State.COORDINATING)
    locked.state = ShareRequest.State.WITHDRAWN
    locked.save(update_fields=["state"])
    _cancel_timer(actor, locked, SHARE_REQUEST_TIMER, "申请部门撤回申请")
    record(actor=actor, action="exchange.share_request_withdraw", target=locked, request=request)
    share_request.refresh_from_db()
    return locked


# --- grants -------------------------------------------------------------------------------


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant, reason: str, request: HttpRequest | None = None) -> Grant:
    """The provider (data officer, leader) or the e-gov office ends a grant before its time."""
    locked = Grant.objects.select_for_update(of=("self",)).select_related("resource").get(pk=grant.pk)
    if not (_staff_of(actor, locked.resource.provider_id, PROVIDER_ROLES) or actor.has_role(Role.EGOV_OFFICE)):
        raise permission_denied("只有资源提供部门或电子政务主管部门可以撤销授权。")
    if locked.revoked_at is not None:
        raise ApplicationError(ExchangeError.GRANT_INACTIVE, "该授权已撤销。")
    reason = _reason(reason, "reason", "撤销理由")
    locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), actor, reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(actor=actor, action="exchange.grant_revoke", target=locked, request=request, details={"reason": reason})
    locked.subscriptions.filter(active=True).update(active=False)
    grant.refresh_from_db()
    return locked


def active_grant_exists(consumer: Department, resource: Resource) -> bool:
    now = timezone.now()
    return Grant.objects.filter(
        consumer=consumer, resource=resource, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    ).exists()


# --- objections (纠错) ----------------------------------------------------------------------


@transaction.atomic
def objection_create(
    *,
    actor: User,
    resource: Resource,
    record_key: str,
    field: str,
    evidence: str,
    request: HttpRequest | None = None,
) -> Objection:
    """A consumer holding a grant reports a wrong value; the record shows as disputed."""
    from zhengwu.exchange.store import tables as store

    if not actor.has_role(*CONSUMER_ROLES) or actor.department is None:
        raise permission_denied("只有部门工作人员可以提出纠错。")
    now = timezone.now()
    grants = Grant.objects.filter(
        consumer=actor.department, resource=resource, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    )
    granted_items = {code for g in grants for code in g.item_codes}
    if not granted_items:
        raise not_found("信息资源")
    record_key = _required(record_key, "record_key", "记录主键")
    field = _required(field, "field", "有误的信息项")
    if field not in granted_items:
        raise ApplicationError(ExchangeError.INVALID_REQUEST, "只能对已获授权的信息项提出纠错。", {"field": "未授权"})
    evidence = _required(evidence, "evidence", "依据或证明材料说明")
    if store.get_record(resource, record_key) is None:
        raise not_found("记录")
    objection = Objection(
        consumer=actor.department,
        resource=resource,
        record_key=record_key,
        field=field,
        evidence=evidence,
        raised_by=actor,
    )
    _clean(objection)
    objection.save()
    store.set_disputed(resource, record_key, True)
    supervision_services.timer_start(
        actor=legacy_actor(actor),
        kind=OBJECTION_TIMER,
        kind_label="数据纠错核实",
        target=objection,
        title=f"{actor.department.name}对“{resource.name}”记录 {record_key} 提出纠错",
        department=resource.provider,
        limit=objection_days(),
    )
    details = {"resource": resource.code, "key": record_key, "field": field}
    record(actor=actor, action="exchange.objection_create", target=objection, request=request, details=details)
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: User, objection: Objection, corrected: bool, answer: str, request: HttpRequest | None = None
) -> Objection:
    """The provider answers: corrected (the value was fixed) or rejected (the value is right)."""
    from zhengwu.exchange.store import tables as store

    locked = Objection.objects.select_for_update(of=("self",)).select_related("resource").get(pk=objection.pk)
    if not _staff_of(actor, locked.resource.provider_id, PROVIDER_ROLES):
        raise permission_denied("只有资源提供部门的数据管理员或负责人可以核实纠错。")
    if locked.state != Objection.State.OPEN:
        raise ApplicationError(ExchangeError.WRONG_STATE, "该纠错已办结。", {"state": locked.state})
    answer = _reason(answer, "answer", "核实意见")
    locked.state = Objection.State.CORRECTED if corrected else Objection.State.REJECTED
    locked.answer, locked.resolved_by, locked.resolved_at = answer, actor, timezone.now()
    _clean(locked)
    locked.save()
    still_open = Objection.objects.filter(
        resource=locked.resource, record_key=locked.record_key, state=Objection.State.OPEN
    ).exists()
    if not still_open:
        store.set_disputed(locked.resource, locked.record_key, False)
    _finish_timer(actor, locked, OBJECTION_TIMER)
    record(
        actor=actor,
        action="exchange.objection_resolve",
        target=locked,
        request=request,
        details={"state": locked.state, "answer": answer},
    )
    objection.refresh_from_db()
    return locked
