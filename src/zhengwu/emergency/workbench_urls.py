"""Workbench URLs of the emergency app, mounted at /workbench/emergency/ (namespace "emergency_wb")."""

from django.urls import path, re_path

from zhengwu.emergency import workbench_views as views
from zhengwu.emergency.response_urls import urlpatterns as response_urlpatterns

app_name = "emergency_wb"
urlpatterns = [
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/export/", views.incidents_export, name="incidents_export"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/from-letter/<str:number>/", views.incident_from_letter, name="incident_from_letter"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    re_path(
        r"^incidents/(?P<pk>\d+)/(?P<verb>verify|grade|level|respond|handle|terminate|evaluate)/$",
        views.incident_action,
        name="incident_action",
    ),
    path("incidents/<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("reports/", views.reports_inbox, name="reports_inbox"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/sign/", views.report_sign, name="report_sign"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/receive/", views.report_receive, name="report_receive"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/new/", views.warning_form, name="warning_new"),
    path("warnings/<int:pk>/adjust/", views.warning_form, name="warning_adjust"),
    path("warnings/<int:pk>/lift/", views.warning_lift, name="warning_lift"),
    *response_urlpatterns,
]
