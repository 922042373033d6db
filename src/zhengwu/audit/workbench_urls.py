from django.urls import path

from zhengwu.audit import workbench_views as views

app_name = "audit_wb"
urlpatterns = [
    path("", views.log, name="log"),
    path("export/", views.export, name="export"),
    path("<int:seq>/", views.detail, name="detail"),
]
