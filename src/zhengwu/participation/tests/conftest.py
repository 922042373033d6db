"""What the participation tests add to the one cast (src/zhengwu/conftest.py): a letter from 张三
(`citizen`) received by the e-gov office (`egov`, who runs 12345), and helpers to write more."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.core.actors import Actor
from zhengwu.participation import services
from zhengwu.participation.models import Letter


def acting(user: User | None) -> Actor:
    """A person of the cast as an actor; `None` is an anonymous visitor."""
    return Actor.anonymous() if user is None else Actor.person(user)


@pytest.fixture
def letter(citizen: User, egov: User) -> Letter:
    created, _code = services.letter_submit(
        actor=Actor.person(citizen),
        channel="mayor",
        kind="complain",
        title="小区门口餐馆油烟扰民",
        content="我是张三，电话13800138000，住在朝阳区幸福路8号。楼下餐馆油烟直排，夜间噪声大，请市场监管部门查处。",
        consent_publish=True,
        writer_address="朝阳区幸福路8号",
    )
    return created


def submit(actor: Actor, **overrides: Any) -> tuple[Letter, str]:
    data: dict[str, Any] = {
        "channel": "hotline",
        "kind": "consult",
        "title": "咨询营业执照办理",
        "content": "个体工商户营业执照如何在网上办理？需要哪些材料？",
    }
    data.update(overrides)
    return services.letter_submit(actor=actor, **data)
