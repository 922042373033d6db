"""Counting records through the sharing layer: how many records of a resource have an item equal to
given values (e.g. the residents registered in a region, by the 人口 base's 户籍地区划代码), never
the records themselves.

The same rules as any other use of the exchange: the consumer must hold an active grant on the
resource that includes the counted item, and states its purpose, and the provider must have declared
the item queryable (可查询数据项, as for any filtered query); every call, answered or refused, is
appended to the hash-chained access log (operation 条件查询, the condition as its filter, the count as
its rows). docs/rules.md §15.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import Resource
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing.grants import grant_in_force
from zhengwu.exchange.sharing.models import AccessLog
from zhengwu.exchange.store import tables as store

NOT_GRANTED = "未获得该资源的共享授权，或授权不含所统计的信息项。"


def count_by_item(
    *,
    consumer: Department,
    resource_name: str,
    item_code: str,
    values: Sequence[str],
    purpose: str,
    ip: str | None = None,
) -> int:
    """The number of live records of the published resource named `resource_name` whose item
    `item_code` is one of `values`. Refused (and logged) without a grant covering the item."""
    purpose = (purpose or "").strip()[:200]
    resource = Resource.objects.filter(name=resource_name, state=Resource.State.PUBLISHED).order_by("id").first()
    condition = {item_code: ",".join(values)[:200]}
    grant = grant_in_force(consumer, resource) if resource is not None else None

    def refuse(reason: str, error: ApplicationError) -> NoReturn:
        """Log the refused count (like any refused use of the exchange), then refuse it."""
        access_log.append(
            operation=AccessLog.Operation.SEARCH,
            outcome=AccessLog.Outcome.DENIED,
            consumer=consumer,
            resource=resource,
            resource_code="" if resource is None else (resource.code or ""),
            grant=grant,
            purpose=purpose,
            filters=condition,
            reason=reason,
            ip=ip,
        )
        raise error

    if resource is None or grant is None or item_code not in (grant.item_codes or []) or not purpose:
        refuse(
            "no_grant" if resource is not None else "unknown_resource",
            ApplicationError(ExchangeError.NOT_FOUND, NOT_GRANTED, {"resource": resource_name}, status=403),
        )
    if not resource.items.filter(code=item_code, queryable=True).exists():
        refuse(
            "not_queryable",
            ApplicationError(
                ExchangeError.NOT_QUERYABLE,
                f"信息项 {item_code} 不是{resource.name}的可查询数据项，不能按其统计。",
                {item_code: "不可查询"},
                status=403,
            ),
        )
    count = store.count_matching(resource, item_code, values)
    access_log.append(
        operation=AccessLog.Operation.SEARCH,
        outcome=AccessLog.Outcome.OK,
        consumer=consumer,
        resource=resource,
        grant=grant,
        purpose=purpose,
        filters=condition,
        item_codes=[item_code],
        rows=count,
        ip=ip,
    )
    return count
