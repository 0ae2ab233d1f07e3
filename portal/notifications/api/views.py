"""REST API of a person's own notifications: thin shells over selectors and services.

Notifications are personal, not a tenant's: any signed-in person has them (operators too), and
someone else's notification answers 404 like one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import policies, selectors, services
from ..models import Notification
from .serializers import MarkAllReadOutput, NotificationOutput

TAGS = ["notifications"]


class HasNotifications(BasePermission):
    def has_permission(self, request, view) -> bool:
        return policies.can_have_notifications(request.user)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class NotificationFilter(django_filters.FilterSet):
    # A choice rather than a BooleanFilter: that one silently ignores "unread=perhaps", we answer 400.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label=_("true: only unread notifications; false: only read ones"),
    )

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread(self, queryset, name: str, value: str):
        return queryset.filter(read_at__isnull=value == "true")


@extend_schema_view(get=extend_schema(tags=TAGS, summary="Your notifications, newest first"))
class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationOutput
    permission_classes = [HasNotifications]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notifications_for(actor=self.request.user)


class NotificationReadView(APIView):
    permission_classes = [HasNotifications]

    @extend_schema(tags=TAGS, request=None, responses=NotificationOutput, summary="Mark a notification read")
    def post(self, request, public_id: UUID):
        notification = selectors.notification_get(actor=request.user, public_id=public_id)
        if notification is None:
            raise Http404
        services.notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationOutput(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [HasNotifications]

    @extend_schema(
        tags=TAGS, request=None, responses=MarkAllReadOutput, summary="Mark all your notifications read"
    )
    def post(self, request):
        marked = services.notifications_mark_all_read(actor=request.user)
        return Response(MarkAllReadOutput({"marked": marked}).data)
