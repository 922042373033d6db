"""Huey tasks of the data store: a load job run in the background (the work is in `store.ingest`),
and the indexes of queryable items rebuilt when a published resource's declaration changes."""

from __future__ import annotations

import logging

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from zhengwu.catalog.models import Resource
from zhengwu.exchange.store import columnar
from zhengwu.exchange.store.ingest import loadjob_fail_abandoned, loadjob_run
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.store.tables import indexes_stale, sync_indexes

logger = logging.getLogger(__name__)


@db_task()
def loadjob_run_task(job_id: int) -> None:
    loadjob_run(job_id=job_id)


@on_startup()
def loadjobs_abandoned_at_start() -> None:
    """A worker that starts again after a crash fails the loads its dead processes left running."""
    close_old_connections()
    try:
        loadjob_fail_abandoned()
    finally:
        close_old_connections()


@on_startup()
def loading_libraries_at_start() -> None:
    """The columnar path's libraries imported once per worker, not in its first load."""
    columnar.warm_up()


@db_periodic_task(crontab(minute="*/5"))
def loadjobs_abandoned_check() -> None:
    loadjob_fail_abandoned()


@db_task()
def store_indexes_sync_task(resource_id: int) -> None:
    """Build (or drop) the indexes of a loaded resource's queryable items as its published
    version declares them (docs/scaling.md). Until an index is built, a filter on its item is
    refused as not queryable: never answered by a scan."""
    resource = Resource.objects.filter(pk=resource_id, state=Resource.State.PUBLISHED).first()
    if resource is None or not StoreTable.objects.filter(resource_id=resource_id).exists():
        return
    logger.info("building the queryable items' indexes of %s", resource.code)
    created, dropped = sync_indexes(resource)
    logger.info("indexes of %s: created %s, dropped %s", resource.code, created, dropped)


def declaration_changed(resource: Resource) -> bool:
    """True when a loaded, published resource declares other queryable indexes than its table has."""
    return resource.state == Resource.State.PUBLISHED and indexes_stale(resource)


@db_periodic_task(crontab(minute="*"))
def store_indexes_sync_check() -> None:
    """Every minute, build the indexes a newly published declaration asks for. The catalog lies
    below the exchange and cannot call it, and domain flow never goes through signals
    (docs/design.md rule 2): the store looks instead. Until then the item is refused as not
    queryable, never scanned."""
    for resource in Resource.objects.filter(state=Resource.State.PUBLISHED, store_table__isnull=False):
        if declaration_changed(resource):
            store_indexes_sync_task.call_local(resource.pk)  # already in a worker: build it here
