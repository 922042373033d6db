"""Public URLs of the emergency app, mounted at /emergency/ (namespace "emergency")."""

from django.urls import path

from zhengwu.emergency import views

app_name = "emergency"
urlpatterns = [
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/remove/", views.subscription_remove, name="subscription_remove"),
]
