"""Public URLs of the documents app, mounted at /documents/ (namespace "documents")."""

from django.urls import path

from zhengwu.documents import views

app_name = "documents"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
