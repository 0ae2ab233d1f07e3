"""Operators see that passports exist and who owns them, never their values: the catalogue values and
the supply chain have audiences, and the admin is not one of them. Nothing here edits passport data."""

from __future__ import annotations

from django.contrib import admin

from portal.admin_writes import ReadOnlyAdmin

from .models import BatteryModel, Passport
from .selectors import battery_models_overseen, passports_overseen


@admin.register(BatteryModel)
class BatteryModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "manufacturer_part_id", "category", "organization", "created_at", "archived_at"]
    list_filter = ["category"]
    search_fields = ["name", "manufacturer_part_id", "organization__legal_name"]
    fields = [
        "public_id",
        "name",
        "manufacturer_part_id",
        "category",
        "organization",
        "created_at",
        "updated_at",
        "archived_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return battery_models_overseen(actor=request.user)


@admin.register(Passport)
class PassportAdmin(ReadOnlyAdmin):
    list_display = ["unique_identifier", "battery_model", "organization", "status", "closed_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["unique_identifier", "organization__legal_name"]
    fields = [
        "public_id",
        "unique_identifier",
        "battery_model",
        "organization",
        "status",
        "predecessor",
        "closed_at",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return passports_overseen(actor=request.user)
