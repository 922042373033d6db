from django.urls import path

from zhengwu.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:user_id>/", views.role_edit, name="role_edit"),
    path("roles/<int:user_id>/totp-reset/", views.totp_reset, name="totp_reset"),
    path("roles/<int:user_id>/unlock/", views.unlock, name="unlock"),
    path("api-clients/", views.api_clients, name="api_clients"),
    path("api-clients/<int:client_id>/revoke/", views.api_client_revoke, name="api_client_revoke"),
    path("workdays/", views.workdays, name="workdays"),
    path("workdays/<str:day>/delete/", views.workday_delete, name="workday_delete"),
]
