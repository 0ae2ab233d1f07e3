from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.archiving import ArchivedFilterSet
from portal.openapi_errors import answers_conflict

from .. import selectors, services
from ..models import Site
from .serializers import (
    MemberOutput,
    MemberUpdateInput,
    OrganizationOutput,
    OrganizationUpdateInput,
    SiteSerializer,
)


class OrganizationMeView(APIView):
    @extend_schema(responses=OrganizationOutput, summary="Your organization")
    def get(self, request):
        return Response(OrganizationOutput(selectors.active_organization_of(request.user)).data)

    @extend_schema(
        request=OrganizationUpdateInput,
        responses=OrganizationOutput,
        summary="Update your organization (administrators)",
    )
    def patch(self, request):
        serializer = OrganizationUpdateInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        org = services.organization_update(
            actor=request.user,
            organization=selectors.active_organization_of(request.user),
            data=serializer.validated_data,
        )
        return Response(OrganizationOutput(org).data)


class MemberListView(generics.ListAPIView):
    serializer_class = MemberOutput

    def get_queryset(self):
        return selectors.members_for(actor=self.request.user)


class MemberDetailView(APIView):
    def _get(self, request, public_id):
        membership = selectors.member_get(actor=request.user, public_id=public_id)
        if membership is None:
            raise Http404
        return membership

    @extend_schema(responses=MemberOutput, summary="A member of your organization")
    def get(self, request, public_id):
        return Response(MemberOutput(self._get(request, public_id)).data)

    @extend_schema(
        request=MemberUpdateInput,
        responses=MemberOutput,
        summary="Change a member's role or deactivate them (administrators)",
    )
    def patch(self, request, public_id):
        membership = self._get(request, public_id)
        serializer = MemberUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "role" in data:
            services.membership_change_role(actor=request.user, membership=membership, role=data["role"])
        if data.get("is_active") is False and membership.is_active:
            services.membership_deactivate(actor=request.user, membership=membership)
        elif data.get("is_active") is True and not membership.is_active:
            services.membership_reactivate(actor=request.user, membership=membership)
        return Response(MemberOutput(membership).data)


class SiteFilter(ArchivedFilterSet):
    class Meta:
        model = Site
        fields: list[str] = []


class SiteListView(generics.ListCreateAPIView):
    serializer_class = SiteSerializer
    filterset_class = SiteFilter  # the sites in use, or with ?archived=true the archived ones

    def get_queryset(self):
        return selectors.sites_for(actor=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        site = services.site_create(
            actor=request.user,
            organization=selectors.active_organization_of(request.user),
            data=serializer.validated_data,
        )
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)


@answers_conflict("DELETE")
class SiteDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = SiteSerializer
    lookup_field = "public_id"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.sites_for(actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.site_update(
            actor=self.request.user, site=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.site_delete(actor=self.request.user, site=instance)


class _SiteArchivingView(APIView):
    """POST only: archive or restore one of the organization's sites (whoever may delete it)."""

    def _site(self, request, public_id) -> Site:
        site = selectors.site_get(actor=request.user, public_id=public_id)
        if site is None:  # another organization's site does not exist for the caller
            raise Http404
        return site


@answers_conflict("POST")
class SiteArchiveView(_SiteArchivingView):
    @extend_schema(
        request=None,
        responses=SiteSerializer,
        summary="Archive a site (administrators, editors)",
        description=(
            "The site leaves the site list and cannot be put in the scope of a new application; the "
            "certificates and applications that cover it keep it. 409 if it is archived already."
        ),
    )
    def post(self, request, public_id):
        site = services.site_archive(actor=request.user, site=self._site(request, public_id))
        return Response(SiteSerializer(site).data)


@answers_conflict("POST")
class SiteRestoreView(_SiteArchivingView):
    @extend_schema(
        request=None,
        responses=SiteSerializer,
        summary="Restore an archived site (administrators, editors)",
        description="The site is in use again. 409 if it is not archived.",
    )
    def post(self, request, public_id):
        site = services.site_restore(actor=request.user, site=self._site(request, public_id))
        return Response(SiteSerializer(site).data)
