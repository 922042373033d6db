"""Portal URLs of the e-supervision centre (mounted at /supervision/)."""

from django.urls import path

from zhengwu.supervision import portal_views

app_name = "supervision_public"
urlpatterns = [
    path("exposure/", portal_views.exposure_index, name="exposure"),
    path("exposure/<str:month>/", portal_views.exposure_month, name="exposure_month"),
    path("complaints/", portal_views.my_complaints, name="my_complaints"),
    path("complaints/new/", portal_views.complaint_new, name="complaint_new"),
    path("complaints/<str:number>/", portal_views.complaint, name="complaint"),
]
