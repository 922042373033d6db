"""可查询数据项 (docs/rules.md): a filter only on items the catalog declares queryable, each with
its index on (item, key) built by the store; anything else refused, clearly, and logged."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.catalog import services as catalog
from zhengwu.catalog.models import DataItem, Resource
from zhengwu.catalog.services import ItemSpec
from zhengwu.catalog.tests.conftest import license_data, license_items
from zhengwu.conftest import machine_api_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing import selectors as sharing_selectors
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.store import tables
from zhengwu.exchange.store import tasks as store_tasks
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.store.tasks import declaration_changed
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import OTHER_ID, PURPOSE

people, market_grant, market_token = helpers.people, helpers.market_grant, helpers.market_token

pytestmark = pytest.mark.django_db


def search(token: str, **filters: str) -> Any:
    response = machine_api_client().get(
        "/api/v1/exchange/101001/001/records",
        filters,
        headers={"Authorization": f"Bearer {token}", "X-Purpose": quote(PURPOSE)},
    )
    access_log.seal_pending()
    return response


def index_names(resource: Resource) -> list[str]:
    spec = tables.table_spec(resource)
    with connection.cursor() as cursor:
        return sorted(name[len(spec.table) :] for name in tables._existing_indexes(cursor, spec))


@pytest.mark.usefixtures("lookup_path")
def test_a_filter_on_an_item_that_is_not_queryable_is_refused_naming_the_queryable_items(
    market_grant: Grant, market_token: str
) -> None:
    # 住址 (zz) is granted but not declared queryable: a filter on it would scan the table.
    response = search(market_token, zz="吉林省长春市南关区某路2号")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "exchange.not_queryable"
    assert "zz" in body["message"] and "sfzh、xm" in body["message"]  # the queryable items, named
    entry = AccessLog.objects.get()
    assert entry.outcome == "invalid" and entry.reason == "exchange.not_queryable"
    assert entry.filters["zz"] != "吉林省长春市南关区某路2号"  # a personal item: masked in the log
    # Queryable items (and the key) are answered.
    assert search(market_token, xm="李四").status_code == 200
    assert len(search(market_token, sfzh=OTHER_ID).json()["items"]) == 1


@pytest.mark.usefixtures("lookup_path")
def test_bad_filters_are_refused_and_logged(market_grant: Grant, market_token: str) -> None:
    cases = [
        ({}, "exchange.invalid_filter"),  # no condition
        ({"xb": "男"}, "exchange.invalid_filter"),  # queryable, but not granted
        ({"nope": "1"}, "exchange.invalid_filter"),  # no such item
        ({"sfzh": "not-an-id"}, "exchange.invalid_filter"),  # a value its type refuses
        ({"xm": "李四", "after": "not-an-id"}, "exchange.invalid_filter"),  # a bad page cursor
        ({"xm": "李四", "zz": "某路"}, "exchange.not_queryable"),  # one of two not queryable
    ]
    for filters, code in cases:
        response = search(market_token, **filters)
        assert response.status_code == 400, (filters, response.content)
        assert response.json()["code"] == code, filters
    assert list(AccessLog.objects.order_by("seq").values_list("reason", flat=True)) == [code for _, code in cases]


def test_a_declared_item_whose_index_is_not_built_yet_is_refused(people: Resource) -> None:
    DataItem.objects.filter(resource=people, code="zz").update(queryable=True)
    people.refresh_from_db()
    assert sharing_selectors.queryable_items(people) == ["sfzh", "xm", "xb"]  # zz: declared, not built
    with pytest.raises(ApplicationError) as refused:
        sharing_selectors.check_filter(people, {"zz": "某路"})
    assert refused.value.code == "exchange.not_queryable" and "sfzh、xm、xb" in refused.value.message
    assert tables.indexes_stale(people)
    tables.sync_indexes(people)
    sharing_selectors.check_filter(people, {"zz": "某路"})  # built: accepted


def test_the_store_keeps_an_index_on_item_and_key_for_each_queryable_item(people: Resource) -> None:
    assert index_names(people) == ["_q_xb", "_q_xm"]  # built by the row path's load (helpers.load)
    assert StoreTable.objects.get(resource=people).query_indexes == [["xm"], ["xb"]]  # in the items' order
    # The declaration changes: 性别 no longer, 住址 now, and the two together.
    DataItem.objects.filter(resource=people, code="xb").update(queryable=False)
    DataItem.objects.filter(resource=people, code="zz").update(queryable=True)
    Resource.objects.filter(pk=people.pk).update(query_combinations=[["xm", "zz"]])
    people.refresh_from_db()
    assert declaration_changed(people)
    created, dropped = tables.sync_indexes(people)
    spec = tables.table_spec(people)
    assert sorted(created) == [spec.table + "_q_xm__zz", spec.table + "_q_zz"]
    assert dropped == [spec.table + "_q_xb"]
    assert index_names(people) == ["_q_xm", "_q_xm__zz", "_q_zz"]
    assert not declaration_changed(people)
    assert tables.sync_indexes(people) == ([], [])  # nothing more to do
    # The next load into the (now non-empty) table keeps them; into an empty one, rebuilds them.
    helpers.load(people, helpers.PEOPLE)
    assert index_names(people) == ["_q_xm", "_q_xm__zz", "_q_zz"]


def _plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask which index, not whether
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def test_the_filtered_search_reads_the_items_index_not_the_key_order(people: Resource) -> None:
    spec = tables.table_spec(people)
    sql, params = tables.search_sql(people, {"xm": "李四"}, after=None, limit=20)
    plan = _plan(sql, params)
    assert spec.table + "_q_xm" in plan, plan
    assert "SCAN" not in plan and spec.table + "_key" not in plan, plan  # no walk of the whole key index
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan  # the index gives the key order: no sort
    # The next page, from the cursor: the same index.
    sql, params = tables.search_sql(people, {"xm": "李四"}, after=OTHER_ID, limit=20)
    assert spec.table + "_q_xm" in _plan(sql, params)


def test_a_declaration_change_of_a_loaded_resource_is_built_by_the_periodic_check(people: Resource) -> None:
    item = DataItem.objects.get(resource=people, code="zz")
    item.queryable = True
    item.save()
    assert declaration_changed(people)
    store_tasks.store_indexes_sync_check.call_local()  # what the every-minute job does
    assert not declaration_changed(people)
    assert "_q_zz" in index_names(people)
    store_tasks.store_indexes_sync_check.call_local()  # nothing more to do
    assert not declaration_changed(people)


# --- the catalog: the provider declares, the e-government office approves --------------------


def test_queryable_items_are_declared_in_a_revision_and_take_effect_when_published(
    market_officer: User, egov: User
) -> None:
    officer = Actor.person(market_officer)
    draft = catalog.resource_create(
        actor=officer, provider=market_officer.department, data=license_data(), items=license_items()
    )  # type: ignore[arg-type]
    catalog.resource_submit(actor=officer, resource=draft)
    catalog.resource_approve(actor=Actor.person(egov), resource=draft)
    published = catalog.resource_publish(actor=Actor.person(egov), resource=draft)
    revision = catalog.resource_revise(actor=officer, resource=published)
    specs = [ItemSpec.of(item) for item in revision.items.order_by("position")]
    for spec in specs:
        spec.queryable = spec.code in {"user_name", "category"}
    catalog.dataitems_set(actor=officer, resource=revision, items=specs)
    data = license_data(query_combinations=[["category", "user_name"]])
    catalog.resource_update(actor=officer, resource=revision, data=data)
    assert not published.items.filter(queryable=True).exists()  # in service as approved, until published
    catalog.resource_submit(actor=officer, resource=revision)
    catalog.resource_approve(actor=Actor.person(egov), resource=revision)
    catalog.resource_publish(actor=Actor.person(egov), resource=revision)
    published.refresh_from_db()
    assert set(published.items.filter(queryable=True).values_list("code", flat=True)) == {"user_name", "category"}
    assert published.query_combinations == [["category", "user_name"]]
    assert tables.declared_indexes(published) == [("user_name",), ("category",), ("category", "user_name")]


@pytest.mark.parametrize(
    ("combinations", "says"),
    [
        ([["user_name"]], "2 至 4 个"),
        ([["user_name", "user_name"]], "2 至 4 个"),
        ([["user_name", "nope"]], "不是本资源的信息项"),
        ([["user_name", "category"]], "须先声明为可查询"),
        ([["user_name", "certificate_number"], ["user_name", "certificate_number"]], "重复"),
    ],
)
def test_a_bad_combination_is_refused(market_officer: User, combinations: list[list[str]], says: str) -> None:
    items = license_items()
    items[1].queryable = True  # user_name
    items[0].queryable = True  # certificate_number (the key)
    draft = catalog.resource_create(
        actor=Actor.person(market_officer), provider=market_officer.department, data=license_data(), items=items
    )  # type: ignore[arg-type]
    error, _ = refused_write(
        lambda: catalog.resource_update(
            actor=Actor.person(market_officer),
            resource=draft,
            data=license_data(query_combinations=combinations),
        ),
        apps=["catalog"],
        action="catalog.resource_update",
        outcome=AuditEvent.Outcome.FAILURE,
        code="catalog.invalid_items",
    )
    assert says in error.message and "query_combinations" in error.fields


def test_an_existing_demo_gets_the_legal_entity_bases_declaration_through_a_revision(
    market_dept: Any, police_dept: Any, office_dept: Any
) -> None:
    from zhengwu.catalog.demo import GOV_SERVICES, MARKET, POLICE, load_base_catalog

    providers = {MARKET: market_dept, POLICE: police_dept, GOV_SERVICES: office_dept}
    legal = next(r for r in load_base_catalog(providers=providers) if r.name == "法人单位基本信息")
    wanted = {"org_name", "legal_representative", "region_code"}
    assert set(legal.items.filter(queryable=True).values_list("code", flat=True)) == wanted
    DataItem.objects.filter(resource=legal).update(queryable=False)  # a demo loaded before the declaration
    again = next(r for r in load_base_catalog(providers=providers) if r.name == "法人单位基本信息")
    assert again.pk == legal.pk and again.version == legal.version + 1  # published as a new version
    assert set(again.items.filter(queryable=True).values_list("code", flat=True)) == wanted
    # Loading once more changes nothing.
    assert next(r for r in load_base_catalog(providers=providers) if r.pk == legal.pk).version == again.version
