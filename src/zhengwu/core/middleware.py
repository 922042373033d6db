"""Request middleware of the bottom layer: zones and the one error handler."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhengwu.core.errors import ApplicationError, from_validation_error

# Paths that belong to the internal network (内网办理). An external instance never serves
# them, whatever the URL (DESIGN rule 6); an internal-only instance never serves the portal.
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


class ApplicationErrorMiddleware:
    """Renders an ApplicationError raised by any HTML view as a friendly page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ValidationError):
            exception = from_validation_error(exception)
        if isinstance(exception, ApplicationError):
            return render_application_error(request, exception)
        return None
