"""The catalog lifecycle, its rules (docs/rules.md §2/§3) and who is refused at each step."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog import selectors, services
from zhengwu.catalog.errors import CatalogError
from zhengwu.catalog.models import AuthoritativeSource, DataType, Resource, ShareType, Zone
from zhengwu.catalog.services import ItemSpec
from zhengwu.catalog.tests.conftest import license_data, license_items
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError

pytestmark = pytest.mark.django_db


def _draft(officer: User) -> Resource:
    assert officer.department is not None
    return services.resource_create(
        actor=Actor.person(officer), provider=officer.department, data=license_data(), items=license_items()
    )


def _publish(resource: Resource, officer: User, egov: User) -> Resource:
    services.resource_submit(actor=Actor.person(officer), resource=resource)
    services.resource_approve(actor=Actor.person(egov), resource=resource)
    return services.resource_publish(actor=Actor.person(egov), resource=resource)


def test_officer_drafts_and_the_egov_office_publishes_with_a_code(market_officer: User, egov: User) -> None:
    draft = _draft(market_officer)
    assert draft.state == Resource.State.DRAFT and draft.code is None
    assert draft.provider_code == "11220000013544357T"
    first = _publish(draft, market_officer, egov)
    assert first.code == "301002/001" and first.sequence == 1 and first.version == 1
    assert first.publish_date == timezone.localdate()
    second = _publish(_draft(market_officer), market_officer, egov)
    assert second.code == "301002/002"
    assert first.versions.get().snapshot["items"][0]["code"] == "certificate_number"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"catalog.resource_create", "catalog.resource_submit", "catalog.resource_approve"} <= actions
    assert "catalog.resource_publish" in actions


@pytest.mark.parametrize("who", ["police_officer", "market_clerk", "egov"])
def test_only_a_data_officer_of_the_provider_creates(
    who: str, request: pytest.FixtureRequest, market_dept: Department
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(ApplicationError) as caught:
        services.resource_create(
            actor=Actor.person(actor), provider=market_dept, data=license_data(), items=license_items()
        )
    assert caught.value.code == CoreError.PERMISSION_DENIED
    assert not Resource.objects.exists()


def test_others_cannot_edit_submit_or_review(market_officer: User, police_officer: User, egov: User) -> None:
    draft = _draft(market_officer)
    for call in (
        lambda: services.resource_update(
            actor=Actor.person(police_officer), resource=draft, data=license_data(name="改")
        ),
        lambda: services.dataitems_set(actor=Actor.person(egov), resource=draft, items=license_items()),
        lambda: services.resource_submit(actor=Actor.person(police_officer), resource=draft),
    ):
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.code == CoreError.PERMISSION_DENIED
    services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    with pytest.raises(ApplicationError) as caught:
        services.resource_approve(actor=Actor.person(market_officer), resource=draft)
    assert caught.value.code == CoreError.PERMISSION_DENIED
    with pytest.raises(ApplicationError):
        services.resource_publish(actor=Actor.person(police_officer), resource=draft)
    draft.refresh_from_db()
    assert draft.state == Resource.State.SUBMITTED and draft.name == "特种设备使用登记信息"


def test_only_drafts_are_edited_and_states_are_followed(market_officer: User, egov: User) -> None:
    draft = _draft(market_officer)
    with pytest.raises(ApplicationError) as caught:
        services.resource_publish(actor=Actor.person(egov), resource=draft)
    assert caught.value.code == CatalogError.WRONG_STATE
    services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    with pytest.raises(ApplicationError) as caught:
        services.resource_update(actor=Actor.person(market_officer), resource=draft, data=license_data(name="改"))
    assert caught.value.code == CatalogError.WRONG_STATE


def test_reject_needs_reasons_and_returns_to_draft(market_officer: User, egov: User) -> None:
    draft = _draft(market_officer)
    services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    with pytest.raises(ApplicationError) as caught:
        services.resource_reject(actor=Actor.person(egov), resource=draft, reason="  ")
    assert caught.value.code == CatalogError.REASON_REQUIRED
    services.resource_reject(actor=Actor.person(egov), resource=draft, reason="摘要过于简略")
    draft.refresh_from_db()
    assert draft.state == Resource.State.DRAFT and draft.review_comment == "摘要过于简略"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"is_secret": True, "zone": Zone.EXTERNAL, "open_to_public": False}, CatalogError.SECRET_NOT_EXTERNAL, "zone"),
        ({"is_secret": True, "zone": Zone.INTERNAL}, CatalogError.SECRET_NOT_EXTERNAL, "open_to_public"),
        (
            {"share_type": ShareType.NONE, "open_to_public": False},
            CatalogError.NO_SHARE_BASIS_REQUIRED,
            "no_share_basis",
        ),
        ({"share_type": ShareType.CONDITIONAL}, CatalogError.INVALID_INPUT, "share_condition"),
        ({"category": "2"}, CatalogError.INVALID_CLASSIFICATION, "category"),
        ({"subitem": "02"}, CatalogError.INVALID_CLASSIFICATION, "subitem"),
        ({"key_item": "nope"}, CatalogError.INVALID_ITEMS, "key_item"),
        ({"key_item": "category"}, CatalogError.INVALID_ITEMS, "key_item"),
    ],
)
def test_metadata_rules_give_clean_errors(
    market_officer: User, changes: dict[str, object], code: str, field: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.resource_create(
            actor=Actor.person(market_officer),
            provider=market_officer.department,
            data=license_data(**changes),
            items=license_items(),  # type: ignore[arg-type]
        )
    assert caught.value.code == code and field in caught.value.fields
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (ItemSpec(name="编号", code="Bad-Code", data_type=DataType.STRING), "items.3.code"),
        (ItemSpec(name="编号", code="user_name", data_type=DataType.STRING), "items.3.code"),
        (ItemSpec(name="使用单位名称", code="other", data_type=DataType.STRING), "items.3.name"),
        (ItemSpec(name="状态", code="status", data_type=DataType.ENUM), "items.3.enum_values"),
        (ItemSpec(name="状态", code="status", data_type=DataType.STRING, enum_values=["a"]), "items.3.enum_values"),
        (ItemSpec(name="状态", code="status", data_type="money"), "items.3.data_type"),
    ],
)
def test_item_rules(market_officer: User, bad: ItemSpec, field: str) -> None:
    draft = _draft(market_officer)
    with pytest.raises(ApplicationError) as caught:
        services.dataitems_set(actor=Actor.person(market_officer), resource=draft, items=[*license_items(), bad])
    assert caught.value.code == CatalogError.INVALID_ITEMS and field in caught.value.fields
    assert draft.items.count() == 3


def test_dataitems_set_replaces_the_list(market_officer: User) -> None:
    draft = _draft(market_officer)
    items = services.dataitems_set(actor=Actor.person(market_officer), resource=draft, items=license_items()[:1])
    assert [i.code for i in items] == ["certificate_number"]


def test_submit_needs_items_and_a_key(market_officer: User) -> None:
    draft = services.resource_create(
        actor=Actor.person(market_officer),
        provider=market_officer.department,
        data=license_data(key_item=""),
        items=[],  # type: ignore[arg-type]
    )
    with pytest.raises(ApplicationError) as caught:
        services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    assert caught.value.fields == {"items": "请至少登记一个信息项后再提交。"}
    services.dataitems_set(actor=Actor.person(market_officer), resource=draft, items=license_items())
    with pytest.raises(ApplicationError) as caught:
        services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    assert "key_item" in caught.value.fields


def test_one_source_per_item_names_the_holder(base_catalog: list[Resource], police_officer: User) -> None:
    legal = next(r for r in base_catalog if r.name == "法人单位基本信息")
    assert AuthoritativeSource.objects.get(item_name="法定代表人").data_item.resource == legal
    draft = services.resource_create(
        actor=Actor.person(police_officer),
        provider=police_officer.department,  # type: ignore[arg-type]
        data=license_data(category="3", item="02", subitem="009", name="涉企治安信息", open_to_public=False),
        items=[
            *license_items(),
            ItemSpec(name="法定代表人", code="legal_rep", data_type=DataType.STRING, is_authoritative=True),
        ],
    )
    with pytest.raises(ApplicationError) as caught:
        services.resource_submit(actor=Actor.person(police_officer), resource=draft)
    assert caught.value.code == CatalogError.AUTHORITY_TAKEN and caught.value.status == 409
    assert caught.value.message == (
        f"信息项“法定代表人”的权威来源已是 吉林省市场监督管理厅 的《法人单位基本信息》（{legal.code}），"
        "一数一源不得重复认定。"
    )


def test_revision_keeps_the_published_version_in_service(market_officer: User, egov: User) -> None:
    published = _publish(_draft(market_officer), market_officer, egov)
    revision = services.resource_revise(actor=Actor.person(market_officer), resource=published)
    assert revision.state == Resource.State.DRAFT and revision.revision_of == published
    with pytest.raises(ApplicationError) as caught:
        services.resource_revise(actor=Actor.person(market_officer), resource=published)
    assert caught.value.code == CatalogError.REVISION_EXISTS
    keep_id = published.items.get(code="certificate_number").pk
    items = [*license_items()[:2], ItemSpec(name="注册代码", code="register_code", data_type=DataType.STRING)]
    services.resource_update(
        actor=Actor.person(market_officer),
        resource=revision,
        data=license_data(name="特种设备使用登记信息（2026版）"),
        items=items,
    )
    with pytest.raises(ApplicationError) as caught:
        services.resource_update(
            actor=Actor.person(market_officer), resource=revision, data=license_data(subitem="003")
        )
    assert caught.value.code == CatalogError.INVALID_CLASSIFICATION
    assert selectors.resource_get_published(code="301002/001").name == "特种设备使用登记信息"
    final = _publish(revision, market_officer, egov)
    assert final.pk == published.pk and final.code == "301002/001" and final.version == 2
    assert final.name == "特种设备使用登记信息（2026版）"
    assert [i.code for i in selectors.resource_items(final)] == ["certificate_number", "user_name", "register_code"]
    assert final.items.get(code="certificate_number").pk == keep_id
    assert not Resource.objects.filter(pk=revision.pk).exists()
    versions = list(selectors.resource_versions(final))
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].snapshot["name"] == "特种设备使用登记信息"


def test_withdraw_releases_authority_and_needs_reasons(
    base_catalog: list[Resource], market_officer: User, police_officer: User
) -> None:
    legal = next(r for r in base_catalog if r.name == "法人单位基本信息")
    with pytest.raises(ApplicationError):
        services.resource_withdraw(actor=Actor.person(police_officer), resource=legal, reason="错误")
    with pytest.raises(ApplicationError) as caught:
        services.resource_withdraw(actor=Actor.person(market_officer), resource=legal, reason="")
    assert caught.value.code == CatalogError.REASON_REQUIRED
    services.resource_withdraw(actor=Actor.person(market_officer), resource=legal, reason="并入新的法人库")
    legal.refresh_from_db()
    assert legal.state == Resource.State.WITHDRAWN
    assert not AuthoritativeSource.objects.filter(item_name="法定代表人").exists()
    assert legal.versions.count() == 1


def test_mark_loaded_and_freshness(base_catalog: list[Resource]) -> None:
    legal = next(r for r in base_catalog if r.name == "法人单位基本信息")
    assert str(selectors.resource_freshness(legal)) == "尚无数据（0）"
    now = timezone.now()
    services.resource_mark_loaded(resource=legal, at=now - timedelta(hours=2))
    assert selectors.resource_freshness(legal).label == "按期更新"
    services.resource_mark_loaded(resource=legal, at=now - timedelta(days=5))  # never moves backwards
    assert legal.last_loaded_at == now - timedelta(hours=2)
    legal.last_loaded_at = now - timedelta(days=2)
    assert selectors.resource_freshness(legal).score == 70
    legal.last_loaded_at = now - timedelta(days=10)
    assert selectors.resource_freshness(legal).label == "长期未更新"


def test_demo_catalog_is_idempotent(
    base_catalog: list[Resource], market_dept: Department, police_dept: Department
) -> None:
    from zhengwu.catalog.demo import MARKET, POLICE, load_base_catalog

    again = load_base_catalog(providers={MARKET: market_dept, POLICE: police_dept})
    assert Resource.objects.count() == len(base_catalog)
    assert {r.code for r in again} <= {r.code for r in base_catalog}
    people = next(r for r in base_catalog if r.name == "人口基础信息")
    assert people.code == "101001/001" and people.share_type == ShareType.CONDITIONAL
    assert people.items.get(code="id_number").is_personal
    # 户籍地区划代码 is declared queryable: 应急联动 counts the residents of a region by it (docs/rules.md §15)
    assert set(people.items.filter(queryable=True).values_list("code", flat=True)) == {"region_code"}


def test_service_error_codes_are_strings() -> None:
    assert CoreError.PERMISSION_DENIED == "core.permission_denied"
    assert replace(license_data(), name="x").name == "x"


def test_a_sequence_number_is_never_given_twice(market_officer: User, egov: User) -> None:
    from zhengwu.catalog.models import CodeSequence

    first = _publish(_draft(market_officer), market_officer, egov)
    assert CodeSequence.objects.get(classification="301002").last == 1
    # The counter is what decides, even when it is ahead of the resources (e.g. a number given
    # in a publication whose resource later went away).
    CodeSequence.objects.filter(classification="301002").update(last=5)
    second = _publish(_draft(market_officer), market_officer, egov)
    assert (first.code, second.code) == ("301002/001", "301002/006")


@pytest.mark.django_db(transaction=True)
def test_two_resources_published_at_once_get_different_codes(market_officer: User, egov: User) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself")
    drafts = [_draft(market_officer), _draft(market_officer)]
    for draft in drafts:
        services.resource_submit(actor=Actor.person(market_officer), resource=draft)
        services.resource_approve(actor=Actor.person(egov), resource=draft)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(resource: Resource) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            published = services.resource_publish(actor=Actor.person(egov), resource=resource)
            outcomes.append(str(published.code))
        except Exception as error:  # reported by the assertion below
            outcomes.append(f"error: {error}")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=publish, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["301002/001", "301002/002"]
