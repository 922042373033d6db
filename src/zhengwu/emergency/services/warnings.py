"""Warnings (预警): issue, adjust, lift; subscriptions to them. docs/rules.md §14.

Who issues: a 值班员 or 指挥长 of a duty room, for an area its region covers; or a 部门负责人 of a
department named a warning issuer (`ZHENGWU_EMERGENCY_WARNING_ISSUERS`, credit codes: 气象台,
水文、自然资源 …), for an area its region covers. Only the issuing department adjusts or lifts a
warning. A warning is live from `starts_at` until `ends_at` or until it is lifted; the periodic job
lifts the ones whose time has ended (`warnings_expire`), so the portal's cached pages (new after
every audited write) drop them at once. Issuing, adjusting and lifting tell every subscriber whose
area meets the warning's (the same area, one inside it, one around it) by site message and SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhengwu.accounts.models import Region, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import required_text
from zhengwu.emergency import access
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.errors import invalid as _bad
from zhengwu.emergency.models import EarlyWarning, Hazard, Subscription, WarningColor
from zhengwu.emergency.states import WARNING
from zhengwu.eservices import services as eservices_services

ISSUER_REFUSAL = "只有应急管理部门的值班员、指挥长或预警发布单位的负责人可以发布该区域的预警。"
DEPARTMENT_SUBSCRIBERS = (Role.DEPT_LEADER, Role.DUTY_OFFICER, Role.COMMANDER, Role.CLERK)


@dataclass
class WarningData:
    hazard: str
    color: int
    region_code: str
    content: str
    ends_at: datetime
    starts_at: datetime | None = None
    hazard_other: str = ""
    area: str = ""
    measures: str = ""
    advice: str = ""


def is_issuer(actor: Actor, region: Region) -> bool:
    department = actor.department
    if not actor.is_staff or department is None or not covers_or_none(department.region, region):
        return False
    if actor.has_role(*access.DUTY_ROLES):
        return True
    return actor.has_role(Role.DEPT_LEADER) and department.credit_code in settings.ZHENGWU_EMERGENCY_WARNING_ISSUERS


def covers_or_none(outer: Region | None, inner: Region) -> bool:
    return outer is not None and access.covers(outer, inner)


def _apply(warning: EarlyWarning, data: WarningData, *, now: datetime) -> None:
    if data.hazard not in Hazard.values:
        raise _bad("hazard", "请选择灾种。", "不支持")
    if isinstance(data.color, bool) or data.color not in WarningColor.values:
        raise _bad("color", "预警级别应为红色（一级）、橙色（二级）、黄色（三级）或蓝色（四级）。", "不支持")
    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    if region is None:
        raise _bad("region_code", "预警区域的行政区划代码不存在（应为 6 位 GB/T 2260 代码）。", "不存在")
    starts_at = data.starts_at or warning.starts_at or now
    if data.ends_at is None or data.ends_at <= starts_at:
        raise _bad("ends_at", "预计结束时间应晚于生效时间。", "早于生效时间")
    if data.ends_at <= now:
        raise _bad("ends_at", "预计结束时间应晚于现在。", "已过去")
    if (data.ends_at - starts_at).days > 30:
        raise _bad("ends_at", "预警有效期最长 30 天，请到期后重新发布。", "超过 30 天")
    warning.hazard = data.hazard
    warning.hazard_other = (data.hazard_other or "").strip()[:20] if data.hazard == Hazard.OTHER else ""
    if data.hazard == Hazard.OTHER and not warning.hazard_other:
        raise _bad("hazard_other", "请填写其他灾种的名称（不超过 20 字）。", "必填")
    warning.color = int(data.color)
    warning.region = region
    warning.area = (data.area or "").strip()[:300]
    warning.starts_at = starts_at
    warning.ends_at = data.ends_at
    warning.content = required_text(
        data.content, field="content", what="预警内容", code=EmergencyError.INVALID_INPUT, max_length=5000
    )
    warning.measures = (data.measures or "").strip()[:5000]
    warning.advice = (data.advice or "").strip()[:5000]


def _subscribers(warning: EarlyWarning) -> list[User]:
    """Everyone to tell: subscribers whose area meets the warning's, each person once."""
    chain = [r.pk for r in access.region_chain(warning.region)]
    meets = Q(region_id__in=chain) | Q(region__code__startswith=access.code_prefix(warning.region))
    people: dict[int, User] = {}
    for sub in Subscription.objects.filter(meets).select_related("user", "department"):
        if sub.department_id is None:
            if sub.user is not None and sub.user.is_active:
                people[sub.user.pk] = sub.user
            continue
        staff = User.objects.filter(
            department_id=sub.department_id,
            is_active=True,
            kind=User.Kind.STAFF,
            role_assignments__role__in=DEPARTMENT_SUBSCRIBERS,
        ).distinct()
        for person in staff:
            people[person.pk] = person
    return list(people.values())


def _tell(warning: EarlyWarning, what: str) -> int:
    text = f"【预警信息】{warning.department.name}{what}{warning.region.name}{warning.headline}"
    if warning.state == EarlyWarning.State.LIVE:
        text += f"（有效至{timezone.localtime(warning.ends_at):%m月%d日%H:%M}）：{warning.content}"
        if warning.advice:
            text += f" 防范提示：{warning.advice}"
    people = _subscribers(warning)
    for person in people:
        eservices_services.site_message(person, None, text[:500])
    return len(people)


