"""The hand-written token look-up (`portal.accounts.selectors.usable_token`) builds exactly the instances the
ORM query builds, refuses what `ApiToken.objects.usable()` refuses, and primes the request's membership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.models import ApiToken, User, hash_token
from portal.accounts.selectors import usable_token
from portal.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from portal.tenancy.models import Membership, Role
from portal.tenancy.selectors import active_organization_of, membership_of
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _orm(value: str) -> ApiToken | None:
    related = "user__membership__organization"
    return ApiToken.objects.usable().select_related(related).filter(key_hash=hash_token(value)).first()


def test_instances_equal_the_orm_ones():
    user = member(Role.EDITOR, username="token-user", preferred_language="ja")
    _token, value = api_token_create(actor=user, name="ci", expires_in_days=3)
    with CaptureQueriesContext(connection) as queries:
        token = usable_token(hash_token(value))
        membership = token.user.membership
        organization = membership.organization
    assert len(queries) == 1
    expected = _orm(value)
    assert _fields(token) == _fields(expected)
    assert _fields(token.user) == _fields(expected.user)
    assert _fields(membership) == _fields(expected.user.membership)
    assert _fields(organization) == _fields(expected.user.membership.organization)
    assert isinstance(token.user, User) and not token._state.adding and token._state.db == "default"
    token.user.save(update_fields=["preferred_language"])  # a loaded instance, not a new one


def test_refuses_revoked_expired_and_unknown_tokens():
    user = member(Role.ADMIN, username="token-owner")
    revoked, revoked_value = api_token_create(actor=user, name="old")
    api_token_revoke(actor=user, token=revoked)
    expired, expired_value = api_token_create(actor=user, name="short", expires_in_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for value in (revoked_value, expired_value, "pb_not-a-token"):
        assert usable_token(hash_token(value)) is None
        assert _orm(value) is None


def test_membership_comes_with_the_token_and_inactive_counts_as_none():
    loner = UserFactory(username="no-membership")
    _token, value = api_token_create(actor=loner, name="t")
    token = api_token_authenticate(value)
    assert token is not None and not hasattr(token.user, "membership")
    assert membership_of(token.user) is None

    user = member(Role.VIEWER, username="member")
    _token, value = api_token_create(actor=user, name="t")
    organization = Membership.objects.select_related("organization").get(user=user).organization
    token = api_token_authenticate(value)
    with CaptureQueriesContext(connection) as queries:
        assert active_organization_of(token.user) == organization
    assert len(queries) == 0  # primed by the authentication
    Membership.objects.filter(user=user).update(is_active=False)
    token = api_token_authenticate(value)
    assert membership_of(token.user) is None and active_organization_of(token.user) is None
