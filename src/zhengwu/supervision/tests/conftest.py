"""What the e-supervision tests add to the one cast (zhengwu/conftest.py: `supervisor`, `egov`,
`market_leader` …): the leader of 公安厅, and a helper that starts timers on throw-away targets."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.db import models

from zhengwu.accounts.models import Department, Role, User
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.supervision import services
from zhengwu.supervision.models import Timer

_numbers = itertools.count(1)


def item(label: str = "tests.item") -> models.Model:
    """A stand-in for a domain object (an application, a request …): a label and a fresh pk."""
    return cast(models.Model, SimpleNamespace(pk=next(_numbers), _meta=SimpleNamespace(label_lower=label)))


def start(
    department: Department,
    limit: int,
    day: date | datetime,
    *,
    kind: str = "eservices.application",
    label: str = "行政许可办结时限",
    title: str = "食品经营许可申请",
    **kwargs: Any,
) -> Timer:
    return services.timer_start(
        actor=Actor.platform(),
        kind=kind,
        kind_label=label,
        target=item(),
        title=title,
        department=department,
        limit=limit,
        start=day,
        **kwargs,
    )


@pytest.fixture
def police_leader(police_dept: Department) -> User:
    return make_staff("police_leader", police_dept, Role.DEPT_LEADER, name="公安厅周处长")
