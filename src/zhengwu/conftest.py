"""The one cast of test people (docs/design.md rule 9), used by every app's tests.

Places: 吉林省 (`jilin`) and its departments 市场监管厅 (`market_dept`), 公安厅 (`police_dept`), the e-gov
office 政务服务和数字化建设管理局 (`office_dept`, which also runs 12345 and e-supervision), 自然资源厅
(`nature_dept`), 住房城乡建设厅 (`housing_dept`) and 应急管理厅 (`emergency_dept`).

People, one fixture per role:
- the public: `citizen` (张三, real-name), `company` (王五, agent of an enterprise), `outsider` (a citizen
  with no relation to anything under test);
- 市场监管厅: `market_clerk`, `market_leader`, `market_officer` (data officer);
- 公安厅: `police_clerk`, `police_officer` (data officer);
- the e-gov office: `egov` (电子政务办), `supervisor` (电子监察);
- 应急管理厅 (`emergency_dept`): `duty_officer` (值班员), `commander` (指挥长);
- `systems_officer`: 市场监管厅's 信息化管理员, who keeps its entries in the systems inventory;
- the three administrators: `sys_admin`, `sec_admin`, `audit_admin`.
An app's conftest adds only what is its own (a second clerk, its records); it never redefines these.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.test.client import ClientHandler
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts.models import Department, Region, Role, RoleAssignment, User

PASSWORD = "Zhengwu-Test-2026!"


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    """Text messages stay in `accounts.sms.outbox` during tests instead of being printed."""
    from zhengwu.accounts import sms

    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _own_witness(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes its log anchors (audit.anchors) to a witness of its own: anchors of another
    test's database would not match this one's (the directory is created only when written to)."""
    settings.ZHENGWU_AUDIT_WITNESS = tmp_path_factory.getbasetemp() / f"witness-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _fresh_writer_stream() -> None:
    """Each test's database starts without staged access-log rows: this process's writer stream
    starts anew too (the numbers it gave in an earlier test's database would look deleted)."""
    from zhengwu.exchange.sharing import access_log

    access_log.new_writer_stream()


@pytest.fixture(autouse=True)
def _no_page_cache(settings: Any) -> None:
    """A test that writes and then reads a public page must see the write at once: the public
    page cache (new within a second after a write) is off unless a test turns it on."""
    settings.ZHENGWU_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_workday_cache() -> Iterator[None]:
    """Calendar overrides a test wrote and rolled back must not linger in the process cache."""
    from zhengwu.core.workdays import invalidate_cache

    invalidate_cache()
    yield
    invalidate_cache()


@pytest.fixture
def jilin(db: Any) -> Region:
    return Region.objects.create(code="220000", name="吉林省", level=Region.Level.PROVINCE)


def _department(region: Region, name: str, credit_code: str) -> Department:
    return Department.objects.create(name=name, credit_code=credit_code, region=region, level=Department.Level.PROVINCE)


@pytest.fixture
def market_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省市场监督管理厅", "11220000013544357T")


@pytest.fixture
def police_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省公安厅", "11220000013544234R")


def make_staff(username: str, department: Department | None, *roles: str, name: str = "") -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, kind=User.Kind.STAFF, department=department, real_name=name or username
    )
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


@pytest.fixture
def office_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省政务服务和数字化建设管理局", "11220000013500303D")


@pytest.fixture
def nature_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省自然资源厅", "11220000013544111Q")


@pytest.fixture
def housing_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省住房和城乡建设厅", "11220000013544189Q")


@pytest.fixture
def emergency_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省应急管理厅", "11220000MB1957820C")


@pytest.fixture
def market_clerk(market_dept: Department) -> User:
    return make_staff("market_clerk", market_dept, Role.CLERK, name="市场监管局王科员")


@pytest.fixture
def market_leader(market_dept: Department) -> User:
    return make_staff("market_leader", market_dept, Role.DEPT_LEADER, name="市场监管厅刘处长")


@pytest.fixture
def market_officer(market_dept: Department) -> User:
    return make_staff("market_data", market_dept, Role.DATA_OFFICER, name="市场监管厅数据管理员赵")


@pytest.fixture
def police_clerk(police_dept: Department) -> User:
    return make_staff("police_clerk", police_dept, Role.CLERK, name="公安厅李科员")


