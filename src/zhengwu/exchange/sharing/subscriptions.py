"""Subscriptions to the changes of a shared resource: webhook push or pull by cursor.

Push: `subscriptions_collect()` (a periodic Huey task) turns the new changes of each active
webhook subscription into one `Delivery` (a batch masked like a query, under the grant), and
`delivery_attempt()` POSTs it as JSON with the header

    X-Zhengwu-Signature: sm3-hmac=<hex SM3-HMAC of the raw body under the subscription secret>

A 2xx answer delivers it (the cursor moves on); anything else is retried with exponential
back-off (`RETRY_BASE_SECONDS` · 2^(attempt-1)) through the Huey queue, and given up after
`MAX_ATTEMPTS` attempts. Each attempt is written to the access log before the data leaves.

Pull: the consumer calls `GET /api/v1/exchange/{code}/changes?since=` (see `sharing.api`).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.accounts.models import Role
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import decrypt_text, encrypt_text, sm3_hmac_hex
from zhengwu.core.errors import ApplicationError, clean, not_found
from zhengwu.exchange.audit_actions import ExchangeAction
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing.models import AccessLog, Delivery, Grant, Subscription

SIGNATURE_HEADER = "X-Zhengwu-Signature"
BATCH_LIMIT = 500
TIMEOUT_SECONDS = 10


def max_attempts() -> int:
    return int(settings.ZHENGWU_WEBHOOK_MAX_ATTEMPTS)


def retry_base_seconds() -> int:
    return int(settings.ZHENGWU_WEBHOOK_RETRY_SECONDS)


def sign(secret: str, body: bytes) -> str:
    return "sm3-hmac=" + sm3_hmac_hex(secret.encode("utf-8"), body)


# --- services -----------------------------------------------------------------------------


def subscription_create(*, actor: Actor, grant: Grant, mode: str, url: str = "") -> tuple[Subscription, str]:
    """A consumer with an active grant subscribes. Returns the subscription and (webhook) its
    signing secret, shown once."""
    with audited_write(actor, ExchangeAction.SUBSCRIPTION_CREATE, grant) as write:
        locked = write.lock(grant)
        write.require(
            actor.works_in(locked.consumer_id, Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER),
            "只有获得授权的部门工作人员可以订阅。",
        )
        if not locked.is_active():
            raise not_found("共享授权")
        if mode not in Subscription.Mode.values:
            raise ApplicationError(ExchangeError.INVALID_SUBSCRIPTION, "订阅方式应为推送或拉取。", {"mode": "无效"})
        secret = ""
        url = (url or "").strip()
        if mode == Subscription.Mode.WEBHOOK:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ApplicationError(
                    ExchangeError.INVALID_SUBSCRIPTION, "请填写有效的推送地址（http/https）。", {"url": "无效"}
                )
            secret = secrets.token_urlsafe(32)
        else:
            url = ""
        subscription = Subscription(
            consumer=locked.consumer,
            resource=locked.resource,
            grant=locked,
            mode=mode,
            url=url,
            secret=encrypt_text(secret) if secret else "",
            created_by=actor.user,
        )
        clean(subscription)
        subscription.save()
        write.set_target(subscription)
        write.note(mode=mode)
    return subscription, secret


def subscription_cancel(*, actor: Actor, subscription: Subscription) -> None:
    """The consumer department (or the e-gov office) ends a subscription."""
    with audited_write(actor, ExchangeAction.SUBSCRIPTION_CANCEL, subscription) as write:
        locked = write.lock(subscription)
        write.require(actor.works_in(locked.consumer_id) or actor.has_role(Role.EGOV_OFFICE))
        Subscription.objects.filter(pk=locked.pk).update(active=False)


# --- push ---------------------------------------------------------------------------------


def _deliverable(subscription: Subscription) -> bool:
    return subscription.active and subscription.grant.is_active()


def subscriptions_collect() -> list[int]:
    """New deliveries for every active webhook subscription with no delivery pending. Returns their ids."""
    from zhengwu.exchange.sharing.query import project_change, resource_shape
    from zhengwu.exchange.store import tables as store

    created: list[int] = []
    webhooks = Subscription.objects.filter(active=True, mode=Subscription.Mode.WEBHOOK).select_related(
        "grant", "resource"
    )
    for subscription in webhooks:
        if not _deliverable(subscription):
            continue
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            if locked.deliveries.filter(status=Delivery.Status.PENDING).exists():
                continue
            changes, until = store.changes_since(subscription.resource, locked.cursor, limit=BATCH_LIMIT)
            if not changes:
                continue
            grant = subscription.grant
            shape = resource_shape(subscription.resource)
            rules = [shape.rules[c] for c in grant.item_codes if c in shape.rules]
            out = [project_change(dict(c), rules, plain_personal=grant.plain_personal) for c in changes]
            delivery = Delivery.objects.create(
                subscription=locked, since=locked.cursor, until=until, body="", rows=len(out)
            )
            payload = {
                "delivery": delivery.pk,
                "resource": subscription.resource.code,
                "since": locked.cursor,
                "next_since": until,
                "changes": out,
            }
            delivery.body = json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
            delivery.save(update_fields=["body"])
            created.append(delivery.pk)
    return created


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status (the boundary the tests replace or point at a local server)."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) checked on create
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _log_push(delivery: Delivery, subscription: Subscription, started: float) -> None:
    from zhengwu.exchange.sharing.query import log_keys, resource_shape

    shape = resource_shape(subscription.resource)
    changes = json.loads(delivery.body).get("changes", [])
    keys, indexes = log_keys(shape, (change.get(shape.key_item) for change in changes))
    access_log.append(
        operation=AccessLog.Operation.PUSH,
        outcome=AccessLog.Outcome.OK,
        reason=f"attempt:{delivery.attempts + 1}",
        consumer=subscription.consumer,
        resource=subscription.resource,
        grant=subscription.grant,
        purpose=subscription.grant.purpose,
        keys=keys,
        key_indexes=indexes,
        item_codes=list(subscription.grant.item_codes),
        rows=delivery.rows,
        filters={"since": str(delivery.since), "delivery": str(delivery.pk)},
        latency_ms=int((time.perf_counter() - started) * 1000),
    )


def delivery_attempt(delivery_id: int) -> str:
    """Try one delivery now. Returns its status; on failure sets the next try (back-off)."""
    started = time.perf_counter()
    delivery = _claim(delivery_id)
    if delivery is None:
        current = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return current or "missing"
    subscription = delivery.subscription
    if not _deliverable(subscription):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error="订阅或授权已失效", claimed_until=None
        )
        return Delivery.Status.FAILED
    body = delivery.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(decrypt_text(subscription.secret), body),
        "X-Zhengwu-Delivery": str(delivery.pk),
        "User-Agent": "zhengwu-webhook/1",
    }
    _log_push(delivery, subscription, started)  # on record before the data leaves
    error = ""
    try:
        status = http_post(subscription.url, body, headers)
    except (OSError, ValueError) as exc:
        status, error = 0, f"{type(exc).__name__}: {exc}"[:500]
    attempts = delivery.attempts + 1
    now = timezone.now()
    with transaction.atomic():
        if 200 <= status < 300:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.DELIVERED, attempts=attempts, delivered_at=now, last_error="", claimed_until=None
            )
            Subscription.objects.filter(pk=subscription.pk, cursor__lt=delivery.until).update(cursor=delivery.until)
            return Delivery.Status.DELIVERED
        error = error or f"HTTP {status}"
        if attempts >= max_attempts():
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, attempts=attempts, last_error=error, claimed_until=None
            )
            return Delivery.Status.FAILED
        delay = retry_delay(attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, last_error=error, next_try=now + timedelta(seconds=delay), claimed_until=None
        )
    return Delivery.Status.PENDING


# How long a worker owns a delivery it is sending: the HTTP timeout with a wide margin.
CLAIM_SECONDS = TIMEOUT_SECONDS * 3 + 30


def _claim(delivery_id: int) -> Delivery | None:
    """Take a pending delivery for this worker, or None when it is not pending or another worker
    holds it, so that no delivery is sent twice at once. PostgreSQL: the row is locked with SKIP
    LOCKED (a worker claiming it at this instant is skipped, not waited for); SQLite: the
    IMMEDIATE transaction admits one writer, so the check and the claim cannot interleave. The
    claim is committed before the POST, so no lock is held while the receiver answers."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__grant", "subscription__resource")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .first()
        )
        if delivery is None:
            return None
        claimed = (
            Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
        if claimed != 1:
            return None
    return delivery


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: base · 2^(attempts-1)."""
    return retry_base_seconds() * 2 ** max(0, attempts - 1)


def deliveries_due(now: Any = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_try__lte=moment)
        .order_by("next_try")
        .values_list("pk", flat=True)[:1000]
    )
