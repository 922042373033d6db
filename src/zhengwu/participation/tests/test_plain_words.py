"""长者模式's plainer words on the letter journey: write → my letters → the letter → track (core/plain_words.py)."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client
from zhengwu.core.tests.plain_check import check_plain
from zhengwu.participation.models import Letter

pytestmark = pytest.mark.django_db


def test_the_letter_journey_in_plain_words(citizen: User, letter: Letter) -> None:
    web = person_client(citizen)
    check_plain(web, "/participation/letters/write/", ["我要写信", "提交来信", "公众参与"])
    check_plain(web, "/participation/letters/mine/", ["我的来信", "信件编号", "来信时间", "待受理"])
    check_plain(web, f"/participation/letters/mine/{letter.number}/", ["信件编号", "来信内容", "待受理"])
    check_plain(web, "/participation/letters/track/", ["来信查询"])
