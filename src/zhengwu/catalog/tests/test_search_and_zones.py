"""jieba search ranking and the zone rule of an external instance."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.catalog import selectors
from zhengwu.catalog.models import Resource, ResourceSearchTerm
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


def test_search_ranks_name_hits_above_item_hits(base_catalog: list[Resource], police_clerk: User) -> None:
    rows = selectors.resources_filter(selectors.resources_visible(Actor.person(police_clerk)), query="电子证照")
    names = [r.name for r in rows]
    assert names[0] == "电子证照目录信息"
    by_item = selectors.resources_filter(selectors.resources_visible(Actor.person(police_clerk)), query="公民身份号码")
    assert by_item.first().name == "人口基础信息"  # type: ignore[union-attr]
    assert not selectors.resources_filter(
        selectors.resources_visible(Actor.person(police_clerk)), query="航天发射"
    ).exists()


def test_index_is_filled_on_publish_only(base_catalog: list[Resource]) -> None:
    legal = next(r for r in base_catalog if r.name == "法人单位基本信息")
    terms = dict(ResourceSearchTerm.objects.filter(resource=legal).values_list("term", "weight"))
    assert terms["法人"] >= 10 and terms["法定代表"] >= 4


def test_external_instance_never_shows_internal_resources(
    base_catalog: list[Resource], police_clerk: User, settings: object
) -> None:
    settings.ZHENGWU_ZONE = "external"  # type: ignore[attr-defined]
    visible = selectors.resources_visible(Actor.person(police_clerk))
    assert visible.exists() and not visible.filter(zone="internal").exists()
    people = next(r for r in base_catalog if r.name == "人口基础信息")
    assert Client().get(f"/api/v1/catalog/resources/{people.code}").status_code == 404
    with pytest.raises(Exception, match="不存在"):
        selectors.resource_get_published(code=people.code or "")
    assert Client().get("/workbench/catalog/").status_code == 404


@pytest.mark.parametrize("query", ["的", "！！", "102001/001", "法人"])
def test_queries_without_terms_or_by_code_work(base_catalog: list[Resource], query: str) -> None:
    response = Client().get("/catalog/", {"q": query})
    assert response.status_code == 200
    api = Client().get("/api/v1/catalog/resources", {"q": query})
    assert api.status_code == 200
    if query == "102001/001":
        assert [i["code"] for i in api.json()["items"]] == ["102001/001"]
