from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from portal.identifiers import check_bpn, check_corporate_number, check_lei

from ..models import DataSpace, Membership, Organization, Site


def _identifier_field(checker):
    def validate(value):
        if value in (None, ""):
            return None
        try:
            return checker(value).value
        except Exception as exc:  # Django ValidationError -> DRF error with the same message
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc

    return validate


class OrganizationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = CountryField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "legal_name",
            "country",
            "street",
            "postal_code",
            "city",
            "website",
            "data_spaces",
            "bpnl",
            "corporate_number",
            "lei",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class OrganizationUpdateInput(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200, required=False)
    country = CountryField(required=False)
    street = serializers.CharField(max_length=200, required=False)
    postal_code = serializers.CharField(max_length=20, required=False)
    city = serializers.CharField(max_length=100, required=False)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    data_spaces = serializers.ChoiceField(choices=DataSpace.choices, required=False)
    bpnl = serializers.CharField(max_length=24, required=False, allow_null=True, allow_blank=True)
    corporate_number = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    lei = serializers.CharField(max_length=24, required=False, allow_null=True, allow_blank=True)

    validate_bpnl = staticmethod(_identifier_field(lambda v: check_bpn(v, kinds="L")))
    validate_corporate_number = staticmethod(_identifier_field(check_corporate_number))
    validate_lei = staticmethod(_identifier_field(check_lei))


class MemberOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "email", "role", "is_active", "created_at"]
        read_only_fields = fields


class MemberUpdateInput(serializers.Serializer):
    role = serializers.CharField(max_length=16, required=False)
    is_active = serializers.BooleanField(required=False)


class SiteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = CountryField()
    bpn = serializers.CharField(max_length=24, required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "street",
            "postal_code",
            "city",
            "country",
            "bpn",
            "created_at",
            "archived_at",
        ]
        read_only_fields = ["id", "created_at", "archived_at"]
        extra_kwargs = {
            "archived_at": {"help_text": _("When the site was archived (retired); null while it is in use.")}
        }

    validate_bpn = staticmethod(_identifier_field(lambda v: check_bpn(v, kinds="SA")))
