"""Refused writes that no service saw, recorded all the same (docs/design.md rule 5).

A service's refusal is recorded by its audited write. But many write attempts are refused before
any service runs: a page's access rule (`staff_required`), a 404 for another department's object,
an API's authentication or scope, a malformed request body. Core cannot write to the audit log (it
is the bottom layer), so the audit app registers the recorder at start-up and the error paths —
`core.middleware.ApplicationErrorMiddleware` for pages, the API's error handlers — call `refused`.

Only writes (POST, PUT, PATCH, DELETE) by someone who proved who they are (a person logged in, an
API client) are recorded: reads are not writes, and recording every anonymous attempt would let
anyone fill the log (the web server's access log has those).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest

from zhengwu.core.errors import ApplicationError

logger = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Recorder = Callable[[HttpRequest, ApplicationError], None]
_recorders: list[Recorder] = []


def register(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def refused(request: HttpRequest, error: ApplicationError) -> None:
    """Record `error` as the refusal of this request, unless it is no write or already recorded."""
    if request.method not in WRITES or getattr(error, "refusal", None) is not None:
        return
    error.refusal = "request"  # type: ignore[attr-defined]  # recorded once, whoever sees it next
    for recorder in _recorders:
        try:
            recorder(request, error)
        except Exception:  # the refusal itself must still reach the user
            logger.exception("记录被拒绝的请求失败")
