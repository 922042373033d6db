"""`zhengwu demo` loads synthetic but valid records into the demo catalog's resources."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.accounts import services, sms
from zhengwu.accounts.models import User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import PASSWORD
from zhengwu.core.actors import Actor
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id
from zhengwu.core.regions import is_valid_region_code
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tables import count_records, find_records, get_record

pytestmark = pytest.mark.django_db


def _resource(name: str) -> Resource:
    return Resource.objects.get(name=name, state=Resource.State.PUBLISHED)


def _register_visitor(name: str, id_number: str) -> User:
    visitor = Actor.anonymous(ip="192.0.2.30")
    sms.outbox.clear()
    services.phone_code_send(actor=visitor, phone="13900003001")
    code = sms.outbox[-1][1].split("验证码是 ")[1][:6]
    return services.citizen_register(
        actor=visitor,
        username="visitor01",
        real_name=name,
        id_number=id_number,
        phone="13900003001",
        phone_code=code,
        password=PASSWORD,
    )


def _all_records(resource: Resource) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    after: str | None = None
    while True:
        page, after = find_records(resource, {}, after=after, limit=1000)
        rows.extend(page)
        if after is None or not page:
            return rows


def test_demo_loads_valid_records_and_is_idempotent() -> None:
    out = StringIO()
    call_command("demo", enterprises=50, stdout=out)
    assert "法人记录 50 条" in out.getvalue()

    legal = _resource("法人单位基本信息")
    assert count_records(legal) == 50
    records = _all_records(legal)
    assert len({r["credit_code"] for r in records}) == 50
    for row in records:
        assert validate_credit_code(str(row["credit_code"])).region_code.startswith("22")
        assert is_valid_region_code(str(row["region_code"]))
        assert str(row["address"]).startswith("吉林省")
    # The demo companies are among the 法人, under the credit codes of their accounts.
    company = User.objects.get(username="company01")
    assert get_record(legal, company.enterprise_credit_code) is not None

    # A demo citizen's own ID number is in the population, so they can see who reads it.
    population = _resource("人口基础信息")
    citizen = User.objects.get(username="citizen01")
    person = get_record(population, citizen.id_number)
    assert person is not None and person["name"] == citizen.real_name
    assert count_records(population) > 500
    for row in _all_records(population)[:50]:
        validate_resident_id(str(row["id_number"]))
        assert is_valid_region_code(str(row["region_code"]))  # 户籍地区划代码: what 应急联动 counts by
    # Every published structured resource of the demo has records, each loaded through the exchange.
    for name in ("不动产登记信息", "宏观经济主要指标", "公共信用信息", "电子证照目录信息", "社会保险参保信息"):
        assert count_records(_resource(name)) > 0, name
    jobs = LoadJob.objects.count()
    assert jobs >= 10 and not LoadJob.objects.exclude(state=LoadJob.State.SUCCEEDED).exists()

    # Running again changes nothing, even after a visitor registered: what a registering person
    # declares never goes into 公安厅's base (一数一源), `<script>` names included.
    seq = get_record(legal, company.enterprise_credit_code)["_seq"]  # type: ignore[index]
    people = count_records(population)
    registered = _register_visitor("<script>alert(1)</script>", "110101199003074514")
    assert not registered.identity_verified
    call_command("demo", enterprises=50, stdout=StringIO())
    assert LoadJob.objects.count() == jobs
    assert count_records(population) == people
    assert get_record(population, "110101199003074514") is None
    assert get_record(legal, company.enterprise_credit_code)["_seq"] == seq  # type: ignore[index]

    # A different count reloads the 法人 only; the first 50 stay the same enterprises.
    first = {r["credit_code"] for r in records}
    call_command("demo", enterprises=60, stdout=StringIO())
    assert count_records(legal) == 60
    assert LoadJob.objects.count() == jobs + 1
    assert first <= {r["credit_code"] for r in _all_records(legal)}


@pytest.mark.parametrize("bad", [-1, 1_000_001])
def test_bad_enterprise_count_is_refused(bad: int) -> None:
    with pytest.raises(CommandError, match="--enterprises 应为 0 到 1,000,000 之间的整数"):
        call_command("demo", enterprises=bad, stdout=StringIO())
    assert not Resource.objects.exists()
