"""Portal pages of 网上办事, mounted at /services/."""

from django.urls import path

from zhengwu.eservices import views

app_name = "eservices"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/<int:pk>/", views.guide, name="guide"),
    path("items/<int:pk>/apply/", views.apply, name="apply"),
    path("results/<int:pk>/sample/", views.result_sample, name="result_sample"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<int:pk>/", views.bundle, name="bundle"),
    path("bundles/<int:pk>/apply/", views.bundle_apply, name="bundle_apply"),
    path("bundle-cases/<str:number>/", views.bundle_case, name="bundle_case"),
    path("bundle-cases/<str:number>/rate/", views.bundle_rate, name="bundle_rate"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:number>/", views.case, name="case"),
    path("mine/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("mine/<str:number>/rate/", views.rate, name="rate"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("material-files/<int:pk>/", views.material_file, name="material_file"),
    path("lookup/", views.lookup, name="lookup"),
    path("messages/", views.notifications, name="notifications"),
    path("ratings/", views.stats, name="stats"),
]
