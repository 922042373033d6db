"""Pluggable SMS sending: `console` prints (the default), `memory` keeps messages for tests.

A province plugs in its SMS gateway by adding a backend here and choosing it with
ZHENGWU_SMS_BACKEND.
"""

from __future__ import annotations

from django.conf import settings

outbox: list[tuple[str, str]] = []


def send(phone: str, text: str) -> None:
    if settings.SMS_BACKEND == "memory":
        outbox.append((phone, text))
        return
    masked = phone[:3] + "****" + phone[-4:]
    # Standard output only: the server log shows it once, whatever ZHENGWU_LOG_LEVEL is.
    print(f"[短信] 发往 {masked}：{text}", flush=True)
