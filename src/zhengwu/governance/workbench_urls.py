"""Workbench URLs of the governance app, mounted at /workbench/governance/ (namespace "governance_wb")."""

from django.urls import URLPattern, path, re_path

from zhengwu.governance import workbench_evaluations, workbench_projects

app_name = "governance_wb"
urlpatterns: list[URLPattern] = [
    # 考核评估 (the e-gov office)
    path("evaluations/", workbench_evaluations.index, name="evaluations"),
    path("evaluations/sets/new/", workbench_evaluations.set_new, name="set_new"),
    path("evaluations/sets/<int:pk>/", workbench_evaluations.indicator_set, name="indicator_set"),
    path("evaluations/indicators/<int:pk>/", workbench_evaluations.indicator_edit, name="indicator"),
    path("evaluations/runs/new/", workbench_evaluations.run_new, name="run_new"),
    path("evaluations/runs/<int:pk>/", workbench_evaluations.run_detail, name="run"),
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
