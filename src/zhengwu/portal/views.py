"""Public pages (外网): home, department directory, accessibility switches, error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengwu.accounts import selectors as account_selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"figures": account_selectors.directory_figures()})


def departments(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/departments.html", {"groups": account_selectors.departments_by_region()})


@require_POST
def toggle_large_font(request: HttpRequest) -> HttpResponse:
    back = request.META.get("HTTP_REFERER", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    response = redirect(back)
    if request.COOKIES.get("zw_large") == "1":
        response.delete_cookie("zw_large")
    else:
        response.set_cookie("zw_large", "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "页面不存在", "message": "您访问的页面不存在。"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    context = {"title": "系统繁忙", "message": "系统暂时无法处理您的请求，请稍后再试。"}
    return render(request, "core/error.html", context, status=500)
