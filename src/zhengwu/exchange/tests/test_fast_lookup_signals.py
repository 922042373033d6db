"""The fast path's request signals: only Django's own receivers → their one effect, called
directly; any other receiver → both signals sent as Django's handler sends them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from zhengwu.exchange.sharing.fast_lookup import RequestSignals


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was done: signals sent (recorded, not delivered: Django's receivers would touch the
    test database), old connections closed."""
    seen: list[str] = []

    def spy(name: str) -> Any:
        def send(sender: object, **kwargs: Any) -> list[Any]:
            seen.append(f"sent {name}" + (" with environ" if "environ" in kwargs else ""))
            return []

        return send

    monkeypatch.setattr(signals.request_started, "send", spy("started"))
    monkeypatch.setattr(signals.request_finished, "send", spy("finished"))
    return seen


def request_signals(calls: list[str]) -> RequestSignals:
    sent = RequestSignals()
    sent.close_old_connections = lambda: calls.append("closed old connections")  # type: ignore[method-assign]
    return sent


def test_only_djangos_receivers_close_old_connections_without_sending(calls: list[str]) -> None:
    sent = request_signals(calls)
    sent.started(RequestSignals, {})
    sent.finished(RequestSignals)
    assert calls == ["closed old connections", "closed old connections"]


def test_another_receiver_gets_both_signals(calls: list[str]) -> None:
    def receiver(sender: object, **kwargs: Any) -> None:
        pass

    sent = request_signals(calls)
    sent.started(RequestSignals, {})  # looked at before the receiver is connected
    signals.request_started.connect(receiver)
    signals.request_finished.connect(receiver)
    try:
        sent.started(RequestSignals, {"PATH_INFO": "/"})
        sent.finished(RequestSignals)
    finally:
        signals.request_started.disconnect(receiver)
        signals.request_finished.disconnect(receiver)
    sent.finished(RequestSignals)  # and after it is gone
    assert calls == [
        "closed old connections",
        "sent started with environ",
        "sent finished",
        "closed old connections",
    ]


def test_nothing_closed_while_close_old_connections_is_disconnected(calls: list[str]) -> None:
    # As Django's test client does, so that a test's transaction keeps its connection.
    sent = request_signals(calls)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        sent.started(RequestSignals, {})
        sent.finished(RequestSignals)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert calls == []
