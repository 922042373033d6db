"""Workbench URLs of the emergency app, mounted at /workbench/emergency/ (namespace "emergency_wb")."""

from django.urls import URLPattern, URLResolver

from zhengwu.emergency.response_urls import urlpatterns as response_urlpatterns

app_name = "emergency_wb"
urlpatterns: list[URLPattern | URLResolver] = [*response_urlpatterns]
