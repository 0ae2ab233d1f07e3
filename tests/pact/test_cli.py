"""`manage.py pact_client`: create, update, and clear errors."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from pact.models import PactClient
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def run(**options):
    args = []
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", value]
    call_command("pact_client", *args)


def test_create_then_update(capsys):
    company = OrganizationFactory(bpnl=None, corporate_number="1180301018771", legal_name="Nihon Cell KK")
    run(
        organization="1180301018771",
        client_id="erp",
        client_secret="a" * 20,
        callback="https://erp.example/pact",
    )
    assert "Created PACT client erp acting for Nihon Cell KK" in capsys.readouterr().out
    client = PactClient.objects.get(client_id="erp")
    assert (
        client.organization == company
        and client.acts_for == company
        and check_password("a" * 20, client.secret_hash)
    )
    run(organization="1180301018771", client_id="erp", client_secret="b" * 20, callback="https://new.example")
    client.refresh_from_db()
    assert check_password("b" * 20, client.secret_hash) and client.callback_host == "new.example"
    assert PactClient.objects.count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"organization": "BPNL000000000000"}, "No organization is registered"),
        ({"callback": "http://erp.example"}, "https://"),
        ({"callback": "https://127.0.0.1/pact"}, "public host"),
        ({"callback": "https://user:pw@erp.example"}, "credentials"),
        ({"client_secret": "short"}, "client_secret"),
        ({"client_id": "a:b"}, "client_id"),
    ],
)
def test_clear_errors(options, message):
    company = OrganizationFactory()
    values = {
        "organization": company.bpnl,
        "client_id": "erp",
        "client_secret": "a" * 20,
        "callback": "https://erp.example",
        **options,
    }
    with pytest.raises(CommandError, match=message):
        run(**values)
    assert not PactClient.objects.exists()


def test_a_client_id_of_another_company_is_refused():
    first, second = OrganizationFactory(), OrganizationFactory()
    run(organization=first.bpnl, client_id="erp", client_secret="a" * 20, callback="https://erp.example")
    with pytest.raises(CommandError, match="taken"):
        run(organization=second.bpnl, client_id="erp", client_secret="a" * 20, callback="https://erp.example")


def test_only_active_companies():
    authority = OrganizationFactory(kind="authority")
    with pytest.raises(CommandError, match="active companies"):
        run(
            organization=authority.bpnl,
            client_id="erp",
            client_secret="a" * 20,
            callback="https://erp.example",
        )


def test_development_accepts_a_local_callback(settings):
    """With DEBUG on (development) and PACT_ALLOW_PRIVATE_CALLBACKS unset, a partner system on the
    developer's machine, e.g. the PACT conformance suite's listener, can be registered as is."""
    if hasattr(settings, "PACT_ALLOW_PRIVATE_CALLBACKS"):
        del settings.PACT_ALLOW_PRIVATE_CALLBACKS
    settings.DEBUG = True
    company = OrganizationFactory()
    run(
        organization=company.bpnl,
        client_id="conformance",
        client_secret="a" * 20,
        callback="http://localhost:8080",
    )
    assert PactClient.objects.get(client_id="conformance").callback_host == "localhost"


def test_an_explicit_setting_overrides_debug(settings):
    settings.DEBUG = True
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = False
    company = OrganizationFactory()
    with pytest.raises(CommandError, match="https://"):
        run(
            organization=company.bpnl,
            client_id="erp",
            client_secret="a" * 20,
            callback="http://localhost:8080",
        )
    assert not PactClient.objects.exists()
