"""Portal URLs of the e-supervision centre (mounted at /supervision/, namespace "supervision")."""

from django.urls import path

from zhengwu.supervision import views

app_name = "supervision"
urlpatterns = [
    path("exposure/", views.exposure_index, name="exposure"),
    path("exposure/<str:month>/", views.exposure_month, name="exposure_month"),
    path("complaints/", views.my_complaints, name="my_complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<str:number>/", views.complaint, name="complaint"),
]
