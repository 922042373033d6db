"""People of the participation tests: the 12345 office (电子政务办) clerk, department clerks from the
root conftest, a supervisor, and a letter from 张三 (citizen)."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.conftest import make_staff
from zhengwu.participation import services
from zhengwu.participation.models import Letter


@pytest.fixture
def office_dept(jilin: Region) -> Department:
    return Department.objects.create(
        name="吉林省政务服务和数字化建设管理局", credit_code="11220000MB1957971T", region=jilin, level="province"
    )


@pytest.fixture
def hotline(office_dept: Department) -> User:
    """The 12345 office's e-gov staff member who accepts, dispatches, completes and calls back."""
    return make_staff("hotline_zhao", office_dept, Role.EGOV_OFFICE, name="12345热线赵专员")


@pytest.fixture
def supervisor(office_dept: Department) -> User:
    return make_staff("supervisor_qian", office_dept, Role.SUPERVISOR, name="电子监察钱科长")


@pytest.fixture
def letter(citizen: User, hotline: User) -> Letter:
    created, _code = services.letter_submit(
        actor=citizen,
        channel="mayor",
        kind="complain",
        title="小区门口餐馆油烟扰民",
        content="我是张三，电话13800138000，住在朝阳区幸福路8号。楼下餐馆油烟直排，夜间噪声大，请市场监管部门查处。",
        consent_publish=True,
        writer_address="朝阳区幸福路8号",
    )
    return created


def submit(actor: Any, **overrides: Any) -> tuple[Letter, str]:
    data: dict[str, Any] = {
        "channel": "hotline",
        "kind": "consult",
        "title": "咨询营业执照办理",
        "content": "个体工商户营业执照如何在网上办理？需要哪些材料？",
    }
    data.update(overrides)
    return services.letter_submit(actor=actor, **data)
