"""One auth group per organization: the grantee of cross-tenant object permissions (django-guardian).

Grants go to the organization, not to persons, so joining or leaving a company needs no re-granting:
policies ask whether the acting user's organization group holds the permission.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import Group

from .models import Organization

_PREFIX = "organization:"


def group_name(organization: Organization) -> str:
    """The name of the organization's grant group: queries match grants by it without loading the group."""
    return f"{_PREFIX}{organization.public_id}"


def organization_id_of_group(name: str) -> uuid.UUID | None:
    """The organization public id a grant group's name stands for (None for any other group)."""
    prefix, _sep, rest = name.partition(":")
    if f"{prefix}:" != _PREFIX:
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


def organization_group(organization: Organization) -> Group:
    group, _created = Group.objects.get_or_create(name=group_name(organization))
    return group
