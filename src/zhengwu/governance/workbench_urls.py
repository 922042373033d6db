"""Workbench URLs of the governance app, mounted at /workbench/governance/ (namespace "governance_wb")."""

from django.urls import URLPattern, path, re_path

from zhengwu.governance import workbench_evaluations, workbench_projects
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
    # 考核评估 (the e-gov office)
    path("evaluations/", workbench_evaluations.index, name="evaluations"),
    path("evaluations/sets/new/", workbench_evaluations.set_new, name="set_new"),
    path("evaluations/sets/<int:pk>/", workbench_evaluations.indicator_set, name="indicator_set"),
    path("evaluations/indicators/<int:pk>/", workbench_evaluations.indicator_edit, name="indicator"),
    path("evaluations/runs/new/", workbench_evaluations.run_new, name="run_new"),
    path("evaluations/runs/<int:pk>/", workbench_evaluations.run_detail, name="run"),
    path("evaluations/runs/<int:pk>/ranking.xlsx", workbench_evaluations.run_ranking_file, name="run_xlsx"),
    re_path(
        r"^evaluations/runs/(?P<pk>\d+)/(?P<verb>publish|recompute)/$",
        workbench_evaluations.run_action,
        name="run_action",
    ),
    path("evaluations/scores/<int:pk>/", workbench_evaluations.score_detail, name="score"),
    # 政务信息化项目 (departments and the e-gov office)
    path("projects/", workbench_projects.project_list, name="projects"),
    path("projects/new/", workbench_projects.project_new, name="project_new"),
    path("projects/<int:pk>/", workbench_projects.project_detail, name="project"),
    path("projects/<int:pk>/edit/", workbench_projects.project_edit, name="project_edit"),
    path(
        "projects/<int:pk>/documents/<int:document_id>/", workbench_projects.project_document, name="project_document"
    ),
    re_path(
        r"^projects/(?P<pk>\d+)/(?P<verb>submit|review|reject|send_back|approve|confirm_filing|establish|start_building"
        r"|milestone|report|request_acceptance|accept|evaluate|link_data|link_system|attach)/$",
        workbench_projects.project_action,
        name="project_action",
    ),
]
