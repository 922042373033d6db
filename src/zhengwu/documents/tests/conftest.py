"""People and helpers of the documents tests (the cast is in zhengwu/conftest.py: `market_clerk` is
the sending 文书, `market_leader` the signing leader, `police_clerk` the receiving 文书; only the
leader of 公安厅, who instructs received documents, is added here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.documents import services
from zhengwu.documents.models import Document, Kind
from zhengwu.documents.services import DocumentData


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture
def police_leader(police_dept: Department) -> User:
    return make_staff("police_leader", police_dept, Role.DEPT_LEADER, name="公安厅钱处长")


def data(**overrides: Any) -> DocumentData:
    values: dict[str, Any] = {
        "kind": Kind.NOTICE,
        "prefix": "吉市监发",
        "title": "吉林省市场监督管理厅关于开展2026年度食品安全专项检查的通知",
        "main_to": "省公安厅，省政务服务和数字化建设管理局",
        "body": "为切实保障人民群众饮食安全，经研究，决定在全省开展食品安全专项检查。现将有关事项通知如下。\n"
        "一、检查范围。全省各类食品生产经营单位。\n二、工作要求。各单位要高度重视，认真组织实施。",
        "attachment_note": "专项检查工作方案",
        "written_on": date(2026, 3, 2),
        "remark": "联系人：王科员，电话：0431-88888888",
        "copy_to": "省委办公厅，省人大常委会办公厅",
    }
    values.update(overrides)
    return DocumentData(**values)


def draft(user: User, department: Department, **overrides: Any) -> Document:
    return services.document_draft(actor=Actor.person(user), department=department, data=data(**overrides))


def signed(clerk: User, leader: User, department: Department, **overrides: Any) -> Document:
    document = draft(clerk, department, **overrides)
    services.document_submit(actor=Actor.person(clerk), document=document)
    services.document_review(actor=Actor.person(leader), document=document, approve=True, comment="同意")
    services.document_submit_for_signing(actor=Actor.person(clerk), document=document)
    return services.document_sign(actor=Actor.person(leader), document=document)


def registered(clerk: User, leader: User, department: Department, recipients: list[Department], **kw: Any) -> Document:
    document = signed(clerk, leader, department, **kw)
    services.document_check(actor=Actor.person(clerk), document=document)
    return services.document_register(actor=Actor.person(clerk), document=document, main_departments=recipients)


def issued(clerk: User, leader: User, department: Department, recipients: list[Department], **kw: Any) -> Document:
    document = registered(clerk, leader, department, recipients, **kw)
    services.document_print(actor=Actor.person(clerk), document=document)
    return services.document_issue(actor=Actor.person(clerk), document=document)
