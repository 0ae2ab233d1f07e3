"""One auth group per organization: the grantee of cross-tenant object permissions (django-guardian).

Grants go to the organization, not to persons, so joining or leaving a company needs no re-granting:
policies ask whether the acting user's organization group holds the permission.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from .models import Organization


def organization_group(organization: Organization) -> Group:
    group, _created = Group.objects.get_or_create(name=f"organization:{organization.public_id}")
    return group
