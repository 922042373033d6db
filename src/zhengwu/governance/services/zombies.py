"""The zombie rules' monthly run and the review of each candidate (僵尸系统核查), docs/rules.md §11.

`zombie_scan` (the monthly job, as the platform) runs the rules (`selectors.zombie_findings`) on
every running system and opens a candidate (候选) with the rules that fired and their evidence, or
refreshes the open review's; a system the office kept (保留) or dismissed (排除) is not flagged
again for `QUIET_MONTHS`. The e-gov office confirms a candidate (→ 待自查, starting the owner
department's self-check clock of ZHENGWU_ZOMBIE_SELF_CHECK_DAYS working days) or dismisses it; the
owner department answers (自查 → 待审核); the office sends it back or decides 保留 / 整合 (into
another system, recorded on both) / 清理. Every step is an audited write.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.exchange.sharing import access_log
from zhengwu.governance import selectors
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import InformationSystem, ZombieCase
from zhengwu.governance.permissions import can_manage_system, is_egov_office
from zhengwu.governance.services.systems import retire
from zhengwu.governance.states import ZOMBIE
from zhengwu.supervision import services as supervision_services

SELF_CHECK_TIMER = "governance.zombie_self_check"
QUIET_MONTHS = 12
DECISIONS = {"retain": "保留", "consolidate": "整合", "clear": "清理"}
_E = GovernanceError.INVALID_INPUT


def zombie_scan(*, actor: Actor, now: datetime | None = None) -> list[ZombieCase]:
    """Run the zombie rules on every running system; returns the reviews opened or refreshed."""
    now = now or timezone.now()
    if not actor.is_platform:
        raise ApplicationError(GovernanceError.WRONG_STATE, "僵尸系统筛查由平台按月自动运行。")
    access_log.seal_pending()
    systems = list(InformationSystem.objects.filter(state=InformationSystem.State.RUNNING).select_related("department"))
    usage = selectors.usage_of(systems, now=now)
    quiet_since = selectors.months_before(now, QUIET_MONTHS)
    open_cases = {c.system_id: c for c in ZombieCase.objects.filter(state__in=ZombieCase.OPEN_STATES)}
    quiet = set(
        ZombieCase.objects.filter(
            state__in=[ZombieCase.State.RETAINED, ZombieCase.State.DISMISSED], reviewed_at__gte=quiet_since
        ).values_list("system_id", flat=True)
    )
    touched = []
    for system in systems:
        findings = selectors.zombie_findings(system, usage[system.pk], now=now)
        if not findings:
            continue
        case = open_cases.get(system.pk)
        if case is not None:
            touched.append(_refresh(actor, case, findings, now))
        elif system.pk not in quiet:
            touched.append(_open(actor, system, findings, now))
    return touched


def _open(actor: Actor, system: InformationSystem, findings: dict, now: datetime) -> ZombieCase:
    with audited_write(actor, GovernanceAction.ZOMBIE_FIND, system) as write:
        case = ZombieCase.objects.create(system=system, rules=sorted(findings), evidence=findings, found_at=now)
        write.set_target(case)
        write.note(system=system.pk, rules=case.rules)
    return case


def _refresh(actor: Actor, case: ZombieCase, findings: dict, now: datetime) -> ZombieCase:
    with audited_write(actor, GovernanceAction.ZOMBIE_FIND, case) as write:
        locked = write.lock(case)
        ZOMBIE.check(locked, "refresh")
        locked.rules = sorted(findings)
        locked.evidence = findings
        locked.save(update_fields=["rules", "evidence"])
        write.note(system=locked.system_id, rules=locked.rules, refreshed=True)
    return locked


def _office(actor: Actor) -> tuple[bool, str]:
    return is_egov_office(actor), "只有电子政务主管可以处理僵尸系统核查。"


def _office_step(write: Write, case: ZombieCase, move: str, opinion: str, *, field: str, what: str) -> ZombieCase:
    """The office's step on a review that records its opinion: the review locked, the office
    authorized, the move allowed from its state, the opinion (required) kept; the caller moves it."""
    locked = write.lock(case)
    write.require(*_office(write.actor))
    ZOMBIE.check(locked, move)
    locked.review_opinion = required_text(opinion, field=field, what=what, code=_E)
    return locked


def zombie_confirm(*, actor: Actor, case: ZombieCase, note: str = "") -> ZombieCase:
    """The office confirms a candidate: the owner department has ZHENGWU_ZOMBIE_SELF_CHECK_DAYS to answer."""
    with audited_write(actor, GovernanceAction.ZOMBIE_CONFIRM, case) as write:
        locked = write.lock(case, "system", "system__department")
        write.require(*_office(actor))
        ZOMBIE.move(locked, "confirm")
        locked.confirmed_by = actor.user
        locked.confirmed_at = timezone.now()
        locked.confirm_note = (note or "").strip()[:2000]
        locked.save()
        _start_self_check_clock(actor, locked)
        write.note(system=locked.system_id, rules=locked.rules)
    return locked


def _start_self_check_clock(actor: Actor, case: ZombieCase) -> None:
    """The owner department's 自查 clock of ZHENGWU_ZOMBIE_SELF_CHECK_DAYS working days, started on
    confirmation and again when the office sends the answer back (docs/rules.md §11)."""
    supervision_services.timer_start(
        actor=actor,
        kind=SELF_CHECK_TIMER,
        kind_label="僵尸系统自查",
        target=case,
        title=f"自查 {case.system.name}"[:200],
        department=case.system.department,
        limit=settings.ZHENGWU_ZOMBIE_SELF_CHECK_DAYS,
        url=reverse("governance_wb:zombie_detail", args=[case.pk]),
    )


def zombie_dismiss(*, actor: Actor, case: ZombieCase, note: str) -> ZombieCase:
    with audited_write(actor, GovernanceAction.ZOMBIE_DISMISS, case) as write:
        locked = _office_step(write, case, "dismiss", note, field="note", what="排除理由")
        ZOMBIE.move(locked, "dismiss")
        locked.reviewed_by = actor.user
        locked.reviewed_at = timezone.now()
        locked.save()
        write.note(system=locked.system_id)
    return locked


def zombie_self_check(*, actor: Actor, case: ZombieCase, answer: str) -> ZombieCase:
    """The owner department's 自查: what the system is for now, and whether it should stay."""
    with audited_write(actor, GovernanceAction.ZOMBIE_SELF_CHECK, case) as write:
        locked = write.lock(case, "system")
        write.require(
            can_manage_system(actor, locked.system.department_id) and actor.api_client is None,
            "只有系统所属部门的信息化管理员或负责人可以填写自查说明。",
        )
        ZOMBIE.check(locked, "self_check")
        locked.self_check_answer = required_text(answer, field="answer", what="自查说明", code=_E, max_length=5000)
        ZOMBIE.move(locked, "self_check")
        locked.self_checked_by = actor.user
        locked.self_checked_at = timezone.now()
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SELF_CHECK_TIMER)
        write.note(system=locked.system_id)
    return locked


