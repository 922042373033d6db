from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "页面不存在", "message": "您访问的页面不存在。"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"title": "系统繁忙", "message": "系统暂时无法处理您的请求，请稍后再试。"}, status=500)
