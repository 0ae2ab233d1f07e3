"""Browser pages of certification, mounted at /certification/ (the REST API lives in certification/api)."""

from django.urls import path

from .views import applications, certificates, registry, review

app_name = "certification"

urlpatterns = [
    # The applicant's side (and the application page both sides share).
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/<uuid:public_id>/", applications.application_detail, name="application_detail"),
    path("applications/<uuid:public_id>/scope/", applications.application_edit, name="application_edit"),
    path(
        "applications/<uuid:public_id>/self-assessment/",
        applications.self_assessment,
        name="self_assessment",
    ),
    path(
        "applications/<uuid:public_id>/evidence/<uuid:evidence_id>/download/",
        applications.evidence_download,
        name="evidence_download",
    ),
    path(
        "applications/<uuid:public_id>/evidence/<uuid:evidence_id>/delete/",
        applications.evidence_delete,
        name="evidence_delete",
    ),
    path("applications/<uuid:public_id>/submit/", applications.application_submit, name="application_submit"),
    path(
        "applications/<uuid:public_id>/withdraw/",
        applications.application_withdraw,
        name="application_withdraw",
    ),
    # The certification body's side.
    path("queue/", review.queue, name="queue"),
    path("applications/<uuid:public_id>/assign/", review.assign, name="assign"),
    path("applications/<uuid:public_id>/review/", review.workspace, name="review"),
    path("applications/<uuid:public_id>/review/verdicts/", review.verdicts, name="verdicts"),
    path("applications/<uuid:public_id>/review/verdicts/<str:code>/", review.verdict, name="verdict"),
    path(
        "applications/<uuid:public_id>/review/request-changes/",
        review.request_changes,
        name="request_changes",
    ),
    path("applications/<uuid:public_id>/review/approve/", review.approve, name="approve"),
    path("applications/<uuid:public_id>/review/reject/", review.reject, name="reject"),
    # Certificates (numbers contain dashes, never slashes).
    path("certificates/", certificates.certificate_list, name="certificate_list"),
    # The registry's downloads, before the certificate paths (whose number could read "export").
    path("certificates/export/csv/", registry.certificate_export_csv, name="certificate_export_csv"),
    path("certificates/export/xlsx/", registry.certificate_export_xlsx, name="certificate_export_xlsx"),
    path("certificate-zips/", registry.bundle_create, name="bundle_create"),
    path("certificate-zips/<uuid:public_id>/", registry.bundle_detail, name="bundle_detail"),
    path("certificate-zips/<uuid:public_id>/status/", registry.bundle_status, name="bundle_status"),
    path("certificate-zips/<uuid:public_id>/download/", registry.bundle_download, name="bundle_download"),
    path("certificates/<str:number>/", certificates.certificate_detail, name="certificate_detail"),
    path("certificates/<str:number>/renew/", certificates.certificate_renew, name="certificate_renew"),
    path("certificates/<str:number>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<str:number>/status/<slug:action>/",
        certificates.certificate_status,
        name="certificate_status",
    ),
]
