"""Huey tasks of the governance app: the monthly zombie scan; an evaluation run computed in the
background (its page shows progress)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhengwu.core.actors import Actor
from zhengwu.governance.models import EvaluationRun
from zhengwu.governance.services import zombies
from zhengwu.governance.services.evaluations import run_compute


def zombie_scan_monthly() -> int:
    """The zombie rules on every running system (docs/rules.md §11); returns the reviews opened or refreshed."""
    return len(zombies.zombie_scan(actor=Actor.platform()))


# On the 1st of every month at 03:30 (after the night's sealing of the access log).
zombie_scan_task = db_periodic_task(crontab(day="1", hour="3", minute="30"), name="governance.zombie_scan_monthly")(
    zombie_scan_monthly
)


@db_task()
def evaluation_compute(run_id: int) -> None:
    run = EvaluationRun.objects.filter(pk=run_id, state=EvaluationRun.State.COMPUTING).first()
    if run is not None:
        run_compute(actor=Actor.platform(), run=run)
