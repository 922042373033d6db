"""Public URLs of the emergency app, mounted at /emergency/ (namespace "emergency")."""

from django.urls import URLPattern

app_name = "emergency"
urlpatterns: list[URLPattern] = []
