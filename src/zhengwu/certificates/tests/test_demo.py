"""The demo loader: types, keys and certificates for demo people, idempotent, written to the base."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Region, User
from zhengwu.certificates import selectors
from zhengwu.certificates.demo import TYPE_CODES, load_demo
from zhengwu.certificates.models import Certificate, CertificateType, IssuerKey
from zhengwu.certificates.tests.conftest import make_base_resource
from zhengwu.core.idnumbers import make_credit_code, make_resident_id
from zhengwu.exchange.store.tables import get_record

pytestmark = pytest.mark.django_db


def _city_departments(jilin: Region) -> None:
    changchun = Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=jilin)
    for serial, name in enumerate(("长春市市场监督管理局", "长春市自然资源局", "长春市公安局"), start=1):
        Department.objects.create(
            name=name,
            credit_code=make_credit_code("11", "220100", f"0000{serial:04d}"),
            region=changchun,
            level=Department.Level.CITY,
        )


def _people() -> None:
    for number in range(1, 4):
        User.objects.create_user(
            username=f"citizen{number:02d}",
            kind=User.Kind.CITIZEN,
            real_name=f"居民{number}",
            id_number=make_resident_id("220102", date(1980, 1, number), number),
        )
    for number in range(1, 5):
        User.objects.create_user(
            username=f"company{number:02d}",
            kind=User.Kind.ENTERPRISE,
            real_name=f"代理人{number}",
            enterprise_name=f"长春演示企业{number}有限公司",
            enterprise_credit_code=make_credit_code("91", "220101", f"MA{number:06d}"),
        )


def test_load_demo_issues_certificates_once_and_writes_the_base(jilin: Region, office_dept: Department) -> None:
    _city_departments(jilin)
    _people()
    resource = make_base_resource(office_dept)
    said: list[str] = []
    summary = load_demo(say=said.append)
    assert CertificateType.objects.count() == len(TYPE_CODES) == 5
    # 3 food licences, 1 planning permit, 1 individual business licence, 3 household books.
    assert Certificate.objects.count() == 8
    assert IssuerKey.objects.count() == 3
    assert "电子证照 8 份" in summary
    company = User.objects.get(username="company01")
    held = selectors.certificates_held_by(
        credit_code=company.enterprise_credit_code, type_code=TYPE_CODES["食品经营许可证"]
    )
    assert held.count() == 1 and held[0].is_usable
    citizen = User.objects.get(username="citizen01")
    assert selectors.certificates_held_by(id_number=citizen.id_number).count() == 1
    for certificate in Certificate.objects.all():
        assert selectors.verify(certificate.identifier).status == "valid"
        assert get_record(resource, certificate.identifier) is not None
    assert not said
    assert "本次签发 0 份" in load_demo(say=said.append)
    assert Certificate.objects.count() == 8


def test_load_demo_without_departments_only_defines_types(db: Any) -> None:
    said: list[str] = []
    assert load_demo(say=said.append) == "电子证照类型 5 种。"
    assert not Certificate.objects.exists()
    assert said
