"""Workbench URLs of the emergency app, mounted at /workbench/emergency/ (namespace "emergency_wb")."""

from django.urls import URLPattern

app_name = "emergency_wb"
urlpatterns: list[URLPattern] = []
