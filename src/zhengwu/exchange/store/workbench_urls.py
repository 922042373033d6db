"""Staff pages of the data store, mounted at /workbench/exchange/data/."""

from django.urls import path

from zhengwu.exchange.store.workbench_views import store_job, store_job_report, store_resources, store_upload

app_name = "store_wb"
urlpatterns = [
    path("", store_resources, name="resources"),
    path("upload/<int:resource_id>/", store_upload, name="upload"),
    path("jobs/<int:job_id>/", store_job, name="job"),
    path("jobs/<int:job_id>/errors.<str:fmt>", store_job_report, name="job_report"),
]
