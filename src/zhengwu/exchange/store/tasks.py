"""Huey tasks of the data store: a load job run in the background (the work is in `store.ingest`)."""

from __future__ import annotations

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from zhengwu.exchange.store.ingest import loadjob_fail_abandoned, loadjob_run


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


@db_periodic_task(crontab(minute="*/5"))
def loadjobs_abandoned_check() -> None:
    loadjob_fail_abandoned()
