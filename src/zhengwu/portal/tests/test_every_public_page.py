"""Every public page, at a desktop and a phone size: no serious or critical axe-core violation,
and the page never scrolls sideways (document width ≤ window width). In 长者模式 too, at the phone
size, where the type is largest.

The pages are not a hand-kept list: the routes are every URL the refusal matrix marks public
(tests/refusal_matrix.py, built from the URL conf), less those that are not pages for people
(`NOT_PAGES`); a route with arguments gets its URL from the demo's own pages (`zhengwu demo`
loaded, the pages crawled from the home page). A new public page is checked without anyone
listing it, and a public route the crawl cannot reach fails the test until it is reachable or
listed in `NOT_PAGES` with the reason.
"""

from __future__ import annotations

import re
from collections import deque
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import person_client
from zhengwu.portal.tests.test_accessibility import AXE, BLOCKING, axe_violations
from zhengwu.tests.refusal_matrix import URLS, Public
from zhengwu.tests.test_refusal_matrix import walk

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` (make install does)"),
]

# Public routes that are not pages for people (data, downloads, machine interfaces, form posts),
# or that a page before them in the URL conf always answers.
NOT_PAGES = {
    "healthz": "health check",
    "captcha/image/(?P<key>\\w+)/$": "the login CAPTCHA's image (shown after failed logins)",
    "captcha/image/(?P<key>\\w+)@2/$": "the login CAPTCHA's image at double resolution",
    "captcha/audio/(?P<key>\\w+).wav$": "the login CAPTCHA's audio alternative (a sound file)",
    "captcha/refresh/$": "a new CAPTCHA for the login form (JSON)",
    "evaluations/<int:run_id>/departments/<int:department_id>/report.pdf": "download (PDF report)",
    "evaluations/<int:run_id>/departments/<int:department_id>/report.xlsx": "download (Excel report)",
    "evaluations/<int:run_id>/ranking.xlsx": "download (Excel of the whole ranking)",
    "services/results/<int:pk>/sample/": "download (a result's sample file)",
    "api/v1/openapi.json": "machine description",
    "api/v1/docs": "the API's own documentation viewer (third-party page)",
    "api/v1/": "API root",
    "accounts/logout/": "a form post",
    "accounts/phone-code/": "a form post (sends a text message)",
    "catalog/dcat.jsonld": "data",
    "catalog/^export\\.(?P<fmt>xlsx|json)$": "download",
    "catalog/^resource/(?P<code>\\d{1,12}/\\d{3,6})/$": "answered by the cached route before it",
    "disclosure/^(?P<key>[0-9A-Z]{18}/\\d{4}-\\d{5}|\\d{1,11})/$": "answered by the cached route before it",
    "services/material-files/<int:pk>/": "download",
    "disclosure/attachments/<int:pk>/": "download",
    "disclosure/reports/<int:department_id>/<int:year>.xlsx": "download",
    "^opendata/(?P<code>\\d{1,12}/\\d{3,9})/data\\.(?P<fmt>csv|xlsx|json)$": "download",
    "^accessibility/(?P<mode>elder|contrast)/$": "a form post",
    "favicon.ico": "an icon",
}
OPEN311 = "open311/"  # machine interface (XML/JSON)
PARAM = re.compile(r"[<(^]")
HREF = re.compile(r'href="(/[^"#]*)"')
# Pages of a logged-in citizen on the main journeys.
CITIZEN_PAGES = ["/participation/letters/write/", "/disclosure/requests/new/", "/services/mine/", "/certificates/"]
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def public_routes() -> set[str]:
    routes = {r.route for r in walk() if not r.is_api_operation and isinstance(URLS.get(r.route), Public)}
    return {r for r in routes if r not in NOT_PAGES and not r.startswith(OPEN311)}


def route_of(path: str) -> str | None:
    try:
        return resolve(path.split("?", 1)[0]).route
    except Resolver404:
        return None


def find_pages(client: Client, routes: set[str]) -> dict[str, str]:
    """route → a URL of it, crawled from the routes without arguments over the demo's pages."""
    found: dict[str, str] = {}
    queue = deque("/" + r for r in sorted(routes) if not PARAM.search(r))
    seen: set[str] = set()
    while queue and len(seen) < 600:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        route = route_of(path)
        if route in routes and route not in found:
            found[route] = path
        for link in HREF.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            target = route_of(link)
            if target in routes and target not in found and link not in seen and "?" not in link:
                queue.append(link)
    return found


def unlinked_pages() -> dict[str, str]:
    """Public pages no page links to: a certificate's check page (reached by its QR code) and a
    month's exposure list (the demo publishes none: one is published here, empty)."""
    from zhengwu.certificates.models import Certificate
    from zhengwu.core import workdays
    from zhengwu.supervision.models import ExposureList

    pages = {}
    certificate = Certificate.objects.order_by("pk").first()
    if certificate is not None:
        pages["verify/<str:identifier>"] = f"/verify/{certificate.identifier}"
    month = workdays.today().replace(day=1)
    staff = User.objects.filter(kind=User.Kind.STAFF).order_by("pk").first()
    ExposureList.objects.get_or_create(month=month, defaults={"published_by": staff, "rows": []})
    pages["supervision/exposure/<str:month>/"] = f"/supervision/exposure/{month:%Y-%m}/"
    return pages


CHECK = """() => ({
  scroll: document.documentElement.scrollWidth, width: window.innerWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('table.data, .table-scroll, pre, details:not([open])'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className),
})"""


def check_page(page: Any, url: str, label: str, problems: list[str]) -> None:
    response = page.goto(url)
    if response is None or response.status != 200:
        problems.append(f"{label}: status {response and response.status}")
        return
    layout = page.evaluate(CHECK)
    if layout["scroll"] > layout["width"]:
        problems.append(f"{label}: scrolls sideways ({layout['scroll']} > {layout['width']}): {layout['wide']}")
    for v in axe_violations(page):
        if v["impact"] in BLOCKING:
            problems.append(f"{label}: {v['impact']} {v['id']} ({v['help']}): {v['nodes'][:2]}")


def test_every_public_page_is_accessible_and_fits_the_screen(live_server: Any) -> None:
    call_command("demo", enterprises=0, stdout=StringIO())
    routes = public_routes()
    found = find_pages(Client(), routes)
    found |= {route: path for route, path in unlinked_pages().items() if route not in found}
    unreached = sorted(routes - set(found))
    assert not unreached, (
        f"public routes the crawl of the demo did not reach (link them or list in NOT_PAGES): {unreached}"
    )
    assert len(found) >= 30, found

    citizen = User.objects.get(username="citizen01")
    problems: list[str] = []
    with browser_page(inject_scripts=True) as page:
        for size, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for path in sorted(found.values()):
                check_page(page, f"{live_server.url}{path}", f"{size} {path}", problems)
        # 长者模式 at the phone size: the largest type on the narrowest screen.
        page.context.add_cookies([{"name": "zw_elder", "value": "1", "url": live_server.url}])
        for path in sorted(found.values()):
            check_page(page, f"{live_server.url}{path}", f"elder phone {path}", problems)
        page.context.clear_cookies()
        sign_in(page, live_server.url, person_client(citizen))
        for size, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for path in CITIZEN_PAGES:
                check_page(page, f"{live_server.url}{path}", f"citizen {size} {path}", problems)
    assert not problems, "\n".join(problems)
