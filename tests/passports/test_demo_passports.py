"""The demo passports: `load_demo` builds them once through the services, and they are valid data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from passports import catenax, policies, services
from passports.catalogue import Viewer, validate_record
from passports.demo import EU_MAKER, JP_MAKER, SUPPLIER
from passports.models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    DynamicDataPoint,
    Passport,
    PassportGroupObjectPermission,
    PassportVersion,
    StatusEvent,
    SupplyChainEntry,
    VersionState,
)
from passports.selectors import passport_view
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy.demo import DEMO_PASSWORD, DEMO_USERS
from portal.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (BatteryModel, Passport, PassportVersion, DynamicDataPoint, StatusEvent, SupplyChainEntry,
              BatteryModelGroupObjectPermission, PassportGroupObjectPermission, AuditEvent, User)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_loading_twice_changes_nothing_and_prints_the_logins(demo):
    first = counts()
    out = StringIO()
    call_command("load_demo", stdout=out)

    assert counts() == first
    for output in (demo, out.getvalue()):
        assert DEMO_PASSWORD in output
        for spec in DEMO_USERS:
            assert spec["username"] in output
        assert EU_MAKER in output and JP_MAKER in output
    assert "Kolwezi" not in demo and "Southern Cross" not in demo  # no supply chain in the summary


def test_demo_world_content(demo):
    eu_models = BatteryModel.objects.filter(organization__legal_name=EU_MAKER)
    jp_models = BatteryModel.objects.filter(organization__legal_name=JP_MAKER)
    assert eu_models.count() >= 2 and jp_models.count() >= 1
    assert {m.category for m in BatteryModel.objects.all()} == {"ev"}
    assert "NMC" in eu_models.get(manufacturer_part_id="EP-75-NMC811").data["chemistry"]
    assert "LFP" in jp_models.get().data["chemistry"]
    origins = set(SupplyChainEntry.objects.values_list("material", "country_of_origin"))
    assert {("lithium", "AU"), ("lithium", "CL"), ("cobalt", "CD"), ("nickel", "ID"),
            ("natural_graphite", "CN")} <= origins  # fmt: skip
    for organization in (EU_MAKER, JP_MAKER):
        passports = Passport.objects.filter(organization__legal_name=organization)
        assert passports.count() >= 3
        assert all(p.versions.filter(state=VersionState.PUBLISHED).exists() for p in passports)
    successor = Passport.objects.get(predecessor__isnull=False)
    assert successor.status == "repurposed" and successor.predecessor.status == "repurposed"
    soh = DynamicDataPoint.objects.filter(key="state_of_health").order_by("measured_at")
    assert soh.count() >= 8


def test_supplier_has_legitimate_interest_on_one_eu_model_and_never_the_supply_chain(demo):
    supplier = User.objects.get(username="supplier")
    model = BatteryModel.objects.get(manufacturer_part_id="EP-75-NMC811")
    passport = model.passports.filter(predecessor__isnull=True).first()
    assert policies.viewer_kind(supplier, model) is Viewer.PARTNER
    assert (
        policies.viewer_kind(supplier, BatteryModel.objects.get(manufacturer_part_id="SD-60-LFP"))
        is Viewer.PUBLIC
    )
    view = passport_view(actor=supplier, passport=passport)
    assert view.supply_chain is None and "cathode_composition" in view.values
    document = catenax.passport_document(actor=supplier, passport=passport)
    text = str(document)
    assert SUPPLIER not in text and "Kolwezi" not in text and "procurement" not in text


def test_published_demo_passports_pass_validation(demo):
    # The demo makers and the oversight's statistical world's makers: each passport read by its owner.
    owners = {
        membership.organization.legal_name: membership.user
        for membership in Membership.objects.select_related("organization", "user")
    }
    assert owners[EU_MAKER].username == "eu-maker" and owners[JP_MAKER].username == "jp-maker"
    versions = PassportVersion.objects.filter(state=VersionState.PUBLISHED).select_related(
        "passport__organization"
    )
    assert versions.count() >= 7
    keys = services.MODEL_KEYS | services.BATTERY_KEYS
    for version in versions:
        validate_record({key: value for key, value in version.data.items() if key in keys})
        owner = owners[version.passport.organization.legal_name]
        if not version.passport.organization.bpnl:
            # Never an invented BPNL: the export says what is missing (the certificate export does the same).
            with pytest.raises(catenax.CatenaxExportUnavailable) as refused:
                catenax.passport_document(actor=owner, passport=version.passport)
            assert refused.value.code == "no_bpnl"
            continue
        document = catenax.passport_document(actor=owner, passport=version.passport)
        assert catenax.schema_errors(document) == []
        assert catenax.document_errors(document) == [], version.passport.unique_identifier
