"""Who may see and act on passports and battery models: the one rule, as querysets.

`Passport.objects.restrict(actor, action)` and `BatteryModel.objects.restrict(actor, action)` state it; every
other path (selectors, policies, the list SQL's tests, views, API, exports, public pages) asks them.

Viewing is decided per audience, each one WHERE condition ("arm"), in the order the policy ranks them:

- the owner company: every row of its own, in every state;
- a certification body whose organization holds the confidential grant (given while its review is open, by
  certification): the rows in scope for that review, published or not, because it reviews working data;
- an authority: every row once published;
- a partner holding a legitimate-interest grant (on the passport or on its battery model): the granted
  rows once published.

A never-published passport (a battery model without a published passport) therefore does not exist for
authorities and partners. The public (no organization: `actor` None or anonymous) reads every published
passport, through the public pages. Changing is for the owner company's editors and administrators,
publishing and granting for its administrators. "oversee" is the platform operators' admin list: that a
row exists and who owns it, never its values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.groups import group_name
from portal.tenancy.models import OrganizationKind, Role
from portal.tenancy.policies import is_operator
from portal.tenancy.selectors import active_organization_of, membership_of

from .catalogue import Viewer
from .expressions import InSubquery

EDIT_ROLES = (Role.ADMIN, Role.EDITOR)
PUBLISH_ROLES = (Role.ADMIN,)

#: Object permissions (django-guardian group grants) by what they open.
LEGITIMATE_INTEREST = "view_legitimate_interest"
CONFIDENTIAL = "view_confidential"


def _granted_ids(table_model, organization, kind: str, model_name: str):
    """The ids of `model_name` rows granted to the organization's group with `kind`, as a subquery (matched
    by the group's name, so scoping costs no query of its own)."""
    return table_model.objects.filter(
        group__name=group_name(organization), permission__codename=f"{kind}_{model_name}"
    ).values("content_object_id")


def granted_passports(organization, kind: str):
    from .models import PassportGroupObjectPermission

    return _granted_ids(PassportGroupObjectPermission, organization, kind, "passport")


def granted_models(organization, kind: str):
    from .models import BatteryModelGroupObjectPermission

    return _granted_ids(BatteryModelGroupObjectPermission, organization, kind, "batterymodel")


def _published(**lookup: Any) -> Q:
    from .models import PassportVersion, VersionState

    return Q(Exists(PassportVersion.objects.filter(state=VersionState.PUBLISHED, **lookup)))


def _role(actor) -> str | None:
    """The actor's role in its active organization (None without one)."""
    if active_organization_of(actor) is None:
        return None
    return membership_of(actor).role


def _union(conditions: Iterable[Q]) -> Q | None:
    found = NOTHING
    for condition in conditions:
        found = condition if found is NOTHING else found | condition
    return found


