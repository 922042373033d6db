"""`zhengwu demo` loads a valid province and can be run again without changing anything."""

from __future__ import annotations

from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command

from zhengwu.accounts.models import THREE_ADMINS, ApiClient, Department, Region, RoleAssignment, User
from zhengwu.conftest import machine_api_client
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id
from zhengwu.exchange import demo as exchange_demo
from zhengwu.exchange.sharing.models import ShareRequest
from zhengwu.supervision.models import Timer

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


def test_demo_system_can_query_with_the_printed_token() -> None:
    """A consumer department's system can call the query API in the demo straight away."""
    out = StringIO()
    call_command("demo", enterprises=20, stdout=out)
    token = exchange_demo.token_path().read_text().strip()
    assert f"Authorization: Bearer {token}" in out.getvalue()
    assert exchange_demo.token_path().stat().st_mode & 0o777 == 0o600
    command = next(line for line in out.getvalue().splitlines() if "/api/v1/exchange/" in line)
    path = command.strip().removeprefix("http://127.0.0.1:8000")
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": quote(exchange_demo.QUERY_PURPOSE)}
    answer = machine_api_client().get(path, headers=headers)
    assert answer.status_code == 200, answer.content
    assert answer.json()["resource"] == "102001/001"
    # The conditional request waits for its provider, with the supervision timer running.
    # (应急管理厅's request on it, for the population count, is approved at once: see the emergency demo)
    pending = ShareRequest.objects.get(resource__name="人口基础信息", consumer__name="吉林省人力资源和社会保障厅")
    assert ShareRequest.objects.get(resource__name="人口基础信息", consumer__name="吉林省应急管理厅").state == "granted"
    assert pending.state == ShareRequest.State.SUBMITTED and pending.consumer.name == "吉林省人力资源和社会保障厅"
    timer = Timer.objects.get(target_type="exchange.sharerequest", target_id=str(pending.pk))
    assert timer.state == Timer.State.RUNNING and timer.department.name == "吉林省公安厅"

    # Run again: the same token, no second request or client.
    counts = (ShareRequest.objects.count(), ApiClient.objects.count())
    again = StringIO()
    call_command("demo", enterprises=20, stdout=again)
    assert f"Authorization: Bearer {token}" in again.getvalue()
    assert (ShareRequest.objects.count(), ApiClient.objects.count()) == counts

    # The kept token lost: the old client is revoked, a new one made and its token printed.
    exchange_demo.token_path().unlink()
    call_command("demo", enterprises=20, stdout=StringIO())
    new_token = exchange_demo.token_path().read_text().strip()
    assert new_token != token
    assert machine_api_client().get(path, headers=headers).status_code == 401
    headers["Authorization"] = f"Bearer {new_token}"
    assert machine_api_client().get(path, headers=headers).status_code == 200
