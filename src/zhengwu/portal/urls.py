from django.urls import path

from zhengwu.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("departments/", views.departments, name="departments"),
    path("accessibility/large-font/", views.toggle_large_font, name="toggle_large_font"),
]
