"""People and helpers of the disclosure tests (the cast is in zhengwu/conftest.py; only the leader
of 公安厅, whom no other app needs, is added here)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.disclosure import services
from zhengwu.disclosure.models import Category, Publication
from zhengwu.disclosure.services import PublicationData


@pytest.fixture
def police_leader(police_dept: Department) -> User:
    return make_staff("police_leader", police_dept, Role.DEPT_LEADER, name="公安厅钱处长")


def data(**overrides: Any) -> PublicationData:
    values: dict[str, Any] = {
        "title": "关于进一步优化营商环境的若干措施",
        "category": Category.POLICY,
        "date_written": date(2026, 3, 2),
        "body": "为深入贯彻落实优化营商环境条例，结合我省实际，制定以下措施。",
        "document_number": "吉市监发〔2026〕12号",
        "subject_words": "营商环境 市场主体",
    }
    values.update(overrides)
    return PublicationData(**values)


def draft(user: User, department: Department, **overrides: Any) -> Publication:
    return services.publication_create(actor=Actor.person(user), department=department, data=data(**overrides))


def published(user: User, department: Department, **overrides: Any) -> Publication:
    return services.publication_publish(actor=Actor.person(user), publication=draft(user, department, **overrides))
