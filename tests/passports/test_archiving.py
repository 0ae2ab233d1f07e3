"""Battery models are archived instead of deleted (issue 15): who may archive and restore (the same right as
deleting), what an archived model leaves (default lists, the choices for new passports) and what keeps it
(its passports), through the services, the API and the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from passports import selectors, services
from passports.models import BatteryModel
from portal.audit.models import AuditEvent
from portal.exceptions import InvalidTransition
from portal.tenancy.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

ARCHIVED_MESSAGE = "This battery model is archived: restore it before making new passports of it."


@pytest.fixture
def retired(admin_a, company_a) -> BatteryModel:
    """A second model of company A, archived by its administrator."""
    model = services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Retired Pack 40", "manufacturer_part_id": "RP-40", "battery_category": "ev"},
    )
    return services.battery_model_archive(actor=admin_a, battery_model=model)


@pytest.fixture
def lead_certifier(certification_body):
    return member(Role.LEAD, certification_body, username="lead-certifier")


def _api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _audit_actions(model: BatteryModel) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(model.public_id), action__startswith="battery_model.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# ---- services ----------------------------------------------------------------------------------------
def test_the_owner_administrator_archives_and_restores_with_audit_rows(admin_a, battery_model):
    archived = services.battery_model_archive(actor=admin_a, battery_model=battery_model)
    assert archived.archived_at is not None
    assert BatteryModel.objects.get(pk=battery_model.pk).is_archived

    restored = services.battery_model_restore(actor=admin_a, battery_model=battery_model)
    assert restored.archived_at is None
    assert BatteryModel.objects.get(pk=battery_model.pk).archived_at is None
    assert _audit_actions(battery_model) == [
        "battery_model.created",
        "battery_model.archived",
        "battery_model.restored",
    ]
    event = AuditEvent.objects.get(action="battery_model.archived")
    assert (event.actor, event.organization_id) == (admin_a, battery_model.organization_id)


def test_archiving_twice_or_restoring_a_model_in_use_is_an_invalid_transition(admin_a, battery_model):
    with pytest.raises(InvalidTransition):
        services.battery_model_restore(actor=admin_a, battery_model=battery_model)
    services.battery_model_archive(actor=admin_a, battery_model=battery_model)
    with pytest.raises(InvalidTransition, match="already archived"):
        services.battery_model_archive(actor=admin_a, battery_model=battery_model)
    assert _audit_actions(battery_model).count("battery_model.archived") == 1


@pytest.mark.parametrize("who", ["viewer_a", "editor_a", "admin_b", "reviewer", "lead_certifier"])
def test_others_may_neither_archive_nor_restore(request, who, admin_a, battery_model, retired):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.battery_model_archive(actor=actor, battery_model=battery_model)
    with pytest.raises(PermissionDenied):
        services.battery_model_restore(actor=actor, battery_model=retired)
    assert BatteryModel.objects.get(pk=battery_model.pk).archived_at is None
    assert BatteryModel.objects.get(pk=retired.pk).archived_at is not None


def test_no_new_passport_of_an_archived_model(admin_a, retired):
    with pytest.raises(ValidationError) as refused:
        services.passport_create(
            actor=admin_a, battery_model=retired, values={"unique_identifier": "urn:epc:RP-1"}
        )
    assert refused.value.message_dict == {"battery_model": [ARCHIVED_MESSAGE]}
    with pytest.raises(ValidationError) as imported:
        services.passports_import(
            actor=admin_a, battery_model=retired, items=[{"values": {"unique_identifier": "urn:epc:RP-2"}}]
        )
    assert "manufacturer_part_id" in imported.value.message_dict
    assert not retired.passports.exists()

    services.battery_model_restore(actor=admin_a, battery_model=retired)
    passport = services.passport_create(
        actor=admin_a, battery_model=retired, values={"unique_identifier": "urn:epc:RP-1"}
    )
    assert passport.battery_model == retired


def test_existing_passports_keep_their_archived_model_and_may_get_a_successor(
    admin_a, battery_model, passport
):
    services.battery_model_archive(actor=admin_a, battery_model=battery_model)
    passport.refresh_from_db()
    assert passport.battery_model_id == battery_model.pk
    assert selectors.passport_get(actor=admin_a, public_id=passport.public_id) == passport
    # A repurposed battery exists already: its successor passport follows the archived model.
    successor = services.passport_change_status(
        actor=admin_a, passport=passport, status="repurposed", new_unique_identifier="urn:epc:A-0001-R"
    )
    assert successor.battery_model_id == battery_model.pk and successor.predecessor == passport


def test_selectors_list_models_in_use_by_default_choice(admin_a, battery_model, retired):
    assert set(selectors.battery_models_for(actor=admin_a, archived=False)) == {battery_model}
    assert set(selectors.battery_models_for(actor=admin_a, archived=True)) == {retired}
    assert set(selectors.battery_models_for(actor=admin_a)) == {battery_model, retired}
    # Look-ups by id still find an archived model (its passports and certificates point at it).
    assert selectors.battery_model_get(actor=admin_a, public_id=retired.public_id) == retired


def test_deleting_a_model_with_passports_says_archive_it_instead(admin_a, battery_model, passport):
    with pytest.raises(InvalidTransition) as refused:
        services.battery_model_delete(actor=admin_a, battery_model=battery_model)
    assert refused.value.messages == [
        "A battery model with passports cannot be deleted. Archive it instead: its passports keep it, and no "
        "new passport is made of it."
    ]


# ---- API ---------------------------------------------------------------------------------------------
def _url(model: BatteryModel, suffix: str = "") -> str:
    return f"/api/v1/battery-models/{model.public_id}/{suffix}"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin_a", 200),
        ("editor_a", 403),
        ("viewer_a", 403),
        ("admin_b", 404),
        ("reviewer", 404),
        ("lead_certifier", 404),
        (None, 401),
    ],
)
def test_api_archive_and_restore_by_audience(request, who, expected, battery_model, retired):
    client = _api(request.getfixturevalue(who) if who else None)
    archived = client.post(_url(battery_model, "archive/"))
    restored = client.post(_url(retired, "restore/"))
    assert (archived.status_code, restored.status_code) == (expected, expected)
    battery_model.refresh_from_db()
    retired.refresh_from_db()
    assert battery_model.is_archived is (expected == 200)
    assert retired.is_archived is (expected != 200)
    if expected == 200:
        assert archived.json()["archived_at"] is not None and archived.json()["id"] == str(
            battery_model.public_id
        )
        assert restored.json()["archived_at"] is None
    else:
        assert "archived_at" not in archived.json()


def test_api_answers_409_for_a_transition_that_is_not_possible(admin_a, battery_model, retired):
    client = _api(admin_a)
    again = client.post(_url(retired, "archive/"))
    assert again.status_code == 409
    assert again.json() == {"detail": "This battery model is already archived.", "code": "invalid_state"}
    in_use = client.post(_url(battery_model, "restore/"))
    assert in_use.status_code == 409 and in_use.json()["detail"] == "This battery model is not archived."
    assert client.get(_url(retired, "archive/")).status_code == 405


def test_api_list_leaves_archived_models_out_unless_asked(admin_a, battery_model, retired):
    client = _api(admin_a)

    def ids(query: str = "") -> set[str]:
        response = client.get(f"/api/v1/battery-models/{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == ids("?archived=false") == {str(battery_model.public_id)}
    assert ids("?archived=true") == {str(retired.public_id)}
    row = client.get("/api/v1/battery-models/?archived=true").json()["results"][0]
    assert row["archived_at"] is not None
    detail = client.get(_url(retired)).json()
    assert detail["archived_at"] is not None and detail["name"] == "Retired Pack 40"
    assert client.get(_url(battery_model)).json()["archived_at"] is None


def test_api_passport_create_on_an_archived_model_is_a_400_on_the_field(admin_a, retired):
    response = _api(admin_a).post(
        "/api/v1/passports/",
        {"battery_model": str(retired.public_id), "values": {"unique_identifier": "urn:epc:RP-9"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"battery_model": [ARCHIVED_MESSAGE]}
    assert not retired.passports.exists()


def test_api_delete_with_passports_answers_409_suggesting_archiving(admin_a, battery_model, passport):
    response = _api(admin_a).delete(_url(battery_model))
    assert response.status_code == 409
    assert "Archive it instead" in response.json()["detail"]


# ---- pages -------------------------------------------------------------------------------------------
def test_model_list_page_shows_archived_models_only_on_request(client, admin_a, battery_model, retired):
    client.force_login(admin_a)
    default = client.get("/passports/models/").content.decode()
    assert battery_model.name in default and retired.name not in default
    assert "/passports/models/?archived=1" in default
    archived = client.get("/passports/models/?archived=1").content.decode()
    assert retired.name in archived and battery_model.name not in archived
    assert "Archived" in archived


def test_model_page_shows_the_badge_and_the_buttons_to_those_allowed(client, admin_a, viewer_a, retired):
    page = f"/passports/models/{retired.public_id}/"
    client.force_login(admin_a)
    admin_view = client.get(page).content.decode()
    assert 'class="badge badge-inactive">Archived<' in admin_view
    assert f"/passports/models/{retired.public_id}/restore/" in admin_view
    assert f"/passports/models/{retired.public_id}/archive/" not in admin_view
    assert "New passport of this model" not in admin_view

    client.force_login(viewer_a)
    viewer_view = client.get(page).content.decode()
    assert 'class="badge badge-inactive">Archived<' in viewer_view
    assert "/restore/" not in viewer_view and "/archive/" not in viewer_view


def test_archive_and_restore_pages_post_only_for_the_administrator(
    client, admin_a, viewer_a, admin_b, battery_model
):
    archive = f"/passports/models/{battery_model.public_id}/archive/"
    restore = f"/passports/models/{battery_model.public_id}/restore/"
    client.force_login(admin_b)
    assert client.post(archive).status_code == 404
    client.force_login(viewer_a)
    assert client.post(archive).status_code == 403
    battery_model.refresh_from_db()
    assert not battery_model.is_archived

    client.force_login(admin_a)
    assert client.get(archive).status_code == 405
    response = client.post(archive, follow=True)
    assert response.redirect_chain[-1][0] == f"/passports/models/{battery_model.public_id}/"
    assert "Battery model archived." in response.content.decode()
    battery_model.refresh_from_db()
    assert battery_model.is_archived
    again = client.post(archive, follow=True).content.decode()
    assert "This battery model is already archived." in again
    client.post(restore)
    battery_model.refresh_from_db()
    assert not battery_model.is_archived


def test_new_passport_pages_do_not_offer_an_archived_model(client, admin_a, battery_model, retired):
    client.force_login(admin_a)
    choose = client.get("/passports/new/").content.decode()
    assert str(battery_model.public_id) in choose and str(retired.public_id) not in choose

    response = client.post(
        f"/passports/new/?model={retired.public_id}", {"unique_identifier": "urn:epc:RP-7"}
    )
    assert response.status_code == 400
    assert ARCHIVED_MESSAGE in response.content.decode()
    assert not retired.passports.exists()
