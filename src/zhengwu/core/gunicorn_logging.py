"""gunicorn's logger for `zhengwu serve`: no HTTP access line for the machine API's reads.

Every GET under MACHINE_API_PREFIX (the query API: keyed lookups, searches, the change feed) is
written to the durable, hash-chained access log before it is answered, with more than the HTTP
line says (client, department, purpose, keys, outcome, latency). The duplicate line cost about an
eighth of a keyed lookup (docs/benchmarks.md). Every other request keeps its access line, the
machine API's writes (upserts) included.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger


def _machine_api_prefix() -> str:
    from django.conf import settings

    return str(settings.MACHINE_API_PREFIX)


class AccessLogger(Logger):
    _prefix: str | None = None

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get("REQUEST_METHOD") == "GET":
            if AccessLogger._prefix is None:
                AccessLogger._prefix = _machine_api_prefix()
            if str(environ.get("PATH_INFO", "")).startswith(AccessLogger._prefix):
                return
        super().access(resp, req, environ, request_time)
