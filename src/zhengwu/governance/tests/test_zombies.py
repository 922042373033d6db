"""The zombie rules, each on its boundary, and the review of a candidate (docs/rules.md §11)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.governance import selectors
from zhengwu.governance.models import InformationSystem, ZombieCase, ZombieRule
from zhengwu.governance.services import (
    SELF_CHECK_TIMER,
    zombie_confirm,
    zombie_decide,
    zombie_dismiss,
    zombie_scan,
    zombie_self_check,
    zombie_send_back,
)
from zhengwu.governance.tests.conftest import log_call, make_client, make_resource, register
from zhengwu.supervision.services import live_timer

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 1, 15, 10, 0, tzinfo=BEIJING)  # the last sign of life
SIX_MONTHS_LATER = datetime(2026, 7, 15, 10, 0, tzinfo=BEIJING)  # the default ZHENGWU_ZOMBIE_IDLE_MONTHS


def rules_at(system: InformationSystem, now: datetime) -> set[str]:
    system.refresh_from_db()
    usage = selectors.usage_of([system], now=now)[system.pk]
    return set(selectors.zombie_findings(system, usage, now=now))


@pytest.fixture
def old_system(systems_officer: User) -> InformationSystem:
    """A running system registered long before T, paid for, with nothing measured yet."""
    system = register(systems_officer)
    InformationSystem.objects.filter(pk=system.pk).update(created_at=T - timedelta(days=400))
    system.refresh_from_db()
    return system


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert selectors.months_before(SIX_MONTHS_LATER, 6) == T
    assert selectors.months_before(datetime(2026, 3, 31, 12, tzinfo=BEIJING), 1).date().isoformat() == "2026-02-28"


def test_idle_counts_from_registration_when_nothing_was_ever_measured(old_system: InformationSystem) -> None:
    InformationSystem.objects.filter(pk=old_system.pk).update(created_at=T)
    assert ZombieRule.IDLE not in rules_at(old_system, SIX_MONTHS_LATER)
    assert ZombieRule.IDLE in rules_at(old_system, SIX_MONTHS_LATER + timedelta(days=1))


def test_idle_on_the_boundary_of_the_last_call(old_system: InformationSystem, market_dept: Department) -> None:
    client = make_client(market_dept)
    old_system.client_links.create(api_client=client)
    log_call(client, T)
    assert ZombieRule.IDLE not in rules_at(old_system, SIX_MONTHS_LATER)
    assert ZombieRule.IDLE in rules_at(old_system, SIX_MONTHS_LATER + timedelta(days=1))


def test_idle_on_the_boundary_of_the_last_login(old_system: InformationSystem, market_clerk: User) -> None:
    old_system.users.add(market_clerk)
    User.objects.filter(pk=market_clerk.pk).update(last_login=T)
    assert ZombieRule.IDLE not in rules_at(old_system, SIX_MONTHS_LATER)
    assert ZombieRule.IDLE in rules_at(old_system, SIX_MONTHS_LATER + timedelta(days=1))


def test_a_call_keeps_a_system_without_logins_alive(
    old_system: InformationSystem, market_dept: Department, market_clerk: User
) -> None:
    old_system.users.add(market_clerk)
    User.objects.filter(pk=market_clerk.pk).update(last_login=T - timedelta(days=300))
    client = make_client(market_dept)
    old_system.client_links.create(api_client=client)
    log_call(client, T + timedelta(days=100))
    assert ZombieRule.IDLE not in rules_at(old_system, SIX_MONTHS_LATER + timedelta(days=1))


def test_stale_data_on_the_boundary_of_its_cycles(old_system: InformationSystem, market_dept: Department) -> None:
    resource = make_resource(market_dept, "101001/001", update_cycle="monthly")  # 31 days × 3 cycles
    old_system.resources_provided.add(resource)
    now = timezone.now()
    resource.last_loaded_at = now - timedelta(days=93)
    resource.save()
    assert ZombieRule.STALE_DATA not in rules_at(old_system, now)
    resource.last_loaded_at = now - timedelta(days=93, seconds=1)
    resource.save()
    assert ZombieRule.STALE_DATA in rules_at(old_system, now)


def test_never_loaded_data_is_stale(old_system: InformationSystem, market_dept: Department) -> None:
    old_system.resources_provided.add(make_resource(market_dept, "101001/002"))
    assert ZombieRule.STALE_DATA in rules_at(old_system, timezone.now())


def test_om_stopped_on_cost_zero_and_on_the_day_after_funding_ends(old_system: InformationSystem) -> None:
    now = datetime(2026, 7, 15, 10, 0, tzinfo=BEIJING)
    assert ZombieRule.NO_OM not in rules_at(old_system, now)
    InformationSystem.objects.filter(pk=old_system.pk).update(om_cost_yearly=Decimal("0.01"))
    assert ZombieRule.NO_OM not in rules_at(old_system, now)
    InformationSystem.objects.filter(pk=old_system.pk).update(om_cost_yearly=0)
    assert ZombieRule.NO_OM in rules_at(old_system, now)
    InformationSystem.objects.filter(pk=old_system.pk).update(om_cost_yearly=10, funding_ends_on=now.date())
    assert ZombieRule.NO_OM not in rules_at(old_system, now)
    InformationSystem.objects.filter(pk=old_system.pk).update(funding_ends_on=now.date() - timedelta(days=1))
    assert ZombieRule.NO_OM in rules_at(old_system, now)


def test_few_users_on_the_boundary_of_the_minimum(
    old_system: InformationSystem, market_clerk: User, market_leader: User, police_clerk: User, egov: User
) -> None:
    now = SIX_MONTHS_LATER
    for user in (market_clerk, market_leader, police_clerk, egov):
        old_system.users.add(user)
    User.objects.filter(pk__in=[market_clerk.pk, market_leader.pk, police_clerk.pk]).update(last_login=T)
    User.objects.filter(pk=egov.pk).update(last_login=T - timedelta(days=1))  # outside the window
    assert ZombieRule.FEW_USERS not in rules_at(old_system, now)  # 3 active = the minimum
    User.objects.filter(pk=police_clerk.pk).update(last_login=T - timedelta(seconds=1))
    found = rules_at(old_system, now)
    assert ZombieRule.FEW_USERS in found  # 2 active < 3


def test_only_running_systems_are_judged(old_system: InformationSystem) -> None:
    InformationSystem.objects.filter(pk=old_system.pk).update(state="stopped", om_cost_yearly=0)
    assert rules_at(old_system, timezone.now()) == set()


def test_scan_opens_one_case_with_evidence_and_refreshes_it(old_system: InformationSystem) -> None:
    InformationSystem.objects.filter(pk=old_system.pk).update(om_cost_yearly=0)
    first = zombie_scan(actor=Actor.platform())
    assert len(first) == 1
    case = first[0]
    assert case.rules == [ZombieRule.IDLE, ZombieRule.NO_OM]
    assert case.evidence[ZombieRule.NO_OM]["om_cost_yearly"] == "0.00"
    assert AuditEvent.objects.filter(action="governance.zombie.find", outcome="success").count() == 1
    zombie_scan(actor=Actor.platform())
    assert ZombieCase.objects.count() == 1


def test_scan_is_the_platforms(egov: User) -> None:
    with pytest.raises(ApplicationError):
        zombie_scan(actor=Actor.person(egov))


def _candidate(system: InformationSystem) -> ZombieCase:
    InformationSystem.objects.filter(pk=system.pk).update(om_cost_yearly=0)
    return zombie_scan(actor=Actor.platform())[0]


def test_review_confirm_self_check_consolidate(
    old_system: InformationSystem, egov: User, systems_officer: User
) -> None:
    into = register(systems_officer, name="一体化政务服务平台")
    case = _candidate(old_system)
    office, officer = Actor.person(egov), Actor.person(systems_officer)
    refused_write(lambda: zombie_confirm(actor=officer, case=case), apps=["governance"], code="core.permission_denied")
    case = zombie_confirm(actor=office, case=case, note="确认")
    assert case.state == ZombieCase.State.SELF_CHECK and case.is_confirmed_zombie
    assert live_timer(case, SELF_CHECK_TIMER) is not None
    refused_write(
        lambda: zombie_self_check(actor=office, case=case, answer="x"),
        apps=["governance"],
        code="core.permission_denied",
    )
    case = zombie_self_check(actor=officer, case=case, answer="系统功能已并入一体化平台，可整合。")
    assert case.state == ZombieCase.State.REVIEW and live_timer(case, SELF_CHECK_TIMER) is None
    case = zombie_send_back(actor=office, case=case, opinion="请说明数据迁移情况。")
    # sent back: the department answers again, on a new clock
    assert case.state == ZombieCase.State.SELF_CHECK and live_timer(case, SELF_CHECK_TIMER) is not None
    case = zombie_self_check(actor=officer, case=case, answer="数据已迁移。")
    assert live_timer(case, SELF_CHECK_TIMER) is None
    refused_write(
        lambda: zombie_decide(actor=office, case=case, decision="consolidate", opinion="整合", into=None),
        apps=["governance"],
    )
    case = zombie_decide(actor=office, case=case, decision="consolidate", opinion="同意整合", into=into)
    old_system.refresh_from_db()
    assert case.state == ZombieCase.State.CONSOLIDATED and case.consolidated_into == into
    assert old_system.state == InformationSystem.State.CONSOLIDATED and old_system.consolidated_into == into
    actions = list(
        AuditEvent.objects.filter(action__startswith="governance.zombie", outcome="success").values_list(
            "action", flat=True
        )
    )
    assert actions.count("governance.zombie.decide") == 1 and "governance.zombie.self_check" in actions
    assert (
        AuditEvent.objects.filter(action="governance.system.change_state").count() == 0
    )  # the decide event carries it


def test_retain_and_dismiss_quiet_the_system_for_a_year(
    old_system: InformationSystem, egov: User, systems_officer: User
) -> None:
    case = _candidate(old_system)
    zombie_dismiss(actor=Actor.person(egov), case=case, note="系统仍在使用，线下登录")
    assert zombie_scan(actor=Actor.platform()) == []
    assert not selectors.zombie_cases_visible(Actor.person(systems_officer)).exists()  # never confirmed
    old_system.refresh_from_db()
    assert old_system.state == InformationSystem.State.RUNNING


def test_candidate_hidden_from_the_department_until_confirmed(
    old_system: InformationSystem, systems_officer: User, police_officer: User, egov: User
) -> None:
    case = _candidate(old_system)
    officer = Actor.person(systems_officer)
    assert not selectors.zombie_cases_visible(officer).exists()
    zombie_confirm(actor=Actor.person(egov), case=case)
    assert selectors.zombie_cases_visible(officer).count() == 1
    assert not selectors.zombie_cases_visible(Actor.person(police_officer)).exists()


def test_the_scan_is_a_monthly_periodic_job() -> None:
    from zhengwu.governance.tasks import zombie_scan_task

    task = zombie_scan_task.task_class()  # type: ignore[attr-defined]
    assert task.validate_datetime(datetime(2026, 3, 1, 3, 30))
    assert not task.validate_datetime(datetime(2026, 3, 2, 3, 30))


def test_unconnected_on_the_boundary_of_the_last_call(old_system: InformationSystem, market_dept: Department) -> None:
    def flagged(now: datetime) -> bool:
        old_system.refresh_from_db()
        return selectors.is_unconnected(old_system, selectors.usage_of([old_system], now=now)[old_system.pk], now=now)

    assert flagged(SIX_MONTHS_LATER)  # should connect, no API client
    client = make_client(market_dept)
    old_system.client_links.create(api_client=client)
    log_call(client, T)
    assert not flagged(SIX_MONTHS_LATER)
    assert flagged(SIX_MONTHS_LATER + timedelta(days=1))  # connected, but no call for six months
    InformationSystem.objects.filter(pk=old_system.pk).update(should_connect=False, no_connect_reason="内部系统")
    assert not flagged(SIX_MONTHS_LATER + timedelta(days=1))


def test_usage_per_month_in_beijing_time(
    old_system: InformationSystem, market_dept: Department, police_dept: Department
) -> None:
    """The measured usage a sparkline draws: calls of the system's clients per Beijing month over the
    last 12, the resources they used, the calls of the resources it provides, the last call."""
    client = make_client(market_dept)
    old_system.client_links.create(api_client=client)
    mine, theirs = make_resource(market_dept, "101001/001"), make_resource(police_dept, "101002/001")
    old_system.resources_provided.add(mine)
    now = datetime(2026, 3, 15, 10, 0, tzinfo=BEIJING)
    log_call(client, datetime(2025, 3, 31, 23, 59, tzinfo=BEIJING), theirs)  # 13th month back: not drawn
    log_call(client, datetime(2026, 1, 31, 23, 59, 59, tzinfo=BEIJING), theirs)  # January
    log_call(client, datetime(2026, 2, 1, 0, 0, tzinfo=BEIJING), theirs)  # February (still 31 January in UTC)
    log_call(client, datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING), mine)
    log_call(client, datetime(2026, 3, 3, 9, 0, tzinfo=BEIJING), theirs)
    other = make_client(police_dept, "公安业务系统")
    log_call(other, datetime(2026, 3, 4, 9, 0, tzinfo=BEIJING), mine)  # its provided resource, called by others too

    usage = selectors.usage_of([old_system], now=now)[old_system.pk]
    assert usage.months[0] == datetime(2025, 4, 1).date() and usage.months[-1] == datetime(2026, 3, 1).date()
    assert usage.calls == [0] * 9 + [1, 1, 2]
    assert usage.resources_used == 2 and usage.clients == 1
    assert usage.provided_calls == 2  # its own client's call of it and the other department's
    assert usage.last_call == datetime(2026, 3, 3, 9, 0, tzinfo=BEIJING)
