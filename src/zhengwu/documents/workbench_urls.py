"""Workbench URLs of the documents app, mounted at /workbench/documents/ (namespace "documents_wb")."""

from django.urls import path, re_path

from zhengwu.documents import workbench_views as views

app_name = "documents_wb"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("new/", views.document_new, name="document_new"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    re_path(
        r"^(?P<pk>\d+)/(?P<verb>submit|approve|send_back|to_signer|countersign|sign|check|register|print|issue|attach)/$",
        views.document_action,
        name="document_action",
    ),
    re_path(r"^(?P<pk>\d+)/file/(?P<which>pdf|seal)/$", views.document_file, name="document_file"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.delivery, name="delivery"),
    re_path(
        r"^inbox/(?P<pk>\d+)/(?P<verb>sign|return|register|review|instruct|assign|read|urge|handler_done|finish|archive)/$",
        views.delivery_action,
        name="delivery_action",
    ),
    path("search/", views.search, name="search"),
    path("statistics/", views.statistics, name="statistics"),
]
