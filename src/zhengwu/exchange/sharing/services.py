"""Sharing by rule (docs/rules.md §3): share requests, grants and objections (纠错).

Services act for an `Actor` through `audited_write` (docs/design.md rule 1): the row is locked, who
may act is decided on the locked row, the state moves along `sharing.states`; a refusal changes
nothing and is recorded in the audit log.

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
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.catalog.models import Resource, ShareType
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, not_found, required_text
from zhengwu.exchange.audit_actions import ExchangeAction
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing.grants import grants_in_force
from zhengwu.exchange.sharing.models import Grant, Objection, ShareRequest
from zhengwu.exchange.sharing.states import OBJECTION, SHARE_REQUEST
from zhengwu.exchange.store import tables
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


def _granted_codes(locked: ShareRequest, item_codes: Iterable[str] | None) -> list[str]:
    """The items a decision grants: all that were asked for, or some of them."""
    codes = locked.item_codes if item_codes is None else _item_codes(locked.resource, item_codes)
    if not set(codes) <= set(locked.item_codes):
        raise ApplicationError(
            ExchangeError.INVALID_REQUEST, "只能同意申请范围内的信息项。", {"item_codes": "超出申请"}
        )
    return codes


def _make_grant(
    *,
    share_request: ShareRequest,
    granted_by: Actor,
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
        granted_by=granted_by.user,
    )
    clean(grant)
    grant.save()
    return grant


def _consumer(write: Write, actor: Actor, refusal: str) -> Department:
    """The department `actor` asks for, refused unless a clerk, data officer or leader acts."""
    consumer = actor.department
    write.require(actor.is_staff and actor.has_role(*CONSUMER_ROLES) and consumer is not None, refusal)
    assert consumer is not None
    return consumer


def _decided(locked: ShareRequest, actor: Actor, move: str) -> None:
    """Move the locked request along `move`, as decided by `actor` now."""
    SHARE_REQUEST.move(locked, move)
    locked.decided_by, locked.decided_at = actor.user, timezone.now()


# --- share requests -----------------------------------------------------------------------


def share_request_create(
    *,
    actor: Actor,
    resource: Resource,
    item_codes: Iterable[str],
    purpose: str,
    legal_basis: str,
    period_start: date,
    period_end: date,
    plain_personal: bool = False,
) -> ShareRequest:
    """A clerk, data officer or leader of the consumer department asks for a resource."""
    with audited_write(actor, ExchangeAction.SHARE_REQUEST_CREATE, resource) as write:
        consumer = _consumer(write, actor, "只有部门业务人员、数据管理员或负责人可以申请共享。")
        _published(resource)
        if resource.provider_id == consumer.pk:
            raise ApplicationError(ExchangeError.INVALID_REQUEST, "本部门的资源无需申请共享。")
        codes = _item_codes(resource, item_codes)
        purpose = required_text(purpose, field="purpose", what="用途", code=ExchangeError.INVALID_REQUEST)
        legal_basis = required_text(legal_basis, field="legal_basis", what="依据", code=ExchangeError.INVALID_REQUEST)
        if period_end < period_start:
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST, "使用期限的截止日期不能早于起始日期。", {"period_end": "过早"}
            )
        if period_end < workdays.today():
            raise ApplicationError(ExchangeError.INVALID_REQUEST, "使用期限已过。", {"period_end": "已过期"})
        share_request = ShareRequest(
            consumer=consumer,
            resource=resource,
            item_codes=codes,
            purpose=purpose,
            legal_basis=legal_basis,
            period_start=period_start,
            period_end=period_end,
            plain_personal=bool(plain_personal),
            requested_by=actor.user,
        )
        if resource.share_type == ShareType.UNCONDITIONAL:
            share_request.state = ShareRequest.State.GRANTED
            share_request.decided_at = timezone.now()
        elif resource.share_type == ShareType.NONE:
            share_request.state = ShareRequest.State.COORDINATING
        clean(share_request)
        share_request.save()
        write.set_target(share_request)
        details = {"resource": resource.code, "items": codes, "purpose": purpose, "share_type": resource.share_type}
        write.note(**details)
        if share_request.state == ShareRequest.State.GRANTED:
            # 无条件共享: granted at once, by the platform; personal items stay masked (plain values
            # need a decision).
            platform = Actor.platform()
            with audited_write(platform, ExchangeAction.GRANT_CREATE, department=resource.provider) as granting:
                grant = _make_grant(
                    share_request=share_request,
                    granted_by=platform,
                    item_codes=codes,
                    plain_personal=False,
                    rate_limit_per_minute=DEFAULT_RATE_LIMIT,
                )
                granting.set_target(grant)
                granting.note(**details)
        elif share_request.state == ShareRequest.State.SUBMITTED:
            supervision_services.timer_start(
                actor=actor,
                kind=SHARE_REQUEST_TIMER,
                kind_label="共享申请答复",
                target=share_request,
                title=f"{share_request.consumer.name}申请共享“{resource.name}”",
                department=resource.provider,
                limit=share_request_days(),
            )
        return share_request


def share_request_approve(
    *,
    actor: Actor,
    share_request: ShareRequest,
    item_codes: Iterable[str] | None = None,
    plain_personal: bool = False,
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT,
) -> Grant:
    """The provider's data officer or leader approves a conditional request (all or some items)."""
    with audited_write(actor, ExchangeAction.SHARE_REQUEST_APPROVE, share_request) as write:
        locked = write.lock(share_request, "resource", "consumer")
        write.require(
            actor.works_in(locked.resource.provider_id, *PROVIDER_ROLES),
            "只有资源提供部门的数据管理员或负责人可以答复共享申请。",
        )
        SHARE_REQUEST.check(locked, "approve")
        codes = _granted_codes(locked, item_codes)
        if not 1 <= int(rate_limit_per_minute) <= 100000:
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST, "每分钟调用上限应在 1 至 100000 之间。", {"rate": "超出范围"}
            )
        _decided(locked, actor, "approve")
        clean(locked)
        locked.save()
        grant = _make_grant(
            share_request=locked,
            granted_by=actor,
            item_codes=codes,
            plain_personal=bool(plain_personal and locked.plain_personal),
            rate_limit_per_minute=int(rate_limit_per_minute),
        )
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SHARE_REQUEST_TIMER)
        write.note(items=codes, plain_personal=grant.plain_personal, grant=grant.pk)
    share_request.refresh_from_db()
    return grant


