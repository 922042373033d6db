"""Huey tasks of the exchange: webhook deliveries of subscriptions (push with back-off), and
the sealer of the access log.

`access_log_seal` runs every minute: it chains the calls the query API staged
(`access_log.seal_pending`) and drops rate-limit counters of past minutes.

`subscriptions_tick` runs every minute: it batches new changes into deliveries and attempts
every delivery that is due. A failed attempt schedules its own retry after the back-off delay
(`subscriptions.retry_delay`); the tick is the safety net if a scheduled retry was lost.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhengwu.exchange.sharing import access_log, rate_limit, subscriptions
from zhengwu.exchange.sharing.models import Delivery

LOST_AFTER = timedelta(minutes=5)


@db_task()
def delivery_attempt_task(delivery_id: int) -> str:
    status = subscriptions.delivery_attempt(delivery_id)
    if status == Delivery.Status.PENDING:
        attempts = Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        delivery_attempt_task.schedule(args=(delivery_id,), delay=subscriptions.retry_delay(attempts))
    return status


@db_periodic_task(crontab(minute="*"))
def subscriptions_tick() -> int:
    new = subscriptions.subscriptions_collect()
    # Retries are scheduled by the failed attempt itself; only those overdue by more than the
    # grace period (a lost scheduled task) are picked up here, so no delivery is tried twice.
    lost = subscriptions.deliveries_due(timezone.now() - LOST_AFTER)
    for delivery_id in [*new, *(i for i in lost if i not in new)]:
        delivery_attempt_task(delivery_id)
    return len(new) + len(lost)


@db_periodic_task(crontab(minute="*"))
def access_log_seal() -> int:
    sealed = access_log.seal_pending(pause=0.02)
    rate_limit.purge_old()
    return sealed
