"""Portal URLs of the disclosure app, mounted at /disclosure/ (namespace "disclosure")."""

from django.urls import path, re_path

from zhengwu.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("reports/", views.reports_index, name="reports"),
    path("reports/<int:department_id>/<int:year>/", views.report_view, name="report"),
    path("reports/<int:department_id>/<int:year>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.my_request, name="my_request"),
    path("requests/<int:pk>/correct/", views.my_request_step, {"verb": "correct"}, name="my_request_correct"),
    path("requests/<int:pk>/withdraw/", views.my_request_step, {"verb": "withdraw"}, name="my_request_withdraw"),
    # An item by its index number (11220000013544357T/2026-00001) or, before it has one, its id.
    re_path(r"^(?P<key>[0-9A-Z]{18}/\d{4}-\d{5}|\d{1,11})/$", views.detail, name="detail"),
]
