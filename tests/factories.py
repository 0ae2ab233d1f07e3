"""Factories for tests: valid identifiers are generated, so every organization passes validation."""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory

from passports.catalogue import PASSPORT_OBLIGATION_DATE
from portal.accounts.models import User
from portal.identifiers import ALPHABET, bpn_check_characters
from portal.tenancy.models import (
    DataSpace,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    Site,
)

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def make_bpn(kind: str = "L", n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    body = ""
    while n:
        n, rem = divmod(n, 36)
        body = ALPHABET[rem] + body
    prefix = f"BPN{kind}{body.rjust(10, '0')}"
    return prefix + bpn_check_characters(prefix)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.ECONOMIC_OPERATOR
    legal_name = factory.Sequence(lambda n: f"Company {n} GmbH")
    country = "DE"
    street = "Hauptstraße 1"
    postal_code = "10115"
    city = "Berlin"
    data_spaces = DataSpace.CATENA_X
    bpnl = factory.LazyFunction(make_bpn)
    status = OrganizationStatus.ACTIVE


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Plant {n}")
    street = "Werkstraße 5"
    postal_code = "38440"
    city = "Wolfsburg"
    country = "DE"
    bpn = factory.LazyFunction(lambda: make_bpn("S"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ADMIN


def member(role: str = Role.ADMIN, organization: Organization | None = None, **user_fields) -> User:
    """A user with a membership of `organization` (a new active company if None) in `role`."""
    organization = organization or OrganizationFactory()
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


#: Publication judges completeness on the day passports become mandatory (`completeness.obligation_day`).
#: Tests about other things (grants, exports, pages) publish sparse passports as of the day before, when
#: no attribute is mandatory yet; the publication gate's own tests publish complete ones.
BEFORE_OBLIGATIONS = PASSPORT_OBLIGATION_DATE - timedelta(days=1)