class _AudienceQuerySet(RestrictedQuerySet):
    """Shared shape: `arms(actor)` lists (viewer kind, condition); `view` is their union; `audience_of`
    answers which arm an object falls in first, from the same conditions."""

    actions = frozenset({"view", "change", "publish", "grant", "oversee"})

    def arms(self, actor) -> list[tuple[Viewer, Q]]:
        raise NotImplementedError

    def public_rule(self) -> Q | None:
        return NOTHING

    def rule(self, actor, action: str) -> Q | None:
        if action == "oversee":
            # Platform operators see that rows exist and who owns them (the admin's lists), never values.
            return Q() if is_operator(actor) else NOTHING
        organization = active_organization_of(actor)
        if action == "view":
            if organization is None:
                return self.public_rule() if actor is None or not actor.is_authenticated else NOTHING
            return _union(condition for _viewer, condition in self.arms(actor))
        roles = EDIT_ROLES if action == "change" else PUBLISH_ROLES
        if organization is None or _role(actor) not in roles:
            return NOTHING
        return Q(organization=organization)

    def within(self, actor, viewers: tuple[Viewer, ...]):
        """The rows `actor` reads as one of `viewers` (the same arms as `view`, fewer of them)."""
        found = _union(condition for viewer, condition in self.arms(actor) if viewer in viewers)
        return self.none() if found is NOTHING else self.filter(found)

    def audiences(self, actor) -> set[Viewer]:
        """The viewer kinds `actor` has over the rows of this queryset: for each row the first arm it falls
        in (PUBLIC where none)."""
        if active_organization_of(actor) is None:
            return {Viewer.PUBLIC} if self.exists() else set()
        whens = [When(condition, then=Value(viewer.value)) for viewer, condition in self.arms(actor)]
        found = self.annotate(
            audience=Case(*whens, default=Value(Viewer.PUBLIC.value), output_field=CharField())
        ).values_list("audience", flat=True)
        return {Viewer(value) for value in found.order_by().distinct()}

    def audience_of(self, actor, obj) -> Viewer:
        """The viewer kind of `actor` for `obj`: the first arm the row falls in; PUBLIC if none."""
        organization = active_organization_of(actor)
        if organization is None or obj is None or obj.pk is None:
            return Viewer.PUBLIC
        if obj.organization_id == organization.pk:
            # The first arm, `Q(organization=organization)`, read off the loaded row (an owner never changes):
            # the owner's every write asked it with a query of subqueries of its own. Tested equal to the
            # query (tests/passports/api/test_access_rule.py).
            return Viewer.OWNER
        return self.audience_by_query(actor, obj)

    def audience_by_query(self, actor, obj) -> Viewer:
        """`audience_of` answered by the database alone, every arm in SQL."""
        if active_organization_of(actor) is None or obj is None or obj.pk is None:
            return Viewer.PUBLIC
        found = self.model._default_manager.filter(pk=obj.pk).audiences(actor)
        return found.pop() if found else Viewer.PUBLIC


class PassportQuerySet(_AudienceQuerySet):
    def public_rule(self) -> Q:
        return _published(passport=OuterRef("pk"))

    def arms(self, actor) -> list[tuple[Viewer, Q]]:
        organization = active_organization_of(actor)
        if organization is None:
            return []
        published = _published(passport=OuterRef("pk"))
        # `InSubquery`, not EXISTS: inside the OR PostgreSQL keeps each arm an index condition (a BitmapOr of
        # the owner's rows and the few granted ids) instead of testing every company's passports row by row.
        arms = [
            (Viewer.OWNER, Q(organization=organization)),
            (
                Viewer.CERTIFIER,
                Q(InSubquery("pk", granted_passports(organization, CONFIDENTIAL)))
                | Q(InSubquery("battery_model_id", granted_models(organization, CONFIDENTIAL))),
            ),
        ]
        if organization.kind == OrganizationKind.AUTHORITY:
            arms.append((Viewer.AUTHORITY, published))
        partner = Q(InSubquery("pk", granted_passports(organization, LEGITIMATE_INTEREST))) | Q(
            InSubquery("battery_model_id", granted_models(organization, LEGITIMATE_INTEREST))
        )
        arms.append((Viewer.PARTNER, partner & published))
        return arms

    def published(self):
        """Passports with a published version: what the public reads (`restrict(None, "view")`)."""
        return self.filter(self.public_rule())


class BatteryModelQuerySet(_AudienceQuerySet):
    def arms(self, actor) -> list[tuple[Viewer, Q]]:
        organization = active_organization_of(actor)
        if organization is None:
            return []
        published = _published(passport__battery_model=OuterRef("pk"))
        arms = [
            (Viewer.OWNER, Q(organization=organization)),
            (Viewer.CERTIFIER, Q(InSubquery("pk", granted_models(organization, CONFIDENTIAL)))),
        ]
        if organization.kind == OrganizationKind.AUTHORITY:
            arms.append((Viewer.AUTHORITY, published))
        partner = Q(InSubquery("pk", granted_models(organization, LEGITIMATE_INTEREST)))
        arms.append((Viewer.PARTNER, partner & published))
        return arms


#: Who reads working data and the confidential supply chain: the owner, and a body during its open review.
WORKING_READERS = (Viewer.OWNER, Viewer.CERTIFIER)


