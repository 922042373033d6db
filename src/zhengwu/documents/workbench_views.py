"""Workbench pages of the documents app (内网): 发文 (list, draft, the document's steps, the sealed
file, per-recipient status), 收文 (list, the delivery's steps), search, statistics and Excel export.
Thin: parse, call a service or selector, render. A clerk sees only their department's documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department, Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.audit.services import record_action
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import post_action
from zhengwu.documents import selectors, services, storage
from zhengwu.documents.audit_actions import DocumentsAction
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.forms import TEMPLATES, DocumentForm
from zhengwu.documents.models import Delivery, Document, DocumentVersion, Handler, Kind
from zhengwu.documents.services import Assignment
from zhengwu.documents.states import DELIVERY, DOCUMENT

STAFF = (Role.CLERK, Role.DEPT_LEADER)
PAGE_SIZE = 30
EXPORT_LIMIT = 10000


def _department(user: User) -> Department:
    if user.department is None:
        raise permission_denied("您未归属任何部门。")
    return user.department


def _own_document(request: HttpRequest, pk: int) -> Document:
    return found_or_404(selectors.sent_documents(Actor.from_request(request)).filter(pk=pk).first(), "没有这份公文。")


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2100 else None


# --- 发文 ------------------------------------------------------------------------------------


@staff_required(*STAFF)
def documents(request: HttpRequest) -> HttpResponse:
    rows = selectors.sent_documents(Actor.from_request(request))
    state = request.GET.get("state", "")
    if state in Document.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": Document.State.choices}
    return render(request, "documents/wb_documents.html", context)


def _edit_page(request: HttpRequest, document: Document | None) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        form = DocumentForm(request.POST)

        def save(actor: Actor, _data: dict[str, Any]) -> Done:
            saved = document
            note = request.POST.get("note", "")
            if saved is None:
                saved = services.document_draft(actor=actor, department=_department(user), data=form.data_object())
            elif saved.state == Document.State.SIGNED:
                services.document_amend(actor=actor, document=saved, data=form.data_object(), note=note)
            else:
                services.document_edit(actor=actor, document=saved, data=form.data_object(), note=note)
            return f"已保存《{saved.title}》。", reverse("documents_wb:document", args=[saved.pk])

        if done := form_write(request, form, save):
            return done
    elif document is None:
        kind = request.GET.get("kind", Kind.NOTICE)
        kind = kind if kind in Kind.values else Kind.NOTICE
        form = DocumentForm(initial={"kind": kind, "body": TEMPLATES.get(kind, ""), "written_on": workdays.today()})
    else:
        form = DocumentForm(initial=DocumentForm.initial_of(document))
    context = {"form": form, "document": document, "kinds": Kind.choices}
    return render(request, "documents/wb_edit.html", context)


@staff_required(Role.CLERK)
def document_new(request: HttpRequest) -> HttpResponse:
    _department(acting_user(request))
    return _edit_page(request, None)


@staff_required(Role.CLERK)
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_document(request, pk)
    if found.state not in (Document.State.DRAFTING, Document.State.SIGNED):
        messages.error(request, "只有草稿或待复核的公文可以修改。")
        return redirect("documents_wb:document", pk=pk)
    return _edit_page(request, found)


def _document_to_act_on(request: HttpRequest, pk: int) -> Document:
    """The department's own document, or one it co-issues (to read and countersign it)."""
    return found_or_404(selectors.document_for(Actor.from_request(request), pk), "没有这份公文。")


@staff_required(*STAFF)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = _document_to_act_on(request, pk)
    versions = list(DocumentVersion.objects.filter(document=found).order_by("number"))
    diffs = [(v, v.diff(versions[i - 1] if i else None)) for i, v in enumerate(versions)]
    can = {name: DOCUMENT.can(found, name) for name in DOCUMENT.moves}
    departments = Department.objects.filter(is_active=True).exclude(pk=found.department_id).order_by("name")
    context = {
        "document": found,
        "diffs": list(reversed(diffs)),
        "reviews": found.reviews.select_related("reviewer"),
        "attachments": found.attachments.all(),
        "deliveries": selectors.recipient_status(found),
        "can": can,
        "departments": departments,
        "joint_issuers": selectors.joint_issuers(found),
        "own": found.department_id == acting_user(request).department_id,
    }
    return render(request, "documents/wb_document.html", context)


