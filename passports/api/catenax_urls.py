"""Catena-X routes, included under /api/v1/ before the generic passport routes (so "import" is no id)."""

from django.urls import path

from .catenax_views import CatenaxExportView, CatenaxImportView

urlpatterns = [
    path("passports/import/catenax/", CatenaxImportView.as_view(), name="passport-import-catenax"),
    path("passports/<uuid:public_id>/catenax/", CatenaxExportView.as_view(), name="passport-export-catenax"),
]
