"""The project's URLs with the audit viewer mounted where the lead mounts it (for view tests that
run before, or regardless of, the wiring in zhengwu/urls.py)."""

from django.urls import include, path

from zhengwu.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(p, "namespace", None) == "audit_wb" for p in project_urlpatterns)
urlpatterns = [
    *([] if _mounted else [path("workbench/audit/", include("zhengwu.audit.workbench_urls"))]),
    *project_urlpatterns,
]
