"""`zhengwu demo` loads a valid province and can be run again without changing anything."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.accounts.models import THREE_ADMINS, Department, Region, RoleAssignment, User
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (Region.objects.count(), Department.objects.count(), User.objects.count(), RoleAssignment.objects.count())


def test_demo_loads_jilin_and_is_idempotent() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Zhengwu@2026demo" in out.getvalue() and "sysadmin" in out.getvalue()
    first = _counts()
    call_command("demo", stdout=StringIO())
    assert _counts() == first

    assert Region.objects.get(code="220000").name == "吉林省"
    assert Region.objects.get(code="220100").parent.code == "220000"  # type: ignore[union-attr]
    assert Department.objects.count() >= 30
    for department in Department.objects.all():
        validate_credit_code(department.credit_code)
    assert Department.objects.filter(name="吉林省公安厅").exists()
    assert Department.objects.filter(name="吉林省政务服务和数字化建设管理局").exists()
    for user in User.objects.exclude(id_number=""):
        validate_resident_id(user.id_number)
    for user in User.objects.filter(kind=User.Kind.ENTERPRISE):
        validate_credit_code(user.enterprise_credit_code)
    # The three administrators exist, each with exactly one of the three roles.
    for username in ("sysadmin", "secadmin", "auditadmin"):
        roles = User.objects.get(username=username).role_codes()
        assert len(roles & THREE_ADMINS) == 1
    # Every department has staff to log in as.
    assert not Department.objects.filter(staff__isnull=True).exists()
