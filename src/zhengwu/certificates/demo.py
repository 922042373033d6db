"""Demo data of the certificates app: certificate types, issuer keys and a few certificates.

`load_demo(*, say)` is idempotent. It expects the accounts demo (departments, citizen01…,
company01…) and, for the write into the 电子证照 base resource, the catalog demo. Every run
writes again the certificates whose base record is missing or stale (the base records demo may
have replaced the resource's rows), and only those, so a second run loads nothing.

The defining authorities are national ministries; their credit codes below are generated
demo codes (valid check characters, region 100000), not the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import Department, User
from zhengwu.certificates import services
from zhengwu.certificates.base_resource import missing_from_base
from zhengwu.certificates.models import Certificate, CertificateType, HolderKind
from zhengwu.certificates.selectors import certificates_held_by
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json
from zhengwu.core.idnumbers import make_credit_code
from zhengwu.core.workdays import today

# The defining authorities by the keys the types' data file names them with.
AUTHORITIES: dict[str, tuple[str, str]] = {
    "SAMR": ("国家市场监督管理总局", make_credit_code("11", "100000", "MB01430H")),
    "MNR": ("中华人民共和国自然资源部", make_credit_code("11", "100000", "MB01761D")),
    "MPS": ("中华人民共和国公安部", make_credit_code("11", "100000", "00001302")),
    "MCA": ("中华人民共和国民政部", make_credit_code("11", "100000", "00001318")),
}

# The certificate types are data, not code: `data/demo_types.json` (their items as [code, name, required]).


def _load_types() -> list[dict[str, Any]]:
    return [
        {
            **spec,
            "authority": AUTHORITIES[spec["authority"]],
            "holder_kind": HolderKind(spec["holder_kind"]),
            "items": [{"code": code, "name": name, "required": required} for code, name, required in spec["items"]],
        }
        for spec in read_json("zhengwu.certificates", "demo_types.json")
    ]


TYPES: list[dict[str, Any]] = _load_types()

# name → 21-character type code, for callers (eservices' demo items) that need a code.
TYPE_CODES: dict[str, str] = {t["name"]: f"{t['authority'][1]}{t['sequence']}" for t in TYPES}


def ensure_types() -> list[CertificateType]:
    rows = []
    for spec in TYPES:
        authority_name, authority_code = spec["authority"]
        kind, _ = CertificateType.objects.update_or_create(
            authority_credit_code=authority_code,
            sequence=spec["sequence"],
            defaults={
                "name": spec["name"],
                "authority_name": authority_name,
                "holder_kind": spec["holder_kind"],
                "legal_basis": spec["legal_basis"],
                "items": spec["items"],
                "is_active": True,
            },
        )
        rows.append(kind)
    return rows


def _years(years: int) -> date:
    """The last day of a validity of `years` years from today (a 29 February start ends on 28 February)."""
    day = today()
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:
        return date(day.year + years, 2, 28)


def _issue_once(*, department: Department, type_name: str, holder: dict[str, str], **kwargs: Any) -> bool:
    code = TYPE_CODES[type_name]
    existing = certificates_held_by(
        id_number=holder.get("holder_id_number", ""), credit_code=holder.get("holder_credit_code", ""), type_code=code
    ).filter(issuer=department)
    if existing.exists():
        return False
    services.certificate_issue(
        actor=Actor.platform(),
        department=department,
        certificate_type=code,
        holder_name=holder["holder_name"],
        holder_id_number=holder.get("holder_id_number", ""),
        holder_credit_code=holder.get("holder_credit_code", ""),
        **kwargs,
    )
    return True


_Planned = tuple[Department, str, dict[str, str], dict[str, str], date | None]


def _organisation(company: User) -> dict[str, str]:
    return {"holder_name": company.enterprise_name, "holder_credit_code": company.enterprise_credit_code}


def _demo_certificates(
    *, market: Department, natural: Department, police: Department, citizens: list[User], companies: list[User]
) -> list[_Planned]:
    """The demo certificates, in the order they are issued: (issuer, type name, holder, data, valid until)."""
    planned: list[_Planned] = []
    for number, company in enumerate(companies[:3], start=1):
        planned.append(
            (
                market,
                "食品经营许可证",
                _organisation(company),
                {
                    "license_no": f"JY{company.enterprise_credit_code[2:8]}{number:08d}",
                    "legal_representative": company.real_name,
                    "residence": f"吉林省长春市朝阳区人民大街 {1000 + number * 17} 号",
                    "premises": f"吉林省长春市朝阳区人民大街 {1000 + number * 17} 号一层",
                    "business_type": "食品销售经营者（单位食堂）" if number == 3 else "食品销售经营者（商场超市）",
                    "business_items": "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售",
                    "supervisor": "长春市朝阳区市场监督管理局",
                },
                _years(5),
            )
        )
    if len(companies) >= 4:
        company = companies[3]
        planned.append(
            (
                natural,
                "建设工程规划许可证",
                _organisation(company),
                {
                    "license_no": f"建字第 220100{today().year}00001 号",
                    "project_name": f"{company.enterprise_name}研发楼",
                    "location": "长春市高新区超然街以南、达新路以东",
                    "scale": "地上 6 层、地下 1 层，总建筑面积 12,480 平方米",
                    "attachments": "建设工程设计方案总平面图",
                },
                _years(1),
            )
        )
    if citizens:
        shop = {
            "holder_name": "长春市南关区老张家水饺馆",
            "holder_credit_code": make_credit_code("92", "220102", "MA0CK001"),
        }
        planned.append(
            (
                market,
                "个体工商户营业执照",
                shop,
                {
                    "operator": citizens[0].real_name,
                    "organisation_form": "个人经营",
                    "premises": "吉林省长春市南关区自由大路 218 号",
                    "business_scope": "餐饮服务；食品销售（仅销售预包装食品）",
                    "registered_on": today().isoformat(),
                },
                None,
            )
        )
    for number, citizen in enumerate(citizens[:5], start=1):
        planned.append(
            (
                police,
                "居民户口簿",
                {"holder_name": citizen.real_name, "holder_id_number": citizen.id_number},
                {
                    "household_no": f"2201020{number:05d}",
                    "household_type": "家庭户",
                    "head_name": citizen.real_name,
                    "relation": "户主",
                    "address": f"吉林省长春市南关区民康路 {number * 11} 号 {number} 单元 {100 + number} 室",
                },
                None,
            )
        )
    return planned


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    types = ensure_types()
    departments = {d.name: d for d in Department.objects.filter(is_active=True)}
    market = departments.get("长春市市场监督管理局")
    natural = departments.get("长春市自然资源局")
    police = departments.get("长春市公安局")
    if market is None or natural is None or police is None:
        say("电子证照：未找到长春市市场监管局、自然资源局或公安局（请先加载部门演示数据），只建立了证照类型。")
        return f"电子证照类型 {len(types)} 种。"
    citizens = list(User.objects.filter(kind=User.Kind.CITIZEN, username__startswith="citizen").order_by("username"))
    companies = list(
        User.objects.filter(kind=User.Kind.ENTERPRISE, username__startswith="company").order_by("username")
    )
    issued = 0
    with transaction.atomic():
        for department, type_name, holder, data, valid_until in _demo_certificates(
            market=market, natural=natural, police=police, citizens=citizens, companies=companies
        ):
            issued += _issue_once(
                department=department,
                type_name=type_name,
                holder=holder,
                data=data,
                valid_until=valid_until,
                source_label="演示数据",
            )
    problem = services.certificates_resync(
        actor=Actor.platform(),
        certificates=missing_from_base(list(Certificate.objects.select_related("certificate_type", "issuer"))),
    )
    if problem:
        say(f"电子证照：未能写入电子证照库（{problem}）")
    total = Certificate.objects.count()
    return f"电子证照类型 {len(types)} 种，电子证照 {total} 份（本次签发 {issued} 份）。"
