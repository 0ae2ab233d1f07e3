"""Browser pages for company staff, mounted at /passports/ (the public QR page lives in public_urls)."""

from django.urls import path

from . import document_views, views

app_name = "passports"

urlpatterns = [
    path("", views.passport_list, name="list"),
    path("new/", views.passport_create, name="create"),
    path("models/", views.model_list, name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<uuid:public_id>/", views.model_detail, name="model_detail"),
    path("models/<uuid:public_id>/edit/<slug:step>/", views.model_edit, name="model_edit"),
    path("models/<uuid:public_id>/sharing/", views.model_sharing, name="model_sharing"),
    path("models/<uuid:public_id>/documents/", document_views.model_documents, name="model_documents"),
    path(
        "documents/<uuid:document_id>/download/", document_views.document_download, name="document_download"
    ),
    path("documents/<uuid:document_id>/delete/", document_views.document_delete, name="document_delete"),
    path("<uuid:public_id>/", views.passport_detail, name="detail"),
    path("<uuid:public_id>/edit/<slug:step>/", views.passport_edit, name="edit"),
    path("<uuid:public_id>/review/", views.passport_review, name="review"),
    path("<uuid:public_id>/publish/", views.passport_publish, name="publish"),
    path("<uuid:public_id>/diff/", views.passport_diff, name="diff"),
    path("<uuid:public_id>/status/", views.passport_status, name="status"),
    path("<uuid:public_id>/dynamic-data/", views.passport_dynamic, name="dynamic_data"),
    path("<uuid:public_id>/delete/", views.passport_delete, name="delete"),
    path("<uuid:public_id>/sharing/", views.passport_sharing, name="sharing"),
    path("<uuid:public_id>/documents/", document_views.passport_documents, name="passport_documents"),
]
