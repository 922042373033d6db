"""The one search box: every app's public hits merged by rank, tabs per kind, pages; nothing
that is not public is ever found."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.catalog.models import Resource
from zhengwu.core.contracts import SearchHit
from zhengwu.portal import search as portal_search
from zhengwu.portal.search import Source

pytestmark = pytest.mark.django_db


def _hits(kind: str, label: str, count: int) -> list[SearchHit]:
    return [
        SearchHit(
            kind=kind, kind_label=label, title=f"{label}第{n}条", url=f"/{kind}/{n}/", day=date(2026, 1, n % 28 + 1)
        )
        for n in range(1, count + 1)
    ]


def _fake(kind: str, label: str, count: int) -> Any:
    calls: list[tuple[str, int]] = []

    def search(query: str, *, limit: int = 10) -> list[SearchHit]:
        calls.append((query, limit))
        return _hits(kind, label, count)[:limit]

    search.calls = calls  # type: ignore[attr-defined]
    return search


@pytest.fixture
def three_kinds(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """政府信息公开 with 2 hits, 办事服务 with 25, the real catalog, 公众参与 with none."""
    fakes = {
        "disclosure": _fake("disclosure", "政府信息公开", 2),
        "eservices": _fake("eservices", "办事服务", 25),
        "participation": _fake("participation", "公众参与", 0),
    }
    sources = (
        Source("disclosure", "政府信息公开", fakes["disclosure"]),
        Source("eservices", "办事服务", fakes["eservices"]),
        Source("catalog", "数据资源", catalog_selectors.public_search),
        Source("participation", "公众参与", fakes["participation"]),
    )
    monkeypatch.setattr(portal_search, "SOURCES", sources)
    return fakes


def test_catalog_finds_only_public_resources(
    open_resource: Resource, internal_resource: Resource, draft_resource: Resource, conditional_resource: Resource
) -> None:
    found = catalog_selectors.public_search("特种设备", limit=10)
    titles = {hit.title for hit in found}
    assert titles == {"特种设备使用登记信息", "特种设备检验机构信息"}
    assert all(hit.kind == "catalog" and hit.url.startswith("/catalog/resource/") for hit in found)
    assert catalog_selectors.public_search("草稿台账", limit=10) == []
    assert catalog_selectors.public_search("内部核查", limit=10) == []
    assert catalog_selectors.public_search("", limit=10) == []
    assert len(catalog_selectors.public_search("特种设备", limit=1)) == 1


def test_a_resource_not_open_to_the_public_is_not_found(open_resource: Resource) -> None:
    Resource.objects.filter(pk=open_resource.pk).update(open_to_public=False)
    assert catalog_selectors.public_search("特种设备", limit=10) == []


def test_withdrawn_resource_is_not_found(open_resource: Resource) -> None:
    Resource.objects.filter(pk=open_resource.pk).update(state=Resource.State.WITHDRAWN)
    response = Client().get("/search/", {"q": "特种设备"})
    assert "特种设备使用登记信息" not in response.content.decode()


def test_search_page_merges_every_kind_by_rank(three_kinds: dict[str, Any], open_resource: Resource) -> None:
    response = Client().get("/search/", {"q": "特种设备"})
    assert response.status_code == 200
    hits = response.context["page"].object_list
    # Rank 1 of each kind, then rank 2 of each kind, …
    assert [(h.kind, h.title) for h in hits[:4]] == [
        ("disclosure", "政府信息公开第1条"),
        ("eservices", "办事服务第1条"),
        ("catalog", "特种设备使用登记信息"),
        ("disclosure", "政府信息公开第2条"),
    ]
    assert hits[4].title == "办事服务第2条"
    results = response.context["results"]
    assert results.counts == {"disclosure": 2, "eservices": 25, "catalog": 1, "participation": 0}
    assert response.context["page"].paginator.count == 28
    body = response.content.decode()
    assert '政府信息公开<span class="count">（2）' in body and '全部<span class="count">（28）' in body
    # every app was asked with the same query and a bound
    assert three_kinds["eservices"].calls == [("特种设备", portal_search.PER_KIND)]


def test_tab_shows_one_kind_and_pages(three_kinds: dict[str, Any], open_resource: Resource) -> None:
    first = Client().get("/search/", {"q": "特种设备", "kind": "eservices"})
    page = first.context["page"]
    assert {h.kind for h in page.object_list} == {"eservices"} and len(page.object_list) == 20
    assert 'aria-current="page">办事服务' in first.content.decode()
    second = Client().get("/search/", {"q": "特种设备", "kind": "eservices", "page": "2"})
    assert [h.title for h in second.context["page"].object_list] == [f"办事服务第{n}条" for n in range(21, 26)]
    only_catalog = Client().get("/search/", {"q": "特种设备", "kind": "catalog"})
    assert [h.title for h in only_catalog.context["page"].object_list] == ["特种设备使用登记信息"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 500},
        {"q": "特种设备", "kind": "nope"},
        {"q": "特种设备", "page": "abc"},
    ],
)
def test_odd_input_never_fails(params: dict[str, str], open_resource: Resource) -> None:
    response = Client().get("/search/", params)
    assert response.status_code == 200
    results = response.context["results"]
    assert len(results.query) <= portal_search.MAX_QUERY and results.kind == ""


def test_no_hits_says_so() -> None:
    response = Client().get("/search/", {"q": "航天发射"})
    assert "没有找到与“航天发射”相关的公开内容" in response.content.decode()


def test_interleave_keeps_each_lists_order() -> None:
    a, b = _hits("a", "甲", 3), _hits("b", "乙", 1)
    assert [h.title for h in portal_search.interleave([a, b, []])] == ["甲第1条", "乙第1条", "甲第2条", "甲第3条"]
    assert portal_search.interleave([]) == []


def test_search_over_the_real_apps_finds_only_public_items(
    apps_content: dict[str, Any], open_resource: Resource, draft_resource: Resource, internal_resource: Resource
) -> None:
    """One query, every app: published publications, service items and open data are found; a
    draft or withdrawn publication, a draft service item, a draft or internal resource never."""
    body = Client().get("/search/", {"q": "特种设备"}).content.decode()
    assert "关于开展特种设备安全大检查的通知" in body  # 政府信息公开
    assert "特种设备使用登记信息" in body  # 数据资源
    for hidden in ["草稿：特种设备收费调整", "已撤回的特种设备旧通知", "特种设备草稿台账", "特种设备内部核查信息"]:
        assert hidden not in body, hidden
    services = Client().get("/search/", {"q": "企业开办", "kind": "eservices"})
    assert [hit.title for hit in services.context["page"].object_list] == ["企业开办一件事"]
    assert "草稿事项不应出现" not in Client().get("/search/", {"q": "草稿事项"}).content.decode()
