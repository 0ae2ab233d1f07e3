"""The portal's URLs plus two baselines served by the same server, measured in the same run.

- `/bench/hello/`: a plain Django view with a tiny JSON answer (baseline A: what the stack costs).
- `/bench/plain-list/`: what a plain DRF ModelSerializer list of passports costs (baseline B): the same
  token authentication and default permission as the portal API, scoped to the caller's organization by
  a simple filter, 50 rows a page, roughly the columns of the portal's list rows.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_safe
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from passports.models import Passport
from portal.tenancy.selectors import active_organization_of
from portal.urls import handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


@require_safe
def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"hello": "world"})


class PlainPassportSerializer(serializers.ModelSerializer):
    battery_model_id = serializers.UUIDField(source="battery_model.public_id")
    battery_model_name = serializers.CharField(source="battery_model.name")
    category = serializers.CharField(source="battery_model.category")

    class Meta:
        model = Passport
        fields = [
            "public_id",
            "unique_identifier",
            "battery_model_id",
            "battery_model_name",
            "category",
            "status",
            "closed_at",
            "created_at",
        ]


PLAIN_COLUMNS = (
    "public_id",
    "unique_identifier",
    "status",
    "closed_at",
    "created_at",
    "battery_model__public_id",
    "battery_model__name",
    "battery_model__category",
)


class PlainPagination(PageNumberPagination):
    page_size = 50


class PlainPassportList(generics.ListAPIView):
    """A fair "plain DRF" list: a simple organization filter, select_related so it has no N+1, and only the
    columns it shows (without `only`, select_related would also fetch and decode each battery model's
    JSON document of catalogue values, several kB per row, which no list row needs)."""

    serializer_class = PlainPassportSerializer
    pagination_class = PlainPagination
    filter_backends: list = []

    def get_queryset(self):
        organization = active_organization_of(self.request.user)
        return (
            Passport.objects.filter(organization=organization)
            .select_related("battery_model")
            .only(*PLAIN_COLUMNS)
            .order_by("-created_at", "-id")
        )


# The baselines come first: the portal ends with a catch-all for unknown /api/ paths, not for /bench/.
urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    path("bench/plain-list/", PlainPassportList.as_view(), name="bench-plain-list"),
    *portal_urlpatterns,
]
