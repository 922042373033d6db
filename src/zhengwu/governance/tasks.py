"""Huey tasks of governance: an evaluation run computed in the background (its page shows progress)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zhengwu.core.actors import Actor
from zhengwu.governance.models import EvaluationRun
from zhengwu.governance.services.evaluations import run_compute


@db_task()
def evaluation_compute(run_id: int) -> None:
    run = EvaluationRun.objects.filter(pk=run_id, state=EvaluationRun.State.COMPUTING).first()
    if run is not None:
        run_compute(actor=Actor.platform(), run=run)
