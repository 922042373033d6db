"""The public verify page, mounted at /verify/ (namespace "verify"); the QR code points here."""

from django.urls import path

from zhengwu.certificates import views

app_name = "verify"
urlpatterns = [
    path("", views.verify_index, name="index"),
    path("keys/", views.verify_keys, name="keys"),
    path("<str:identifier>", views.verify_page, name="page"),
]
