"""Documents benchmark: render and seal a 10-page document with 3 attachments; the 收文 list of a
department holding 100,000 documents (target p95 ≤ 50 ms on SQLite).

    .venv/bin/python bench/documents_bench.py                       # 100,000 received documents
    .venv/bin/python bench/documents_bench.py --received 20000      # a quicker run

1. A fresh ZHENGWU_DATA_DIR (SQLite), migrated; two departments, their clerk and leader.
2. Render and seal: a 通知 whose body fills ten pages, with three attachments (1 MB each), drafted,
   reviewed, signed, checked and registered through the services; then `document_print` (GB/T 9704
   PDF + SM2 seal over its SM3 digest, files written under media/documents/) is timed R times (the
   document is put back to 已登记 between runs). Median and range.
3. The 收文 list: N documents issued to the receiving department, bulk-inserted (documents and their
   deliveries, 2/3 still open); `GET /workbench/documents/inbox/` (in-process test client: URL
   routing, middleware, session, template) for pages 1, 2, 3 and 50, with the open filter and a
   文种 filter; and the selector alone. Median and p95.

Prints a Markdown report (with `uptime`). Timings depend on the (shared) machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from query_bench import machine  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--received", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="zw-documents-bench-"))
    os.environ["ZHENGWU_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengwu.settings"
    os.environ.setdefault("ZHENGWU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from zhengwu.accounts.models import Department, Region, Role
    from zhengwu.conftest import make_staff, staff_client
    from zhengwu.core.actors import Actor
    from zhengwu.documents import selectors, services
    from zhengwu.documents.models import Delivery, Document
    from zhengwu.documents.services import DocumentData

    try:
        call_command("migrate", verbosity=0)
        region = Region.objects.create(code="220000", name="吉林省", level="province")
        sender = Department.objects.create(
            name="吉林省人民政府办公厅", credit_code="11220000013544001A", region=region, level="province"
        )
        receiver = Department.objects.create(
            name="吉林省市场监督管理厅", credit_code="11220000013544357T", region=region, level="province"
        )
        clerk = Actor.person(make_staff("bgt.clerk", sender, Role.CLERK, name="办公厅文书"))
        leader = Actor.person(make_staff("bgt.leader", sender, Role.DEPT_LEADER, name="办公厅秘书长"))
        receiver_clerk = make_staff("scjgt.clerk", receiver, Role.CLERK, name="市场监管厅文书")

        # --- render and seal ------------------------------------------------------------------
        paragraph = "各地各部门要提高政治站位，压实工作责任，细化工作措施，确保各项任务落到实处、见到实效。" * 3
        body = "\n".join(f"{i}. {paragraph}" for i in range(1, 36))
        data = DocumentData(
            kind="notice",
            prefix="吉政办发",
            title="吉林省人民政府办公厅关于印发《吉林省数字政府建设三年行动方案（2026—2028年）》的通知",
            body=body,
            main_to="各市（州）人民政府，长白山管委会，各县（市）人民政府，省政府各厅委办、各直属机构",
            attachment_note="1. 行动方案\n2. 任务分工表\n3. 重点项目清单",
            copy_to="省委办公厅，省人大常委会办公厅，省政协办公厅",
            written_on=date(2026, 12, 1),
        )
        document = services.document_draft(actor=clerk, department=sender, data=data)
        for index in range(3):
            services.attachment_add(
                actor=clerk, document=document, name=f"附件{index + 1}.pdf", content=os.urandom(1024 * 1024)
            )
        services.document_submit(actor=clerk, document=document)
        services.document_review(actor=leader, document=document, approve=True)
        services.document_submit_for_signing(actor=clerk, document=document)
        services.document_sign(actor=leader, document=document)
        services.document_check(actor=clerk, document=document)
        services.document_register(actor=clerk, document=document, main_departments=[receiver])
        from zhengwu.documents import pdf

        pages = pdf.render(Document.objects.get(pk=document.pk)).pages
        renders: list[float] = []
        size = 0
        for _ in range(args.renders):
            Document.objects.filter(pk=document.pk).update(state=Document.State.REGISTERED)
            started = time.perf_counter()
            printed = services.document_print(actor=clerk, document=document)
            renders.append(time.perf_counter() - started)
            size = (workdir / "media" / "documents" / printed.file_path).stat().st_size

        # --- the 收文 list --------------------------------------------------------------------
        now = timezone.now()
        kinds = ["notice", "letter", "request", "reply", "opinion"]
        batch = 10_000
        for first in range(0, args.received, batch):
            count = min(batch, args.received - first)
            made = Document.objects.bulk_create(
                [
                    Document(
                        department=sender,
                        prefix="吉政办函",
                        year=2026,
                        serial=10_000 + first + i,
                        number=f"吉政办函〔2026〕{10_000 + first + i}号",
                        kind=kinds[(first + i) % 5],
                        title=f"关于第{first + i}项重点工作的通知",
                        body="正文",
                        state=Document.State.ISSUED,
                    )
                    for i in range(count)
                ]
            )
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        document=d,
                        department=receiver,
                        title=d.title,
                        number=d.number,
                        kind=d.kind,
                        delivered_at=now - timedelta(minutes=first + i),
                        state=Delivery.State.DELIVERED if (first + i) % 3 else Delivery.State.DONE,
                    )
                    for i, d in enumerate(made)
                ]
            )
        browser = staff_client(receiver_clerk)
        queries = [{}, {"page": "2"}, {"page": "3"}, {"page": "50"}, {"kind": "letter"}, {"state": "all"}]
        pages_ms: list[float] = []
        for n in range(args.requests):
            query = queries[n % len(queries)]
            started = time.perf_counter()
            response = browser.get("/workbench/documents/inbox/", query)
            pages_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        actor = Actor.person(receiver_clerk)
        selector_ms: list[float] = []
        for n in range(args.requests):
            started = time.perf_counter()
            selectors.light_page(selectors.inbox(actor, state="open"), str(1 + n % 50), 30)
            selector_ms.append((time.perf_counter() - started) * 1000)

        uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
        print(f"Machine: {machine()}; {uptime}")
        print()
        print(
            f"Render and seal ({pages} pages, 3 attachments of 1 MB beside it, PDF {size / 1024:.0f} KiB),"
            f" {args.renders} runs:"
        )
        print(
            f"median {statistics.median(renders) * 1000:.0f} ms "
            f"(min {min(renders) * 1000:.0f}, max {max(renders) * 1000:.0f})"
        )
        print()
        print(f"收文 list, {args.received:,} received documents, {args.requests} requests each:")
        print("| path | median ms | p95 ms |")
        print("|---|---:|---:|")
        print(f"| GET /workbench/documents/inbox/ | {statistics.median(pages_ms):.1f} | {p95(pages_ms):.1f} |")
        print(f"| selector (page of 30, open) | {statistics.median(selector_ms):.1f} | {p95(selector_ms):.1f} |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
