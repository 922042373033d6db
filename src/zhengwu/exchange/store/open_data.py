"""Read-only access to the rows of an open resource (数据开放), for the portal's downloads.

Only the non-personal data items are ever read: an item marked personal (`is_personal`) or of
type 公民身份号码 is left out of every open download, whatever the resource says. Rows are read
through `store.find_records` in keyset pages, so a download of millions of rows holds one page
in memory at a time. Which resources are open (published, open to the public, external network,
not secret) is the catalog's rule (`catalog.selectors.public_resources`); the caller checks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from zhengwu.catalog.models import DataItem, DataType, Resource
from zhengwu.exchange.store import tables as store

PAGE = store.MAX_PAGE


@dataclass(frozen=True)
class OpenColumn:
    code: str
    name: str
    data_type: str


def has_table(resource: Resource) -> bool:
    """True when the resource keeps structured rows in the data store."""
    return resource.format_class in store.STRUCTURED_FORMATS and bool(resource.key_item)


def open_columns(resource: Resource) -> list[OpenColumn]:
    """The items an open download contains, in their order: never a personal item."""
    items = DataItem.objects.filter(resource=resource).order_by("position")
    return [
        OpenColumn(code=item.code, name=item.name, data_type=item.data_type)
        for item in items
        if not item.is_personal and item.data_type != DataType.RESIDENT_ID
    ]


def open_rows(resource: Resource, columns: list[OpenColumn], *, page: int = PAGE) -> Iterator[list[Any]]:
    """Every live row of the resource as a list of typed values in the order of `columns`,
    ordered by key, one page of `page` rows read at a time."""
    if not has_table(resource):
        return
    codes = [column.code for column in columns]
    after: str | None = None
    while True:
        records, after = store.find_records(resource, {}, after=after, limit=page)
        for record in records:
            yield [record.get(code) for code in codes]
        if after is None:
            return


def open_row_count(resource: Resource) -> int:
    return store.count_records(resource) if has_table(resource) else 0