class SupplyChainQuerySet(RestrictedQuerySet):
    """Confidential rows (suppliers, procurement amounts): read by the battery model's owner and by a body
    during its open review, replaced by the owner's editors."""

    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        from .models import BatteryModel, Passport

        if active_organization_of(actor) is None:
            return NOTHING
        if action != "view":
            return Q(battery_model__in=BatteryModel.objects.restrict(actor, "change").values("pk"))
        # Reviewing a passport covers its model's supply chain: the passport shows the model's values.
        reviewed = Passport.objects.within(actor, (Viewer.CERTIFIER,)).values("battery_model_id")
        models = BatteryModel.objects.within(actor, WORKING_READERS).values("pk")
        return Q(battery_model__in=models) | Q(battery_model__in=reviewed)

    def of_model(self, actor, battery_model) -> SupplyChainQuerySet:
        """`restrict(actor, "view")` narrowed to one battery model's rows. The model's owner reads them all
        (the rule's first arm, `BatteryModel.objects.within(actor, (OWNER,))`, read off the loaded model
        as `audience_of` does), without the rule's subqueries; anyone else through the rule itself."""
        organization = active_organization_of(actor)
        if organization is not None and battery_model.organization_id == organization.pk:
            return self.filter(battery_model=battery_model)
        return self.restrict(actor, "view").filter(battery_model=battery_model)


def document_keys(viewer: Viewer) -> list[str]:
    """Attribute keys of the document kinds `viewer` may read once published (unknown kinds: none)."""
    from .catalogue import ATTRIBUTES, FieldType, visible_audiences

    audiences = visible_audiences(viewer)
    return sorted(a.key for a in ATTRIBUTES if a.type == FieldType.DOCUMENT and a.audience in audiences)


class DocumentQuerySet(RestrictedQuerySet):
    """Uploaded files of a battery model or of one passport. Working readers (owner, body during its open
    review) see every document of their target; everyone else, once the target has a published passport,
    the documents whose catalogue attribute their audience may read. A model's documents are read as the
    model is, widened by the reader's standing on the model's passports (a passport shows its model's
    values, so it shows its model's documents)."""

    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        from .models import BatteryModel, Passport

        if action != "view":
            return Q(battery_model__in=BatteryModel.objects.restrict(actor, "change").values("pk"))
        public_passports = Passport.objects.published()
        public = Q(attribute_key__in=document_keys(Viewer.PUBLIC)) & (
            Q(passport__in=public_passports.values("pk"))
            | Q(passport__isnull=True, battery_model__in=public_passports.values("battery_model_id"))
        )
        if active_organization_of(actor) is None:
            return public if actor is None or not actor.is_authenticated else NOTHING
        passports, models = Passport.objects, BatteryModel.objects

        def through_passports(viewers: tuple[Viewer, ...]) -> Q:
            return Q(battery_model__in=passports.within(actor, viewers).values("battery_model_id"))

        # Own passport's documents, then the model's: each arm's audiences contain those of the arms below
        # it, so their union is the first-arm ("viewer kind") decision of the policy.
        battery_level = Q(passport__in=passports.within(actor, WORKING_READERS).values("pk"))
        model_level = Q(
            battery_model__in=models.within(actor, WORKING_READERS).values("pk")
        ) | through_passports((Viewer.CERTIFIER,))
        for viewer in (Viewer.AUTHORITY, Viewer.PARTNER):
            keys = Q(attribute_key__in=document_keys(viewer))
            battery_level |= keys & Q(passport__in=passports.within(actor, (viewer,)).values("pk"))
            readers = Q(battery_model__in=models.within(actor, (viewer,)).values("pk"))
            if viewer is Viewer.PARTNER:
                readers |= through_passports((Viewer.PARTNER,))
            model_level |= keys & readers
        return public | Q(passport__isnull=False) & battery_level | Q(passport__isnull=True) & model_level


class ImportJobQuerySet(RestrictedQuerySet):
    """Bulk imports (`passports.bulk_import`): a job belongs to the company whose member started it. Every
    member of that company sees its jobs ("view": state, progress, file name, error report: the rows are
    the company's own passports, which every member reads); starting one ("change") is for its editors
    and administrators, like creating battery models. Nobody else, operators included, knows it exists."""

    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        organization = active_organization_of(actor)
        if organization is None:
            return NOTHING
        if action == "change" and _role(actor) not in EDIT_ROLES:
            return NOTHING
        return Q(organization=organization)