@pytest.fixture
def police_officer(police_dept: Department) -> User:
    return make_staff("police_data", police_dept, Role.DATA_OFFICER, name="公安厅数据管理员钱")


@pytest.fixture
def egov(office_dept: Department) -> User:
    return make_staff("zsj_egov", office_dept, Role.EGOV_OFFICE, name="电子政务办孙主任")


@pytest.fixture
def supervisor(office_dept: Department) -> User:
    return make_staff("zsj_supervisor", office_dept, Role.SUPERVISOR, name="电子监察吴监察员")


@pytest.fixture
def duty_officer(emergency_dept: Department) -> User:
    return make_staff("duty_officer", emergency_dept, Role.DUTY_OFFICER, name="应急管理厅值班员周")


@pytest.fixture
def commander(emergency_dept: Department) -> User:
    return make_staff("commander", emergency_dept, Role.COMMANDER, name="应急管理厅郑指挥长")


@pytest.fixture
def systems_officer(market_dept: Department) -> User:
    return make_staff("market_systems", market_dept, Role.SYSTEMS_OFFICER, name="市场监管厅信息化管理员冯")


@pytest.fixture
def sys_admin(market_dept: Department) -> User:
    return make_staff("sysadmin", market_dept, Role.SYS_ADMIN, name="系统管理员")


@pytest.fixture
def sec_admin(market_dept: Department) -> User:
    return make_staff("secadmin", market_dept, Role.SEC_ADMIN, name="安全管理员")


@pytest.fixture
def audit_admin(market_dept: Department) -> User:
    return make_staff("auditadmin", market_dept, Role.AUDIT_ADMIN, name="审计管理员")


@pytest.fixture
def citizen(db: Any) -> User:
    return User.objects.create_user(
        username="citizen_zhang",
        password=PASSWORD,
        kind=User.Kind.CITIZEN,
        real_name="张三",
        id_number="11010519491231002X",
        phone="13800138000",
    )


COMPANY_CODE = "91110000600037341L"  # the enterprise of `company` (a valid 统一社会信用代码)


@pytest.fixture
def company(db: Any) -> User:
    """The real-name agent (王五) of an enterprise."""
    return User.objects.create_user(
        username="company_agent",
        password=PASSWORD,
        kind=User.Kind.ENTERPRISE,
        real_name="王五",
        id_number="220102198005010159",
        enterprise_name="长春市春城食品有限公司",
        enterprise_credit_code=COMPANY_CODE,
        phone="13700137000",
    )


@pytest.fixture
def outsider(db: Any) -> User:
    """A logged-in citizen with no relation to anything under test."""
    return User.objects.create_user(username="outsider", password=PASSWORD, kind=User.Kind.CITIZEN, real_name="路人")


def staff_client(user: User) -> Client:
    """A client logged in as `user` with the second factor already passed."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def person_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class MachineApiClientHandler(ClientHandler):
    """The test client's handler with the keyed lookup's fast path in front, as in production
    (zhengwu/wsgi.py); `fast_path = False` sends every request to the Django handler."""

    fast_path = True

    def __init__(self) -> None:
        from zhengwu.exchange.sharing.fast_lookup import FastLookup
        from zhengwu.wsgi import machine_api_middleware

        super().__init__(enforce_csrf_checks=False)
        with machine_api_middleware():
            self.load_middleware()
        self.fast = FastLookup(fallback=lambda environ, start_response: [])

    def __call__(self, environ: dict[str, Any]) -> Any:  # what ClientHandler returns
        if self.fast_path:
            # As ClientHandler does: the signal would close the connection of the test's transaction.
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            try:
                response = self.fast.answer(environ)
            finally:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
            if response is not None:
                response.wsgi_request = WSGIRequest(environ)  # type: ignore[attr-defined]
                return response
        return super().__call__(environ)


def machine_api_client() -> Client:
    """A test client whose requests pass the fast path and the middleware of the token API, as
    department systems' requests under MACHINE_API_PREFIX do in production (zhengwu/wsgi.py):
    no sessions, no login."""
    client = Client()
    client.handler = MachineApiClientHandler()
    return client


@pytest.fixture(params=["fast path", "django handler"])
def lookup_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test both ways: keyed lookups answered by the fast path, and all by the Django handler."""
    monkeypatch.setattr(MachineApiClientHandler, "fast_path", request.param == "fast path")
    return str(request.param)
