"""Pages of the issuing department's staff, mounted at /workbench/certificates/ (namespace
"certificates_wb"): the register of issued certificates, detail, revoke, export, key rotation."""

from django.urls import path

from zhengwu.certificates import workbench_views as views

app_name = "certificates_wb"
urlpatterns = [
    path("", views.manage_list, name="list"),
    path("issue/", views.manage_issue, name="issue"),
    path("export.xlsx", views.manage_export, name="export"),
    path("keys/rotate", views.manage_key_rotate, name="key_rotate"),
    path("<int:pk>/", views.manage_detail, name="detail"),
    path("<int:pk>/pdf", views.manage_pdf, name="pdf"),
    path("<int:pk>/revoke", views.manage_revoke, name="revoke"),
]
