from django.urls import include, path

from zhengwu.api import api
from zhengwu.core.health import healthz

urlpatterns = [
    path("healthz", healthz),
    path("api/v1/", api.urls),
    path("accounts/", include("zhengwu.accounts.urls")),
    path("workbench/audit/", include("zhengwu.audit.urls")),
    path("workbench/", include("zhengwu.workbench.urls")),
    path("", include("zhengwu.portal.urls")),
]

handler404 = "zhengwu.portal.views.not_found"
handler500 = "zhengwu.portal.views.server_error"
