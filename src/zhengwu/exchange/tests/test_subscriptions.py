"""Subscriptions: webhook push signed with SM3-HMAC to a local server, retried with back-off and
given up after N attempts; pull by cursor; only holders of an active grant may subscribe."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import subscriptions
from zhengwu.exchange.sharing.models import AccessLog, Delivery, Grant, Subscription
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, load

people, market_grant = helpers.people, helpers.market_grant

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append((dict(self.headers.items()), body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_push_is_signed_masked_logged_and_moves_the_cursor(
    market_grant: Grant, market_clerk: User, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    subscription, secret = subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.WEBHOOK, url=url
    )
    assert secret and subscription.secret != secret  # stored encrypted
    [delivery_id] = subscriptions.subscriptions_collect()
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.DELIVERED
    [(headers, body)] = state.requests
    assert headers[subscriptions.SIGNATURE_HEADER] == subscriptions.sign(secret, body)
    assert headers[subscriptions.SIGNATURE_HEADER] != subscriptions.sign("wrong", body)
    payload = json.loads(body)
    assert len(payload["changes"]) == 2
    assert all("xb" not in c and c["sfzh"].count("*") == 10 for c in payload["changes"])
    subscription.refresh_from_db()
    assert subscription.cursor == payload["next_since"]
    push = AccessLog.objects.get(operation="push")
    assert push.rows == 2 and push.consumer_id == market_grant.consumer_id and len(push.key_indexes) == 2
    assert subscriptions.subscriptions_collect() == []  # nothing new
    load(market_grant.resource, [{"sfzh": CITIZEN_ID, "xm": "张三", "sjhm": "13800138001", "zz": "新址", "xb": "女"}])
    [second] = subscriptions.subscriptions_collect()
    assert subscriptions.delivery_attempt(second) == Delivery.Status.DELIVERED
    assert len(json.loads(state.requests[1][1])["changes"]) == 1


def test_failed_deliveries_back_off_and_give_up(
    settings: Any, market_grant: Grant, market_clerk: User, receiver: tuple[Receiver, str]
) -> None:
    settings.ZHENGWU_WEBHOOK_MAX_ATTEMPTS = 3
    settings.ZHENGWU_WEBHOOK_RETRY_SECONDS = 10
    state, url = receiver
    state.status = 500
    subscription, _ = subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.WEBHOOK, url=url
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    before = timezone.now()
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.PENDING
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 1 and delivery.last_error == "HTTP 500"
    assert timedelta(seconds=9) < delivery.next_try - before < timedelta(seconds=12)
    assert subscriptions.retry_delay(2) == 20 and subscriptions.retry_delay(3) == 40
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.PENDING
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.FAILED
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.FAILED  # no fourth try
    assert len(state.requests) == 3
    subscription.refresh_from_db()
    assert subscription.cursor == 0


def test_unreachable_endpoint_counts_as_a_failed_attempt(
    market_grant: Grant, market_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(url: str, body: bytes, headers: dict[str, str]) -> int:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(subscriptions, "http_post", refuse)
    subscriptions.subscription_create(
        actor=Actor.person(market_clerk),
        grant=market_grant,
        mode=Subscription.Mode.WEBHOOK,
        url="http://127.0.0.1:9/none",
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.PENDING
    assert "ConnectionRefusedError" in Delivery.objects.get(pk=delivery_id).last_error


def test_the_retry_task_reschedules_itself(
    market_grant: Grant, market_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhengwu.exchange.sharing import tasks

    scheduled: list[tuple[Any, ...]] = []
    monkeypatch.setattr(subscriptions, "http_post", lambda url, body, headers: 503)
    monkeypatch.setattr(tasks.delivery_attempt_task, "schedule", lambda args, delay: scheduled.append((args, delay)))
    subscriptions.subscription_create(
        actor=Actor.person(market_clerk),
        grant=market_grant,
        mode=Subscription.Mode.WEBHOOK,
        url="http://127.0.0.1:9/none",
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    tasks.delivery_attempt_task.call_local(delivery_id)
    assert scheduled == [((delivery_id,), subscriptions.retry_delay(1))]


def test_revoked_grant_stops_pushes(
    market_grant: Grant, market_clerk: User, police_officer: User, receiver: tuple[Receiver, str]
) -> None:
    from zhengwu.exchange.sharing import services as sharing

    state, url = receiver
    subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.WEBHOOK, url=url
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    sharing.grant_revoke(actor=Actor.person(police_officer), grant=market_grant, reason="停止使用")
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.FAILED
    assert state.requests == []


def test_only_the_grant_holder_subscribes(market_grant: Grant, police_clerk: User, market_clerk: User) -> None:
    with pytest.raises(ApplicationError):
        subscriptions.subscription_create(
            actor=Actor.person(police_clerk), grant=market_grant, mode=Subscription.Mode.PULL
        )
    with pytest.raises(ApplicationError):
        subscriptions.subscription_create(
            actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.WEBHOOK, url="ftp://x"
        )
    subscription, secret = subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.PULL
    )
    assert secret == "" and subscription.mode == "pull"
    assert Subscription.objects.count() == 1


def test_two_workers_never_send_the_same_delivery(
    market_grant: Grant, market_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscriptions.subscription_create(
        actor=Actor.person(market_clerk),
        grant=market_grant,
        mode=Subscription.Mode.WEBHOOK,
        url="http://127.0.0.1:9/hook",
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    posts: list[str] = []
    seen_by_second: list[str] = []

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        posts.append(url)
        # A second worker picks up the same delivery while the first is still sending it.
        seen_by_second.append(subscriptions.delivery_attempt(delivery_id))
        return 200

    monkeypatch.setattr(subscriptions, "http_post", post)
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.DELIVERED
    assert len(posts) == 1 and seen_by_second == [Delivery.Status.PENDING]
    assert Delivery.objects.get(pk=delivery_id).claimed_until is None
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.DELIVERED  # done: not sent again
    assert len(posts) == 1


def test_a_lapsed_claim_of_a_crashed_worker_is_taken_over(
    market_grant: Grant, market_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscriptions.subscription_create(
        actor=Actor.person(market_clerk),
        grant=market_grant,
        mode=Subscription.Mode.WEBHOOK,
        url="http://127.0.0.1:9/hook",
    )
    [delivery_id] = subscriptions.subscriptions_collect()
    Delivery.objects.filter(pk=delivery_id).update(claimed_until=timezone.now() + timedelta(minutes=1))
    monkeypatch.setattr(subscriptions, "http_post", lambda url, body, headers: 200)
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.PENDING  # held by another worker
    Delivery.objects.filter(pk=delivery_id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert subscriptions.delivery_attempt(delivery_id) == Delivery.Status.DELIVERED
