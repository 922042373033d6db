"""Huey tasks of the participation app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.core.actors import Actor
from zhengwu.participation import services


@db_periodic_task(crontab(hour="1", minute="10"))
def letters_rating_lapse_daily() -> int:
    """Every night: close the rating period of letters not rated in time."""
    return services.letter_ratings_lapse(actor=Actor.platform())
