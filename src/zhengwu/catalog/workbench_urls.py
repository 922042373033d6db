"""Workbench URLs of the catalog, mounted at /workbench/catalog/."""

from django.urls import path, re_path

from zhengwu.catalog import workbench_views as views

app_name = "catalog_wb"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("review/", views.review, name="review"),
    path("import/", views.import_excel, name="import"),
    path("template.xlsx", views.template, name="template"),
    re_path(r"^export\.(?P<fmt>xlsx|json)$", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
