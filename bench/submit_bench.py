"""Application submission benchmark (网上办事): submissions per second through the full path.

    .venv/bin/python bench/submit_bench.py                 # 2000 submissions, SQLite
    .venv/bin/python bench/submit_bench.py --count 500 --repeat 3

Method
1. A fresh SQLite database (WAL) in a temporary ZHENGWU_DATA_DIR, migrated; the base catalog with
   the 人口 and 法人 bases (one record per applicant), `--applicants` citizens (default 200), the
   three demo departments and a published item shaped like the demo's 建设工程规划许可:
   4 form fields (one pre-filled from the 人口 base), 3 materials (the ID proof fetched from the
   人口 base, one 20 KB PDF uploaded, one optional), two stages with parallel tasks.
2. (a) `service`: `eservices.services.application_submit(...)` called directly — the whole
   service: form validation with the exchange's converters, the once-only fetch from the 人口
   base with its hash-chained access-log entry, SM3 of the upload, the file stored in the
   database, the case number from the per-year counter, the supervision timer, the timeline
   event, the in-site notification and the audit record — one transaction per submission.
   (b) `http`: the same submission as a multipart POST to `/services/items/<id>/apply/` through
   Django's test client (logged-in session; CSRF not enforced by the test client), i.e. the
   view, the form, the service and the redirect — without a network socket or a server process.
   Each run submits `--count` applications round-robin over the applicants; `--repeat` runs
   each (after one warm-up run of 50), alternating; medians of the runs are reported.
3. Prints submissions/s (median), the ratio http/service, the machine (nproc, load average as `uptime` shows it)
   and writes WORKDIR/results.json. The machine may be shared: note the load beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"
FORM = {"project": "长春市某小区 3 号楼", "area": "1200.5", "use": "住宅"}


def log(text: str) -> None:
    print(text, flush=True)


def setup(applicants: int) -> tuple[Any, list[Any]]:
    from django.db import transaction

    from zhengwu.accounts.models import Department, Region, User
    from zhengwu.catalog.demo import MARKET, POLICE, load_base_catalog
    from zhengwu.core.idnumbers import make_credit_code, make_resident_id
    from zhengwu.eservices import services
    from zhengwu.core.actors import Actor
    from zhengwu.exchange.store import tables as store

    region = Region.objects.create(code="220000", name="吉林省", level=Region.Level.PROVINCE)
    names = ["吉林省市场监督管理厅", "吉林省公安厅", "吉林省自然资源厅", "吉林省住房和城乡建设厅"]
    depts = [
        Department.objects.create(
            name=name,
            credit_code=make_credit_code("11", "220000", f"0135{serial:04d}"),
            region=region,
            level=Department.Level.PROVINCE,
        )
        for serial, name in enumerate(names, start=1)
    ]
    market, police, nature, housing = depts
    person = next(
        r for r in load_base_catalog(providers={MARKET: market, POLICE: police}) if r.code == services.PERSON_BASE
    )
    from datetime import date

    users = []
    rows = []
    for n in range(applicants):
        id_number = make_resident_id("220102", date(1960 + n % 40, 1 + n % 12, 1 + n % 28), 1 + n)
        user = User(username=f"bench{n:05d}", kind=User.Kind.CITIZEN, real_name=f"申请人{n}", id_number=id_number)
        user.set_unusable_password()
        users.append(user)
        rows.append((id_number, f"申请人{n}", "男", "1980-01-01", "汉族", "长春市南关区"))
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="bench").order_by("username"))
    for user in users:  # bulk_create skips save(): set the blind index the app relies on
        user.save(update_fields=["id_number_index"])
    spec = store.table_spec(person)
    columns = ["id_number", "name", "gender", "birth_date", "ethnicity", "household_address"]
    with transaction.atomic():
        writer = store.TableWriter(person, mode="upsert", columns=columns)
        for row in rows:
            writer.add(tuple(spec.db_converter(c)(v) for c, v in zip(columns, row, strict=True)))
        writer.finish()
    item = services.item_create(
        actor=Actor.platform(),
        department=market,
        data=services.ItemData(
            name="建设工程规划许可证核发",
            basic_code="000117003000",
            impl_code="BENCH-XK-001",
            item_type="XK",
            case_prefix="BENCH",
            basis="《中华人民共和国城乡规划法》第四十条",
            audience="both",
            conditions="符合规划条件",
            legal_limit=20,
            promised_limit=12,
        ),
        materials=[
            services.MaterialSpec(name="申请人身份证明", source="base", base_resource_code=services.PERSON_BASE),
            services.MaterialSpec(name="建设工程设计方案"),
            services.MaterialSpec(name="授权委托书", required=False),
        ],
        fields=[
            services.FieldSpec(code="applicant_name", label="申请人姓名", required=True, prefill="person:name"),
            services.FieldSpec(code="project", label="项目名称", required=True, max_length=100),
            services.FieldSpec(code="area", label="建筑面积", data_type="decimal", required=True),
            services.FieldSpec(code="use", label="用途", data_type="enum", enum_values=["住宅", "商业"]),
        ],
        stages=[
            services.StageSpec(name="受理审查", tasks=[services.TaskSpec(market, "规划条件核对", 2)]),
            services.StageSpec(
                name="并联审查",
                tasks=[services.TaskSpec(nature, "用地审查", 6), services.TaskSpec(housing, "方案审查", 6)],
            ),
        ],
    )
    return services.item_publish(actor=Actor.platform(), item=item), users


def run_service(item: Any, users: list[Any], count: int) -> float:
    from zhengwu.eservices import services

    design = item.materials.get(name="建设工程设计方案").pk
    started = time.perf_counter()
    for n in range(count):
        services.application_submit(
            actor=users[n % len(users)],
            item=item,
            data=FORM,
            files={design: services.Upload(name="方案.pdf", content=PDF)},
        )
    return count / (time.perf_counter() - started)


def run_http(item: Any, users: list[Any], count: int, clients: list[Any]) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    design = item.materials.get(name="建设工程设计方案").pk
    url = f"/services/items/{item.pk}/apply/"
    started = time.perf_counter()
    for n in range(count):
        client = clients[n % len(clients)]
        data: dict[str, Any] = {f"data_{k}": v for k, v in FORM.items()}
        data[f"file_{design}"] = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"submission failed: HTTP {response.status_code}")
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--applicants", type=int, default=200)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="zhengwu-submit-bench-"))
    os.environ["ZHENGWU_DATA_DIR"] = str(workdir / "data")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    os.environ.setdefault("ZHENGWU_SMS_BACKEND", "memory")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's ALLOWED_HOSTS / e-mail outbox
    call_command("migrate", verbosity=0)
    item, users = setup(args.applicants)
    log(f"workdir {workdir}; {len(users)} applicants; item {item.name}")
    clients = []
    for user in users[:20]:
        client = Client()
        client.force_login(user)
        clients.append(client)
    run_service(item, users, 50)
    run_http(item, users, 50, clients)
    service_rates, http_rates = [], []
    for n in range(args.repeat):
        service_rates.append(run_service(item, users, args.count))
        http_rates.append(run_http(item, users, args.count, clients))
        log(f"run {n + 1}: service {service_rates[-1]:.1f}/s, http {http_rates[-1]:.1f}/s")
    uptime = "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    result = {
        "count": args.count,
        "repeat": args.repeat,
        "service_per_s_median": round(statistics.median(service_rates), 1),
        "http_per_s_median": round(statistics.median(http_rates), 1),
        "ratio_http_over_service": round(statistics.median(http_rates) / statistics.median(service_rates), 2),
        "service_runs": [round(r, 1) for r in service_rates],
        "http_runs": [round(r, 1) for r in http_rates],
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "uptime": uptime,
    }
    (workdir / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    log(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
