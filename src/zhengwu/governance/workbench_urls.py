"""Workbench URLs of the governance app, mounted at /workbench/governance/ (namespace "governance_wb")."""

from django.urls import URLPattern

app_name = "governance_wb"
urlpatterns: list[URLPattern] = []
