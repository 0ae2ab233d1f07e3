"""Operators manage the schemes (with their standards and criteria), the accreditations of certification
bodies and the recognition agreements here. Applications and certificates are listed read-only, by their
public facts: never answers, evidence, verdict notes or passport data (the admin is not their audience)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_writes import ReadOnlyAdmin, ServiceWriteAdmin, adopt, refusal_messages
from portal.tenancy.models import Organization, OrganizationKind

from .bundles.models import CertificateBundle
from .documents.models import CertificateDocument, DocumentStatus
from .documents.services import documents_rerender
from .models import Accreditation, Application, Certificate, Criterion, RecognitionAgreement, Scheme, Standard
from .services import accreditations as catalogue


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0
    fields = ["position", "code", "title", "version"]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    # The fields the service writes (catalogue.CRITERION_FIELDS), the four short ones on one line.
    fields = [catalogue.CRITERION_FIELDS[:4], *catalogue.CRITERION_FIELDS[4:]]


@admin.register(Scheme)
class SchemeAdmin(ServiceWriteAdmin):
    """Scheme, standards and criteria are saved by `certification.services.accreditations` (audited); a
    criterion that applications answered is never deleted."""

    list_display = ["name", "version", "owner", "scope_kind", "validity_kind", "is_active"]
    list_filter = ["owner", "is_active", "scope_kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["public_id"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_ja", "name_de", "owner", "version", "is_active"]}),
        (_("Description"), {"fields": ["description", "description_ja", "description_de"]}),
        (_("Certificates"), {"fields": ["number_format", "scope_kind"]}),
        (
            _("Validity"),
            {"fields": ["validity_kind", "validity_months", "valid_until_date", "valid_until_label"]},
        ),
        (_("Identifier"), {"fields": ["public_id"]}),
    ]
    inlines = [StandardInline, CriterionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Applications, certificates and accreditations refer to a scheme: it is closed, never deleted.
        return False

    def service_save(self, request, obj, form, change) -> None:
        data = {field: getattr(obj, field) for field in catalogue.SCHEME_FIELDS}
        if change:
            catalogue.scheme_update(actor=request.user, scheme=Scheme.objects.get(pk=obj.pk), data=data)
        else:
            adopt(obj, catalogue.scheme_create(actor=request.user, data=data))

    def service_save_formset(self, request, form, formset, change) -> None:
        kind = "criteria" if formset.model is Criterion else "standards"
        saved = formset.save(commit=False)  # unsaved instances; deletions in `deleted_objects`
        catalogue.scheme_parts_save(
            actor=request.user,
            scheme=form.instance,
            **{kind: saved, f"deleted_{kind}": list(formset.deleted_objects)},
        )


@admin.register(Accreditation)
class AccreditationAdmin(ServiceWriteAdmin):
    list_display = ["body", "scheme", "body_code", "valid_from", "valid_until"]
    list_filter = ["scheme", ("body", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["body", "scheme"]
    search_fields = ["body_code", "body__legal_name"]
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request, obj=None):
        # Another body or scheme is another accreditation: withdraw this one and grant that one.
        return ["body", "scheme"] if obj is not None else []

    def service_save(self, request, obj, form, change) -> None:
        if change:
            catalogue.accreditation_update(
                actor=request.user,
                accreditation=obj,
                data={field: getattr(obj, field) for field in catalogue.ACCREDITATION_FIELDS},
            )
        else:
            adopt(
                obj,
                catalogue.accreditation_create(
                    actor=request.user,
                    body=obj.body,
                    scheme=obj.scheme,
                    body_code=obj.body_code,
                    valid_from=obj.valid_from,
                    valid_until=obj.valid_until,
                ),
            )

    def delete_model(self, request, obj) -> None:
        catalogue.accreditation_withdraw(actor=request.user, accreditation=obj)

    def delete_queryset(self, request, queryset) -> None:
        for accreditation in queryset:
            try:
                catalogue.accreditation_withdraw(actor=request.user, accreditation=accreditation)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{accreditation}: {' '.join(refusal_messages(exc))}", messages.ERROR
                )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "body":  # only certification bodies are accredited
            kwargs["queryset"] = Organization.objects.filter(
                kind=OrganizationKind.CERTIFICATION_BODY
            ).order_by("legal_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RecognitionAgreement)
class RecognitionAgreementAdmin(admin.ModelAdmin):
    list_display = [
        "from_scheme",
        "to_scheme",
        "effective_from",
        "effective_until",
        "organization_only",
        "max_validity_months",
    ]
    list_filter = ["from_scheme", "to_scheme"]
    list_select_related = ["from_scheme", "to_scheme"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "organization",
        "scheme",
        "body",
        "state",
        "round",
        "submitted_at",
        "state_changed_at",
    ]
    list_filter = ["state", "scheme"]
    list_select_related = ["organization", "scheme", "body"]
    search_fields = ["organization__legal_name", "body__legal_name"]
    fields = [
        "public_id",
        "organization",
        "scheme",
        "body",
        "state",
        "round",
        "created_at",
        "submitted_at",
        "state_changed_at",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("reference"))
    def reference(self, obj: Application) -> str:
        return str(obj.public_id)[:8]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "holder_name",
        "scheme",
        "status",
        "valid_from",
        "valid_until",
        "issuing_body_name",
        "origin",
    ]
    list_filter = ["status", "scheme"]
    list_select_related = ["scheme", "origin"]
    search_fields = ["number", "holder_name"]
    fields = [
        "number",
        "scheme",
        "scheme_version",
        "holder_name",
        "holder_country",
        "holder_bpnl",
        "holder_corporate_number",
        "holder_lei",
        "issuing_body_name",
        "origin",
        "issued_at",
        "valid_from",
        "valid_until",
        "status",
        "status_changed_at",
    ]
    readonly_fields = fields


@admin.register(CertificateBundle)
class CertificateBundleAdmin(ReadOnlyAdmin):
    """Certificate ZIPs requested from the registry: who asked, how many, how far (never the file)."""

    list_display = ["reference", "requested_by", "organization", "status", "total", "done", "created_at"]
    list_filter = ["status"]
    list_select_related = ["requested_by", "organization"]
    fields = [
        "public_id",
        "requested_by",
        "organization",
        "status",
        "total",
        "done",
        "missing",
        "error",
        "attempts",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("reference"))
    def reference(self, obj: CertificateBundle) -> str:
        return str(obj.public_id)[:8]


@admin.register(CertificateDocument)
class CertificateDocumentAdmin(ReadOnlyAdmin):
    """The signed PDFs by their state: what is ready, what failed and why. Never the file (operators are not
    its audience; holders and authorities download it through the permission-checked views). Documents that
    are not ready can be queued again once the cause in `last_error` is fixed."""

    list_display = [
        "certificate_link",
        "status",
        "size",
        "attempts",
        "last_error",
        "rendered_at",
        "updated_at",
    ]
    list_filter = ["status"]
    list_select_related = ["certificate"]
    search_fields = ["certificate__number", "sha256"]
    date_hierarchy = "created_at"
    fields = [
        "certificate_link",
        "status",
        "sha256",
        "data_sha256",
        "size",
        "attempts",
        "last_error",
        "rendered_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    actions = ["rerender"]

    @admin.display(description=_("certificate"), ordering="certificate__number")
    def certificate_link(self, obj: CertificateDocument) -> str:
        url = reverse("admin:certification_certificate_change", args=[obj.certificate_id])
        return format_html('<a href="{}">{}</a>', url, obj.certificate.number)

    @admin.action(description=_("Re-render missing or failed documents"))
    def rerender(self, request, queryset) -> None:
        selected = list(queryset)
        queued = documents_rerender(actor=request.user, documents=selected)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d document queued for rendering.",
                    "%(count)d documents queued for rendering.",
                    len(queued),
                )
                % {"count": len(queued)},
                messages.SUCCESS,
            )
        skipped = sum(document.status == DocumentStatus.READY for document in selected)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d document is ready and was left as signed.",
                    "%(count)d documents are ready and were left as signed.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
