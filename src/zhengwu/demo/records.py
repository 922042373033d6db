"""Synthetic but valid records for the demo catalog (`zhengwu demo`).

`load_demo_records(enterprises=N, rng=…)` fills the published structured resources of the demo
catalog (`zhengwu.catalog.demo`): N 法人 with valid credit codes of 吉林省 regions, the
population (the demo citizens' own ID numbers and some hundreds more) and a few dozen rows for
each of the other resources. Every row goes through `ingest_file` (replace mode, actor None), so
it is checked like any real load and the load is audited. A resource that already holds the
number of records asked for is left alone, so running the demo again changes nothing.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from zhengwu.accounts.models import User
from zhengwu.catalog.models import Resource
from zhengwu.core import regions
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.idnumbers import CREDIT_CHARSET, make_credit_code, make_resident_id, validate_resident_id
from zhengwu.demo.data import GIVEN, SURNAMES, demo_person_usernames
from zhengwu.exchange.store.ingest import PROGRESS_EVERY, ingest_file
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tables import STRUCTURED_FORMATS, count_records, indexes_stale, sync_indexes

MAX_ENTERPRISES = 1_000_000
PROVINCE = "220000"
EXTRA_RESIDENTS = 500
SMALL = 40  # rows for each of the smaller resources
REFERENCED_ENTERPRISES = 40  # the first 法人, named by credit, licence and insurance records

POPULATION = "人口基础信息"
LEGAL_ENTITIES = "法人单位基本信息"

Row = Sequence[str]
Say = Callable[[str], None]

_BRANDS = [
    "华信",
    "恒通",
    "鑫源",
    "宏达",
    "长白",
    "松江",
    "瑞丰",
    "金泰",
    "博远",
    "中润",
    "天成",
    "北方",
    "吉运",
    "盛世",
    "汇通",
    "东升",
    "兴业",
    "富民",
    "嘉禾",
    "同创",
    "永安",
    "鼎盛",
    "新纪元",
    "银河",
    "吉祥",
    "祥和",
    "龙腾",
    "亚泰",
    "大成",
    "万通",
    "开元",
    "正阳",
    "福源",
    "锦程",
    "弘泰",
    "德润",
    "安达",
    "百川",
    "聚鑫",
    "春城",
]
_TRADES = [
    "汽车零部件",
    "农业科技",
    "粮油贸易",
    "建筑工程",
    "软件开发",
    "医药",
    "物流",
    "餐饮管理",
    "商贸",
    "人参制品",
    "木业",
    "矿泉水",
    "光电技术",
    "化工",
    "机械制造",
    "房地产开发",
    "文化传媒",
    "旅游开发",
    "电力设备",
    "食品",
    "环保科技",
    "信息技术",
    "装饰工程",
    "冷链物流",
    "电子商务",
]
_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
_SHOPS = ("便利店", "小吃部", "五金商店", "美发店", "烧烤店", "水果店", "干洗店", "汽车修理部", "超市", "药店")
_COOPS = ("水稻种植", "玉米种植", "人参种植", "黑木耳", "肉牛养殖", "蔬菜种植", "果蔬", "中草药种植")
_STREETS = [
    "人民大街",
    "解放大路",
    "自由大路",
    "亚泰大街",
    "延安大街",
    "工农大路",
    "建设街",
    "民主街",
    "新华路",
    "长江路",
    "黄河路",
    "松花江路",
    "光明街",
    "和平路",
    "前进大街",
    "卫星路",
    "南湖大路",
    "东风大街",
    "朝阳路",
    "文化街",
]
_ETHNICITIES = ("汉族",) * 17 + ("朝鲜族", "满族", "蒙古族", "回族")

# 9x bodies: an index is mapped one-to-one onto the code space, so codes never repeat.
_MA_SPACE = 31**6 - 31**5  # MA + 6 characters whose first is not "0": never a demo company's MA00000k
_DIGIT_SPACE = 10**8
_MULTIPLIER = 7**10  # coprime to both spaces


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    gender: str
    birth: date
    area: str


@dataclass(frozen=True)
class Enterprise:
    credit_code: str
    name: str
    representative: str


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _counties() -> list[str]:
    return [d.code for d in regions.divisions_under(PROVINCE) if d.level == "county"]


def _cities() -> list[str]:
    return [d.code for d in regions.children(PROVINCE)]


def _region_of(code: str) -> str:
    """`code` if it is a GB/T 2260 division, else its city, else the province."""
    for candidate in (code, code[:4] + "00"):
        if regions.is_valid_region_code(candidate):
            return candidate
    return PROVINCE


@cache
def _full_name(area: str) -> str:
    return regions.full_name(_region_of(area))


@cache
def _names(area: str) -> tuple[str, str]:
    """A county's own name and its city's short name (长春, 延边, …) for enterprise names."""
    division = regions.get_division(area)
    city = regions.get_division(division.parent_code or PROVINCE).name
    short = city.removesuffix("朝鲜族自治州").removesuffix("市").removesuffix("省")
    return division.name, short


def _address(rng: random.Random, area: str) -> str:
    return f"{_full_name(area)}{rng.choice(_STREETS)}{rng.randint(1, 3999)}号"


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 31)
        chars.append(CREDIT_CHARSET[digit])
    return "".join(reversed(chars))


def _org_body(index: int, established: date) -> str:
    """A distinct 8-character organisation code body per index: MA… after the 2015 reform."""
    if established.year >= 2016:
        return "MA" + _encode(31**5 + (index * _MULTIPLIER + 12345) % _MA_SPACE, 6)
    return f"{(index * _MULTIPLIER + 24680) % _DIGIT_SPACE:08d}"


# --- the people and enterprises other records refer to ----------------------------------------


def _people(rng: random.Random, counties: list[str]) -> list[Person]:
    """The demo's own people (citizens, company agents), then random residents. Never an account
    someone registered: what a registering person declares does not go into the base."""
    people: list[Person] = []
    seen: set[str] = set()
    own = User.objects.filter(username__in=demo_person_usernames()).exclude(id_number="").order_by("pk")
    for number, name in own.values_list("id_number", "real_name"):
        try:
            parsed = validate_resident_id(number)
        except ApplicationError:
            continue
        if parsed.number in seen:
            continue
        seen.add(parsed.number)
        people.append(Person(parsed.number, name[:50] or _person_name(rng), parsed.sex, parsed.birth_date, number[:6]))
    target = len(people) + EXTRA_RESIDENTS
    while len(people) < target:
        area = rng.choice(counties)
        birth = _day(rng, date(1940, 1, 1), date(2005, 12, 31))
        number = make_resident_id(area, birth, rng.randint(0, 999))
        if number in seen:
            continue
        seen.add(number)
        gender = "男" if int(number[16]) % 2 else "女"
        people.append(Person(number, _person_name(rng), gender, birth, area))
    return people


def _demo_companies() -> list[Enterprise]:
    rows = User.objects.filter(kind=User.Kind.ENTERPRISE).exclude(enterprise_credit_code="").order_by("username")
    return [
        Enterprise(code, name, agent[:50])
        for code, name, agent in rows.values_list("enterprise_credit_code", "enterprise_name", "real_name")
    ]


def _enterprise_rows(seed: int, count: int, companies: list[Enterprise]) -> Iterator[list[str]]:
    """The 法人 rows: the demo companies first, then synthetic ones; the same prefix for any count."""
    rng = random.Random(seed)
    counties = _counties()
    statuses = ("存续",) * 14 + ("在业",) * 3 + ("吊销", "注销")
    produced = 0
    for company in companies[:count]:
        established = _day(rng, date(1995, 1, 1), date(2024, 12, 31))
        capital = str(rng.choice((100, 200, 500, 1000, 3000, 5000, 10000)))
        yield [
            company.credit_code,
            company.name,
            company.representative,
            capital,
            established.isoformat(),
            "存续",
            _address(rng, company.credit_code[2:8]),
            _region_of(company.credit_code[2:8]),
        ]
        produced += 1
    index = 0
    while produced < count:
        index += 1
        area = rng.choice(counties)
        county, city_short = _names(area)
        established = _day(rng, date(1992, 1, 1), date(2026, 6, 30))
        kind = rng.random()
        if kind < 0.82:
            prefix = "91"
            name = f"{city_short}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}{rng.choice(_FORMS)}"
            capital = str(rng.choice((10, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000, 50000)))
        elif kind < 0.95:
            prefix = "92"
            name = f"{county}{rng.choice(_BRANDS)}{rng.choice(_SHOPS)}"
            capital = f"{rng.randint(1, 50)}"
        else:
            prefix = "93"
            name = f"{county}{rng.choice(_BRANDS)}{rng.choice(_COOPS)}专业合作社"
            capital = f"{rng.randint(10, 500)}"
        credit_code = make_credit_code(prefix, area, _org_body(index, established))
        yield [
            credit_code,
            name,
            _person_name(rng),
            capital,
            established.isoformat(),
            rng.choice(statuses),
            _address(rng, area),
            area,
        ]
        produced += 1


# --- the smaller resources --------------------------------------------------------------------


def _population_rows(people: list[Person], rng: random.Random) -> list[list[str]]:
    return [
        [
            p.id_number,
            p.name,
            p.gender,
            p.birth.isoformat(),
            rng.choice(_ETHNICITIES),
            _address(rng, p.area),
            _region_of(p.area),
        ]
        for p in people
    ]


def _real_estate_rows(people: list[Person], rng: random.Random) -> list[list[str]]:
    rows = []
    counties = _counties()
    for number in range(1, SMALL + 1):
        area = rng.choice(counties)
        owner = rng.choice(people)
        registered = datetime(rng.randint(2016, 2026), rng.randint(1, 10), rng.randint(1, 28), rng.randint(8, 16))
        right = rng.choice(("国有建设用地使用权", "房屋所有权", "房屋所有权", "宅基地使用权", "土地承包经营权"))
        rows.append(
            [
                f"{area}{rng.randint(1, 30):03d}{rng.randint(1, 30):03d}GB{number:05d}F{rng.randint(1, 9999):08d}",
                _address(rng, area),
                owner.name,
                right,
                f"{rng.randint(40, 300)}.{rng.randint(1, 9)}",
                registered.strftime("%Y-%m-%d %H:%M:%S"),
                area,
            ]
        )
    return rows


def _economy_rows(rng: random.Random) -> list[list[str]]:
    indicators = (
        ("地区生产总值", "亿元", 3000),
        ("规模以上工业增加值", "亿元", 900),
        ("固定资产投资", "亿元", 1200),
        ("社会消费品零售总额", "亿元", 1000),
        ("居民人均可支配收入", "元", 7000),
    )
    rows = []
    for period in ("2025Q2", "2025Q3", "2025Q4", "2026Q1"):
        for region in [PROVINCE, *_cities()]:
            share = 1.0 if region == PROVINCE else rng.uniform(0.04, 0.35)
            for number, (indicator, unit, base) in enumerate(indicators, start=1):
                scale = 1.0 if unit == "元" else share
                value = base * scale * rng.uniform(0.9, 1.1)
                rows.append(
                    [
                        f"{period}-{region}-{number:02d}",
                        period,
                        region,
                        indicator,
                        f"{value:.1f}",
                        unit,
                        f"{rng.uniform(-3, 9):.1f}",
                    ]
                )
    return rows


def _credit_rows(companies: list[Enterprise], rng: random.Random) -> list[list[str]]:
    authorities = (
        "吉林省市场监督管理厅",
        "长春市市场监督管理局",
        "吉林省生态环境厅",
        "吉林省税务局",
        "吉林省应急管理厅",
    )
    rows = []
    for number in range(1, SMALL + 1):
        company = rng.choice(companies)
        category = rng.choice(("行政许可", "行政许可", "行政处罚", "守信激励", "失信惩戒"))
        decided = _day(rng, date(2023, 1, 1), date(2026, 10, 31))
        word = {"行政许可": "许", "行政处罚": "罚", "守信激励": "奖", "失信惩戒": "惩"}[category]
        until = decided + timedelta(days=365 * (3 if category == "行政处罚" else 1))
        rows.append(
            [
                f"XY{decided:%Y}{number:06d}",
                company.credit_code,
                company.name,
                category,
                f"吉{word}字〔{decided:%Y}〕{rng.randint(1, 999)}号",
                decided.isoformat(),
                rng.choice(authorities),
                until.isoformat(),
            ]
        )
    return rows


def _license_rows(people: list[Person], companies: list[Enterprise], rng: random.Random) -> list[list[str]]:
    rows = []
    for number in range(1, SMALL + 1):
        issued = _day(rng, date(2018, 1, 1), date(2026, 10, 31))
        if number % 2:
            company = rng.choice(companies)
            kind, issuer, holder, code = "营业执照", "吉林省市场监督管理厅", company.name, company.credit_code
            until = ""
        else:
            person = rng.choice(people)
            kind, issuer = rng.choice(
                (
                    ("居民身份证", "吉林省公安厅"),
                    ("结婚证", "长春市民政局"),
                    ("不动产权证书", "长春市自然资源局"),
                    ("社会保障卡", "吉林省人力资源和社会保障厅"),
                )
            )
            holder, code = person.name, person.id_number
            until = (issued + timedelta(days=365 * 10)).isoformat() if kind != "结婚证" else ""
        status = "有效" if not until or until > "2026-11-01" else "过期"
        rows.append(
            [f"DZZZ-22-{issued:%Y}-{number:08d}", kind, holder, code, issuer, issued.isoformat(), until, status]
        )
    return rows


def _birth_rows(people: list[Person], rng: random.Random) -> list[list[str]]:
    mothers = [p for p in people if p.gender == "女" and date(1975, 1, 1) <= p.birth <= date(2003, 1, 1)]
    fathers = [p for p in people if p.gender == "男" and date(1970, 1, 1) <= p.birth <= date(2003, 1, 1)]
    hospitals = ("吉林大学第一医院", "吉林省妇幼保健院", "长春市妇产医院", "吉林市人民医院", "延边大学附属医院")
    rows = []
    for number in range(1, SMALL + 1):
        mother, father = rng.choice(mothers), rng.choice(fathers)
        born = datetime(2026, rng.randint(1, 10), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        rows.append(
            [
                f"Y220{number:06d}",
                father.name[0] + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                rng.choice(("男", "女")),
                born.strftime("%Y-%m-%d %H:%M:%S"),
                mother.id_number,
                father.id_number,
                rng.choice(hospitals),
            ]
        )
    return rows


def _insurance_rows(people: list[Person], companies: list[Enterprise], rng: random.Random) -> list[list[str]]:
    adults = [p for p in people if p.birth <= date(2006, 1, 1)]
    kinds = ("企业职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险")
    rows = []
    for number in range(1, SMALL + 1):
        person = rng.choice(adults)
        kind = rng.choice(kinds)
        employer = "" if kind == "城乡居民基本养老保险" else rng.choice(companies).credit_code
        start = date(rng.randint(max(person.birth.year + 18, 1995), 2025), rng.randint(1, 12), 1)
        status = rng.choice(("正常参保", "正常参保", "正常参保", "暂停缴费", "终止参保"))
        until = "" if status == "正常参保" else date(2026, rng.randint(1, 10), 1).isoformat()
        rows.append([f"SB22{number:08d}", person.id_number, kind, employer, status, start.isoformat(), until])
    return rows


def _food_rows(companies: list[Enterprise], rng: random.Random) -> list[list[str]]:
    scopes = (
        "预包装食品销售",
        "散装食品销售",
        "热食类食品制售",
        "冷食类食品制售",
        "保健食品销售",
        "特殊医学用途配方食品销售",
    )
    rows = []
    for number, company in enumerate(companies[:SMALL], start=1):
        issued = _day(rng, date(2021, 1, 1), date(2026, 10, 31))
        rows.append(
            [
                f"JY{company.credit_code[2:8]}{number:08d}",
                company.credit_code,
                company.name,
                _address(rng, company.credit_code[2:8]),
                "，".join(rng.sample(scopes, rng.randint(1, 3))),
                issued.isoformat(),
                (issued + timedelta(days=365 * 5 - 1)).isoformat(),
            ]
        )
    return rows


def _licence_rows(people: list[Person], rng: random.Random) -> list[list[str]]:
    adults = [p for p in people if p.birth <= date(2007, 1, 1)]
    rows = []
    for number, person in enumerate(rng.sample(adults, min(SMALL, len(adults))), start=1):
        first = _day(rng, date(max(person.birth.year + 18, 1990), 1, 1), date(2026, 6, 30))
        rows.append(
            [
                f"2201{number:08d}",
                person.id_number,
                rng.choice(("C1", "C1", "C1", "C2", "B2", "A2", "D")),
                first.isoformat(),
                (first + timedelta(days=365 * 16)).isoformat(),
                str(rng.choice((0, 0, 0, 1, 2, 3, 6, 12))),
            ]
        )
    return rows


# --- loading ----------------------------------------------------------------------------------


def _resource(name: str) -> Resource | None:
    return (
        Resource.objects.filter(
            name=name, state=Resource.State.PUBLISHED, revision_of__isnull=True, format_class__in=STRUCTURED_FORMATS
        )
        .order_by("pk")
        .first()
    )


def _load(resource: Resource, rows: Iterable[Row], say: Say | None, total: int) -> int:
    codes = [item.code for item in resource.items.order_by("position")]
    with tempfile.TemporaryDirectory(prefix="zhengwu-demo-") as folder:
        path = Path(folder) / f"demo-{resource.pk}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(codes)
            for written, row in enumerate(rows, start=1):
                writer.writerow(row)
                if say is not None and written % 100_000 == 0:
                    say(f"  {resource.name}：已生成 {written:,} / {total:,} 条")

        reported = {0}

        def progress(done: int, fraction: float | None) -> None:
            if say is not None and total >= PROGRESS_EVERY and done not in reported:
                reported.add(done)
                say(f"  {resource.name}：已校验并写入 {done:,} / {total:,} 条")

        result = ingest_file(
            actor=Actor.platform(),
            resource=resource,
            path=path,
            mode=LoadJob.Mode.REPLACE,
            progress=progress,
            file_name=f"演示数据-{resource.name}.csv",
            source=LoadJob.Source.COMMAND,
        )
    if not result.ok:
        details = "；".join(f"第 {e['row']} 行 {e['item']}：{e['message']}" for e in result.errors[:5])
        raise RuntimeError(f"演示数据“{resource.name}”未通过校验：{result.message} {details}")
    return result.rows_written


def load_demo_records(*, enterprises: int, rng: random.Random, say: Say | None = None) -> dict[str, int]:
    """Load synthetic records into the demo catalog's structured resources; name → live records.

    `enterprises` 法人 rows (0 leaves the 法人 table as it is; a different count replaces them).
    Another resource that already holds at least the expected number of records is skipped (other
    apps add records, e.g. issued certificates); fewer replaces its records."""
    if not 0 <= enterprises <= MAX_ENTERPRISES:
        raise ValueError(f"enterprises must be 0–{MAX_ENTERPRISES}, got {enterprises}")
    # One seed per resource, drawn in a fixed order: each resource's rows do not depend on the others.
    seeds = {name: rng.getrandbits(64) for name in ("people", "enterprises", "small", "population")}
    counties = _counties()
    people = _people(random.Random(seeds["people"]), counties)
    companies = _demo_companies()
    referenced = [
        Enterprise(row[0], row[1], row[2])
        for row in _enterprise_rows(seeds["enterprises"], len(companies) + REFERENCED_ENTERPRISES, companies)
    ]
    small = random.Random(seeds["small"])
    builders: dict[str, Callable[[], list[list[str]]]] = {
        POPULATION: lambda: _population_rows(people, random.Random(seeds["population"])),
        "不动产登记信息": lambda: _real_estate_rows(people, small),
        "宏观经济主要指标": lambda: _economy_rows(small),
        "公共信用信息": lambda: _credit_rows(referenced, small),
        "电子证照目录信息": lambda: _license_rows(people, referenced, small),
        "出生医学证明信息": lambda: _birth_rows(people, small),
        "社会保险参保信息": lambda: _insurance_rows(people, referenced, small),
        "食品经营许可信息": lambda: _food_rows(referenced, small),
        "机动车驾驶证信息": lambda: _licence_rows(people, small),
    }
    counts: dict[str, int] = {}
    legal = _resource(LEGAL_ENTITIES)
    if legal is not None:
        have = count_records(legal)
        if enterprises and have != enterprises:
            if say is not None and enterprises >= PROGRESS_EVERY:
                say(f"正在生成并加载 {enterprises:,} 条法人记录……")
            generated = _enterprise_rows(seeds["enterprises"], enterprises, companies)
            have = _load(legal, generated, say if enterprises >= PROGRESS_EVERY else None, enterprises)
        elif enterprises and indexes_stale(legal):
            # The same rows, loaded before the catalog declared its queryable items: what a reload's
            # index phase would build, built alone (docs/scaling.md, 可查询数据项).
            if say is not None:
                say("正在为法人单位基本信息的可查询数据项建立索引……")
            sync_indexes(legal)
        counts[LEGAL_ENTITIES] = have
    for name, build in builders.items():
        resource = _resource(name)
        if resource is None:
            continue
        rows = build()  # always built, in order, so the shared generator gives the same rows each run
        have = count_records(resource)
        # More than generated is fine: other apps write into the bases too (issued certificates).
        if have < len(rows):
            have = _load(resource, rows, None, len(rows))
        counts[name] = have
    return counts
