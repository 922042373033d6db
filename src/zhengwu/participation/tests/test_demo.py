"""The participation demo loads letters in every state, a consultation and a survey, once."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.conftest import make_staff
from zhengwu.core.idnumbers import make_credit_code, random_resident_id
from zhengwu.participation.demo import load_demo
from zhengwu.participation.models import Comment, Consultation, Letter, Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_covers_the_cycle(jilin: Region) -> None:
    import random

    rng = random.Random(1)
    for serial, prefix in enumerate(["zsj", "scjgt", "jtt", "rst", "gat", "zjt"], start=1):
        department = Department.objects.create(
            name=f"演示部门{prefix}",
            credit_code=make_credit_code("11", "220000", f"DEM{serial:05d}"),
            region=jilin,
            level="province",
        )
        make_staff(f"{prefix}.clerk", department, Role.CLERK)
        if prefix == "zsj":
            make_staff("zsj.egov", department, Role.EGOV_OFFICE)
    for number in range(1, 11):
        User.objects.create_user(
            username=f"citizen{number:02d}",
            kind="citizen",
            real_name=f"居民{number}",
            id_number=random_resident_id(rng),
            password="Zw-demo-2026!",
        )
    summary = load_demo(say=print)
    assert "新增来信 8 件" in summary
    states = set(Letter.objects.values_list("state", flat=True))
    assert {"submitted", "accepted", "dispatched", "handling", "replied", "completed", "visited"} <= states
    assert Letter.objects.filter(published_at__isnull=False).count() == 1
    assert Letter.objects.filter(rating="2").count() == 1
    assert Consultation.objects.get().articles.count() == 6 and Comment.objects.count() == 3
    assert Survey.objects.get().state == "open" and Response.objects.count() == 10
    again = load_demo(say=print)
    assert "新增来信 0 件" in again and Letter.objects.count() == 8 and Response.objects.count() == 10
