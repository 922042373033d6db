"""Open311 GeoReport v2 endpoints (see participation/open311.py), mounted at /open311/v2/."""

from django.urls import re_path

from zhengwu.participation import open311

app_name = "open311"
FMT = r"\.(?P<fmt>[a-z]+)$"
urlpatterns = [
    re_path(rf"^services{FMT}", open311.services_list, name="services"),
    re_path(rf"^services/(?P<code>[\w-]+){FMT}", open311.service_definition, name="service"),
    re_path(rf"^requests{FMT}", open311.requests_collection, name="requests"),
    re_path(rf"^requests/(?P<request_id>[\w-]+){FMT}", open311.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[\w-]+){FMT}", open311.token_detail, name="token"),
]
