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
from zhengwu.core.idnumbers import make_credit_code
from zhengwu.core.workdays import today

SAMR = ("国家市场监督管理总局", make_credit_code("11", "100000", "MB01430H"))
MNR = ("中华人民共和国自然资源部", make_credit_code("11", "100000", "MB01761D"))
MPS = ("中华人民共和国公安部", make_credit_code("11", "100000", "00001302"))
MCA = ("中华人民共和国民政部", make_credit_code("11", "100000", "00001318"))


def _items(*specs: tuple[str, str, bool]) -> list[dict[str, Any]]:
    return [{"code": code, "name": name, "required": required} for code, name, required in specs]


TYPES: list[dict[str, Any]] = [
    {
        "name": "食品经营许可证",
        "authority": SAMR,
        "sequence": "001",
        "holder_kind": HolderKind.ORGANISATION,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "items": _items(
            ("license_no", "许可证编号", True),
            ("legal_representative", "法定代表人（负责人）", True),
            ("residence", "住所", True),
            ("premises", "经营场所", True),
            ("business_type", "主体业态", True),
            ("business_items", "经营项目", True),
            ("supervisor", "日常监督管理机构", False),
        ),
    },
    {
        "name": "个体工商户营业执照",
        "authority": SAMR,
        "sequence": "002",
        "holder_kind": HolderKind.ORGANISATION,
        "legal_basis": "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
        "items": _items(
            ("operator", "经营者", True),
            ("organisation_form", "组成形式", True),
            ("premises", "经营场所", True),
            ("business_scope", "经营范围", True),
            ("registered_on", "注册日期", True),
        ),
    },
    {
        "name": "建设工程规划许可证",
        "authority": MNR,
        "sequence": "001",
        "holder_kind": HolderKind.ORGANISATION,
        "legal_basis": "《中华人民共和国城乡规划法》第四十条",
        "items": _items(
            ("license_no", "许可证编号", True),
            ("project_name", "建设项目名称", True),
            ("location", "建设位置", True),
            ("scale", "建设规模", True),
            ("attachments", "附图及附件名称", False),
        ),
    },
    {
        "name": "居民户口簿",
        "authority": MPS,
        "sequence": "001",
        "holder_kind": HolderKind.PERSON,
        "legal_basis": "《中华人民共和国户口登记条例》",
        "items": _items(
            ("household_no", "户号", True),
            ("household_type", "户别", True),
            ("head_name", "户主姓名", True),
            ("relation", "与户主关系", True),
            ("address", "住址", True),
        ),
    },
    {
        "name": "结婚证",
        "authority": MCA,
        "sequence": "001",
        "holder_kind": HolderKind.PERSON,
        "legal_basis": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》",
        "items": _items(
            ("registration_no", "结婚证字号", True),
            ("registered_on", "登记日期", True),
            ("spouse_name", "配偶姓名", True),
            ("remarks", "备注", False),
        ),
    },
]

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
        for number, company in enumerate(companies[:3], start=1):
            issued += _issue_once(
                department=market,
                type_name="食品经营许可证",
                holder={"holder_name": company.enterprise_name, "holder_credit_code": company.enterprise_credit_code},
                data={
                    "license_no": f"JY{company.enterprise_credit_code[2:8]}{number:08d}",
                    "legal_representative": company.real_name,
                    "residence": f"吉林省长春市朝阳区人民大街 {1000 + number * 17} 号",
                    "premises": f"吉林省长春市朝阳区人民大街 {1000 + number * 17} 号一层",
                    "business_type": "食品销售经营者（单位食堂）" if number == 3 else "食品销售经营者（商场超市）",
                    "business_items": "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售",
                    "supervisor": "长春市朝阳区市场监督管理局",
                },
                valid_until=_years(5),
                source_label="演示数据",
            )
        if len(companies) >= 4:
            company = companies[3]
            issued += _issue_once(
                department=natural,
                type_name="建设工程规划许可证",
                holder={"holder_name": company.enterprise_name, "holder_credit_code": company.enterprise_credit_code},
                data={
                    "license_no": f"建字第 220100{today().year}00001 号",
                    "project_name": f"{company.enterprise_name}研发楼",
                    "location": "长春市高新区超然街以南、达新路以东",
                    "scale": "地上 6 层、地下 1 层，总建筑面积 12,480 平方米",
                    "attachments": "建设工程设计方案总平面图",
                },
                valid_until=_years(1),
                source_label="演示数据",
            )
        shop_code = make_credit_code("92", "220102", "MA0CK001")
        if citizens:
            issued += _issue_once(
                department=market,
                type_name="个体工商户营业执照",
                holder={"holder_name": "长春市南关区老张家水饺馆", "holder_credit_code": shop_code},
                data={
                    "operator": citizens[0].real_name,
                    "organisation_form": "个人经营",
                    "premises": "吉林省长春市南关区自由大路 218 号",
                    "business_scope": "餐饮服务；食品销售（仅销售预包装食品）",
                    "registered_on": today().isoformat(),
                },
                valid_until=None,
                source_label="演示数据",
            )
        for number, citizen in enumerate(citizens[:5], start=1):
            issued += _issue_once(
                department=police,
                type_name="居民户口簿",
                holder={"holder_name": citizen.real_name, "holder_id_number": citizen.id_number},
                data={
                    "household_no": f"2201020{number:05d}",
                    "household_type": "家庭户",
                    "head_name": citizen.real_name,
                    "relation": "户主",
                    "address": f"吉林省长春市南关区民康路 {number * 11} 号 {number} 单元 {100 + number} 室",
                },
                valid_until=None,
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
