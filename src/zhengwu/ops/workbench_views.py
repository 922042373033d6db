"""The system administrator's operations page: the watch's readings, the backups, the alerts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role
from zhengwu.ops import backup, watch
from zhengwu.ops.models import WatchState


@staff_required(Role.SYS_ADMIN)
def watch_page(request: HttpRequest) -> HttpResponse:
    since = {state.name: state.since for state in WatchState.objects.all()}
    return render(
        request,
        "ops/watch.html",
        {
            "rows": [(reading, since.get(reading.name)) for reading in watch.readings()],
            "backups": backup.backups()[:10],
            "backup_dir": backup.default_dir(),
        },
    )
