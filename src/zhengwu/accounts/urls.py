from django.urls import path

from zhengwu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_verify, name="otp"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("register/", views.register, name="register"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("phone-code/", views.phone_code, name="phone_code"),
    path("password/", views.password_change, name="password_change"),
]
