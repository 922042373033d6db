from django.urls import path, re_path

from zhengwu.portal import mydata_views, views

app_name = "portal"
RESOURCE_CODE = r"(?P<code>\d{1,12}/\d{3,9})"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("departments/", views.departments, name="departments"),
    path("departments/<str:key>/", views.department, name="department"),
    path("regions/<str:code>/", views.region, name="region"),
    path("opendata/", views.opendata, name="opendata"),
    re_path(rf"^opendata/{RESOURCE_CODE}/$", views.opendata_detail, name="opendata_detail"),
    re_path(
        rf"^opendata/{RESOURCE_CODE}/data\.(?P<fmt>csv|xlsx|json)$", views.opendata_download, name="opendata_download"
    ),
    path("my/data/", mydata_views.my_data, name="my_data"),
    re_path(r"^my/data/export\.(?P<fmt>json|xlsx)$", mydata_views.my_data_export, name="my_data_export"),
    path("my/data/correction/", mydata_views.my_data_correction, name="my_data_correction"),
    path("my/data/close/", mydata_views.my_data_close, name="my_data_close"),
    re_path(r"^accessibility/(?P<mode>elder|contrast)/$", views.toggle_display, name="toggle_display"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("sitemap/", views.sitemap, name="sitemap"),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
]
