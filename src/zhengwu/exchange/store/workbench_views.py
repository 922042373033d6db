"""Workbench pages of the data store (内网): the data officer's resources, upload, load jobs and
their error reports. Thin: parse, authorize, call `store.ingest`, render.

Small files load during the request; larger ones are queued as a Huey task and the job page
polls its progress with htmx.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import add_application_error
from zhengwu.exchange.store import ingest
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tasks import loadjob_run_task

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
SYNC_LIMIT_BYTES = 2 * 1024 * 1024  # larger uploads go to the job queue


class UploadForm(forms.Form):
    file = forms.FileField(
        label="数据文件", help_text="CSV（UTF-8 或 GBK）、Excel（.xlsx）或 JSON；表头为信息项名称或编码。"
    )
    mode = forms.ChoiceField(
        label="加载方式",
        choices=LoadJob.Mode.choices,
        initial=LoadJob.Mode.REPLACE,
        help_text="全量替换：加载后数据表只含文件中的记录；增量更新：按主键新增或更新，文件中没有的列保持原值。",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件大小 {upload.size / 1048576:.1f} MB，超过上限 {MAX_UPLOAD_BYTES // 1048576} MB，"
                "请分批上传或使用命令行加载。"
            )
        return upload


def _own_resource(user: User, resource_id: int) -> Resource:
    resource = Resource.objects.filter(pk=resource_id, provider_id=user.department_id).first()
    if resource is None or not ingest.may_load(user, resource):
        raise not_found("信息资源")
    return resource


def _own_job(user: User, job_id: int) -> LoadJob:
    job = LoadJob.objects.select_related("resource").filter(pk=job_id, resource__provider_id=user.department_id).first()
    if job is None or not ingest.may_load(user, job.resource):
        raise not_found("加载任务")
    return job


@staff_required(Role.DATA_OFFICER)
def store_resources(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    resources = list(
        Resource.objects.filter(
            provider_id=user.department_id,
            state=Resource.State.PUBLISHED,
            format_class__in=store.STRUCTURED_FORMATS,
        ).order_by("code")
    )
    rows = []
    for resource in resources:
        try:
            count: int | None = store.count_records(resource)
        except ApplicationError:
            count = None
        rows.append({"resource": resource, "count": count, "last_job": resource.load_jobs.first()})
    return render(request, "exchange/store_resources.html", {"rows": rows})


@staff_required(Role.DATA_OFFICER)
@require_http_methods(["GET", "POST"])
def store_upload(request: HttpRequest, resource_id: int) -> HttpResponse:
    user = acting_user(request)
    resource = _own_resource(user, resource_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        target = ingest.upload_path(upload.name)
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            job = ingest.loadjob_create(
                actor=Actor.from_request(request),
                resource=resource,
                path=target,
                file_name=Path(upload.name).name,
                mode=form.cleaned_data["mode"],
                source=LoadJob.Source.UPLOAD,
                max_bytes=MAX_UPLOAD_BYTES,
            )
        except ApplicationError as error:
            target.unlink(missing_ok=True)
            add_application_error(form, error)
        else:
            _dispatch(job)
            return redirect("store_wb:job", job_id=job.pk)
    items = list(resource.items.order_by("position"))
    jobs = resource.load_jobs.all()[:10]
    return render(
        request, "exchange/store_upload.html", {"resource": resource, "form": form, "items": items, "jobs": jobs}
    )


def _dispatch(job: LoadJob) -> None:
    """Run a small load now; queue a large one for the Huey consumer."""
    if job.file_size <= SYNC_LIMIT_BYTES:
        with contextlib.suppress(ApplicationError):  # the job records the failure; its page shows it
            ingest.loadjob_run(job_id=job.pk)
    else:
        loadjob_run_task(job.pk)


@staff_required(Role.DATA_OFFICER)
def store_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(acting_user(request), job_id)
    context = {"job": job, "progress": ingest.job_progress(job) if job.state == LoadJob.State.RUNNING else None}
    if request.headers.get("HX-Request"):
        return render(request, "exchange/store_job_status.html", context)
    return render(request, "exchange/store_job.html", context)


@staff_required(Role.DATA_OFFICER)
def store_job_report(request: HttpRequest, job_id: int, fmt: str) -> HttpResponse:
    job = _own_job(acting_user(request), job_id)
    if fmt == "xlsx":
        content = ingest.error_report_xlsx(job)
        content_type = XLSX
    elif fmt == "csv":
        content = ingest.error_report_csv(job)
        content_type = "text/csv; charset=utf-8"
    else:
        raise not_found("错误报告")
    return attachment(content, f"loadjob-{job.pk}-errors.{fmt}", content_type)