def share_request_refuse(*, actor: Actor, share_request: ShareRequest, reason: str) -> ShareRequest:
    """The provider refuses a conditional request, with reasons (docs/rules.md §3)."""
    with audited_write(actor, ExchangeAction.SHARE_REQUEST_REFUSE, share_request) as write:
        locked = write.lock(share_request, "resource", "consumer")
        write.require(
            actor.works_in(locked.resource.provider_id, *PROVIDER_ROLES),
            "只有资源提供部门的数据管理员或负责人可以答复共享申请。",
        )
        SHARE_REQUEST.check(locked, "refuse")
        reason = required_text(reason, field="reason", what="不同意共享的理由", code=ExchangeError.REASON_REQUIRED)
        _decided(locked, actor, "refuse")
        locked.refusal_reason = reason
        clean(locked)
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SHARE_REQUEST_TIMER)
        write.note(reason=reason)
    share_request.refresh_from_db()
    return locked


def share_request_coordinate(
    *,
    actor: Actor,
    share_request: ShareRequest,
    approve: bool,
    note: str,
    item_codes: Iterable[str] | None = None,
    plain_personal: bool = False,
) -> ShareRequest:
    """不予共享 resources: the e-gov office decides after coordination, with a recorded note."""
    with audited_write(actor, ExchangeAction.SHARE_REQUEST_COORDINATE, share_request) as write:
        locked = write.lock(share_request, "resource", "consumer")
        write.require(actor.has_role(Role.EGOV_OFFICE), "只有电子政务主管部门可以协调不予共享的申请。")
        move = "coordinate_grant" if approve else "coordinate_refuse"
        SHARE_REQUEST.check(locked, move)
        note = required_text(note, field="note", what="协调意见", code=ExchangeError.REASON_REQUIRED)
        codes = _granted_codes(locked, item_codes) if approve else []
        _decided(locked, actor, move)
        locked.coordination_note = note
        if not approve:
            locked.refusal_reason = note
        clean(locked)
        locked.save()
        if approve:
            _make_grant(
                share_request=locked,
                granted_by=actor,
                item_codes=codes,
                plain_personal=bool(plain_personal and locked.plain_personal),
                rate_limit_per_minute=DEFAULT_RATE_LIMIT,
            )
        write.note(approve=bool(approve), note=note)
    share_request.refresh_from_db()
    return locked