@staff_required(*STAFF)
@require_POST
def document_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = _document_to_act_on(request, pk) if verb == "countersign" else _own_document(request, pk)
    post = request.POST

    def act(actor: Actor) -> str | None:
        if verb == "submit":
            services.document_submit(actor=actor, document=found)
        elif verb == "approve":
            services.document_review(actor=actor, document=found, approve=True, comment=post.get("comment", ""))
        elif verb == "send_back":
            services.document_review(actor=actor, document=found, approve=False, comment=post.get("comment", ""))
        elif verb == "to_signer":
            services.document_submit_for_signing(actor=actor, document=found)
        elif verb == "countersign":
            services.document_countersign(actor=actor, document=found)
        elif verb == "sign":
            services.document_sign(actor=actor, document=found)
        elif verb == "check":
            services.document_check(actor=actor, document=found)
        elif verb == "register":
            main = list(Department.objects.filter(pk__in=post.getlist("main")))
            copy = list(Department.objects.filter(pk__in=post.getlist("copy")))
            copies = int(post.get("copies") or 0) if (post.get("copies") or "0").isdigit() else -1
            done = services.document_register(
                actor=actor, document=found, main_departments=main, copy_departments=copy, copies=copies
            )
            return f"已登记，发文字号 {done.number}。"
        elif verb == "print":
            services.document_print(actor=actor, document=found)
        elif verb == "issue":
            services.document_issue(actor=actor, document=found)
        elif verb == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ApplicationError(DocumentsError.INVALID_INPUT, "请选择要上传的文件。", {"file": "必填"})
            services.attachment_add(actor=actor, document=found, name=upload.name or "", content=upload.read())
        else:
            raise permission_denied()
        return None

    return post_action(request, act, "documents_wb:document", pk=pk)


