from django.urls import path

from zhengwu.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export/", views.export, name="export"),
    path("<int:seq>/", views.detail, name="detail"),
]
