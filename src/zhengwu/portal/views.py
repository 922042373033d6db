"""Public pages (外网): home, one search box, department sections (网站群), open data,
accessibility switches, error pages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhengwu.accounts import selectors as account_selectors
from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.catalog.models import Resource
from zhengwu.core import display
from zhengwu.core import errors as core_errors
from zhengwu.core.errors import CoreError
from zhengwu.emergency import selectors as emergency_selectors
from zhengwu.exchange.store import open_data
from zhengwu.portal import feeds, furniture
from zhengwu.portal import opendata as downloads
from zhengwu.portal import search as portal_search
from zhengwu.portal.cache import public_page

SEARCH_PAGE = 20


@public_page
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "figures": account_selectors.directory_figures(),
        "sections": feeds.home_sections(),
        "warnings": emergency_selectors.province_warnings(),
    }
    return render(request, "portal/home.html", context)


@public_page
def search(request: HttpRequest) -> HttpResponse:
    results = portal_search.search(request.GET.get("q", ""), kind=request.GET.get("kind", ""))
    page = Paginator(results.hits, SEARCH_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/search.html", {"results": results, "page": page})


@public_page
def departments(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/departments.html", {"groups": account_selectors.departments_by_region()})


@public_page
def department(request: HttpRequest, key: str) -> HttpResponse:
    found = feeds.department_by_key(key)
    if found is None:
        raise core_errors.not_found("部门")
    sections = feeds.department_sections(found.pk)
    # An empty block is left out (most departments have not published everything yet).
    context = {
        "department": found,
        "sections": [s for s in sections if s.hits],
        "warnings": list(emergency_selectors.warnings_for_region(found.region)[:5]),
    }
    return render(request, "portal/department.html", context)


@public_page
def region(request: HttpRequest, code: str) -> HttpResponse:
    """A region's page: the live warnings of its area (its own, those of the regions above it and of
    the regions inside it: docs/rules.md §14), its departments, the regions under it and a way to its
    services. Cached like every public page; an issued or lifted warning is an audited write, so the
    page is new at once (portal/cache.py)."""
    found = account_selectors.region_page(code)
    if found is None:
        raise core_errors.not_found("行政区划")
    context = {**found, "warnings": list(emergency_selectors.warnings_for_region(found["region"])[:5])}
    return render(request, "portal/region.html", context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 12 else None


@public_page
def opendata(request: HttpRequest) -> HttpResponse:
    """The open catalog: every resource open to the public, with its download formats."""
    query = request.GET.get("q", "").strip()[:100]
    provider_id = _int(request.GET.get("provider"))
    base = catalog_selectors.public_resources()
    rows = catalog_selectors.resources_filter(base.select_related("provider"), provider_id=provider_id, query=query)
    if not query:
        rows = rows.order_by("-publish_date", "code", "id")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    for resource in page.object_list:
        resource.open_label = downloads.open_label(resource)
        resource.has_rows = open_data.has_table(resource)
    context = {
        "page": page,
        "q": query,
        "provider": provider_id,
        "providers": catalog_selectors.public_providers(),
    }
    return render(request, "portal/opendata.html", context)


def _open_resource(code: str) -> Resource:
    code = catalog_selectors.checked_resource_code(code)
    found = catalog_selectors.public_resources().select_related("provider").filter(code=code).first()
    if found is None:
        raise core_errors.not_found("开放数据")
    return found


@public_page
def opendata_detail(request: HttpRequest, code: str) -> HttpResponse:
    resource = _open_resource(code)
    has_rows = open_data.has_table(resource)
    context = {
        "resource": resource,
        "open_label": downloads.open_label(resource),
        "columns": open_data.open_columns(resource),
        "has_rows": has_rows,
        "row_count": open_data.open_row_count(resource) if has_rows else 0,
        "may_download": downloads.download_allowed(request, resource),
        "formats": downloads.FORMATS,
        "api_path": f"/api/v1/catalog/resources/{resource.code}",
        "api_url": request.build_absolute_uri(f"/api/v1/catalog/resources/{resource.code}"),
        "csv_url": request.build_absolute_uri(reverse("portal:opendata_download", args=[resource.code, "csv"])),
        "fresh": catalog_selectors.resource_freshness(resource),
    }
    return render(request, "portal/opendata_detail.html", context)


def opendata_download(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    resource = _open_resource(code)
    if not open_data.has_table(resource):
        raise core_errors.not_found("开放数据")
    if not downloads.download_allowed(request, resource):
        login = reverse("accounts:login")
        return redirect(f"{login}?next={reverse('portal:opendata_detail', args=[resource.code])}")
    return downloads.download_response(resource, open_data.open_columns(resource), fmt)


# Exempt from CSRF: it only flips a display cookie of the visitor's own browser (no account state),
# and without a token in the header form the public pages are the same for every visitor and can
# be cached (portal/cache.py).
@csrf_exempt
@require_POST
def toggle_display(request: HttpRequest, mode: str) -> HttpResponse:
    """Turn a display mode (长者模式 or 高对比度, core/display.py) on or off and go back to the page."""
    back = request.META.get("HTTP_REFERER", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    response = redirect(back)
    cookie = display.COOKIES[mode]
    if request.COOKIES.get(cookie) == "1":
        response.delete_cookie(cookie)
    else:
        response.set_cookie(cookie, "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.kind == "staff")


@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/sitemap.html", {"groups": furniture.sitemap(staff=_is_staff(request))})


@public_page
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact.html")


@public_page
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html")


@public_page
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


def favicon(request: HttpRequest) -> HttpResponseBase:
    """/favicon.ico for browsers and crawlers that ask for it there (pages link the SVG)."""
    response = HttpResponse(furniture.FAVICON_ICO, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


# The error pages (docs/design.md "页面结构"): each is the site's own page, in Chinese, whatever
# the server (granian under `zhengwu serve`, or runserver), with no hint about settings.
def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message, "status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return _error(request, 400, "提交的项目过多", "一次提交的表单项或文件过多，请分几次提交。")
    return _error(request, 400, "请求有误", "无法处理您提交的内容，请返回上一页检查后重新提交。")


def too_large(request: HttpRequest) -> HttpResponse:
    limit = furniture.megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    message = (
        f"提交的内容过大：表单文字部分不能超过 {limit}。"
        "请缩短文字，或把材料作为附件上传（附件另有大小限制，见上传框旁的说明）。"
    )
    return _error(request, 413, "提交的内容过大", message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "无权访问", "您没有访问此页面的权限。如需办理，请登录有权限的账号。")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = (
        "页面已过期或浏览器未保存本站的 Cookie，为保护您的账号安全，本次提交未被受理。"
        "请返回上一页，刷新后重新提交；如仍不行，请允许浏览器保存本站 Cookie。"
    )
    return _error(request, 403, "页面已过期，请刷新后重试", message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/api/"):  # a machine asked: the API's own error body, not a page
        return JsonResponse({"code": CoreError.NOT_FOUND, "message": "接口地址不存在。", "fields": {}}, status=404)
    return _error(request, 404, "页面不存在", "您访问的页面不存在或已删除。可以从首页或网站地图重新查找。")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "系统繁忙", "系统暂时无法处理您的请求，请稍后再试。")
