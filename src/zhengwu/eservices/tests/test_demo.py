"""The demo loads items and applications in every state, and loading again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.eservices.demo import load_demo
from zhengwu.eservices.models import Application, CaseTask, ItemResult, ItemTheme, Rectification, ServiceItem
from zhengwu.supervision.models import Timer


@pytest.mark.django_db
def test_demo_items_and_applications_idempotent() -> None:
    out = StringIO()
    call_command("demo", enterprises=50, stdout=out)
    assert "网上办事：事项 7 个，一件事 2 个" in out.getvalue(), out.getvalue()
    assert "一件事办件 1 件" in out.getvalue(), out.getvalue()
    states = set(Application.objects.values_list("state", flat=True))
    assert {"submitted", "correction", "processing", "approved", "denied"} - states == {"denied"}
    assert {"refused", "approved"} <= states
    planning = ServiceItem.objects.get(name="建设工程规划许可证核发")
    assert planning.stages.get(position=2).tasks.count() == 3
    assert Application.objects.filter(item=planning, state="approved").exclude(certificate_identifier="").exists()
    assert CaseTask.objects.filter(state=CaseTask.State.SPECIAL).exists()
    assert Rectification.objects.filter(state="open").exists()
    assert Timer.objects.filter(kind="eservices.application", state="running").exists()
    assert ItemTheme.objects.filter(item__name="出生户口登记", theme="户籍办理").exists()
    samples = [bytes(r.sample) for r in ItemResult.objects.all()]
    assert len(samples) >= 7 and all(s.startswith(b"%PDF-") and len(s) > 1000 for s in samples)
    before = (Application.objects.count(), ServiceItem.objects.count(), Timer.objects.count())
    assert "办件" in load_demo(say=lambda text: None)
    assert (Application.objects.count(), ServiceItem.objects.count(), Timer.objects.count()) == before
