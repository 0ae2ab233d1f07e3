"""Browser pages for company staff, mounted at /passports/ (the public QR page lives in public_urls)."""

from django.urls import path

from . import document_views
from .views import battery_models, bulk_import, continuity, lists, passport_pages, sharing

app_name = "passports"

urlpatterns = [
    path("", lists.passport_list, name="list"),
    path("registry-records.csv", continuity.registry_records_csv, name="registry_records_csv"),
    path("backup.zip", continuity.backup_zip, name="backup_zip"),
    path("new/", passport_pages.passport_create, name="create"),
    path("import/", bulk_import.import_index, name="import"),
    path("import/template.xlsx", bulk_import.template_xlsx, name="import_template_xlsx"),
    path("import/template.csv", bulk_import.template_csv, name="import_template_csv"),
    path("import/<uuid:public_id>/", bulk_import.import_detail, name="import_detail"),
    path("import/<uuid:public_id>/status/", bulk_import.import_status, name="import_status"),
    path("import/<uuid:public_id>/errors.csv", bulk_import.import_errors, name="import_errors"),
    path("import/<uuid:public_id>/corrected/", bulk_import.import_corrected, name="import_corrected"),
    path("models/", battery_models.model_list, name="model_list"),
    path("models/new/", battery_models.model_create, name="model_create"),
    path("models/<uuid:public_id>/", battery_models.model_detail, name="model_detail"),
    path("models/<uuid:public_id>/edit/<slug:step>/", battery_models.model_edit, name="model_edit"),
    path("models/<uuid:public_id>/archive/", battery_models.model_archive, name="model_archive"),
    path("models/<uuid:public_id>/restore/", battery_models.model_restore, name="model_restore"),
    path("models/<uuid:public_id>/sharing/", sharing.model_sharing, name="model_sharing"),
    path("models/<uuid:public_id>/pcf.json", battery_models.model_pcf_download, name="model_pcf_download"),
    path("models/<uuid:public_id>/pcf/", battery_models.model_pcf_upload, name="model_pcf_upload"),
    path("models/<uuid:public_id>/documents/", document_views.model_documents, name="model_documents"),
    path(
        "documents/<uuid:document_id>/download/", document_views.document_download, name="document_download"
    ),
    path("documents/<uuid:document_id>/delete/", document_views.document_delete, name="document_delete"),
    path("<uuid:public_id>/", passport_pages.passport_detail, name="detail"),
    path("<uuid:public_id>/edit/<slug:step>/", passport_pages.passport_edit, name="edit"),
    path("<uuid:public_id>/review/", passport_pages.passport_review, name="review"),
    path("<uuid:public_id>/publish/", passport_pages.passport_publish, name="publish"),
    path("<uuid:public_id>/diff/", passport_pages.passport_diff, name="diff"),
    path("<uuid:public_id>/status/", passport_pages.passport_status, name="status"),
    path("<uuid:public_id>/dynamic-data/", passport_pages.passport_dynamic, name="dynamic_data"),
    path("<uuid:public_id>/delete/", passport_pages.passport_delete, name="delete"),
    path("<uuid:public_id>/sharing/", sharing.passport_sharing, name="sharing"),
    path("<uuid:public_id>/documents/", document_views.passport_documents, name="passport_documents"),
]
