from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from portal.archiving import archived_field
from portal.identifiers import (
    check_bpn,
    check_corporate_number,
    check_lei,
    validate_bpnl,
    validate_corporate_number,
    validate_lei,
    validate_site_bpn,
)
from portal.restrict import NOTHING, RestrictedQuerySet


class OrganizationKind(models.TextChoices):
    ECONOMIC_OPERATOR = "economic_operator", _("Economic operator (battery manufacturer or importer)")
    SUPPLIER = "supplier", _("Supplier")
    RECYCLER = "recycler", _("Recycler or repurposer")
    COLLECTOR = "collector", _("Collector of waste batteries")
    CERTIFICATION_BODY = "certification_body", _("Certification body")
    AUTHORITY = "authority", _("Authority (market surveillance, notified body, Commission)")
    PLATFORM_OPERATOR = "platform_operator", _("Platform operator")


#: Kinds a company may choose when it registers itself; the others are created by operators.
SELF_REGISTRATION_KINDS = (
    OrganizationKind.ECONOMIC_OPERATOR,
    OrganizationKind.SUPPLIER,
    OrganizationKind.RECYCLER,
    OrganizationKind.COLLECTOR,
)
COMPANY_KINDS = SELF_REGISTRATION_KINDS


class DataSpace(models.TextChoices):
    CATENA_X = "catenax", _("Catena-X")
    OURANOS = "ouranos", _("Ouranos")
    BOTH = "both", _("Catena-X and Ouranos")
    NONE = "none", _("None")


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", pgettext_lazy("organization status", "Suspended")
    REJECTED = "rejected", _("Rejected")


def _canonical(value: str | None, checker) -> str | None:
    """The normalised identifier; blank becomes NULL. An invalid value is left for its validator to report."""
    if value is None or not str(value).strip():
        return None
    try:
        return checker(value).value
    except ValidationError:
        return value


