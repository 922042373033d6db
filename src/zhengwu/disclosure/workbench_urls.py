"""Workbench URLs of the disclosure app, mounted at /workbench/disclosure/ (namespace "disclosure_wb")."""

from django.urls import path, re_path

from zhengwu.disclosure import workbench_views as views

app_name = "disclosure_wb"
urlpatterns = [
    path("publications/", views.publications, name="publications"),
    path("publications/new/", views.publication_new, name="publication_new"),
    path("publications/<int:pk>/", views.publication, name="publication"),
    path("publications/<int:pk>/edit/", views.publication_edit, name="publication_edit"),
    re_path(
        r"^publications/(?P<pk>\d+)/(?P<verb>publish|withdraw|validity|delete|attach)/$",
        views.publication_action,
        name="publication_action",
    ),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("requests/", views.requests, name="requests"),
    path("requests/register/", views.request_register, name="request_register"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    re_path(
        r"^requests/(?P<pk>\d+)/(?P<verb>confirm|correction|corrected|extend|consult_start|consult_end|answer|close)/$",
        views.request_action,
        name="request_action",
    ),
    path("reports/", views.annual_reports, name="annual_reports"),
    path("reports/<int:department_id>/<int:year>/", views.annual_report, name="annual_report"),
    path("reports/<int:department_id>/<int:year>.xlsx", views.annual_report_xlsx, name="annual_report_xlsx"),
]
