from django.urls import path

from zhengwu.ops import workbench_views

app_name = "ops_wb"

urlpatterns = [
    path("", workbench_views.watch_page, name="watch"),
]
