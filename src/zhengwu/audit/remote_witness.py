"""The remote witness: a second zhengwu instance that keeps a copy of every anchor (issue 16).

The local witness directory can be rewritten by whoever holds the disk. When
`ZHENGWU_AUDIT_WITNESS_URL` and `ZHENGWU_AUDIT_WITNESS_TOKEN` are set, each anchor written
(audit.anchors.write_anchor) is also sent to that instance by a Huey task with retries, so the
write never waits on the network; a failure is logged. The other instance keeps it
(audit.witness_peers) and answers with the latest one it holds, which `/healthz` (ops.watch)
reports by age and `zhengwu audit verify` checks the chains against.

Transport only: this module does not read anchors (audit.anchors imports it).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from huey.contrib.djhuey import task

from zhengwu.audit.errors import AuditError
from zhengwu.core.errors import ApplicationError

logger = logging.getLogger(__name__)

PATH = "/api/v1/audit/witness/anchors"
TIMEOUT_SECONDS = 10
RETRIES, RETRY_DELAY_SECONDS = 12, 300  # an hour of retries; the next anchor is sent anyway


def configured() -> bool:
    return bool(settings.ZHENGWU_AUDIT_WITNESS_URL)


def _url() -> str:
    return str(settings.ZHENGWU_AUDIT_WITNESS_URL).rstrip("/") + PATH


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.ZHENGWU_AUDIT_WITNESS_TOKEN}"}


def send_soon(line: str) -> None:
    """Queue `line` (a signed anchor) for the remote witness, when one is configured."""
    if not configured():
        return
    try:
        send_anchor(line)
    except Exception:  # the queue unreachable: the anchor is written locally all the same
        logger.exception("audit: the anchor could not be queued for the remote witness")


@task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_anchor(line: str) -> None:
    try:
        post(line)
    except ApplicationError as error:
        logger.error("audit: the remote witness did not take the anchor: %s", error.message)
        raise


def post(line: str) -> None:
    """Send one anchor line; ApplicationError (AuditError.WITNESS_UNREACHABLE) when not taken."""
    try:
        response = requests.post(_url(), json={"line": line}, headers=_headers(), timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise _unreachable(f"无法连接远程见证 {_url()}：{type(error).__name__}") from None
    if response.status_code != 200:
        raise _unreachable(f"远程见证拒绝了锚点（HTTP {response.status_code}）：{_message(response)}")


def fetch_latest() -> str | None:
    """The latest of this platform's anchors the remote witness holds, as its line (None: none)."""
    try:
        response = requests.get(_url() + "/latest", headers=_headers(), timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise _unreachable(f"无法连接远程见证 {_url()}：{type(error).__name__}") from None
    if response.status_code != 200:
        raise _unreachable(f"远程见证未返回锚点（HTTP {response.status_code}）：{_message(response)}")
    body: Any = response.json()
    line = body.get("line") if isinstance(body, dict) else None
    return str(line) if line else None


def _message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        return response.text[:200]


def _unreachable(message: str) -> ApplicationError:
    return ApplicationError(AuditError.WITNESS_UNREACHABLE, message, status=502)
