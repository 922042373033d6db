"""The holder's pages, mounted at /certificates/ (namespace "certificates")."""

from django.urls import path

from zhengwu.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.my_certificates, name="mine"),
    path("<str:identifier>/", views.certificate_detail, name="detail"),
    path("<str:identifier>/pdf", views.certificate_pdf, name="pdf"),
]