def share_request_withdraw(*, actor: Actor, share_request: ShareRequest) -> ShareRequest:
    """The consumer department withdraws a request not yet answered."""
    with audited_write(actor, ExchangeAction.SHARE_REQUEST_WITHDRAW, share_request) as write:
        locked = write.lock(share_request, "resource", "consumer")
        write.require(actor.works_in(locked.consumer_id, *CONSUMER_ROLES), "只有申请部门的工作人员可以撤回申请。")
        SHARE_REQUEST.move(locked, "withdraw")
        locked.save(update_fields=["state"])
        supervision_services.live_timer_cancel(
            actor=actor, target=locked, kind=SHARE_REQUEST_TIMER, reason="申请部门撤回申请"
        )
    share_request.refresh_from_db()
    return locked


# --- grants -------------------------------------------------------------------------------


def grant_revoke(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """The provider (data officer, leader) or the e-gov office ends a grant before its time."""
    with audited_write(actor, ExchangeAction.GRANT_REVOKE, grant) as write:
        locked = write.lock(grant, "resource")
        write.require(
            actor.works_in(locked.resource.provider_id, *PROVIDER_ROLES) or actor.has_role(Role.EGOV_OFFICE),
            "只有资源提供部门或电子政务主管部门可以撤销授权。",
        )
        if locked.revoked_at is not None:
            raise ApplicationError(ExchangeError.GRANT_INACTIVE, "该授权已撤销。")
        reason = required_text(reason, field="reason", what="撤销理由", code=ExchangeError.REASON_REQUIRED)
        locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), actor.user, reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        write.note(reason=reason)
        locked.subscriptions.filter(active=True).update(active=False)
    grant.refresh_from_db()
    return locked


# --- objections (纠错) ----------------------------------------------------------------------


def _objection_open(
    write: Write,
    *,
    consumer: Department | None,
    resource: Resource,
    record_key: str,
    field: str,
    evidence: str,
    title: str,
) -> Objection:
    """Record a 纠错 raised by the writing actor, show the record as disputed and start the provider's
    clock: the one path of a consumer's objection and of a data subject's (docs/rules.md §16)."""
    objection = Objection(
        consumer=consumer,
        resource=resource,
        record_key=record_key,
        field=field,
        evidence=evidence,
        raised_by=write.actor.user,
    )
    clean(objection)
    objection.save()
    write.set_target(objection)
    tables.set_disputed(resource, record_key, True)
    supervision_services.timer_start(
        actor=write.actor,
        kind=OBJECTION_TIMER,
        kind_label="数据纠错核实",
        target=objection,
        title=title,
        department=resource.provider,
        limit=objection_days(),
    )
    return objection


