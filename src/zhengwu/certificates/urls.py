"""Public URLs of the certificates app (namespace "certificates"), mounted at the site's root so
that both public paths keep their places: the holder's pages under /certificates/ and the verify
page under /verify/ (printed in every certificate's QR code)."""

from django.urls import path

from zhengwu.certificates import views

app_name = "certificates"
urlpatterns = [
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/<str:identifier>/", views.certificate_detail, name="detail"),
    path("certificates/<str:identifier>/pdf", views.certificate_pdf, name="pdf"),
    path("verify/", views.verify_index, name="verify_index"),
    path("verify/keys/", views.verify_keys, name="verify_keys"),
    path("verify/<str:identifier>", views.verify_page, name="verify"),
]
