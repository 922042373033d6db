"""Reads of the catalog, for views, the API and other apps (the exchange).

Who sees what (`resources_visible`):
- the public (anonymous, citizens, enterprises): published, open to the public, not secret,
  on the external network;
- staff: every published resource, plus all states of their own department's resources
  (drafts, revisions, withdrawn); the e-government office also sees what awaits review and
  withdrawn resources of every department;
- department systems (API clients): published resources that are not secret;
- on an instance with ZHENGWU_ZONE=external nobody sees internal-network or secret resources.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from zhengwu.accounts.models import Department, Role
from zhengwu.catalog.freshness import EXPECTED_INTERVAL, Freshness, freshness
from zhengwu.catalog.models import DataItem, Resource, ResourceVersion, Zone
from zhengwu.catalog.search import query_terms
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import SearchHit
from zhengwu.core.errors import not_found

PUBLISHED = Resource.State.PUBLISHED


def public_resources() -> QuerySet[Resource]:
    return Resource.objects.filter(state=PUBLISHED, open_to_public=True, is_secret=False, zone=Zone.EXTERNAL)


def resources_visible(actor: Actor) -> QuerySet[Resource]:
    """The resources `actor` (a person, or a department system) may see; see the module doc."""
    if actor.api_client is not None:
        rows: QuerySet[Resource] = Resource.objects.filter(state=PUBLISHED, is_secret=False)
    elif actor.is_staff:
        seen = Q(state=PUBLISHED)
        if actor.department_id is not None:
            seen |= Q(provider_id=actor.department_id)
        if actor.has_role(Role.EGOV_OFFICE):
            seen |= Q(state__in=[Resource.State.SUBMITTED, Resource.State.APPROVED, Resource.State.WITHDRAWN])
        rows = Resource.objects.filter(seen)
    else:
        rows = public_resources()
    if settings.ZHENGWU_ZONE == "external":
        rows = rows.filter(zone=Zone.EXTERNAL, is_secret=False)
    return rows.select_related("provider")


def resources_filter(
    rows: QuerySet[Resource],
    *,
    catalog_class: str = "",
    provider_id: int | None = None,
    provider_code: str = "",
    state: str = "",
    query: str = "",
) -> QuerySet[Resource]:
    """Browse by class and provider; `query` ranks by the jieba search index (best first) and
    also matches a resource code exactly."""
    if catalog_class:
        rows = rows.filter(catalog_class=catalog_class)
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    if provider_code:
        rows = rows.filter(provider_code=provider_code)
    if state:
        rows = rows.filter(state=state)
    query = query.strip()
    if query:
        terms = query_terms(query)
        hits = Q(code=query) | Q(name__icontains=query)
        if terms:
            hits |= Q(search_terms__term__in=terms)
        rows = (
            rows.filter(hits)
            .annotate(score=Sum("search_terms__weight", filter=Q(search_terms__term__in=terms), default=0))
            .order_by("-score", "code", "id")
        )
    return rows


# Classification (类 1 + 项 2 + 目 3 + 细目 0–6 digits) + "/" + sequence of at least 3 digits.
RESOURCE_CODE_RE = re.compile(r"^\d{6,12}/\d{3,9}$")


def checked_resource_code(code: str) -> str:
    """A string that cannot be a resource code is simply not found (and never reaches the database)."""
    if not RESOURCE_CODE_RE.match(code):
        raise not_found("信息资源")
    return code


def resource_get_visible(actor: Actor, *, code: str) -> Resource:
    """A resource by code as `actor` may see it; ApplicationError 404 otherwise."""
    code = checked_resource_code(code)
    found = resources_visible(actor).filter(code=code).first()
    if found is None:
        raise not_found("信息资源")
    return found


def resource_get_published(*, code: str) -> Resource:
    """For the exchange: the published resource with this code (404 ApplicationError if none).

    Visibility to the caller is the exchange's own rule (grants); the zone rule still applies.
    """
    code = checked_resource_code(code)
    rows = Resource.objects.select_related("provider").filter(code=code, state=PUBLISHED)
    if settings.ZHENGWU_ZONE == "external":
        rows = rows.filter(zone=Zone.EXTERNAL, is_secret=False)
    found = rows.first()
    if found is None:
        raise not_found("信息资源")
    return found


def published_resources_by_codes(codes: list[str]) -> list[Resource]:
    """The published resources among `codes` (for other apps that name resources by code)."""
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        return []
    return list(Resource.objects.filter(code__in=wanted, state=PUBLISHED).select_related("provider"))


def resources_by_codes(codes: list[str]) -> list[Resource]:
    """The catalog entries (any state) among `codes`, with their provider (for other apps' links)."""
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    return list(Resource.objects.filter(code__in=wanted).select_related("provider")) if wanted else []


def resource_items(resource: Resource) -> list[DataItem]:
    """The data items of a resource in their order (position 1, 2, …)."""
    return list(resource.items.order_by("position"))


def resource_versions(resource: Resource) -> QuerySet[ResourceVersion]:
    return resource.versions.select_related("published_by").order_by("-version")


def resource_open_revision(resource: Resource) -> Resource | None:
    return resource.revisions.first()


def approval_queue() -> QuerySet[Resource]:
    """What the e-government office has to review or publish, oldest first."""
    return (
        Resource.objects.filter(state__in=[Resource.State.SUBMITTED, Resource.State.APPROVED])
        .select_related("provider", "revision_of")
        .order_by("updated_at", "id")
    )


def department_drafts(department_id: int) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(provider_id=department_id)
        .exclude(state__in=[PUBLISHED, Resource.State.WITHDRAWN])
        .select_related("provider", "revision_of")
        .order_by("-updated_at", "-id")
    )