def objection_create(
    *,
    actor: Actor,
    resource: Resource,
    record_key: str,
    field: str,
    evidence: str,
) -> Objection:
    """A consumer holding a grant reports a wrong value; the record shows as disputed."""
    with audited_write(actor, ExchangeAction.OBJECTION_CREATE, resource) as write:
        consumer = _consumer(write, actor, "只有部门工作人员可以提出纠错。")
        granted_items = {code for g in grants_in_force(consumer, resource) for code in g.item_codes}
        if not granted_items:
            raise not_found("信息资源")
        record_key = required_text(record_key, field="record_key", what="记录主键", code=ExchangeError.INVALID_REQUEST)
        field = required_text(field, field="field", what="有误的信息项", code=ExchangeError.INVALID_REQUEST)
        if field not in granted_items:
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST, "只能对已获授权的信息项提出纠错。", {"field": "未授权"}
            )
        evidence = required_text(
            evidence, field="evidence", what="依据或证明材料说明", code=ExchangeError.INVALID_REQUEST
        )
        if tables.get_record(resource, record_key) is None:
            raise not_found("记录")
        objection = _objection_open(
            write,
            consumer=consumer,
            resource=resource,
            record_key=record_key,
            field=field,
            evidence=evidence,
            title=f"{consumer.name}对“{resource.name}”记录 {record_key} 提出纠错",
        )
        write.note(resource=resource.code, key=record_key, field=field)
        return objection


SUBJECT_LABEL = "数据主体本人"


def objection_by_subject(*, actor: Actor, resource_code: str, field: str, evidence: str) -> Objection:
    """A citizen asks for a correction of their own record in a base resource (个人信息保护法
    Art. 46, docs/rules.md §16): a 纠错 to the providing department through the one objection
    path, keyed by the person's own ID number, with the provider's deadline as for any 纠错."""
    with audited_write(actor, ExchangeAction.OBJECTION_CREATE) as write:
        user = actor.user
        write.require(
            user is not None and user.kind == User.Kind.CITIZEN and bool(user.id_number), "请以个人账号登录。"
        )
        assert user is not None
        resource = Resource.objects.filter(code=resource_code, state=Resource.State.PUBLISHED).first()
        if resource is None:
            raise not_found("信息资源")
        write.set_target(resource)
        items = dict(resource.items.values_list("code", "name"))
        field = required_text(field, field="field", what="有误的信息项", code=ExchangeError.INVALID_REQUEST)
        if field not in items:
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST, f"信息项“{field[:64]}”不属于该资源。", {"field": "无效"}
            )
        evidence = required_text(
            evidence, field="evidence", what="更正内容及依据", code=ExchangeError.INVALID_REQUEST, max_length=2000
        )
        if tables.get_record(resource, user.id_number) is None:
            raise ApplicationError(
                ExchangeError.INVALID_REQUEST,
                f"“{resource.name}”中没有您的记录，无法申请更正；请携带身份证到{resource.provider.name}办理。",
                {"field": "无记录"},
            )
        objection = _objection_open(
            write,
            consumer=None,
            resource=resource,
            record_key=user.id_number,
            field=field,
            evidence=evidence,
            title=f"{SUBJECT_LABEL}对“{resource.name}”本人记录的“{items[field]}”申请更正",
        )
        write.note(resource=resource.code, field=field, by="subject")
        return objection


def objection_resolve(*, actor: Actor, objection: Objection, corrected: bool, answer: str) -> Objection:
    """The provider answers: corrected (the value was fixed) or rejected (the value is right)."""
    with audited_write(actor, ExchangeAction.OBJECTION_RESOLVE, objection) as write:
        locked = write.lock(objection, "resource")
        write.require(
            actor.works_in(locked.resource.provider_id, *PROVIDER_ROLES),
            "只有资源提供部门的数据管理员或负责人可以核实纠错。",
        )
        move = "correct" if corrected else "reject"
        OBJECTION.check(locked, move)
        answer = required_text(answer, field="answer", what="核实意见", code=ExchangeError.REASON_REQUIRED)
        OBJECTION.move(locked, move)
        locked.answer, locked.resolved_by, locked.resolved_at = answer, actor.user, timezone.now()
        clean(locked)
        locked.save()
        still_open = Objection.objects.filter(
            resource=locked.resource, record_key=locked.record_key, state=Objection.State.OPEN
        ).exists()
        if not still_open:
            tables.set_disputed(locked.resource, locked.record_key, False)
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=OBJECTION_TIMER)
        write.note(state=locked.state, answer=answer)
    objection.refresh_from_db()
    return locked
