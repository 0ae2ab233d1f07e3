"""Applications: the applicant's members and the certification body's (once submitted) read them; the
applicant's administrators create, scope, answer and renew; the body's lead lists its reviewers.

Role errors are 403 with the service's reason, illegal transitions 409, bad input 400 with field messages,
and an application outside the caller's scope 404 (`common.application_or_404`).
"""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_filters import SafeSearchFilter
from portal.openapi_errors import answers_conflict

from .. import policies, selectors, services
from .common import (
    TAG_APPLICATIONS,
    Pagination,
    application_or_404,
    require,
    resolve_body,
    resolve_criterion,
    resolve_scheme,
    resolve_scope,
    valid,
)
from .filters import ApplicationFilter
from .payloads import application_payload, application_row, reviewer_row
from .serializers import (
    AnswersInput,
    ApplicationCreateInput,
    ApplicationOutput,
    ApplicationRowOutput,
    ApplicationUpdateInput,
    RenewInput,
    ReviewerOutput,
    VerdictInput,
    VerdictOutput,
    VerdictsInput,
)


def application_response(request, application, status_code: int = status.HTTP_200_OK) -> Response:
    # Re-read through the selector: the services return locked copies without the list's joins.
    application = application_or_404(request, application.public_id)
    return Response(ApplicationOutput(application_payload(request, application)).data, status=status_code)


class ApplicationListView(generics.ListAPIView):
    serializer_class = ApplicationRowOutput
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, SafeSearchFilter, OrderingFilter]
    filterset_class = ApplicationFilter
    search_fields = ["scheme__name", "organization__legal_name"]
    ordering_fields = ["created_at", "submitted_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.applications_for(actor=self.request.user)

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Applications you may see",
        description=(
            "Your company's applications; for a certification body, those addressed to it once submitted. "
            "Search covers the scheme name and the applicant's name."
        ),
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ApplicationRowOutput(map(application_row, page), many=True).data)

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Start a draft application (company administrators)",
        request=ApplicationCreateInput,
        responses={201: ApplicationOutput},
    )
    def post(self, request):
        data = valid(ApplicationCreateInput, request.data)
        require(
            policies.can_apply(request.user), _("Only a company administrator can apply for certification.")
        )
        scheme = resolve_scheme(data["scheme"])
        body = resolve_body(scheme, data["body"])
        application = services.application_create(
            actor=request.user, scheme=scheme, body=body, **resolve_scope(request, data)
        )
        return application_response(request, application, status.HTTP_201_CREATED)


@answers_conflict("PATCH")
class ApplicationDetailView(APIView):
    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="An application with its answers, evidence, verdicts and history",
        description=(
            "While its review is open, the certification body also gets `scope_data`: the passports and "
            "battery models in scope as the passport policy lets it see them, with the supply chain."
        ),
        responses=ApplicationOutput,
    )
    def get(self, request, public_id: UUID):
        return application_response(request, application_or_404(request, public_id))

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Change the body (drafts) or the scope (drafts and when changes are requested)",
        request=ApplicationUpdateInput,
        responses=ApplicationOutput,
    )
    def patch(self, request, public_id: UUID):
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can edit it.")
        )
        data = valid(ApplicationUpdateInput, request.data)
        body = resolve_body(application.scheme, data["body"]) if "body" in data else None
        services.application_update(
            actor=request.user, application=application, body=body, **resolve_scope(request, data)
        )
        return application_response(request, application)


@answers_conflict("PUT")
class ApplicationAnswersView(APIView):
    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Save self-assessment answers by criterion code (administrators)",
        request=AnswersInput,
        responses=ApplicationOutput,
    )
    def put(self, request, public_id: UUID):
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can answer.")
        )
        data = valid(AnswersInput, request.data)
        services.answers_save(actor=request.user, application=application, answers=data["answers"])
        return application_response(request, application)


def _verdict_output(verdict, criterion_code: str) -> dict:
    """A recorded verdict as `VerdictOutput` shows it (its reviewer by name)."""
    return {
        "round": verdict.round,
        "criterion": criterion_code,
        "value": verdict.value,
        "notes": verdict.notes,
        "reviewer": verdict.reviewer.get_full_name() or verdict.reviewer.get_username(),
        "recorded_at": verdict.recorded_at,
    }


@answers_conflict("POST", "PATCH")
class ApplicationVerdictsView(APIView):
    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Record the verdict on a criterion in the current round (assigned reviewer)",
        description="Recording again in the same round replaces the verdict.",
        request=VerdictInput,
        responses={201: VerdictOutput},
    )
    def post(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "review")
        data = valid(VerdictInput, request.data)
        verdict = services.verdict_record(
            actor=request.user,
            application=application,
            criterion=resolve_criterion(application, data["criterion"]),
            value=data["value"],
            notes=data["notes"],
        )
        return Response(
            VerdictOutput(_verdict_output(verdict, verdict.criterion.code)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Record several verdicts of the current round at once (assigned reviewer)",
        description=(
            "All or none: every verdict is checked before any is stored, and one that breaks a rule stores "
            "nothing; its errors are keyed `<criterion code>.<field>` (e.g. `CX-BP-03.notes`). Criteria not "
            "listed keep their verdict. Answers every verdict of the current round."
        ),
        request=VerdictsInput,
        responses={200: VerdictOutput(many=True)},
    )
    def patch(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "review")
        data = valid(VerdictsInput, request.data)
        verdicts = {
            resolve_criterion(application, item["criterion"]): (item["value"], item["notes"])
            for item in data["verdicts"]
        }
        services.verdicts_record(actor=request.user, application=application, verdicts=verdicts)
        rows = selectors.criterion_rows(application)
        output = [_verdict_output(row.verdict, row.criterion.code) for row in rows if row.verdict is not None]
        return Response(VerdictOutput(output, many=True).data)


class ApplicationReviewersView(APIView):
    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Reviewers the body's lead can assign to this application",
        responses=ReviewerOutput(many=True),
    )
    def get(self, request, public_id: UUID):
        application = application_or_404(request, public_id, "lead")
        reviewers = selectors.body_reviewers(application.body)
        return Response(ReviewerOutput([reviewer_row(u, application) for u in reviewers], many=True).data)


@answers_conflict("POST")
class ApplicationRenewView(APIView):
    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Start the renewal of a certificate (holder administrators)",
        description="A new draft under the same scheme and body, with the old scope and answers.",
        request=RenewInput,
        responses={201: ApplicationOutput},
    )
    def post(self, request):
        data = valid(RenewInput, request.data)
        certificate = selectors.certificate_get(actor=request.user, number=data["certificate"])
        if certificate is None:
            raise exceptions.ValidationError({"certificate": [_("No certificate of yours has this number.")]})
        require(
            policies.may_renew(request.user, certificate), _("Only the holder's administrators can renew it.")
        )
        application = services.application_renew(actor=request.user, certificate=certificate)
        return application_response(request, application, status.HTTP_201_CREATED)
