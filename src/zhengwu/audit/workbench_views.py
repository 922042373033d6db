"""The audit administrator's viewer (内网, 审计管理员 only): list, detail, export.

Thin views: parse the request, call a selector, record the viewing, render. Every viewing and
export is itself an audit event (`AuditLogAction.VIEW`, `.EXPORT`, through `record_action`); so is
every refused attempt by a logged-in user ("denied"), since trying to read the audit log is worth
knowing about.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role
from zhengwu.audit import exports, selectors
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.errors import AuditError
from zhengwu.audit.forms import EventFilterForm
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError

View = Callable[..., HttpResponseBase]


def audit_admin_only(action: AuditLogAction) -> Callable[[View], View]:
    """`staff_required(Role.AUDIT_ADMIN)`, recording refusals of logged-in users as "denied"."""

    def decorator(view: View) -> View:
        guarded = staff_required(Role.AUDIT_ADMIN)(view)  # type: ignore[arg-type]  # streams/files too

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return guarded(request, *args, **kwargs)
            except ApplicationError as error:
                if error.code == CoreError.PERMISSION_DENIED and request.user.is_authenticated:
                    record_action(
                        Actor.from_request(request),
                        action,
                        outcome=AuditEvent.Outcome.DENIED,
                        details={"path": request.path[:200]},
                    )
                raise

        return wrapper

    return decorator


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _filter_query(request: HttpRequest, *drop: str) -> str:
    query: QueryDict = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


@audit_admin_only(AuditLogAction.VIEW)
def log(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    flt = form.to_filter() if form.is_bound and valid else selectors.EventFilter()
    before, after = _cursor(request, "before"), _cursor(request, "after")
    page = selectors.events_page(flt, before=before, after=after) if valid else selectors.EventPage()
    record_action(
        Actor.from_request(request),
        AuditLogAction.VIEW,
        details={"filter": flt.as_details(), "before": before, "after": after, "rows": len(page.items)},
    )
    context = {
        "form": form,
        "page": page,
        "query": _filter_query(request, "before", "after", "format"),
    }
    return render(request, "audit/log.html", context)


@audit_admin_only(AuditLogAction.VIEW)
def detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = selectors.event_get(seq)
    intact = selectors.event_intact(event)
    record_action(Actor.from_request(request), AuditLogAction.VIEW, target=event)
    details_text = json.dumps(event.details, ensure_ascii=False, indent=2, sort_keys=True)
    previous, following = selectors.event_neighbours(event.seq)
    context = {
        "event": event,
        "intact": intact,
        "details_text": details_text,
        "previous": previous,
        "following": following,
    }
    return render(request, "audit/detail.html", context)


@audit_admin_only(AuditLogAction.EXPORT)
def export(request: HttpRequest) -> HttpResponseBase:
    fmt = exports.check_format(request.GET.get("format", "csv"))
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        fields = {name: "；".join(str(e) for e in errors) for name, errors in form.errors.items()}
        raise ApplicationError(AuditError.INVALID_FILTER, "筛选条件有误，未导出。", fields)
    flt = form.to_filter()
    through = selectors.head_seq()
    record_action(
        Actor.from_request(request),
        AuditLogAction.EXPORT,
        details={"filter": flt.as_details(), "format": fmt, "through_seq": through},
    )
    rows = selectors.events_stream(flt, through_seq=through)
    filename = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(rows), content_type=exports.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    exports.write_xlsx(rows, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES["xlsx"])