def resource_freshness(resource: Resource) -> Freshness:
    return freshness(update_cycle=resource.update_cycle, last_loaded_at=resource.last_loaded_at)


def authority_holder_of(item_name: str) -> Resource | None:
    """The resource that is the authoritative source of a data item name (一数一源), if any."""
    from zhengwu.catalog.models import AuthoritativeSource

    claim = AuthoritativeSource.objects.select_related("data_item__resource").filter(item_name=item_name).first()
    return claim.data_item.resource if claim else None


def public_search(query: str, *, limit: int = 10) -> list[SearchHit]:
    """What the portal's one search box finds in the catalog: published resources open to the
    public on the external network (never a draft, a withdrawn or an internal resource), best first
    by the jieba index (see `resources_filter`)."""
    query = query.strip()
    if not query or limit <= 0:
        return []
    rows = resources_filter(public_resources().select_related("provider"), query=query)[:limit]
    return [
        SearchHit(
            kind="catalog",
            kind_label="数据资源",
            title=resource.name,
            url=reverse("catalog:detail", args=[resource.code]),
            summary=f"{resource.provider.name} · {resource.summary[:100]}",
            day=resource.publish_date,
            score=float(getattr(resource, "score", 0) or 0),
        )
        for resource in rows
    ]


def public_latest(*, limit: int, provider_id: int | None = None) -> list[Resource]:
    """The newest public resources (of one provider when given), for the portal's home and
    department pages."""
    rows = public_resources().select_related("provider")
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    return list(rows.order_by("-publish_date", "-id")[:limit])


def public_providers() -> QuerySet[Department]:
    """The departments that have at least one public resource, by name."""
    return Department.objects.filter(pk__in=public_resources().values("provider_id")).order_by("name")


def catalog_counts(as_of: datetime) -> dict[int, dict[str, int]]:
    """Per provider department, in one GROUP BY: `registered` entries (first versions, not withdrawn),
    `published` ones and `fresh` ones (published, data loaded within the interval its update cycle
    promises, as of `as_of`; catalog.freshness). For the evaluations (docs/rules.md §13)."""
    fresh = Q()
    for cycle, interval in EXPECTED_INTERVAL.items():
        fresh |= Q(update_cycle=cycle, last_loaded_at__gte=as_of - interval, last_loaded_at__lte=as_of)
    published = Q(state=Resource.State.PUBLISHED)
    rows = (
        Resource.objects.filter(revision_of__isnull=True, created_at__lte=as_of)
        .exclude(state=Resource.State.WITHDRAWN)
        .order_by()
        .values("provider_id")
        .annotate(
            registered=Count("id"),
            published=Count("id", filter=published),
            fresh=Count("id", filter=published & fresh),
        )
    )
    return {r["provider_id"]: {k: r[k] for k in ("registered", "published", "fresh")} for r in rows}
