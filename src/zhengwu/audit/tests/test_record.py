"""Appending to the chain: what an event holds, how it is hashed, what is refused."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.audit import services
from zhengwu.audit.chain import event_mac
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import ZERO_HASH, AuditChainHead, AuditEvent
from zhengwu.audit.tests.helpers import make_events
from zhengwu.audit.write import AuditAction
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def A(name: str) -> AuditAction:
    """An audit action named `name`, a member of an enum like an app's."""
    return AuditAction("TestAction", {"ACTION": name})["ACTION"]  # type: ignore[call-overload, no-any-return]


def _request(remote_addr: str = "10.1.2.3", **headers: str) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


class TestChain:
    def test_first_event_links_to_zeros_and_the_next_to_it(self) -> None:
        first, second, third = make_events(3)
        assert (first.seq, second.seq, third.seq) == (1, 2, 3)
        assert first.prev_hash == ZERO_HASH
        assert second.prev_hash == first.hash and third.prev_hash == second.hash
        assert all(len(e.hash) == 64 and int(e.hash, 16) >= 0 for e in (first, second, third))
        head = AuditChainHead.objects.get()
        assert (head.seq, head.hash) == (3, third.hash)

    def test_hash_is_sm3_over_the_documented_canonical_json(self, market_clerk: User) -> None:
        event = services.record_action(
            Actor.person(market_clerk, ip="10.1.2.3"),
            A("accounts.login"),
            target=market_clerk,
            details={"步骤": "密码"},
        )
        event.refresh_from_db()
        payload = {
            "seq": event.seq,
            "at": event.at.astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "actor_id": market_clerk.pk,
            "actor_label": "市场监管局王科员(market_clerk)",
            "actor_kind": "staff",
            "api_client_id": None,
            "api_client_label": "",
            "department_id": market_clerk.department_id,
            "department_label": "吉林省市场监督管理厅",
            "action": "accounts.login",
            "target_type": "accounts.user",
            "target_id": str(market_clerk.pk),
            "target_label": "市场监管局王科员",
            "outcome": "success",
            "zone": "all",
            "ip": "10.1.2.3",
            "details": {"步骤": "密码"},
            "prev_hash": ZERO_HASH,
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert event.hash == sm3_hex(text.encode("utf-8"))
        assert event.mac == event_mac(event.hash) and event.mac != event.hash

    def test_events_are_gapless_even_when_a_caller_rolls_back(self) -> None:
        make_events(2)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.record_action(Actor.platform(), A("test.rolled_back"))
            raise RuntimeError("the write the event described failed")
        later = services.record_action(Actor.platform(), A("test.after"))
        assert later.seq == 3
        assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
        assert services.verify_chain().ok

    def test_ordering_follows_seq_and_time(self) -> None:
        events = make_events(20)
        stored = list(AuditEvent.objects.order_by("seq").values_list("seq", "at"))
        assert [s for s, _ in stored] == list(range(1, 21))
        assert [a for _, a in stored] == sorted(a for _, a in stored)
        assert [e.seq for e in events] == list(range(1, 21))


class TestWhoWhatWhere:
    def test_staff_actor_snapshot_and_department(self, market_clerk: User, market_dept: Department) -> None:
        event = services.record_action(Actor.person(market_clerk), A("accounts.password_change"), target=market_clerk)
        assert event.actor == market_clerk
        assert event.actor_label == "市场监管局王科员(market_clerk)"
        assert event.actor_kind == "staff"
        assert (event.department, event.department_label) == (market_dept, "吉林省市场监督管理厅")
        assert (event.target_type, event.target_id) == ("accounts.user", str(market_clerk.pk))

    def test_explicit_department_and_target_fields_win(self, market_clerk: User, police_dept: Department) -> None:
        event = services.record_action(
            Actor.person(market_clerk),
            A("exchange.query"),
            department=police_dept,
            target_type="exchange.dataset",
            target_id="D-7",
            target_label="人口基础信息",
        )
        assert event.department_label == "吉林省公安厅"
        assert (event.target_type, event.target_id, event.target_label) == ("exchange.dataset", "D-7", "人口基础信息")

    def test_citizen_anonymous_system_and_api_client(self, citizen: User, market_dept: Department) -> None:
        from datetime import timedelta

        from django.utils import timezone

        client = ApiClient.objects.create(
            name="金税三期",
            department=market_dept,
            token_prefix="abc123",
            token_hash="x" * 64,
            expires_at=timezone.now() + timedelta(days=30),
        )
        by_citizen = services.record_action(Actor.person(citizen, ip="10.1.2.3"), A("accounts.login"))
        anonymous = services.record_action(Actor.anonymous(ip="10.1.2.3"), A("accounts.login"), outcome="failure")
        system = services.record_action(Actor.platform(), A("demo.load"))
        machine = services.record_action(Actor.api(client), A("exchange.query"))
        assert (by_citizen.actor_kind, by_citizen.department) == ("citizen", None)
        assert (anonymous.actor_kind, anonymous.actor_label) == ("anonymous", "")
        assert system.actor_kind == "system" and system.ip is None
        assert machine.actor_kind == "api_client"
        assert machine.api_client_label == "金税三期(abc123)" and machine.department == market_dept

    def test_an_anonymous_request_is_an_anonymous_actor(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        request = _request()
        request.user = AnonymousUser()
        event = services.record_action(Actor.from_request(request), A("portal.view"))
        assert event.actor is None and event.actor_kind == "anonymous" and event.ip == "10.1.2.3"

    def test_ip_is_remote_addr_not_forwarded_for(self) -> None:
        request = _request("10.0.0.8", HTTP_X_FORWARDED_FOR="1.1.1.1")
        event = services.record_action(Actor.anonymous(ip=client_ip(request)), A("accounts.login"))
        assert event.ip == "10.0.0.8"

    @pytest.mark.parametrize(
        ("remote", "stored"),
        [
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("::ffff:10.0.0.1", "10.0.0.1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("not-an-ip", None),
        ],
    )
    def test_ip_is_stored_in_the_form_both_databases_give_back(self, remote: str, stored: str | None) -> None:
        event = services.record_action(Actor.anonymous(ip=client_ip(_request(remote))), A("accounts.login"))
        event.refresh_from_db()
        assert event.ip == stored
        assert services.verify_chain().ok

    def test_zone_is_recorded(self, settings: Any) -> None:
        settings.ZHENGWU_ZONE = "internal"
        assert services.record_action(Actor.platform(), A("test.zone")).zone == "internal"

    def test_long_and_odd_labels_are_cut_and_cleaned(self, market_dept: Department) -> None:
        event = services.record_action(
            Actor.platform(), A("test.labels"), target_label="名" * 500 + "\x00", target_id="x" * 100
        )
        assert len(event.target_label) == 200 and len(event.target_id) == 64
        assert services.verify_chain().ok


class TestRefusals:
    @pytest.mark.parametrize(
        "details",
        [
            {"when": __import__("datetime").date(2026, 1, 1)},
            {"amount": Decimal("1.5")},
            {"x": float("nan")},
            {"x": float("inf")},
            {"big": 1e20},
            {"nul": "a\x00b"},
            {"surrogate": "\ud800"},
            {"obj": object()},
            ["not", "a", "dict"],
            {"huge": "字" * 70_000},
        ],
    )
    def test_details_that_are_not_plain_json_are_refused_and_nothing_is_written(self, details: Any) -> None:
        with pytest.raises(ApplicationError) as caught:
            services.record_action(Actor.platform(), A("test.bad"), details=details)
        assert caught.value.code == AuditError.INVALID_EVENT
        assert AuditEvent.objects.count() == 0
        assert AuditChainHead.objects.get().seq == 0

    @pytest.mark.parametrize(
        "action", ["", "login", "Accounts.Login", "accounts.", "a" * 95 + ".login", "accounts login"]
    )
    def test_bad_action_is_refused(self, action: str) -> None:
        with pytest.raises(ApplicationError):
            services.record_action(Actor.platform(), A(action))

    def test_bad_outcome_is_refused(self) -> None:
        with pytest.raises(ApplicationError):
            services.record_action(Actor.platform(), A("test.x"), outcome="maybe")

    def test_unsaved_target_is_refused(self) -> None:
        with pytest.raises(ApplicationError):
            services.record_action(Actor.platform(), A("test.x"), target=User(username="ghost"))

    def test_details_are_normalised_like_storage_would(self) -> None:
        event = services.record_action(Actor.platform(), A("test.x"), details={"t": (1, 2), 3: "three", "z": -0.0})
        assert event.details == {"t": [1, 2], "3": "three", "z": 0.0}
        assert services.verify_chain().ok


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(details=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_any_accepted_details_survive_the_database_round_trip(details: dict[str, Any]) -> None:
    try:
        event = services.record_action(Actor.platform(), A("test.property"), details=details)
    except ApplicationError:
        return  # refused outright: nothing was written
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.details == event.details
    result = services.verify_chain()
    assert result.ok, result


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_gapless() -> None:
    """Writers in separate connections append at the same time; the head lock keeps seq gapless."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself")
    writers, per_writer = 4, 10
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    services.record_action(Actor.platform(), A("test.concurrent"), details={"writer": n, "i": i})
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    result = services.verify_chain(batch_size=7)
    assert result.ok and result.checked == writers * per_writer
