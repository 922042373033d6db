"""Pluggable SMS sending: `console` prints (the default), `memory` keeps messages for tests.

A province plugs in its SMS gateway by adding a backend here and choosing it with
ZHENGWU_SMS_BACKEND.
"""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger("zhengwu.sms")

outbox: list[tuple[str, str]] = []


def send(phone: str, text: str) -> None:
    if settings.SMS_BACKEND == "memory":
        outbox.append((phone, text))
        return
    masked = phone[:3] + "****" + phone[-4:]
    logger.warning("[短信] 发往 %s：%s", masked, text)
    print(f"[短信] 发往 {masked}：{text}", flush=True)
