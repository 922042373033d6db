"""Staff pages of sharing by rule, mounted at /workbench/exchange/sharing/."""

from django.urls import path

from zhengwu.exchange.sharing.workbench_views import (
    access_log_export,
    access_log_page,
    grant_revoke,
    grants_page,
    objection_resolve,
    objections_page,
    queue_page,
    request_coordinate,
    request_decide,
    request_withdraw,
    requests_page,
    statistics_page,
)

app_name = "sharing_wb"
urlpatterns = [
    path("requests/", requests_page, name="requests"),
    path("requests/<int:pk>/withdraw/", request_withdraw, name="request_withdraw"),
    path("queue/", queue_page, name="queue"),
    path("queue/<int:pk>/decide/", request_decide, name="request_decide"),
    path("queue/<int:pk>/coordinate/", request_coordinate, name="request_coordinate"),
    path("grants/", grants_page, name="grants"),
    path("grants/<int:pk>/revoke/", grant_revoke, name="grant_revoke"),
    path("objections/", objections_page, name="objections"),
    path("objections/<int:pk>/resolve/", objection_resolve, name="objection_resolve"),
    path("access-log/", access_log_page, name="access_log"),
    path("access-log/export.xlsx", access_log_export, name="access_log_export"),
    path("statistics/", statistics_page, name="statistics"),
]
