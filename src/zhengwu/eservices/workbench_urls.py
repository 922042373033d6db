"""Workbench pages of 网上办事, mounted at /workbench/eservices/."""

from django.urls import path

from zhengwu.eservices import workbench_views as views

app_name = "eservices_wb"
urlpatterns = [
    path("window/", views.window, name="window"),
    path("window/export/", views.window_export, name="window_export"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/<str:verb>/", views.case_action, name="case_action"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/<str:verb>/", views.task_action, name="task_action"),
    path("items/", views.items, name="items"),
    path("items/import/", views.item_import, name="item_import"),
    path("items/template/", views.item_template, name="item_template"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/materials/<int:material_pk>/files/", views.material_file_upload, name="material_file_upload"),
    path("material-files/<int:pk>/", views.material_file, name="material_file"),
    path("items/<int:pk>/guide/", views.item_guide, name="item_guide"),
    path("items/<int:pk>/results/<int:result_pk>/sample/", views.result_sample_upload, name="result_sample_upload"),
    path("items/<int:pk>/<str:verb>/", views.item_action, name="item_action"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/new/", views.bundle_new, name="bundle_new"),
    path("bundles/<int:pk>/", views.bundle_edit, name="bundle_edit"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/<int:pk>/", views.rating, name="rating"),
    path("ratings/<int:pk>/<str:verb>/", views.rating_action, name="rating_action"),
]
