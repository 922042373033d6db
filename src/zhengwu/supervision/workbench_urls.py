"""Workbench URLs of the e-supervision centre (mounted at /workbench/supervision/, namespace "supervision_wb")."""

from django.urls import path

from zhengwu.supervision import workbench_views

app_name = "supervision_wb"
urlpatterns = [
    path("", workbench_views.dashboard, name="dashboard"),
    path("departments/<int:pk>/", workbench_views.department_timers, name="department"),
    path("timers/<int:pk>/", workbench_views.timer_detail, name="timer"),
    path("timers/<int:pk>/urge/", workbench_views.timer_urge, name="timer_urge"),
    path("urgings/", workbench_views.urgings, name="urgings"),
    path("urgings/<int:pk>/", workbench_views.urging_detail, name="urging_detail"),
    path("urgings/<int:pk>/answer/", workbench_views.urging_answer, name="urging_answer"),
    path("complaints/", workbench_views.complaints, name="complaints"),
    path("complaints/<int:pk>/", workbench_views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/forward/", workbench_views.complaint_forward, name="complaint_forward"),
    path("complaints/<int:pk>/answer/", workbench_views.complaint_answer, name="complaint_answer"),
    path("complaints/<int:pk>/conclude/", workbench_views.complaint_conclude, name="complaint_conclude"),
    path("exposure/", workbench_views.exposure, name="exposure"),
    path("exposure/publish/", workbench_views.exposure_publish, name="exposure_publish"),
    path("exposure/export.xlsx", workbench_views.exposure_export, name="exposure_export"),
    path("scorecards/", workbench_views.scorecards, name="scorecards"),
    path("scorecards/export.xlsx", workbench_views.scorecards_export, name="scorecards_export"),
]
