"""Portal URLs of the catalog, mounted at /catalog/."""

from django.urls import path, re_path

from zhengwu.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    re_path(r"^resource/(?P<code>\d{1,12}/\d{3,6})/$", views.catalog_detail, name="detail"),
    path("dcat.jsonld", views.catalog_dcat, name="dcat"),
    re_path(r"^export\.(?P<fmt>xlsx|json)$", views.catalog_export, name="export"),
]
