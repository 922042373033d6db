"""No dead links: every page reachable from the home page answers, for every kind of visitor."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client, staff_client

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/",)


def crawl(client: Client, start: str = "/", limit: int = 200) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or path.startswith(SKIP):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for link in HREF.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append(link)
    return seen


def _assert_no_dead(seen: dict[str, int]) -> None:
    dead = {path: status for path, status in seen.items() if status >= 400}
    assert not dead, f"dead links: {dead}"


def test_no_dead_links_for_a_visitor(market_dept: object) -> None:
    _assert_no_dead(crawl(Client()))


def test_no_dead_links_for_a_citizen(citizen: User) -> None:
    _assert_no_dead(crawl(person_client(citizen)))


@pytest.mark.parametrize("who", ["market_clerk", "sys_admin", "sec_admin", "audit_admin"])
def test_no_dead_links_in_the_workbench(request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    seen = crawl(staff_client(user), start="/workbench/")
    assert len(seen) > 1
    _assert_no_dead(seen)
