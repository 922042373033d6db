"""Public URLs of the governance app, mounted at /governance/ (namespace "governance")."""

from django.urls import URLPattern

app_name = "governance"
urlpatterns: list[URLPattern] = []