def warning_issue(*, actor: Actor, data: WarningData) -> EarlyWarning:
    """Issue a warning; subscribers are told by site message and SMS."""
    with audited_write(actor, EmergencyAction.WARNING_ISSUE) as write:
        now = timezone.now()
        warning = EarlyWarning(number=f"tmp-{now.timestamp()}", issued_at=now, starts_at=now)
        _apply(warning, data, now=now)
        write.require(is_issuer(actor, warning.region), ISSUER_REFUSAL)
        department = actor.department
        assert department is not None  # is_issuer checked it
        warning.department = department
        warning.issued_by = actor.user
        warning.save()
        warning.number = f"YJ{timezone.localtime(now):%Y%m%d}W{warning.pk:05d}"
        warning.save(update_fields=["number"])
        write.set_target(warning)
        told = _tell(warning, "发布")
        write.note(headline=warning.headline, region=warning.region.code, told=told)
    return warning


def _lock_own(write: Write, actor: Actor, warning: EarlyWarning, move: str) -> EarlyWarning:
    locked = write.lock(warning, "region", "department")
    write.require(
        actor.works_in(locked.department_id) and is_issuer(actor, locked.region),
        "只有发布该预警的单位的值班员、指挥长或负责人可以调整或解除预警。",
    )
    WARNING.move(locked, move)
    return locked


def warning_adjust(*, actor: Actor, warning: EarlyWarning, data: WarningData, reason: str) -> EarlyWarning:
    """Change a live warning (level, area, time, text) with a reason; subscribers are told again."""
    with audited_write(actor, EmergencyAction.WARNING_ADJUST, warning) as write:
        locked = _lock_own(write, actor, warning, "adjust")
        before = locked.headline
        reason = required_text(
            reason, field="reason", what="调整理由", code=EmergencyError.REASON_REQUIRED, max_length=300
        )
        now = timezone.now()
        _apply(locked, data, now=now)
        locked.updated_at = now
        locked.adjustments = [
            *locked.adjustments,
            {"at": now.isoformat(), "by": str(actor), "from": before, "to": locked.headline, "reason": reason},
        ]
        locked.save()
        told = _tell(locked, f"将{before}调整为")
        write.note(before=before, after=locked.headline, reason=reason, told=told)
    return locked


def warning_lift(*, actor: Actor, warning: EarlyWarning, reason: str) -> EarlyWarning:
    """解除: the warning is gone from the portal at once; subscribers are told."""
    with audited_write(actor, EmergencyAction.WARNING_LIFT, warning) as write:
        locked = _lock_own(write, actor, warning, "lift")
        locked.lift_reason = required_text(
            reason, field="reason", what="解除说明", code=EmergencyError.REASON_REQUIRED, max_length=300
        )
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor.user
        locked.save()
        told = _tell(locked, "解除")
        write.note(headline=locked.headline, told=told)
    return locked


def warnings_expire(*, actor: Actor, now: datetime | None = None) -> int:
    """The periodic job: lift every live warning whose time has ended (one audited write each)."""
    now = now or timezone.now()
    done = 0
    for warning in EarlyWarning.objects.filter(state=EarlyWarning.State.LIVE, ends_at__lte=now):
        with audited_write(actor, EmergencyAction.WARNING_EXPIRE, warning) as write:
            locked = write.lock(warning)
            if locked.state != EarlyWarning.State.LIVE:
                continue
            WARNING.move(locked, "lift")
            locked.lifted_at = now
            locked.lift_reason = "有效期届满，自动解除"
            locked.save()
            done += 1
    return done


# --- subscriptions ------------------------------------------------------------------------------


def subscription_add(*, actor: Actor, region_code: str, for_department: bool = False) -> Subscription:
    """A person (or, for a department, its staff) subscribes to warnings for an area."""
    with audited_write(actor, EmergencyAction.SUBSCRIPTION_ADD) as write:
        write.require(actor.is_person, "请先登录后再订阅预警。")
        region = Region.objects.filter(code=(region_code or "").strip()).first()
        if region is None:
            raise _bad("region_code", "请选择关注的地区。", "不存在")
        department = None
        if for_department:
            write.require(actor.is_staff and actor.department is not None, "只有部门工作人员可以为本部门订阅预警。")
            department = actor.department
            existing = Subscription.objects.filter(department=department, region=region).first()
        else:
            existing = Subscription.objects.filter(user=actor.user, region=region, department__isnull=True).first()
        if existing is not None:
            write.set_target(existing)
            return existing
        sub = Subscription.objects.create(region=region, user=actor.user, department=department)
        write.set_target(sub)
        write.note(region=region.code, department=department.name if department else "")
    return sub


def subscription_remove(*, actor: Actor, subscription: Subscription) -> None:
    with audited_write(actor, EmergencyAction.SUBSCRIPTION_REMOVE, subscription) as write:
        locked = write.lock(subscription)
        own = actor.is_user(locked.user_id) if locked.department_id is None else actor.works_in(locked.department_id)
        write.require(own, "只能取消自己（或本部门）的订阅。")
        locked.delete()
