"""Huey tasks of the data store: a load job run in the background (the work is in `store.ingest`)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zhengwu.exchange.store.ingest import loadjob_run


@db_task()
def loadjob_run_task(job_id: int) -> None:
    loadjob_run(job_id=job_id)
