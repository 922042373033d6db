"""Workbench URLs of the governance app, mounted at /workbench/governance/ (namespace "governance_wb")."""

from django.urls import URLPattern, path, re_path

from zhengwu.governance import workbench_views as views

app_name = "governance_wb"
urlpatterns: list[URLPattern] = [
    path("systems/", views.systems, name="systems"),
    path("systems/new/", views.system_new, name="system_new"),
    path("systems/<int:pk>/", views.system, name="system"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    re_path(
        r"^systems/(?P<pk>\d+)/(?P<verb>link|unlink|start|stop|resume)/$", views.system_action, name="system_action"
    ),
    path("systems/import/", views.inventory_import_page, name="inventory_import"),
    path("systems/import/template/", views.inventory_template, name="inventory_template"),
    path("systems/export/", views.inventory_export, name="inventory_export"),
    path("systems/overview/", views.overview, name="overview"),
    path("zombies/", views.zombies, name="zombies"),
    path("zombies/<int:pk>/", views.zombie, name="zombie_detail"),
    re_path(
        r"^zombies/(?P<pk>\d+)/(?P<verb>confirm|dismiss|self_check|send_back|decide)/$",
        views.zombie_action,
        name="zombie_action",
    ),
]
