"""The base catalog of the demo (基础库): the base classes with their authoritative providers,
plus a few theme and department resources, created and published through the services."""

from __future__ import annotations

from zhengwu.accounts.models import Department
from zhengwu.catalog import services
from zhengwu.catalog.models import Resource
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json

# Provider keys the caller maps to departments (`providers`).
POLICE = "公安厅"
MARKET = "市场监督管理厅"
NATURAL_RESOURCES = "自然资源厅"
STATISTICS = "统计局"
DEVELOPMENT = "发展改革委"
GOV_SERVICES = "政务服务和数字化建设管理局"
HEALTH = "卫生健康委"
HR = "人力资源和社会保障厅"
PROVIDER_KEYS = (POLICE, MARKET, NATURAL_RESOURCES, STATISTICS, DEVELOPMENT, GOV_SERVICES, HEALTH, HR)

# The resources with their provider key and data items: data, not code (one entry a resource,
# the fields of `ResourceData` and `ItemSpec` that differ from their defaults): `data/demo_catalog.json`.


def _specs() -> list[tuple[str, ResourceData, list[ItemSpec]]]:
    entries = read_json("zhengwu.catalog", "demo_catalog.json")
    return [
        (entry["provider"], ResourceData(**entry["resource"]), [ItemSpec(**item) for item in entry["items"]])
        for entry in entries
    ]


def load_base_catalog(*, providers: dict[str, Department]) -> list[Resource]:
    """Create and publish the demo catalog as the platform (`Actor.platform()`). `providers` maps the keys
    in `PROVIDER_KEYS` (公安厅, 市场监督管理厅, …) to departments; resources whose provider is not
    given are skipped, and a resource already in the catalog under the same name and provider is
    kept as it is (so loading twice changes nothing)."""
    published: list[Resource] = []
    for key, data, items in _specs():
        provider = providers.get(key)
        if provider is None:
            continue
        existing = Resource.objects.filter(provider=provider, name=data.name, revision_of__isnull=True).first()
        if existing is not None:
            published.append(_declare_queryable(existing, items))
            continue
        resource = services.resource_create(actor=Actor.platform(), provider=provider, data=data, items=items)
        services.resource_submit(actor=Actor.platform(), resource=resource)
        services.resource_approve(actor=Actor.platform(), resource=resource, comment="基础库初始化")
        published.append(services.resource_publish(actor=Actor.platform(), resource=resource))
    return published


def _declare_queryable(resource: Resource, items: list[ItemSpec]) -> Resource:
    """A demo resource published before its items were declared queryable gets the declaration
    through the catalog's change flow (revise, edit, submit, approve, publish), as the platform."""
    wanted = {spec.code for spec in items if spec.queryable}
    have = set(resource.items.filter(queryable=True).values_list("code", flat=True))
    if resource.state != Resource.State.PUBLISHED or wanted == have or resource.revisions.exists():
        return resource
    platform = Actor.platform()
    draft = services.resource_revise(actor=platform, resource=resource)
    specs = [ItemSpec.of(item) for item in draft.items.order_by("position")]
    for spec in specs:
        spec.queryable = spec.code in wanted
    services.dataitems_set(actor=platform, resource=draft, items=specs)
    services.resource_submit(actor=platform, resource=draft)
    services.resource_approve(actor=platform, resource=draft, comment="声明可查询数据项")
    return services.resource_publish(actor=platform, resource=draft)
