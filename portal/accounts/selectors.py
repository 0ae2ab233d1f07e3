"""Reads of accounts data on hot paths."""

# S608: the SQL interpolates only quoted table and column names; values are query parameters.
# ruff: noqa: S608

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.sql_rows import hot_cursor, load_instance, prepared, select_columns, table_name
from portal.tenancy.models import Membership, Organization

from .models import ApiToken, User

_MODELS = (ApiToken, User, Membership, Organization)


@functools.cache
def _token_sql(vendor: str) -> str:
    return (
        f"SELECT {select_columns(ApiToken, 't')}, {select_columns(User, 'u')}, "
        f"{select_columns(Membership, 'm')}, {select_columns(Organization, 'o')} "
        f"FROM {table_name(ApiToken)} t INNER JOIN {table_name(User)} u ON u.id = t.user_id "
        f"LEFT JOIN {table_name(Membership)} m ON m.user_id = u.id "
        f"LEFT JOIN {table_name(Organization)} o ON o.id = m.organization_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )


def usable_token(key_hash: str) -> ApiToken | None:
    """The unrevoked, unexpired token with this hash, its user and the user's membership with its
    organization (`token.user.membership`, when there is one), in one query.

    Every API request starts here. The equivalent ORM query (`ApiToken.objects.usable()` with
    `select_related("user__membership__organization")`) costs about 1 ms of CPU to build and compile, more
    than the rest of a light request; this one builds the same instances from one hand-written query."""
    with hot_cursor() as cursor:
        now = prepared(ApiToken, "expires_at", timezone.now())
        cursor.execute(_token_sql(connection.vendor), [key_hash, now])
        row = cursor.fetchone()
    if row is None:
        return None
    widths = [len(model._meta.concrete_fields) for model in _MODELS]
    token_values, rest = row[: widths[0]], row[widths[0] :]
    user_values, rest = rest[: widths[1]], rest[widths[1] :]
    membership_values, organization_values = rest[: widths[2]], rest[widths[2] :]
    token = load_instance(ApiToken, token_values)
    user = load_instance(User, user_values)
    token.user = user
    if membership_values[0] is not None:  # the membership's primary key: NULL when the user has none
        membership = load_instance(Membership, membership_values)
        membership.organization = load_instance(Organization, organization_values)
        membership.user = user
        user.membership = membership
    return token


def api_tokens_for(*, actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens (personal: nobody else's, not even their organization admin's)."""
    if actor is None or not actor.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.pk)


def api_token_get(*, actor, pk: int) -> ApiToken | None:
    return api_tokens_for(actor=actor).filter(pk=pk).first()


def pending_totp_device(*, actor, device_id: int | None) -> TOTPDevice | None:
    """The actor's unconfirmed authenticator being set up (the id comes from their session)."""
    if device_id is None or not actor.is_authenticated:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user_id=actor.pk, confirmed=False).first()
