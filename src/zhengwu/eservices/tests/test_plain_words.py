"""长者模式's plainer words on the service journey: find → guide → apply → track (core/plain_words.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client
from zhengwu.core.actors import Actor
from zhengwu.core.tests.plain_check import check_plain
from zhengwu.eservices import services
from zhengwu.eservices.models import ServiceItem
from zhengwu.eservices.tests.conftest import GOOD_FORM, upload

pytestmark = pytest.mark.django_db


def test_the_service_journey_in_plain_words(citizen: User, item: ServiceItem) -> None:
    check_plain(Client(), "/services/", ["网上办事", "我的办件", "一号查询", "事项"])
    check_plain(Client(), f"/services/items/{item.pk}/", ["在线申请", "受理条件", "承诺办结时限", "申请材料"])
    web = person_client(citizen)
    check_plain(web, f"/services/items/{item.pk}/apply/", ["在线申请", "办事指南"])
    design = item.materials.get(name="建设工程设计方案")
    case = services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )
    check_plain(web, "/services/mine/", ["我的办件", "办件编号", "受理部门", "待受理"])
    check_plain(web, f"/services/mine/{case.number}/", ["办件编号", "查询码", "待受理", "办理过程"])
