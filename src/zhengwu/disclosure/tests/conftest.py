"""People and helpers of the disclosure tests (the shared ones are in zhengwu/conftest.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.conftest import make_staff
from zhengwu.disclosure import services
from zhengwu.disclosure.models import Category, Publication
from zhengwu.disclosure.services import PublicationData


@pytest.fixture
def market_leader(market_dept: Department) -> User:
    return make_staff("market_leader", market_dept, Role.DEPT_LEADER, name="市场监管厅赵处长")


@pytest.fixture
def police_leader(police_dept: Department) -> User:
    return make_staff("police_leader", police_dept, Role.DEPT_LEADER, name="公安厅钱处长")


@pytest.fixture
def egov_officer(jilin: Any) -> User:
    return make_staff("egov_officer", None, Role.EGOV_OFFICE, name="政务办孙主任")


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


def draft(actor: User | None, department: Department, **overrides: Any) -> Publication:
    return services.publication_create(actor=actor, department=department, data=data(**overrides))


def published(actor: User | None, department: Department, **overrides: Any) -> Publication:
    return services.publication_publish(actor=actor, publication=draft(actor, department, **overrides))
