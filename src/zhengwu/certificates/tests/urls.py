"""The site's URLs plus the certificates workbench, as the lead mounts it in zhengwu/urls.py:

path("workbench/certificates/", include("zhengwu.certificates.workbench_urls")),
"""

from django.urls import include, path

from zhengwu.urls import handler404, handler500
from zhengwu.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("workbench/certificates/", include("zhengwu.certificates.workbench_urls")),
    *site_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
