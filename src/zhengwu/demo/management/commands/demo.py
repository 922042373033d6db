"""`zhengwu demo` — load 吉林省 with departments, staff, the three administrators, citizens and
enterprises. Idempotent: running it again changes nothing that is already there."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from zhengwu.accounts import services as account_services
from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.audit import anchors, partitions
from zhengwu.audit.services import record_action
from zhengwu.certificates.demo import load_demo as certificates_demo
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.idnumbers import make_credit_code, make_resident_id
from zhengwu.demo.audit_actions import DemoAction
from zhengwu.demo.data import (
    CITY_DEPARTMENTS,
    DEMO_CITIZENS,
    ENTERPRISE_NAMES,
    GIVEN,
    PROVINCIAL_DEPARTMENTS,
    RESIDENT_AREAS,
    SURNAMES,
)
from zhengwu.demo.records import LEGAL_ENTITIES, MAX_ENTERPRISES, POPULATION, load_demo_records
from zhengwu.disclosure.demo import load_demo as disclosure_demo
from zhengwu.documents.demo import load_demo as documents_demo
from zhengwu.emergency.demo import load_demo as emergency_demo
from zhengwu.emergency.demo_response import load_demo as emergency_response_demo
from zhengwu.eservices.demo import load_demo as eservices_demo
from zhengwu.exchange.demo import load_demo as exchange_demo
from zhengwu.governance.demo import load_demo as governance_demo
from zhengwu.governance.demo_projects import load_demo as projects_evaluations_demo
from zhengwu.participation.demo import load_demo as participation_demo

DEMO_PASSWORD = "Zhengwu@2026demo"  # noqa: S105 - the published demo password
PROVINCE_CODE = "220000"
DEFAULT_ENTERPRISES = 2000
RECORDS_SEED = 202611


def _org_body(serial: int) -> str:
    """An 8-character GB 11714 organisation code body, stable per serial number."""
    return f"0135{serial:04d}"


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class Command(BaseCommand):
    help = (
        "加载演示数据（吉林省：行政区划、部门、工作人员、三员、群众与企业账号、基础库目录及其合成数据）。可重复执行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enterprises",
            type=int,
            default=DEFAULT_ENTERPRISES,
            metavar="N",
            help=f"生成的法人记录条数（0–{MAX_ENTERPRISES:,}，默认 {DEFAULT_ENTERPRISES:,}；条数不同时重新加载法人库）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        enterprises = options.get("enterprises", DEFAULT_ENTERPRISES)
        if not isinstance(enterprises, int) or not 0 <= enterprises <= MAX_ENTERPRISES:
            raise CommandError(f"--enterprises 应为 0 到 {MAX_ENTERPRISES:,} 之间的整数，收到 {enterprises}。")
        rng = random.Random(2026)  # fixed seed: the same demo every time
        validate_password(DEMO_PASSWORD)
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
        with transaction.atomic():
            regions = account_services.regions_load(actor=Actor.platform(), root_code=PROVINCE_CODE)
            departments = self._departments()
            staff = self._staff(departments, rng)
            citizens = self._citizens(rng)
            companies = self._enterprises(rng)
            catalog = self._catalog(departments)
            record_action(Actor.platform(), DemoAction.LOAD, details={"departments": len(departments), "staff": staff})
        # Each resource is loaded in its own transaction, through the exchange's validation and audit.
        # A generator of its own: `rng` above is not drawn the same on every run (existing accounts are
        # skipped), and the records must not change between runs.
        records = load_demo_records(enterprises=enterprises, rng=random.Random(RECORDS_SEED), say=self.stdout.write)
        # Each domain app loads its own demo, idempotently, after the accounts, catalog and base records.
        # The inventory's back-dated calls come before any call made now, so that the access log's
        # sequence follows time and its oldest months can be dropped after retention (docs/deployment.md).
        summaries = [
            load(say=self.stdout.write)
            for load in (
                exchange_demo,
                governance_demo,
                certificates_demo,
                eservices_demo,
                disclosure_demo,
                participation_demo,
                documents_demo,
                projects_evaluations_demo,
                emergency_demo,
                emergency_response_demo,
            )
        ]
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(
            f"  行政区划 {regions} 个，部门 {len(departments)} 个，工作人员 {staff} 人，"
            f"个人用户 {citizens} 人，法人用户 {companies} 个，目录资源 {len(catalog)} 个。"
        )
        legal, population = records.get(LEGAL_ENTITIES, 0), records.get(POPULATION, 0)
        others = sum(count for name, count in records.items() if name not in (LEGAL_ENTITIES, POPULATION))
        self.stdout.write(
            f"  法人记录 {legal:,} 条，人口记录 {population:,} 条，其他资源记录 {others:,} 条"
            f"（共 {len(records)} 个资源有数据）。"
        )
        for summary in filter(None, summaries):
            self.stdout.write(f"  {summary}")
        self.stdout.write(
            "\n登录方式（http://127.0.0.1:8000/accounts/login/）：\n"
            f"  所有演示账号的密码均为：{DEMO_PASSWORD}\n"
            "  系统管理员 sysadmin · 安全管理员 secadmin · 审计管理员 auditadmin\n"
            "  电子政务主管 zsj.egov · 电子监察 zsj.supervisor\n"
            "  应急值守：省应急管理厅 yjt.duty（值班员）/ yjt.commander（指挥长），"
            "长春市应急管理局 cc_yjj.duty / cc_yjj.commander\n"
            "  部门工作人员：<部门前缀>.clerk / .data / .leader，\n"
            "    例如 scjgt.clerk（省市场监管厅）、gat.clerk（省公安厅）\n"
            "  信息化管理员：<部门前缀>.systems，例如 scjgt.systems\n"
            "  个人用户 citizen01 … citizen20 · 法人用户 company01 … company10\n"
            "  工作人员首次登录须用手机身份验证器扫码绑定动态口令（双因素认证）。\n"
        )
        self._anchor()

    def _anchor(self) -> None:
        """End with a signed anchor of the logs: a fresh demo already detects an emptied or cut log
        (`zhengwu audit verify`) before any worker has run. On PostgreSQL the year of demo calls
        first gets its monthly partitions (they landed in the DEFAULT one)."""
        partitions.ensure()
        try:
            anchor = anchors.write_anchor("demo")
        except ApplicationError as error:
            self.stderr.write(
                self.style.WARNING(
                    f"未写入日志锚点：{error.message}\n"
                    f"  若见证目录 {anchors.witness_dir()} 属于已删除的旧数据库，请将其移走后重新运行。"
                )
            )
            return
        self.stdout.write(f"已写入日志锚点：{anchor.describe()}。")

    def _catalog(self, departments: list[Department]) -> list[Any]:
        """The base catalog (基础库) with its authoritative providers; resources already there are kept."""
        from zhengwu.catalog.demo import PROVIDER_KEYS, load_base_catalog

        full_names = {"发展改革委": "发展和改革委员会", "卫生健康委": "卫生健康委员会"}
        by_name = {d.name: d for d in departments}
        providers = {key: by_name.get(f"吉林省{full_names.get(key, key)}") for key in PROVIDER_KEYS}
        return load_base_catalog(providers={key: dept for key, dept in providers.items() if dept is not None})

    def _departments(self) -> list[Department]:
        province = Region.objects.get(code=PROVINCE_CODE)
        result: list[Department] = []
        rows = [
            (PROVINCE_CODE, name, short, prefix, Department.Level.PROVINCE)
            for name, short, prefix in PROVINCIAL_DEPARTMENTS
        ]
        rows += [
            (region, name, short, prefix, Department.Level.CITY) for region, name, short, prefix in CITY_DEPARTMENTS
        ]
        for serial, (region_code, name, short, _prefix, level) in enumerate(rows, start=1):
            region = province if region_code == PROVINCE_CODE else Region.objects.get(code=region_code)
            credit_code = make_credit_code("11", region_code, _org_body(serial))
            existing = Department.objects.filter(credit_code=credit_code).first()
            result.append(
                existing
                or account_services.department_create(
                    actor=Actor.platform(),
                    name=name,
                    short_name=short,
                    credit_code=credit_code,
                    region=region,
                    level=level,
                )
            )
        return result

    def _ensure_staff(self, username: str, name: str, department: Department, roles: list[str]) -> bool:
        if User.objects.filter(username=username).exists():
            return False
        account_services.staff_create(
            actor=Actor.platform(),
            username=username,
            real_name=name,
            department=department,
            password_hash=self.password_hash,
            roles=roles,
        )
        return True

    def _staff(self, departments: list[Department], rng: random.Random) -> int:
        prefixes = [p for _, _, p in PROVINCIAL_DEPARTMENTS] + [p for _, _, _, p in CITY_DEPARTMENTS]
        for department, prefix in zip(departments, prefixes, strict=True):
            self._ensure_staff(f"{prefix}.clerk", _person_name(rng), department, [Role.CLERK])
            self._ensure_staff(f"{prefix}.data", _person_name(rng), department, [Role.DATA_OFFICER])
            self._ensure_staff(f"{prefix}.leader", _person_name(rng), department, [Role.DEPT_LEADER, Role.CLERK])
        office = next(d for d, p in zip(departments, prefixes, strict=True) if p == "zsj")
        self._ensure_staff("zsj.egov", _person_name(rng), office, [Role.EGOV_OFFICE])
        self._ensure_staff("zsj.supervisor", _person_name(rng), office, [Role.SUPERVISOR])
        self._ensure_staff("sysadmin", "系统管理员" + _person_name(rng), office, [Role.SYS_ADMIN])
        self._ensure_staff("secadmin", "安全管理员" + _person_name(rng), office, [Role.SEC_ADMIN])
        self._ensure_staff("auditadmin", "审计管理员" + _person_name(rng), office, [Role.AUDIT_ADMIN])
        for department, prefix in zip(departments, prefixes, strict=True):  # 信息化管理员 (systems inventory)
            self._ensure_staff(f"{prefix}.systems", _person_name(rng), department, [Role.SYSTEMS_OFFICER])
        self._duty_rooms(next(d for d, p in zip(departments, prefixes, strict=True) if p == "yjt"))
        return User.objects.filter(kind=User.Kind.STAFF).count()

    def _duty_rooms(self, province: Department) -> None:
        """The duty rooms (值班室) of 应急联动: 省应急管理厅 and 长春市应急管理局, each with its 值班员 and
        指挥长 (fixed names, drawn from no generator: the other accounts stay as they were)."""
        city = Department.objects.filter(credit_code=make_credit_code("11", "220100", _org_body(901))).first()
        if city is None:
            city = account_services.department_create(
                actor=Actor.platform(),
                name="长春市应急管理局",
                short_name="长春市应急局",
                credit_code=make_credit_code("11", "220100", _org_body(901)),
                region=Region.objects.get(code="220100"),
                level=Department.Level.CITY,
            )
        self._ensure_staff("yjt.duty", "周明", province, [Role.DUTY_OFFICER])
        self._ensure_staff("yjt.commander", "郑国强", province, [Role.COMMANDER])
        self._ensure_staff("cc_yjj.duty", "孙丽", city, [Role.DUTY_OFFICER])
        self._ensure_staff("cc_yjj.commander", "李刚", city, [Role.COMMANDER])
        self._ensure_staff("cc_yjj.leader", "王建华", city, [Role.DEPT_LEADER, Role.CLERK])

    def _citizens(self, rng: random.Random) -> int:
        for number in range(1, DEMO_CITIZENS + 1):
            username = f"citizen{number:02d}"
            birth = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
            id_number = make_resident_id(rng.choice(RESIDENT_AREAS), birth, rng.randint(1, 999))
            phone = f"139{rng.randint(0, 99_999_999):08d}"
            if User.objects.filter(username=username).exists():
                continue
            user = User(
                username=username, kind=User.Kind.CITIZEN, real_name=_person_name(rng), id_number=id_number, phone=phone
            )
            user.password = self.password_hash
            user.save()
        return User.objects.filter(kind=User.Kind.CITIZEN).count()

    def _enterprises(self, rng: random.Random) -> int:
        for number, name in enumerate(ENTERPRISE_NAMES, start=1):
            username = f"company{number:02d}"
            credit_code = make_credit_code("91", "220101", f"MA{number:06d}"[:8])
            agent_id = make_resident_id(rng.choice(RESIDENT_AREAS), date(1980, 5, number), 100 + number)
            if User.objects.filter(username=username).exists():
                continue
            user = User(
                username=username,
                kind=User.Kind.ENTERPRISE,
                real_name=_person_name(rng),
                id_number=agent_id,
                phone=f"138{rng.randint(0, 99_999_999):08d}",
                enterprise_name=name,
                enterprise_credit_code=credit_code,
            )
            user.password = self.password_hash
            user.save()
        return User.objects.filter(kind=User.Kind.ENTERPRISE).count()