class CorporateGroup(models.Model):
    """Companies under common control, declared by a platform operator. Aggregates shown to authorities
    protect groups, not single companies: three entities of one group count as one contributor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("corporate group")
        verbose_name_plural = _("corporate groups")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A tenant. Every tenant-owned row points here; ownership comes from that foreign key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = CountryField(_("country"))
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    website = models.URLField(_("website"), max_length=200, blank=True)
    data_spaces = models.CharField(
        _("data spaces"), max_length=16, choices=DataSpace.choices, default=DataSpace.NONE
    )
    bpnl = models.CharField(  # noqa: DJ001 - NULL keeps optional identifiers unique
        _("BPNL"),
        max_length=16,
        null=True,
        blank=True,
        validators=[validate_bpnl],
        help_text=_("Catena-X business partner number of the legal entity, e.g. BPNL00000003AYRE."),
    )
    corporate_number = models.CharField(  # noqa: DJ001 - NULL keeps optional identifiers unique
        _("corporate number"),
        max_length=13,
        null=True,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("Japanese corporate number (法人番号), 13 digits."),
    )
    lei = models.CharField(  # noqa: DJ001 - NULL keeps optional identifiers unique
        _("LEI"),
        max_length=20,
        null=True,
        blank=True,
        validators=[validate_lei],
        help_text=_("Legal Entity Identifier (ISO 17442), 20 characters."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.PENDING
    )
    corporate_group = models.ForeignKey(
        CorporateGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("corporate group"),
        help_text=_("Declared by operators; without a group the organization is its own group."),
    )
    status_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["bpnl"], name="tenancy_org_bpnl_unique"),
            models.UniqueConstraint(fields=["corporate_number"], name="tenancy_org_corporate_number_unique"),
            models.UniqueConstraint(fields=["lei"], name="tenancy_org_lei_unique"),
            models.CheckConstraint(
                condition=Q(bpnl__isnull=False) | Q(corporate_number__isnull=False) | Q(lei__isnull=False),
                name="tenancy_org_has_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        """Identifiers are stored in their canonical form, so uniqueness holds whatever the input's spelling
        (the validators accept e.g. a lower-case BPNL or full-width digits, as the forms do)."""
        super().clean()
        self.bpnl = _canonical(self.bpnl, lambda value: check_bpn(value, kinds="L"))
        self.corporate_number = _canonical(self.corporate_number, check_corporate_number)
        self.lei = _canonical(self.lei, check_lei)

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE

    @property
    def protection_unit(self) -> str:
        """The contributor an aggregate protects: the declared corporate group, or the company itself."""
        if self.corporate_group_id is not None:
            return f"group:{self.corporate_group_id}"
        return f"organization:{self.pk}"

    @property
    def is_company(self) -> bool:
        return self.kind in COMPANY_KINDS

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        pairs = [("BPNL", self.bpnl), (str(_("Corporate number")), self.corporate_number), ("LEI", self.lei)]
        return [(label, value) for label, value in pairs if value]


class _OrganizationRowsQuerySet(RestrictedQuerySet):
    """Rows that belong to one organization (`organization` FK): the rule names the actor's own active
    organization, and only when the organization-level policy allows the action (`_allows`)."""

    actions = frozenset({"view", "change"})

    def _allows(self, actor, organization: Organization, action: str) -> bool:
        raise NotImplementedError

    def rule(self, actor, action: str) -> Q | None:
        from .selectors import active_organization_of

        organization = active_organization_of(actor)
        if organization is None or not self._allows(actor, organization, action):
            return NOTHING
        return Q(organization=organization)


class SiteQuerySet(_OrganizationRowsQuerySet):
    """Sites: every member of an active organization sees its sites; administrators, editors and lead
    certifiers change them (`policies.can_manage_sites`)."""

    def _allows(self, actor, organization: Organization, action: str) -> bool:
        from . import policies

        return action == "view" or policies.can_manage_sites(actor, organization)


class Site(models.Model):
    """A plant or other location of an organization."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    bpn = models.CharField(  # noqa: DJ001 - NULL keeps optional identifiers unique
        _("BPNS or BPNA"),
        max_length=16,
        null=True,
        blank=True,
        validators=[validate_site_bpn],
        help_text=_("Catena-X site (BPNS) or address (BPNA) number."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Retired instead of deleted (portal.archiving): certificates and applications keep pointing at it.
    archived_at = archived_field()

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [models.UniqueConstraint(fields=["bpn"], name="tenancy_site_bpn_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.bpn = _canonical(self.bpn, lambda value: check_bpn(value, kinds="SA"))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")
    LEAD = "lead", _("Lead certifier")
    REVIEWER = "reviewer", _("Reviewer")
    INSPECTOR = "inspector", _("Inspector")


ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrganizationKind.ECONOMIC_OPERATOR: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    OrganizationKind.SUPPLIER: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    OrganizationKind.RECYCLER: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    OrganizationKind.COLLECTOR: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    OrganizationKind.CERTIFICATION_BODY: (Role.LEAD, Role.REVIEWER),
    OrganizationKind.AUTHORITY: (Role.ADMIN, Role.INSPECTOR),
    OrganizationKind.PLATFORM_OPERATOR: (Role.ADMIN,),
}
#: Roles that manage their organization's members (invite, change roles, deactivate).
MANAGER_ROLES = (Role.ADMIN, Role.LEAD)
#: Roles for which two-factor authentication is required when enforcement is on.
TWO_FACTOR_ROLES = (Role.LEAD, Role.REVIEWER, Role.INSPECTOR)


class MembershipQuerySet(_OrganizationRowsQuerySet):
    """Memberships: every member of an active organization sees its members; its managers (administrators,
    lead certifiers) change roles and activity (`policies.can_manage_members`). Platform operators act in
    the Django admin, through `policies.can_administer_members`, not through this portal rule."""

    def _allows(self, actor, organization: Organization, action: str) -> bool:
        from . import policies

        return action == "view" or policies.can_manage_members(actor, organization)


class InvitationQuerySet(_OrganizationRowsQuerySet):
    """Invitations: every member of an active organization may see its invitations (the members page
    lists them to managers only); its managers send and withdraw them (`policies.can_manage_members`)."""

    def _allows(self, actor, organization: Organization, action: str) -> bool:
        from . import policies

        return action == "view" or policies.can_manage_members(actor, organization)


class Membership(models.Model):
    """Ties a user to the one organization they act for, with a role."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


class Invitation(models.Model):
    """An invitation by e-mail. The link carries a signed, expiring reference to `public_id`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="tenancy_one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
