"""The demo loader makes realistic data through the services and is idempotent."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, Region, User
from zhengwu.disclosure.demo import INTERPRETATIONS, ITEMS, load_demo
from zhengwu.disclosure.models import DisclosureRequest, Publication
from zhengwu.disclosure.selectors import public_search


@pytest.mark.django_db
def test_demo_is_idempotent(jilin: Region) -> None:
    for serial, name in enumerate(sorted({item[0] for item in ITEMS}), start=1):
        Department.objects.create(
            name=name, credit_code=f"1122000001354{serial:04d}X"[:18], region=jilin, level="province"
        )
    for n in (1, 2, 3):
        User.objects.create_user(
            username=f"citizen0{n}", password="x-Long-Password-1", kind="citizen", real_name=f"市民{n}"
        )
    said: list[str] = []
    summary = load_demo(say=said.append)
    assert "政府信息公开" in summary
    published = Publication.objects.filter(state="published").count()
    assert published == len(ITEMS) - 3 + len(INTERPRETATIONS) and Publication.objects.filter(state="draft").count() == 3
    for entry in INTERPRETATIONS:  # each 政策解读 is linked to the policy it explains
        reading = Publication.objects.get(title=entry["title"], state="published")
        assert reading.category == "interpretation" and reading.interprets.title == entry["policy"]
    states = set(DisclosureRequest.objects.values_list("state", flat=True))
    assert states == {"submitted", "correction", "consulting", "answered", "processing"}
    assert public_search("最低工资标准")[0].title == "吉林省人力资源和社会保障厅关于调整全省最低工资标准的通知"
    load_demo(say=said.append)
    assert Publication.objects.count() == len(ITEMS) + len(INTERPRETATIONS) and DisclosureRequest.objects.count() == 5
