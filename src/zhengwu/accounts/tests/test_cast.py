"""The one cast of test people (src/zhengwu/conftest.py) is what its docstring says: valid
identifiers (full_clean passes) and one role per fixture."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.core.errors import clean

pytestmark = pytest.mark.django_db

DEPARTMENTS = ["market_dept", "police_dept", "office_dept", "nature_dept", "housing_dept"]
STAFF = {
    "market_clerk": ("market_dept", Role.CLERK),
    "market_leader": ("market_dept", Role.DEPT_LEADER),
    "market_officer": ("market_dept", Role.DATA_OFFICER),
    "police_clerk": ("police_dept", Role.CLERK),
    "police_officer": ("police_dept", Role.DATA_OFFICER),
    "egov": ("office_dept", Role.EGOV_OFFICE),
    "supervisor": ("office_dept", Role.SUPERVISOR),
    "sys_admin": ("market_dept", Role.SYS_ADMIN),
    "sec_admin": ("market_dept", Role.SEC_ADMIN),
    "audit_admin": ("market_dept", Role.AUDIT_ADMIN),
}


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_cast_departments_are_valid(request: pytest.FixtureRequest, name: str) -> None:
    department: Department = request.getfixturevalue(name)
    clean(department)


@pytest.mark.parametrize(("name", "where"), STAFF.items())
def test_cast_staff_hold_one_role_in_their_department(
    request: pytest.FixtureRequest, name: str, where: tuple[str, str]
) -> None:
    user: User = request.getfixturevalue(name)
    department_fixture, role = where
    assert user.kind == User.Kind.STAFF
    assert user.department == request.getfixturevalue(department_fixture)
    assert user.role_codes() == {role}


@pytest.mark.parametrize(("name", "kind"), [("citizen", "citizen"), ("company", "enterprise"), ("outsider", "citizen")])
def test_cast_public_people(request: pytest.FixtureRequest, name: str, kind: str) -> None:
    user: User = request.getfixturevalue(name)
    assert user.kind == kind
    clean(user, exclude=["password"])