def zombie_send_back(*, actor: Actor, case: ZombieCase, opinion: str) -> ZombieCase:
    with audited_write(actor, GovernanceAction.ZOMBIE_SEND_BACK, case) as write:
        locked = _office_step(write, case, "send_back", opinion, field="opinion", what="退回意见")
        ZOMBIE.move(locked, "send_back")
        locked.save()
        _start_self_check_clock(actor, locked)
        write.note(system=locked.system_id)
    return locked


def zombie_decide(
    *, actor: Actor, case: ZombieCase, decision: str, opinion: str, into: InformationSystem | None = None
) -> ZombieCase:
    """审核: 保留 (the system stays), 整合 into `into` (recorded on the review and the system), or 清理."""
    with audited_write(actor, GovernanceAction.ZOMBIE_DECIDE, case) as write:
        write.require(*_office(actor))
        if decision not in DECISIONS:
            raise ApplicationError(_E, "审核结论应为保留、整合或清理。", {"decision": "不支持"})
        locked = _office_step(write, case, decision, opinion, field="opinion", what="审核意见")
        if decision != "retain":
            system = InformationSystem.objects.select_for_update(of=("self",)).get(pk=locked.system_id)
            if into is not None:
                into.refresh_from_db()
            retire(write, system, decision, note=f"僵尸系统核查 #{locked.pk}：{locked.review_opinion}", into=into)
            locked.consolidated_into = into if decision == "consolidate" else None
        ZOMBIE.move(locked, decision)
        locked.reviewed_by = actor.user
        locked.reviewed_at = timezone.now()
        locked.save()
        write.set_target(locked)
        write.note(system=locked.system_id, decision=decision, into=into.pk if into else None)
    return locked
