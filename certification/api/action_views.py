"""The review transitions as POST sub-routes of an application, one thin view each over its service.

The views find the application in the caller's scope (404 otherwise) and check the caller's role for the
action (403 with the reason) before reading the body; the service checks the role again, then the state
(409 `invalid_state`), then the input (400 with field messages).
"""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.views import APIView

from portal.openapi_errors import answers_conflict

from .. import services
from .application_views import application_response
from .certificate_views import certificate_response
from .common import TAG_APPLICATIONS, application_or_404, resolve_reviewer, valid
from .serializers import (
    ApplicationOutput,
    ApproveInput,
    AssignInput,
    CertificateOutput,
    DeclarationInput,
    MessageInput,
    ReasonInput,
    ResubmitInput,
)

ERRORS = (
    "403: your role does not allow it (the reason is in `detail`); 409: not possible in the application's "
    "current state (`code` is `invalid_state`); 400: field messages."
)


def _schema(summary: str, request, responses=ApplicationOutput):
    return extend_schema(
        tags=TAG_APPLICATIONS, summary=summary, description=ERRORS, request=request, responses=responses
    )


@answers_conflict("POST")
class ApplicationSubmitView(APIView):
    @_schema("Submit a draft, signing the declaration (applicant administrators)", DeclarationInput)
    def post(self, request, public_id: UUID):
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can submit it.")
        )
        data = valid(DeclarationInput, request.data)
        services.application_submit(
            actor=request.user, application=application, declaration_name=data["declaration_name"]
        )
        return application_response(request, application)


@answers_conflict("POST")
class ApplicationAssignView(APIView):
    @_schema("Assign (or reassign) the reviewer (the body's leads)", AssignInput)
    def post(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "lead")
        data = valid(AssignInput, request.data)
        services.application_assign(
            actor=request.user,
            application=application,
            reviewer=resolve_reviewer(application, data["reviewer"]),
        )
        return application_response(request, application)


@answers_conflict("POST")
class ApplicationRequestChangesView(APIView):
    @_schema("Send the application back for changes (assigned reviewer)", MessageInput)
    def post(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "review")
        data = valid(MessageInput, request.data)
        services.application_request_changes(
            actor=request.user, application=application, message=data["message"]
        )
        return application_response(request, application)


@answers_conflict("POST")
class ApplicationResubmitView(APIView):
    @_schema(
        "Resubmit after changes, signing the declaration again (applicant administrators)", ResubmitInput
    )
    def post(self, request, public_id: UUID):
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can resubmit it.")
        )
        data = valid(ResubmitInput, request.data)
        services.application_resubmit(
            actor=request.user,
            application=application,
            declaration_name=data["declaration_name"],
            message=data["message"],
        )
        return application_response(request, application)


@answers_conflict("POST")
class ApplicationApproveView(APIView):
    @_schema(
        "Approve and issue the certificate, and the certificates recognised from it (assigned reviewer)",
        ApproveInput,
        {201: CertificateOutput},
    )
    def post(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "review")
        data = valid(ApproveInput, request.data)
        certificate = services.application_approve(
            actor=request.user,
            application=application,
            conditions=data["conditions"],
            message=data["message"],
        )
        response = certificate_response(request, certificate.number)
        response.status_code = status.HTTP_201_CREATED
        return response


@answers_conflict("POST")
class ApplicationRejectView(APIView):
    @_schema("Reject with reasons (assigned reviewer)", ReasonInput)
    def post(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "review")
        data = valid(ReasonInput, request.data)
        services.application_reject(actor=request.user, application=application, reason=data["reason"])
        return application_response(request, application)


@answers_conflict("POST")
class ApplicationWithdrawView(APIView):
    @_schema("Withdraw an open application (applicant administrators)", ReasonInput)
    def post(self, request, public_id: UUID):
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can withdraw it.")
        )
        data = valid(ReasonInput, request.data)
        services.application_withdraw(actor=request.user, application=application, reason=data["reason"])
        return application_response(request, application)
