"""Certification endpoints under /api/v1/: schemes, applications (with their review actions), certificates."""

from django.urls import path, register_converter
from django.urls.converters import get_converters

from . import (
    action_views,
    application_views,
    catenax_views,
    certificate_views,
    credential_views,
    document_views,
    evidence_views,
    scheme_views,
    verify_views,
)


class CertificateNumberConverter:
    """Certificate numbers carry dashes (CATX-CBG-0000001, OUR-CBG-2026-000001)."""

    regex = "[A-Za-z0-9-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# The HTML views may register the same converter: registering twice is an error in Django.
if "certificate_number" not in get_converters():
    register_converter(CertificateNumberConverter, "certificate_number")

APPLICATION = "applications/<uuid:public_id>/"

urlpatterns = [
    path("schemes/", scheme_views.SchemeListView.as_view(), name="scheme-list"),
    path("schemes/<slug:code>/", scheme_views.SchemeDetailView.as_view(), name="scheme-detail"),
    path("applications/", application_views.ApplicationListView.as_view(), name="application-list"),
    path("applications/renew/", application_views.ApplicationRenewView.as_view(), name="application-renew"),
    path(APPLICATION, application_views.ApplicationDetailView.as_view(), name="application-detail"),
    path(
        APPLICATION + "answers/",
        application_views.ApplicationAnswersView.as_view(),
        name="application-answers",
    ),
    path(
        APPLICATION + "verdicts/",
        application_views.ApplicationVerdictsView.as_view(),
        name="application-verdicts",
    ),
    path(
        APPLICATION + "reviewers/",
        application_views.ApplicationReviewersView.as_view(),
        name="application-reviewers",
    ),
    path(
        APPLICATION + "evidence/",
        evidence_views.ApplicationEvidenceListView.as_view(),
        name="application-evidence",
    ),
    path(
        APPLICATION + "evidence/<uuid:evidence_id>/",
        evidence_views.ApplicationEvidenceDetailView.as_view(),
        name="application-evidence-detail",
    ),
    path(APPLICATION + "submit/", action_views.ApplicationSubmitView.as_view(), name="application-submit"),
    path(APPLICATION + "assign/", action_views.ApplicationAssignView.as_view(), name="application-assign"),
    path(
        APPLICATION + "request-changes/",
        action_views.ApplicationRequestChangesView.as_view(),
        name="application-request-changes",
    ),
    path(
        APPLICATION + "resubmit/", action_views.ApplicationResubmitView.as_view(), name="application-resubmit"
    ),
    path(APPLICATION + "approve/", action_views.ApplicationApproveView.as_view(), name="application-approve"),
    path(APPLICATION + "reject/", action_views.ApplicationRejectView.as_view(), name="application-reject"),
    path(
        APPLICATION + "withdraw/", action_views.ApplicationWithdrawView.as_view(), name="application-withdraw"
    ),
    path("certificates/", certificate_views.CertificateListView.as_view(), name="certificate-list"),
    path(
        "certificates/<certificate_number:number>/",
        certificate_views.CertificateDetailView.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<certificate_number:number>/pdf/",
        document_views.CertificatePdfView.as_view(),
        name="certificate-pdf",
    ),
    path(
        "certificates/<certificate_number:number>/suspend/",
        certificate_views.CertificateSuspendView.as_view(),
        name="certificate-suspend",
    ),
    path(
        "certificates/<certificate_number:number>/reinstate/",
        certificate_views.CertificateReinstateView.as_view(),
        name="certificate-reinstate",
    ),
    path(
        "certificates/<certificate_number:number>/revoke/",
        certificate_views.CertificateRevokeView.as_view(),
        name="certificate-revoke",
    ),
    path(
        "certificates/<certificate_number:number>/catenax/",
        catenax_views.CertificateCatenaxView.as_view(),
        name="certificate-catenax",
    ),
    path(
        "certificates/<certificate_number:number>/credential/",
        credential_views.CertificateCredentialView.as_view(),
        name="certificate-credential",
    ),
    path("credentials/issuer/", credential_views.CredentialIssuerView.as_view(), name="credential-issuer"),
    path(
        "credentials/status/<slug:purpose>/<int:list_number>/",
        credential_views.StatusListView.as_view(),
        name="credential-status-list",
    ),
    # Public. Listed before the look-up by number, which would take "document" for a number; no
    # certificate is ever numbered so (every number format contains the {seq} digits).
    path(
        "verify/document/",
        verify_views.CertificateDocumentVerifyView.as_view(),
        name="certificate-document-verify",
    ),
    # Public: any text up to the slash reaches the view, which answers malformed numbers like unknown ones.
    path("verify/<str:number>/", verify_views.CertificateVerifyView.as_view(), name="certificate-verify"),
]
