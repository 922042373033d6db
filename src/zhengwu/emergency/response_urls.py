"""Workbench URLs of the response (included in workbench_urls, namespace "emergency_wb")."""

from django.urls import URLPattern, path, re_path

from zhengwu.emergency import response_views as views

urlpatterns: list[URLPattern] = [
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/revise/", views.plan_revise, name="plan_revise"),
    path("incidents/<int:pk>/response/", views.response, name="response"),
    re_path(
        r"^incidents/(?P<pk>\d+)/response/(?P<verb>activate|add_task|commit|population)/$",
        views.response_action,
        name="response_action",
    ),
    path("incidents/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    re_path(
        r"^incidents/(?P<pk>\d+)/evaluation/export\.(?P<fmt>xlsx|pdf)$",
        views.evaluation_export,
        name="evaluation_export",
    ),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    re_path(
        r"^tasks/(?P<pk>\d+)/(?P<verb>sign|arrive|progress|support|finish|cancel)/$",
        views.task_action,
        name="task_action",
    ),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/release/", views.resource_release, name="resource_release"),
    path("duty/", views.duty, name="duty"),
    path("duty/report/", views.duty_report, name="duty_report"),
    re_path(r"^duty/report\.(?P<fmt>xlsx|pdf)$", views.duty_report_export, name="duty_report_export"),
    path("board/", views.board, name="board"),
    path("board/data.json", views.board_data, name="board_data"),
    path("board/panel/", views.board_panel, name="board_panel"),
]
