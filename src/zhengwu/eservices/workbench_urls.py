from django.urls import path  # noqa: F401

app_name = "eservices_wb"
urlpatterns: list = []
