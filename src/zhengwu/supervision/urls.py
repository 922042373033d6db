"""Workbench URLs of the e-supervision centre (mounted at /workbench/supervision/)."""

from django.urls import path

from zhengwu.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("departments/<int:pk>/", views.department_timers, name="department"),
    path("timers/<int:pk>/", views.timer_detail, name="timer"),
    path("timers/<int:pk>/urge/", views.timer_urge, name="timer_urge"),
    path("urgings/", views.urgings, name="urgings"),
    path("urgings/<int:pk>/", views.urging_detail, name="urging_detail"),
    path("urgings/<int:pk>/answer/", views.urging_answer, name="urging_answer"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/forward/", views.complaint_forward, name="complaint_forward"),
    path("complaints/<int:pk>/answer/", views.complaint_answer, name="complaint_answer"),
    path("complaints/<int:pk>/conclude/", views.complaint_conclude, name="complaint_conclude"),
    path("exposure/", views.exposure, name="exposure"),
    path("exposure/publish/", views.exposure_publish, name="exposure_publish"),
    path("exposure/export.xlsx", views.exposure_export, name="exposure_export"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/export.xlsx", views.scorecards_export, name="scorecards_export"),
]
