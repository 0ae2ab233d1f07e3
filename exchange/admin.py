"""Operators see the reference data only: parts, requests and answers belong to the two companies of a
request and appear in no admin list."""

from django.contrib import admin

from portal.admin_writes import ReadOnlyAdmin

from .models import Material


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "is_critical",
        "is_strategic",
        "is_japan_specified",
        "listed_from",
        "listed_until",
    )
    list_filter = ("is_critical", "is_strategic", "is_japan_specified")
    search_fields = ("code", "name", "cas_number")
