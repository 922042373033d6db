"""The demo loader makes a realistic set through the services and is idempotent."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, Region, Role
from zhengwu.conftest import make_staff
from zhengwu.documents.demo import load_demo
from zhengwu.documents.models import Delivery, Document
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import with_light


@pytest.mark.django_db
def test_demo_is_idempotent(jilin: Region) -> None:
    names = {
        "bgt": "吉林省人民政府办公厅",
        "scjgt": "吉林省市场监督管理厅",
        "gat": "吉林省公安厅",
        "zsj": "吉林省政务服务和数字化建设管理局",
        "fgw": "吉林省发展和改革委员会",
        "jyt": "吉林省教育厅",
    }
    for serial, (prefix, name) in enumerate(names.items(), start=1):
        department = Department.objects.create(
            name=name, credit_code=f"1122000001354{serial:04d}X"[:18], region=jilin, level="province"
        )
        make_staff(f"{prefix}.clerk", department, Role.CLERK, name=f"{prefix}文书")
        make_staff(f"{prefix}.leader", department, Role.DEPT_LEADER, Role.CLERK, name=f"{prefix}领导")
    said: list[str] = []
    assert "电子公文" in load_demo(say=said.append)
    assert Document.objects.filter(state="issued").count() == 5
    numbers = set(Document.objects.values_list("number", flat=True))
    assert any(n.startswith("吉政办发〔") for n in numbers) and any(n.startswith("吉市监呈〔") for n in numbers)
    joint = Document.objects.get(joint_issuers__department__name="吉林省公安厅")
    assert joint.number.startswith("吉市监联发〔") and joint.joint_issuers.get().countersigned_at is not None
    states = {
        d.department.name[-3:]: d.state
        for d in Delivery.objects.filter(document__kind="notice", document__joint_issuers__isnull=True)
    }
    assert sorted(states.values()) == ["delivered", "handling", "returned"]
    overdue = [str(d.pk) for d in Delivery.objects.filter(document__department__name=names["bgt"])]
    lights = set(
        with_light()
        .filter(kind="documents.sign", state=Timer.State.RUNNING, target_id__in=overdue)
        .values_list("current_light", flat=True)
    )
    assert lights == {"red"}  # the 政数局 has not signed the office's 通知 in time
    load_demo(say=said.append)
    assert Document.objects.count() == 5
