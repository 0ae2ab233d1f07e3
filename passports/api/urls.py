"""Passport and battery model endpoints under /api/v1/ (the Catena-X files live in catenax_urls)."""

from django.urls import path

from . import bulk_import_views, document_views, views
from .continuity_views import BackupArchiveView, BackupImportView, RegistryRecordsView
from .idta_views import IdtaExportView, IdtaImportView
from .model_pcf_views import BatteryModelPcfView

urlpatterns = [
    path("passports/registry-records/", RegistryRecordsView.as_view(), name="passport-registry-records"),
    path("passports/backup/", BackupArchiveView.as_view(), name="passport-backup"),
    path("passports/import/archive/", BackupImportView.as_view(), name="passport-import-archive"),
    path("passports/import/idta/", IdtaImportView.as_view(), name="passport-import-idta"),
    path("passports/<uuid:public_id>/idta/", IdtaExportView.as_view(), name="passport-export-idta"),
    path("passports/", views.PassportListView.as_view(), name="passport-list"),
    path("passports/<uuid:public_id>/", views.PassportDetailView.as_view(), name="passport-detail"),
    path("passports/<uuid:public_id>/publish/", views.PassportPublishView.as_view(), name="passport-publish"),
    path("passports/<uuid:public_id>/status/", views.PassportStatusView.as_view(), name="passport-status"),
    path(
        "passports/<uuid:public_id>/dynamic-data/",
        views.PassportDynamicDataView.as_view(),
        name="passport-dynamic-data",
    ),
    path("passports/<uuid:public_id>/grants/", views.PassportGrantsView.as_view(), name="passport-grants"),
    path(
        "passports/<uuid:public_id>/versions/",
        views.PassportVersionListView.as_view(),
        name="passport-versions",
    ),
    path(
        "passports/<uuid:public_id>/versions/<int:number>/",
        views.PassportVersionDetailView.as_view(),
        name="passport-version-detail",
    ),
    path(
        "passports/<uuid:public_id>/completeness/",
        views.PassportCompletenessView.as_view(),
        name="passport-completeness",
    ),
    path("battery-models/", views.BatteryModelListView.as_view(), name="battery-model-list"),
    path(
        "battery-models/<uuid:public_id>/",
        views.BatteryModelDetailView.as_view(),
        name="battery-model-detail",
    ),
    path(
        "battery-models/<uuid:public_id>/archive/",
        views.BatteryModelArchiveView.as_view(),
        name="battery-model-archive",
    ),
    path(
        "battery-models/<uuid:public_id>/restore/",
        views.BatteryModelRestoreView.as_view(),
        name="battery-model-restore",
    ),
    path(
        "battery-models/<uuid:public_id>/supply-chain/",
        views.BatteryModelSupplyChainView.as_view(),
        name="battery-model-supply-chain",
    ),
    path(
        "battery-models/<uuid:public_id>/pcf/",
        BatteryModelPcfView.as_view(),
        name="battery-model-pcf",
    ),
    path(
        "battery-models/<uuid:public_id>/grants/",
        views.BatteryModelGrantsView.as_view(),
        name="battery-model-grants",
    ),
    path(
        "battery-models/<uuid:public_id>/documents/",
        document_views.BatteryModelDocumentListView.as_view(),
        name="battery-model-documents",
    ),
    path(
        "battery-models/<uuid:public_id>/documents/<uuid:document_id>/",
        document_views.BatteryModelDocumentDetailView.as_view(),
        name="battery-model-document-detail",
    ),
    path(
        "battery-models/<uuid:public_id>/documents/<uuid:document_id>/download/",
        document_views.BatteryModelDocumentDownloadView.as_view(),
        name="battery-model-document-download",
    ),
    path(
        "passports/<uuid:public_id>/documents/",
        document_views.PassportDocumentListView.as_view(),
        name="passport-documents",
    ),
    path(
        "passports/<uuid:public_id>/documents/<uuid:document_id>/",
        document_views.PassportDocumentDetailView.as_view(),
        name="passport-document-detail",
    ),
    path(
        "passports/<uuid:public_id>/documents/<uuid:document_id>/download/",
        document_views.PassportDocumentDownloadView.as_view(),
        name="passport-document-download",
    ),
]

urlpatterns += [
    path("passports/imports/", bulk_import_views.ImportJobListView.as_view(), name="passport-import-list"),
    path(
        "passports/imports/<uuid:public_id>/",
        bulk_import_views.ImportJobDetailView.as_view(),
        name="passport-import-detail",
    ),
    path(
        "passports/imports/<uuid:public_id>/errors/",
        bulk_import_views.ImportJobErrorsView.as_view(),
        name="passport-import-errors",
    ),
]
