"""Request middleware of the bottom layer: zones, NUL refusal and the one error handler."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhengwu.core import refusals
from zhengwu.core.errors import ApplicationError, CoreError, from_validation_error

# Paths that belong to the internal network (内网办理). An external instance never serves
# them, whatever the URL (docs/design.md rule 6); an internal-only instance never serves the portal.
INTERNAL_PREFIXES = ("/workbench/", "/admin/", "/api/v1/internal/")
EXTERNAL_ONLY_PREFIXES: tuple[str, ...] = ()


def path_allowed_in_zone(path: str, zone: str) -> bool:
    if zone == "external":
        return not path.startswith(INTERNAL_PREFIXES)
    if zone == "internal":
        return not path.startswith(EXTERNAL_ONLY_PREFIXES)
    return True


class ZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not path_allowed_in_zone(request.path, settings.ZHENGWU_ZONE):
            # 404, not 403: an external instance does not reveal that internal pages exist.
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "core.not_found", "message": "页面不存在。", "fields": {}}, status=404)
            return render(
                request, "core/error.html", {"title": "页面不存在", "message": "您访问的页面不存在。"}, status=404
            )
        return self.get_response(request)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def render_application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    context = {"title": "操作未完成", "message": error.message, "fields": error.fields, "code": error.code}
    return render(request, "core/error.html", context, status=error.status)


# A NUL character in a JSON string: \u0000 not itself escaped (\\u0000 is a backslash and text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def carries_nul(request: HttpRequest) -> bool:
    """True when the query string or a form or JSON body holds a NUL character: never real input,
    and PostgreSQL cannot store or even compare one (a search for it was a server error). In the
    path it is left to the views: a code or key with one is simply not found."""
    if "%00" in request.META.get("QUERY_STRING", ""):
        return True
    content_type = request.content_type or ""
    if content_type not in ("application/x-www-form-urlencoded", "application/json"):
        return False  # multipart: its text fields are form fields, which refuse NUL themselves
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # refused by the view as before, with its own message
    if content_type == "application/json":
        return _JSON_NUL.search(body) is not None
    return b"%00" in body


class NulRefusalMiddleware:
    """Refuses a request carrying a NUL character before any view sees it (the site only: the
    machine API checks its own parameters and logs each refusal in the exchange access log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request):
            message = "请求中含有空字符（NUL），无法处理。请检查输入内容后重试。"
            return render_application_error(request, ApplicationError(CoreError.INVALID_INPUT, message))
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """Renders an ApplicationError raised by any view as a friendly page (JSON under /api/)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ValidationError):
            exception = from_validation_error(exception)
        if isinstance(exception, ApplicationError):
            refusals.refused(request, exception)
            return render_application_error(request, exception)
        if isinstance(exception, Http404 | PermissionDenied):  # Django renders these; the refusal is recorded
            code = CoreError.NOT_FOUND if isinstance(exception, Http404) else CoreError.PERMISSION_DENIED
            refusals.refused(request, ApplicationError(code, str(exception) or "拒绝访问。"))
        return None
