"""Last calendar year's evidence for the demo's published evaluation (docs/rules.md §13).

The issue evaluates every department every year, so the demo publishes the run of the previous
calendar year Y-1. Every other demo record is made by `zhengwu demo` today, and the apps' services
stamp "now" on what they make, so the year Y-1 would be empty. This module writes the year's
evidence that the measures read, once, before the run is computed:

- **the exchange's access log**: calls of every connected demo system registered before the year's
  end (each API client linked to a system of the inventory) on the catalog's published resources, a
  few each month of Y-1, through the exchange's own `access_log.append` with the time given (as the
  inventory demo's 12 months of calls are written; where those reach back into Y-1 the year has both);
  → 共享调用服务次数 (by provider) and 共享数据使用次数 (by consumer);
- **supervision timers**: EXPLICIT BACK-DATED ROWS, written in one bulk insert. The services start a
  clock "now" on a live object (an application, a letter, a request …) and the objects of last
  year's cases are not in the demo; these rows stand for them: each a finished clock of one of the
  seven kinds the on-time measures read, started and finished in Y-1 (its deadline the working
  days of its kind after the start, docs/rules.md §1), some of them late. Their title says they
  are the demo's history (演示历史记录), and their object type is `governance.demo_history`, an
  object no page resolves. → the seven 按时率 measures.

The counts vary by department (a fixed pattern, no randomness), so the ranking shows differing,
non-zero figures. The other measures (catalog, ratings, letters, sections, surveys) read records the
demo only has for this year: for Y-1 they have nothing to judge (full marks, docs/rules.md §13).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from zhengwu.accounts.models import ApiClient, Department
from zhengwu.catalog.models import Resource
from zhengwu.core import workdays
from zhengwu.exchange.sharing import access_log
from zhengwu.governance.models import InformationSystem, SystemApiClient
from zhengwu.governance.services.measures import TIMER_KINDS
from zhengwu.supervision.models import Timer

HISTORY_TARGET = "governance.demo_history"
Call = tuple[datetime, ApiClient, Resource | None]  # a back-dated call: when, by which client, of which resource
# The limit (working days) of each kind, as its app's default settings give it.
LIMITS = {
    "exchange.share_request": 10,
    "exchange.objection": 5,
    "disclosure.publication": 20,
    "disclosure.request": 20,
    "eservices.application": 20,
    "eservices.rectification": 15,
    "participation.handling": 5,
}
LABELS = {
    "exchange.share_request": "共享申请答复",
    "exchange.objection": "数据纠错核实",
    "disclosure.publication": "主动公开",
    "disclosure.request": "依申请公开答复",
    "eservices.application": "办件办结",
    "eservices.rectification": "差评整改",
    "participation.handling": "来信办理",
}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=workdays.CHINA_TZ)


def _departments() -> list[Department]:
    """The departments with a system in the demo's inventory, in a fixed order."""
    ids = InformationSystem.objects.values_list("department_id", flat=True).distinct()
    return list(Department.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def history_timers(year: int, departments: list[Department]) -> int:
    """Finished clocks of `year` for every department and kind: department i, kind k has
    3 + (i + 2k) mod 6 of them, 1 + (i + 2k) mod 3 of those late (none when i + k is a multiple of 4)."""
    if Timer.objects.filter(target_type=HISTORY_TARGET, deadline__year=year).exists():
        return 0
    rows: list[Timer] = []
    serial = Timer.objects.filter(target_type=HISTORY_TARGET).count()
    for i, department in enumerate(departments):
        for k, kind in enumerate(TIMER_KINDS.values()):
            due = 3 + (i + 2 * k) % 6
            late = 0 if (i + k) % 4 == 0 else min(due, 1 + (i + 2 * k) % 3)
            for j in range(due):
                start = date(year, 1 + j * 11 // due, 5 + (i + k) % 20)  # January to November
                deadline = workdays.add_workdays(start, LIMITS[kind])
                finished = deadline + timedelta(days=3) if j < late else start + timedelta(days=1)
                serial += 1
                rows.append(
                    Timer(
                        kind=kind,
                        kind_label=LABELS[kind],
                        target_type=HISTORY_TARGET,
                        target_id=str(serial),
                        title=f"{LABELS[kind]}（{year}年演示历史记录 {serial}）",
                        department=department,
                        limit=LIMITS[kind],
                        started_at=_at(start, 9),
                        start_date=start,
                        deadline=deadline,
                        yellow_from=workdays.add_workdays(deadline, -1),
                        state=Timer.State.FINISHED,
                        finished_at=_at(finished, 16),
                        finished_on_time=finished <= deadline,
                    )
                )
    Timer.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def history_calls(year: int) -> list[Call]:
    """A few calls each month of `year` by every connected demo system, on the published resources
    in turn (system n: 1 + (n + month) mod 4 + n mod 5 a month, 30 + 12·(n mod 5) in the year)."""
    # only systems registered before the year's end (the inventory drive's): a system registered
    # since would otherwise look idle since last year to the zombie rules (docs/rules.md §11)
    registered = _at(date(year + 1, 1, 1), 0)
    links = list(
        SystemApiClient.objects.filter(system__created_at__lt=registered)
        .select_related("api_client", "api_client__department")
        .order_by("id")
    )
    resources = list(Resource.objects.filter(state=Resource.State.PUBLISHED).exclude(code="").order_by("id")[:24])
    if not links or not resources:
        return []
    calls: list[Call] = []
    for n, link in enumerate(links):
        client = link.api_client
        for month in range(1, 13):
            for call in range(1 + (n + month) % 4 + n % 5):
                at = _at(date(year, month, 3 + call * 3), 9 + n % 8)
                resource = resources[(n * 5 + month + call) % len(resources)]
                calls.append((at, client, resource))
    return calls


def write_calls(calls: Iterable[Call]) -> int:
    """Append back-dated calls to the access log oldest first, so that its sequence numbers follow
    time as a live log's do: months past retention are then the start of the chain and can be
    dropped (`zhengwu audit partitions drop`, docs/deployment.md "Monthly partitions of the logs")."""
    ordered = sorted(calls, key=lambda call: call[0])
    for at, client, resource in ordered:
        access_log.append(operation="record", outcome="ok", api_client=client, resource=resource, at=at)
    return len(ordered)


def load_history(year: int, *, recent_calls: Sequence[Call] = ()) -> str:
    """Write `year`'s evidence once (a second run finds the timers and writes none of it again),
    with `recent_calls` (the inventory demo's months since) in one time order with the year's calls."""
    if Timer.objects.filter(target_type=HISTORY_TARGET, deadline__year=year).exists():
        write_calls(recent_calls)
        return ""
    calls = history_calls(year)
    write_calls([*calls, *recent_calls])
    timers = history_timers(year, _departments())
    return f"{year} 年演示历史记录：共享调用 {len(calls)} 次，办理时限 {timers} 条"