@staff_required(*STAFF)
def document_file(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The sealed PDF or its seal file, for the sender; a recipient fetches it through its delivery."""
    found = selectors.sent_documents(Actor.from_request(request)).filter(pk=pk).first()
    if found is None:
        found_delivery = (
            Delivery.objects.filter(document_id=pk, department_id=_department(acting_user(request)).pk)
            .select_related("document")
            .first()
        )
        if found_delivery is None:
            raise Http404("没有这份公文。")
        found = found_delivery.document
    return _file_response(request, found, which)


def _file_response(request: HttpRequest, found: Document, which: str) -> HttpResponse:
    relative = found.seal_path if which == "seal" else found.file_path
    if not relative:
        raise Http404("公文尚未印制。")
    record_action(Actor.from_request(request), DocumentsAction.FILE_FETCH, target=found, details={"which": which})
    suffix = ".pdf.seal.json" if which == "seal" else ".pdf"
    content_type = "application/json" if which == "seal" else "application/pdf"
    return attachment(storage.read(relative), f"{found.number or found.pk}{suffix}", content_type)


# --- 收文 ------------------------------------------------------------------------------------


@staff_required(*STAFF)
def inbox(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    state = request.GET.get("state", "open")
    kind = request.GET.get("kind", "")
    year = _year(request.GET.get("year"))
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.inbox(actor, state=state, kind=kind if kind in Kind.values else "", year=year, query=query)
    page = selectors.light_page(rows, request.GET.get("page"), PAGE_SIZE)
    context = {
        "page": page,
        "state": state,
        "kind": kind,
        "year": year,
        "q": query,
        "states": Delivery.State.choices,
        "kinds": Kind.choices,
        "years": selectors.year_choices(workdays.today()),
    }
    return render(request, "documents/wb_inbox.html", context)


@staff_required(*STAFF)
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    found = found_or_404(selectors.delivery_for(actor, pk), "没有这份收文。")
    ours = found.department_id == actor.department_id
    context = {
        "delivery": found,
        "document": found.document,
        "ours": ours,
        "can": {name: DELIVERY.can(found, name) for name in DELIVERY.moves} if ours else {},
        "handlers": found.handlers.select_related("user"),
        "readings": found.readings.select_related("user"),
        "urgings": found.urgings.select_related("by"),
        "staff": User.objects.filter(department_id=found.department_id, kind=User.Kind.STAFF, is_active=True),
        "return_reasons": Delivery.ReturnReason.choices,
        "me": acting_user(request),
    }
    return render(request, "documents/wb_delivery.html", context)


def _date(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ApplicationError(DocumentsError.INVALID_INPUT, "请填写办理期限。", {"deadline": "必填"}) from None


@staff_required(*STAFF)
@require_POST
def delivery_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = found_or_404(selectors.delivery_for(Actor.from_request(request), pk), "没有这份收文。")
    post = request.POST

    def act(actor: Actor) -> None:
        if verb == "sign":
            services.delivery_sign(actor=actor, delivery=found)
        elif verb == "return":
            services.delivery_return(
                actor=actor, delivery=found, reason=post.get("reason", ""), comment=post.get("comment", "")
            )
        elif verb == "register":
            services.delivery_register(actor=actor, delivery=found)
        elif verb == "review":
            services.delivery_review(actor=actor, delivery=found, proposal=post.get("proposal", ""))
        elif verb == "instruct":
            services.delivery_instruct(actor=actor, delivery=found, instruction=post.get("instruction", ""))
        elif verb == "assign":
            staff = {str(u.pk): u for u in User.objects.filter(department_id=found.department_id, kind=User.Kind.STAFF)}
            lead = staff.get(post.get("lead", ""))
            if lead is None:
                raise ApplicationError(DocumentsError.INVALID_INPUT, "请选择主办人。", {"lead": "必填"})
            co = [
                Assignment(staff[u], _date(post.get("co_deadline") or post.get("deadline")))
                for u in post.getlist("co")
                if u in staff and u != str(lead.pk)
            ]
            services.delivery_assign(
                actor=actor, delivery=found, lead=Assignment(lead, _date(post.get("deadline"))), co=co
            )
        elif verb == "read":
            services.delivery_read(actor=actor, delivery=found)
        elif verb == "urge":
            services.delivery_urge(actor=actor, delivery=found, message=post.get("message", ""))
        elif verb == "handler_done":
            handler = found_or_404(
                Handler.objects.filter(delivery=found, pk=post.get("handler") or 0).first(), "没有这位承办人。"
            )
            services.handler_done(actor=actor, handler=handler, note=post.get("note", ""))
        elif verb == "finish":
            services.delivery_finish(actor=actor, delivery=found, answer=post.get("answer", ""))
        elif verb == "archive":
            services.delivery_archive(actor=actor, delivery=found)
        else:
            raise permission_denied()

    return post_action(request, act, "documents_wb:delivery", pk=pk)


# --- search, statistics, export ---------------------------------------------------------------


@staff_required(*STAFF)
def search(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    year = _year(request.GET.get("year"))
    state = request.GET.get("state", "")
    rows = (
        selectors.search(actor, query, kind=kind if kind in Kind.values else "", year=year, state=state)
        if (query or kind or year or state)
        else Document.objects.none()
    )
    if request.GET.get("format") == "xlsx":
        return _export(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "kind": kind,
        "year": year,
        "state": state,
        "kinds": Kind.choices,
        "states": Document.State.choices,
        "years": selectors.year_choices(workdays.today()),
    }
    return render(request, "documents/wb_search.html", context)


def _export(request: HttpRequest, rows: Any) -> HttpResponse:
    body = (
        [
            row.number,
            row.title,
            row.get_kind_display(),
            row.department.name,
            row.written_on.isoformat() if row.written_on else "",
            row.signer_name,
            row.get_state_display(),
        ]
        for row in rows[:EXPORT_LIMIT]
    )
    content, count = xlsx(Sheet("公文", ["发文字号", "标题", "文种", "发文机关", "成文日期", "签发人", "状态"], body))
    record_action(Actor.from_request(request), DocumentsAction.EXPORT, details={"rows": count})
    return attachment(content, "documents.xlsx", XLSX)


@staff_required(*STAFF)
def statistics(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year")) or workdays.today().year
    stats = selectors.statistics(Actor.from_request(request), year)
    if request.GET.get("format") == "xlsx":
        return _statistics_export(request, stats)
    context = {
        "stats": stats,
        "chart": selectors.statistics_chart(stats),
        "years": selectors.year_choices(workdays.today()),
    }
    return render(request, "documents/wb_statistics.html", context)


def _statistics_export(request: HttpRequest, stats: dict[str, Any]) -> HttpResponse:
    months = [[f"{stats['year']}年{row['month']}月", row["sent"], row["received"]] for row in stats["months"]]
    units = [
        [row["department"], row["count"], row["signed"], row["returned"], row["hours"] or ""] for row in stats["units"]
    ]
    content, _rows = xlsx(
        Sheet("按月发文收文", ["月份", "发文", "收文"], months),
        Sheet("各单位签收", ["单位", "送达", "已签收", "退回", "平均签收用时（小时）"], units),
    )
    record_action(
        Actor.from_request(request),
        DocumentsAction.EXPORT,
        details={"statistics": stats["year"], "rows": len(stats["units"])},
    )
    return attachment(content, f"documents-statistics-{stats['year']}.xlsx", XLSX)
