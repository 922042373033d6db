"""Disclosure search benchmark: 100,000 generated publications, jieba term index, SQLite.

    .venv/bin/python bench/disclosure_search_bench.py                  # 100,000 items
    .venv/bin/python bench/disclosure_search_bench.py --items 20000    # a quicker run

1. A fresh ZHENGWU_DATA_DIR (SQLite), migrated; 24 departments.
2. N publications generated from a vocabulary (titles like 吉林省卫生健康委员会关于印发《…实施方案》的通知,
   document numbers like 吉卫发〔2025〕37号, 主题词, bodies of 3–6 paragraphs from sentence templates),
   plus 12 labelled documents, bulk-inserted (executemany) with their search index:
   `--backend fts5` (default, what the app uses on SQLite): the FTS5 rows of
   `disclosure.search_index.segmented`; `--backend terms` (the app's PostgreSQL path, here on
   SQLite for comparison): the weighted rows of `disclosure.search.index_terms`. Body tokens are
   memoised per sentence; the result is checked equal to the app's function on a sample.
3. A query set (one to three words, a document number, rare and very common words) is run R
   times through the selector the portal page uses (`search_publications(q)` → count + first page
   of 20, as `Paginator` does) and through the page itself (`GET /disclosure/?q=…` with Django's
   test client: URL routing, middleware, template; in-process, no socket).
4. Medians and p95 per path; hit rate of the labelled set (the labelled document in the top 3).

Prints a Markdown report and writes WORKDIR/results.json. Timings depend on the (shared) machine:
the report includes `uptime`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from query_bench import machine  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

AGENCIES = [
    ("吉林省人民政府办公厅", "吉政办发"),
    ("吉林省发展和改革委员会", "吉发改"),
    ("吉林省教育厅", "吉教发"),
    ("吉林省科学技术厅", "吉科发"),
    ("吉林省工业和信息化厅", "吉工信发"),
    ("吉林省公安厅", "吉公发"),
    ("吉林省民政厅", "吉民发"),
    ("吉林省司法厅", "吉司发"),
    ("吉林省财政厅", "吉财发"),
    ("吉林省人力资源和社会保障厅", "吉人社发"),
    ("吉林省自然资源厅", "吉自然资发"),
    ("吉林省生态环境厅", "吉环发"),
    ("吉林省住房和城乡建设厅", "吉建发"),
    ("吉林省交通运输厅", "吉交发"),
    ("吉林省水利厅", "吉水发"),
    ("吉林省农业农村厅", "吉农发"),
    ("吉林省商务厅", "吉商发"),
    ("吉林省文化和旅游厅", "吉文旅发"),
    ("吉林省卫生健康委员会", "吉卫发"),
    ("吉林省应急管理厅", "吉应急发"),
    ("吉林省市场监督管理厅", "吉市监发"),
    ("吉林省统计局", "吉统发"),
    ("吉林省医疗保障局", "吉医保发"),
    ("吉林省政务服务和数字化建设管理局", "吉政数发"),
]
TOPICS = [
    "优化营商环境",
    "食品安全监督抽检",
    "安全生产专项整治",
    "农村人居环境整治",
    "义务教育课后服务",
    "城镇老旧小区改造",
    "基本养老保险",
    "城乡居民医疗保险",
    "高标准农田建设",
    "黑土地保护",
    "冰雪旅游",
    "人参产业",
    "汽车产业集群",
    "新能源汽车推广应用",
    "数字政府建设",
    "政务服务一网通办",
    "中小企业纾困",
    "稳就业",
    "高校毕业生就业创业",
    "退役军人安置",
    "残疾人两项补贴",
    "最低生活保障",
    "特困人员救助供养",
    "儿童福利",
    "养老服务体系",
    "疾病预防控制",
    "传染病防治",
    "疫苗接种",
    "医疗机构监督管理",
    "药品集中带量采购",
    "河湖长制",
    "水土保持",
    "森林防火",
    "防汛抗旱",
    "地质灾害防治",
    "大气污染防治",
    "秸秆综合利用",
    "生活垃圾分类",
    "农村公路建设",
    "公路养护",
    "道路运输安全",
    "城市燃气安全",
    "建筑施工安全",
    "消防安全",
    "校园安全",
    "网络安全",
    "知识产权保护",
    "质量强省",
    "标准化建设",
    "计量监督",
    "价格监督检查",
    "反不正当竞争",
    "统计调查",
    "经济普查",
    "财政预算管理",
    "政府采购",
    "国有资产管理",
    "地方政府债务",
    "科技创新平台",
    "科技成果转化",
    "人才引进",
    "职业技能培训",
    "工资支付保障",
    "劳动保障监察",
    "文物保护",
    "公共文化服务",
    "全民健身",
    "社区治理",
    "乡村振兴",
    "粮食安全",
    "畜牧业发展",
    "对外开放",
    "跨境电商",
    "口岸建设",
    "招商引资",
    "重大项目建设",
    "土地供应",
    "不动产登记",
    "耕地保护",
    "矿产资源管理",
    "住房公积金",
    "保障性住房",
    "物业管理",
    "城市更新",
]
OBJECTS = [
    "实施方案",
    "工作方案",
    "管理办法",
    "实施细则",
    "若干措施",
    "指导意见",
    "三年行动计划",
    "工作要点",
    "考核办法",
    "应急预案",
]
KINDS = ["通知", "意见", "决定", "公告", "通告", "批复", "报告"]
VERBS = ["印发", "进一步加强", "做好", "开展", "推进", "调整", "规范", "公布"]
CATEGORIES = [
    "policy",
    "policy",
    "policy",
    "plan",
    "budget",
    "personnel",
    "licensing",
    "penalty",
    "emergency",
    "statistics",
    "procurement",
    "other",
]
SENTENCES = [
    "为深入贯彻落实党中央、国务院关于{t}的决策部署，结合我省实际，制定本{o}。",
    "各地各部门要充分认识{t}工作的重要意义，切实加强组织领导，明确责任分工。",
    "到{y}年底，全省{t}工作取得明显成效，体制机制更加健全，群众获得感进一步增强。",
    "坚持问题导向，聚焦{t}中的突出问题，建立健全长效机制。",
    "{a}负责统筹协调{t}工作，会同有关部门加强督促检查。",
    "各市（州）人民政府、长白山管委会、梅河口市人民政府要结合实际制定具体措施，确保各项任务落到实处。",
    "加大财政资金支持力度，统筹用好中央和省级专项资金，提高资金使用效益。",
    "强化监督检查，对工作推进不力、措施落实不到位的，依法依规严肃追责问责。",
    "加强宣传引导，及时总结推广典型经验做法，营造全社会共同参与{t}的良好氛围。",
    "本{o}自印发之日起施行，有效期五年。",
    "请各单位于每季度末将{t}工作进展情况报送{a}。",
    "充分运用大数据、云计算等信息化手段，提升{t}工作的精细化、智能化水平。",
    "建立健全部门协同、上下联动的工作机制，形成工作合力。",
    "对在{t}工作中成绩突出的单位和个人，按照有关规定给予表彰。",
]
SUBJECTS = [
    "经济管理",
    "社会保障",
    "安全生产",
    "城乡建设",
    "教育",
    "卫生",
    "农业",
    "环境保护",
    "交通",
    "财政",
    "科技",
    "文化",
    "市场监管",
    "应急",
]

# Labelled documents: (title, subject words, body sentence, query, category). Each query must
# bring its document into the top 3 among the generated ones (which share much of the vocabulary).
LABELLED = [
    (
        "吉林省冰雪产业高质量发展规划（2026—2030年）",
        "冰雪产业 规划",
        "推动冰雪运动、冰雪文化、冰雪装备协同发展。",
        "冰雪产业发展规划",
    ),
    ("吉林省人参产业振兴三年行动计划", "人参 产业振兴", "做大做强长白山人参品牌。", "人参产业振兴"),
    (
        "关于做好2026年高校毕业生就业创业工作的通知",
        "高校毕业生 就业",
        "拓宽高校毕业生就业渠道。",
        "2026年高校毕业生就业",
    ),
    ("吉林省黑土地保护工程实施方案", "黑土地 保护", "实施黑土地保护性耕作。", "黑土地保护工程"),
    ("吉林省城镇老旧小区改造技术导则", "老旧小区 改造 导则", "明确老旧小区改造的技术要求。", "老旧小区改造技术导则"),
    ("关于调整全省最低工资标准的通知", "最低工资 标准", "调整后的月最低工资标准分为三档。", "最低工资标准调整"),
    (
        "吉林省突发公共卫生事件应急预案",
        "公共卫生 应急预案",
        "规范突发公共卫生事件的应急处置。",
        "突发公共卫生事件应急预案",
    ),
    ("2025年吉林省省级部门预算公开说明", "部门预算", "公开省级部门收支预算总表。", "省级部门预算"),
    ("吉林省药品集中带量采购中选结果执行通知", "药品 带量采购", "落实中选药品进院使用。", "药品带量采购中选结果"),
    ("吉林省森林草原防灭火条例实施办法", "森林防火 草原", "加强森林草原火源管控。", "森林草原防灭火"),
    (
        "关于公布吉林省第一批省级非物质文化遗产代表性项目名录的通知",
        "非物质文化遗产 名录",
        "公布非物质文化遗产代表性项目。",
        "非物质文化遗产代表性项目",
    ),
    (
        "吉林省跨境电子商务综合试验区建设方案",
        "跨境电商 综合试验区",
        "建设跨境电子商务线上综合服务平台。",
        "跨境电子商务综合试验区",
    ),
]
QUERIES = [
    "食品安全",
    "营商环境",
    "养老保险",
    "安全生产",
    "乡村振兴",
    "疫苗接种",
    "冰雪旅游",
    "高标准农田",
    "政务服务一网通办",
    "老旧小区改造",
    "最低生活保障",
    "新能源汽车",
    "大气污染防治",
    "人才引进",
    "消防安全检查",
    "财政预算",
    "不动产登记",
    "道路运输安全",
    "职业技能培训",
    "地质灾害防治",
    "吉卫发〔2025〕37号",
    "实施方案",
    "通知",
    "工作",
    "关于印发实施方案的通知",
    "数字政府建设指导意见",
    "住房公积金管理办法",
    "防汛抗旱应急预案",
    "知识产权保护",
    "跨境电商",
]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    except OSError:
        return "uptime unavailable"


def credit_code(index: int) -> str:
    from zhengwu.core.idnumbers import CREDIT_CHARSET, make_credit_code

    body = "0135" + "".join(CREDIT_CHARSET[(index // 31**k) % 31] for k in range(3, -1, -1))
    return make_credit_code("11", "220000", body)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the query set per path")
    parser.add_argument("--workdir", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--backend", choices=["fts5", "terms"], default="fts5")
    parser.add_argument("--reuse", action="store_true", help="measure again on the items already in --workdir")
    args = parser.parse_args()

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="zw-disclosure-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["ZHENGWU_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengwu.settings"
    os.environ.setdefault("ZHENGWU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from zhengwu.accounts.models import Department, Region
    from zhengwu.disclosure import search, search_index
    from zhengwu.disclosure.selectors import search_publications

    print(f"[bench] workdir {workdir}", flush=True)
    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="220000", defaults={"name": "吉林省", "level": "province"})
    departments = []
    for i, (name, _prefix) in enumerate(AGENCIES):
        dept, _ = Department.objects.get_or_create(
            name=name, region=region, defaults={"credit_code": credit_code(1000 + i), "level": "province"}
        )
        departments.append(dept)

    rng = random.Random(2026)
    sentence_terms: dict[str, Counter[str]] = {}
    sentence_tokens: dict[str, list[str]] = {}
    if args.backend == "terms":
        search_index.uses_fts = lambda: False  # the PostgreSQL path, on SQLite

    def fts_row(title: str, subject: str, number: str, sentences: list[str]) -> tuple[str, str, str, str]:
        body: list[str] = []
        for s in sentences:
            toks = sentence_tokens.get(s)
            if toks is None:
                toks = sentence_tokens[s] = search.tokens(s)
            body.extend(toks)
        return (
            " ".join(search.tokens(title)),
            " ".join(search.tokens(subject)),
            " ".join(t.lower() for t in search.number_tokens(number)),
            " ".join(body),
        )

    def body_counter(sentences: list[str]) -> Counter[str]:
        total: Counter[str] = Counter()
        for s in sentences:
            c = sentence_terms.get(s)
            if c is None:
                c = sentence_terms[s] = Counter(search.tokens(s))
            total.update(c)
        return total

    def terms_of(title: str, subject: str, number: str, sentences: list[str]) -> dict[str, int]:
        weights: Counter[str] = Counter()
        for t in set(search.tokens(title)):
            weights[t] += search.TITLE_WEIGHT
        for t in set(search.tokens(subject)):
            weights[t] += search.SUBJECT_WEIGHT
        for t in search.number_tokens(number):
            weights[t[:64].lower()] += search.NUMBER_WEIGHT
        for t, n in body_counter(sentences).items():
            weights[t] += search.BODY_WEIGHT * min(n, search.BODY_CAP)
        return dict(weights)

    seq: Counter[tuple[int, int]] = Counter()
    numbers: Counter[tuple[str, int]] = Counter()
    now = timezone.now()
    pub_sql = (
        "INSERT INTO disclosure_publication (id, department_id, index_number, index_year, index_sequence, category,"
        " title, document_number, subject_words, date_written, validity, body, state, published_at, created_at,"
        " updated_at, withdraw_reason) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'published',%s,%s,%s,'')"
    )
    if args.backend == "terms":
        term_sql = "INSERT INTO disclosure_publicationsearchterm (publication_id, term, weight) VALUES (%s,%s,%s)"
    else:
        term_sql = f"INSERT INTO {search_index.FTS_TABLE} (rowid, title, subject, number, body) VALUES (%s,%s,%s,%s,%s)"  # noqa: S608
    samples: list[tuple[str, str, str, str, object]] = []
    labelled_ids: dict[str, int] = {}

    def make(
        pid: int, dept_index: int, title: str, subject: str, sentences: list[str], category: str, year: int
    ) -> tuple:
        dept = departments[dept_index]
        seq[(dept.pk, year)] += 1
        prefix = AGENCIES[dept_index][1]
        numbers[(prefix, year)] += 1
        number = f"{prefix}〔{year}〕{numbers[(prefix, year)]}号"
        written = date(year, 1, 1) + timedelta(days=rng.randrange(0, 360))
        body = "\n\n".join(sentences)
        index = f"{dept.credit_code}/{year}-{seq[(dept.pk, year)]:05d}"
        if args.backend == "terms":
            terms: object = terms_of(title, subject, number, sentences)
            index_rows: list[tuple[Any, ...]] = [(pid, t, w) for t, w in terms.items()]  # type: ignore[attr-defined]
        else:
            terms = fts_row(title, subject, number, sentences)
            index_rows = [(pid, *terms)]
        if len(samples) < 200 and rng.random() < 0.01:
            samples.append((title, subject, number, body, terms))
        published = datetime.combine(written, datetime.min.time(), tzinfo=now.tzinfo)
        row = (
            pid,
            dept.pk,
            index,
            year,
            seq[(dept.pk, year)],
            category,
            title,
            number,
            subject,
            written,
            "valid",
            body,
            published,
            now,
            now,
        )
        return row, index_rows

    started = time.perf_counter()
    total_terms = 0
    batch_rows: list[tuple] = []
    batch_terms: list[tuple] = []

    def flush() -> None:
        nonlocal total_terms
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(pub_sql, batch_rows)
            cursor.executemany(term_sql, batch_terms)
        total_terms += len(batch_terms)
        batch_rows.clear()
        batch_terms.clear()

    pid = 0
    from zhengwu.disclosure.models import Publication

    if args.reuse and Publication.objects.exists():
        args.items = 0
        pid = Publication.objects.count()
        for title, _, _, query in LABELLED:
            labelled_ids[query] = Publication.objects.get(title=title).pk
        total_terms = pid if args.backend == "fts5" else 0
    for _ in range(args.items):
        pid += 1
        dept_index = rng.randrange(len(departments))
        agency = AGENCIES[dept_index][0]
        topic = rng.choice(TOPICS)
        obj = rng.choice(OBJECTS)
        year = rng.choice([2022, 2023, 2024, 2025, 2026])
        title = f"{agency}关于{rng.choice(VERBS)}{topic}{obj}的{rng.choice(KINDS)}"
        subject = " ".join(rng.sample(SUBJECTS, 2)) + " " + topic
        sentences = [
            s.format(t=rng.choice([topic, topic, rng.choice(TOPICS)]), o=obj, y=year + rng.randrange(1, 4), a=agency)
            for s in rng.sample(SENTENCES, rng.randrange(3, 7))
        ]
        row, terms = make(pid, dept_index, title, subject, sentences, rng.choice(CATEGORIES), year)
        batch_rows.append(row)
        batch_terms.extend(terms)
        if len(batch_rows) >= 5000:
            flush()
            print(f"[bench] {pid} items, {total_terms} terms, {time.perf_counter() - started:.0f} s", flush=True)
    for title, subject, sentence, query in LABELLED if args.items else []:
        pid += 1
        sentences = [sentence, *rng.sample(SENTENCES, 3)]
        sentences = [s.format(t=subject.split()[0], o="方案", y=2027, a="省政府") for s in sentences]
        row, terms = make(pid, 0, title, subject, sentences, "policy", 2026)
        batch_rows.append(row)
        batch_terms.extend(terms)
        labelled_ids[query] = pid
    if batch_rows:
        flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started
    print(f"[bench] loaded {pid} items and {total_terms} terms in {load_seconds:.0f} s", flush=True)

    # The memoised weighting equals the app's own function on the sample.
    def reference(title: str, subject: str, number: str, body: str) -> object:
        if args.backend == "terms":
            return search.index_terms(title=title, subject_words=subject, document_number=number, body=body)
        return search_index.segmented(title=title, subject_words=subject, document_number=number, body=body)

    mismatches = sum(
        1 for title, subject, number, body, terms in samples if reference(title, subject, number, body) != terms
    )

    def via_selector(q: str) -> tuple[float, list[int]]:
        t0 = time.perf_counter()
        results = search_publications(q)
        _count = len(results)  # what Paginator asks first (one COUNT)
        page = [p.pk for p in results[:20]]
        return (time.perf_counter() - t0) * 1000, page

    client = Client()

    def via_page(q: str) -> float:
        t0 = time.perf_counter()
        response = client.get("/disclosure/", {"q": q})
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - t0) * 1000

    queries = QUERIES + [q for _, _, _, q in LABELLED]
    for q in queries[:5]:  # warm-up (jieba dictionary, page cache)
        via_selector(q)
        via_page(q)
    selector_ms: list[float] = []
    page_ms: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in queries}
    for _ in range(args.repeat):
        for q in queries:
            ms, _page = via_selector(q)
            selector_ms.append(ms)
            per_query[q].append(ms)
            page_ms.append(via_page(q))
    hits = 0
    labelled_report = []
    for _, _, _, q in LABELLED:
        _, top = via_selector(q)
        found = labelled_ids[q] in top[:3]
        hits += found
        labelled_report.append((q, top[:3].index(labelled_ids[q]) + 1 if found else None))

    results = {
        "backend": args.backend,
        "items": pid,
        "index_rows": total_terms,
        "load_seconds": round(load_seconds, 1),
        "db_bytes": (workdir / "zhengwu.sqlite3").stat().st_size if (workdir / "zhengwu.sqlite3").exists() else None,
        "queries": len(queries),
        "repeat": args.repeat,
        "selector_median_ms": round(statistics.median(selector_ms), 2),
        "selector_p95_ms": round(pct(selector_ms, 0.95), 2),
        "page_median_ms": round(statistics.median(page_ms), 2),
        "page_p95_ms": round(pct(page_ms, 0.95), 2),
        "slowest_queries_ms": sorted(((round(statistics.median(v), 1), q) for q, v in per_query.items()), reverse=True)[
            :5
        ],
        "labelled_hit_rate": f"{hits}/{len(LABELLED)}",
        "labelled": labelled_report,
        "weighting_sample_mismatches": f"{mismatches}/{len(samples)}",
        "machine": machine(),
        "uptime": uptime(),
    }
    (workdir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print()
    print(f"| disclosure search, SQLite, {args.backend}, {pid:,} items | median | p95 |")
    print("|---|---|---|")
    print(
        "| selector `search_publications` (count + first 20) |"
        f" {results['selector_median_ms']} ms | {results['selector_p95_ms']} ms |"
    )
    print(
        f"| page `GET /disclosure/?q=` (test client) | {results['page_median_ms']} ms | {results['page_p95_ms']} ms |"
    )
    print()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
