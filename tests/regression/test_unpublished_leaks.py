"""Issue 12: the four leaks of unpublished data, each reproduced exactly as reported, on API and HTML.

1. `GET /api/v1/battery-models/<id>/` gave a partner holding a legitimate-interest grant (and an
   authority) the model's working values saved after the last publication, not the published ones.
2. A never-published passport on a battery model shared with a partner was listed on the partner's
   `/passports/` page, found by `?q=`, opened at `/passports/<id>/`, and its write routes answered 403.
3. The review workspace kept showing a certification body the applicant's current values after the
   body's review had closed (approved).
4. Write routes answered 403 to some readers who may not see the object, and the API answered 404 to
   readers who may see it: the rule is 404 for whoever may not see an object (every route and
   method), 403 for whoever may see it but not change it, alike on HTML and API.

The last test repeats the reported reproductions with the demo logins (`manage.py load_demo`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from certification import services as certification
from certification.initial_schemes import add_initial_schemes
from certification.models import Accreditation, Application, ApplicationState, Scheme, VerdictValue
from passports import policies, services
from passports.catalogue import Viewer
from passports.models import BatteryModel, Passport
from portal.accounts.models import User
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

pytestmark = pytest.mark.django_db

OURANOS = "ouranos-battery-cfp-dd"

# Values of the published version (version 1 of the shared passport, frozen at publication).
CHEM_PUBLISHED = "CHEM-PUBLISHED-lithium-nmc811"
LI_PUBLISHED = "LI-PUBLISHED-cathode-ni80-mn10-co10"
AUTH_PUBLISHED = "AUTH-PUBLISHED-test-report-2025"
PUBLISHED_UID = "urn:epc:regression-published-0001"
# Saved afterwards and never published.
CHEM_NOW = "CHEM-UNPUBLISHED-sodium-ion"
LI_NOW = "LI-UNPUBLISHED-cathode-lmfp"
AUTH_NOW = "AUTH-UNPUBLISHED-test-report-2026"
DRAFT_NOW = "DRAFT-UNPUBLISHED-Kassel-line-4"
UNPUBLISHED = (CHEM_NOW, LI_NOW, AUTH_NOW, DRAFT_NOW)
HIDDEN_UID = "urn:epc:NEVERPUBLISHED-7c1f-0002"
HIDDEN_SEARCH = "NEVERPUBLISHED"  # a part of the identifier: a page echoing the query cannot show it whole


def _report(header: str) -> list[dict[str, str]]:
    return [{"header": header, "content_type": "URL", "content": "https://example.com/report.pdf"}]


def _html(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _text(response) -> str:
    return response.content.decode("utf-8", errors="replace")


@dataclass
class Shared:
    """Company A's shared battery model with a published passport (with a newer draft), a never-published
    passport, and working values saved on the model after the publication."""

    model: BatteryModel
    published: Passport
    hidden: Passport
    admin_a: User
    viewer_a: User
    partner_model: User  # holds a legitimate-interest grant on the battery model
    partner_passport: User  # holds a legitimate-interest grant on the published passport
    inspector: User
    admin_b: User

    def user(self, who: str) -> User:
        return getattr(self, who)


@pytest.fixture
def shared(admin_a, viewer_a, admin_b, inspector, company_a) -> Shared:
    model = services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={
            "model_name": "Regression Pack 90",
            "manufacturer_part_id": "RP-90",
            "battery_category": "ev",
            "chemistry": CHEM_PUBLISHED,
            "cathode_composition": LI_PUBLISHED,
            "test_reports": _report(AUTH_PUBLISHED),
        },
    )
    published = services.passport_create(
        actor=admin_a, battery_model=model, values={"unique_identifier": PUBLISHED_UID}
    )
    services.passport_publish(actor=admin_a, passport=published, on=BEFORE_OBLIGATIONS)
    partner_model = member(Role.ADMIN, OrganizationFactory(legal_name="Nordic Cathode Oy"), username="pm")
    partner_passport = member(Role.ADMIN, OrganizationFactory(legal_name="Recycler AB"), username="pp")
    services.grant_legitimate_interest(
        actor=admin_a, target=model, organization=partner_model.membership.organization
    )
    services.grant_legitimate_interest(
        actor=admin_a, target=published, organization=partner_passport.membership.organization
    )
    # After the publication: the reproduction's working values, a draft version, a never-published passport.
    services.battery_model_update(
        actor=admin_a,
        battery_model=model,
        values={"chemistry": CHEM_NOW, "cathode_composition": LI_NOW, "test_reports": _report(AUTH_NOW)},
    )
    services.passport_update(actor=admin_a, passport=published, values={"manufacturing_place": DRAFT_NOW})
    hidden = services.passport_create(
        actor=admin_a, battery_model=model, values={"unique_identifier": HIDDEN_UID}
    )
    return Shared(
        model, published, hidden, admin_a, viewer_a, partner_model, partner_passport, inspector, admin_b
    )


# ---- 1. the battery model API gives non-owners the published values ---------------------------------------
def test_owner_reads_the_models_working_values(shared):
    """The control: the working values are there, so their absence below is the rule, not an empty model."""
    response = _api(shared.admin_a).get(f"/api/v1/battery-models/{shared.model.public_id}/")
    assert response.status_code == 200
    assert response.json()["values"]["cathode_composition"] == LI_NOW


@pytest.mark.parametrize("who", ["partner_model", "inspector"])
def test_api_battery_model_gives_partner_and_authority_the_published_values(shared, who):
    response = _api(shared.user(who)).get(f"/api/v1/battery-models/{shared.model.public_id}/")

    assert response.status_code == 200
    values = response.json()["values"]
    assert values.get("chemistry") == CHEM_PUBLISHED
    assert values.get("cathode_composition") == LI_PUBLISHED
    for unpublished in UNPUBLISHED:
        assert unpublished not in _text(response), f"{who} read a value saved after the last publication"
    if who == "inspector":
        assert AUTH_PUBLISHED in _text(response)
    else:
        assert AUTH_PUBLISHED not in _text(response)  # authority only


@pytest.mark.parametrize("who", ["partner_model", "inspector"])
def test_html_model_page_shows_no_working_values_to_partner_and_authority(shared, who):
    response = _html(shared.user(who)).get(f"/passports/models/{shared.model.public_id}/")

    assert response.status_code == 200
    for unpublished in UNPUBLISHED:
        assert unpublished not in _text(response)


@pytest.mark.parametrize("who", ["partner_model", "partner_passport", "inspector"])
def test_passport_of_the_model_shows_its_published_values_on_api_and_html(shared, who):
    """Where the published values are read (the passport), partners and authority get exactly them."""
    user = shared.user(who)
    pid = shared.published.public_id
    for response in (_api(user).get(f"/api/v1/passports/{pid}/"), _html(user).get(f"/passports/{pid}/")):
        assert response.status_code == 200
        assert LI_PUBLISHED in _text(response) and CHEM_PUBLISHED in _text(response)
        for unpublished in UNPUBLISHED:
            assert unpublished not in _text(response)
        assert (AUTH_PUBLISHED in _text(response)) is (who == "inspector")


# ---- 2. a never-published passport does not exist for partners -------------------------------------------
PARTNERS = ["partner_model", "partner_passport"]
NONEXISTENT = uuid.UUID("00000000-0000-4000-8000-0000000c0de1")
#: The passport pages that change a passport (HTML), with the methods each accepts.
PASSPORT_WRITE_ROUTES = [
    ("edit/general/", ("GET", "POST")),
    ("sharing/", ("GET", "POST")),
    ("delete/", ("POST",)),
    ("publish/", ("POST",)),
    ("status/", ("POST",)),
    ("dynamic-data/", ("POST",)),
]


def _request(client, method: str, path: str):
    return client.get(path) if method == "GET" else client.post(path, {})


@pytest.mark.parametrize("who", PARTNERS)
def test_never_published_passport_is_not_listed_for_a_partner(shared, who):
    client = _html(shared.user(who))
    listed = client.get("/passports/")
    assert listed.status_code == 200
    assert PUBLISHED_UID in _text(listed)  # the control: the shared, published passport is listed
    assert HIDDEN_UID not in _text(listed)

    found = client.get("/passports/", {"q": HIDDEN_SEARCH})
    assert found.status_code == 200
    assert HIDDEN_UID not in _text(found)
    found = client.get("/passports/", {"q": "regression-published"})
    assert PUBLISHED_UID in _text(found)  # the search itself works for this partner


@pytest.mark.parametrize("who", PARTNERS)
def test_never_published_passport_page_answers_404_to_a_partner(shared, who):
    client = _html(shared.user(who))
    response = client.get(f"/passports/{shared.hidden.public_id}/")
    assert response.status_code == 404
    assert HIDDEN_UID not in _text(response)
    for route in ("documents/", "diff/", "review/"):
        assert client.get(f"/passports/{shared.hidden.public_id}/{route}").status_code == 404, route


@pytest.mark.parametrize("who", PARTNERS)
@pytest.mark.parametrize(("route", "accepted"), PASSPORT_WRITE_ROUTES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_never_published_passport_write_routes_answer_as_if_it_did_not_exist(
    shared, who, route, accepted, method
):
    """404 where the route takes the method; where it does not (GET of a POST-only route), the same answer
    as for an id that does not exist (405), so nothing tells the passport exists."""
    client = _html(shared.user(who))
    response = _request(client, method, f"/passports/{shared.hidden.public_id}/{route}")
    absent = _request(client, method, f"/passports/{NONEXISTENT}/{route}")
    assert response.status_code == absent.status_code
    assert response.status_code == (404 if method in accepted else 405)
    assert HIDDEN_UID not in _text(response)
    assert Passport.objects.filter(pk=shared.hidden.pk, versions__state="draft").exists()  # not published


@pytest.mark.parametrize("who", PARTNERS)
def test_never_published_passport_is_absent_from_the_api(shared, who):
    client = _api(shared.user(who))
    base = f"/api/v1/passports/{shared.hidden.public_id}/"
    for path in (base, f"{base}versions/", f"{base}documents/", f"{base}grants/", f"{base}completeness/"):
        assert client.get(path).status_code == 404, path
    assert client.patch(base, {"values": {"manufacturing_place": "X"}}, format="json").status_code == 404
    assert client.delete(base).status_code == 404
    assert client.post(f"{base}publish/").status_code == 404
    listed = client.get("/api/v1/passports/", {"search": HIDDEN_SEARCH})
    assert listed.status_code == 200 and HIDDEN_UID not in _text(listed)
    listed = client.get("/api/v1/passports/")
    assert PUBLISHED_UID in _text(listed) and HIDDEN_UID not in _text(listed)
    assert Passport.objects.filter(pk=shared.hidden.pk).exists()


# ---- 4. 404 for whoever may not see it, 403 for whoever may see it but not change it --------------------
#: Readers of the published passport who may not change it.
READERS = ["viewer_a", "partner_passport", "partner_model", "inspector"]


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize(("route", "accepted"), PASSPORT_WRITE_ROUTES)
def test_html_write_routes_refuse_a_reader_of_the_passport_with_403(shared, who, route, accepted):
    client = _html(shared.user(who))
    for method in accepted:
        response = _request(client, method, f"/passports/{shared.published.public_id}/{route}")
        assert response.status_code == 403, f"{method} {route}"
    assert shared.published.versions.count() == 2  # nothing published, deleted or changed


@pytest.mark.parametrize("who", READERS)
def test_api_write_routes_refuse_a_reader_of_the_passport_with_403(shared, who):
    client = _api(shared.user(who))
    base = f"/api/v1/passports/{shared.published.public_id}/"
    assert client.get(base).status_code == 200  # the control: this reader may see the passport
    answers = {
        "PATCH": client.patch(base, {"values": {"manufacturing_place": "X"}}, format="json").status_code,
        "DELETE": client.delete(base).status_code,
        "POST publish": client.post(f"{base}publish/").status_code,
        "POST status": client.post(f"{base}status/", {"status": "waste"}, format="json").status_code,
        "POST grants": client.post(
            f"{base}grants/",
            {"organization": str(shared.admin_b.membership.organization.public_id)},
            format="json",
        ).status_code,
    }
    assert answers == dict.fromkeys(answers, 403)
    assert shared.published.versions.count() == 2


@pytest.mark.parametrize("who", ["viewer_a", "partner_model", "inspector"])
def test_write_routes_of_the_battery_model_refuse_a_reader_with_403(shared, who):
    user = shared.user(who)
    mid = shared.model.public_id
    assert _api(user).get(f"/api/v1/battery-models/{mid}/").status_code == 200  # may see it
    html = _html(user)
    assert html.get(f"/passports/models/{mid}/edit/general/").status_code == 403
    assert html.post(f"/passports/models/{mid}/edit/general/", {}).status_code == 403
    assert html.get(f"/passports/models/{mid}/sharing/").status_code == 403
    api = _api(user)
    assert (
        api.patch(f"/api/v1/battery-models/{mid}/", {"values": {"chemistry": "X"}}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/v1/battery-models/{mid}/").status_code == 403
    assert BatteryModel.objects.get(pk=shared.model.pk).data["chemistry"] == CHEM_NOW


@pytest.mark.parametrize("target", ["published", "hidden"])
def test_write_routes_answer_404_to_a_company_that_may_not_see_the_passport(shared, target):
    passport = getattr(shared, target)
    html, api = _html(shared.admin_b), _api(shared.admin_b)
    for route, accepted in PASSPORT_WRITE_ROUTES:
        for method in accepted:
            assert _request(html, method, f"/passports/{passport.public_id}/{route}").status_code == 404, (
                route
            )
    base = f"/api/v1/passports/{passport.public_id}/"
    assert api.patch(base, {"values": {"manufacturing_place": "X"}}, format="json").status_code == 404
    assert api.delete(base).status_code == 404
    assert api.post(f"{base}publish/").status_code == 404


def test_inspector_may_not_see_the_never_published_passport(shared):
    """The authority reads every published passport, and no other: 404 on its pages and the API."""
    html, api = _html(shared.inspector), _api(shared.inspector)
    assert html.get(f"/passports/{shared.hidden.public_id}/").status_code == 404
    assert html.post(f"/passports/{shared.hidden.public_id}/publish/").status_code == 404
    assert api.get(f"/api/v1/passports/{shared.hidden.public_id}/").status_code == 404
    assert HIDDEN_UID not in _text(html.get("/passports/", {"q": HIDDEN_SEARCH}))


# ---- 3. after its review closed, the body sees what it reviewed, not the applicant's later values --------
CHEM_REVIEWED = "CHEM-REVIEWED-lfp"
LI_REVIEWED = "LI-REVIEWED-cathode-lfp"
PLACE_REVIEWED = "PLACE-REVIEWED-Salzgitter"
CHEM_AFTER = "CHEM-AFTER-REVIEW-lmfp"
LI_AFTER = "LI-AFTER-REVIEW-cathode-lmfp"
PLACE_AFTER = "PLACE-AFTER-REVIEW-Wolfsburg"
AFTER_REVIEW = (CHEM_AFTER, LI_AFTER, PLACE_AFTER)


@dataclass
class Review:
    application: Application
    model: BatteryModel
    passport: Passport
    admin_a: User
    lead: User
    reviewer: User

    @property
    def workspace(self) -> str:
        return f"/certification/applications/{self.application.public_id}/review/"

    @property
    def api(self) -> str:
        return f"/api/v1/applications/{self.application.public_id}/"

    def type_values(self, chemistry: str, cathode: str, place: str) -> None:
        """The applicant keeps working on the model and the (never-published) passport in scope."""
        services.battery_model_update(
            actor=self.admin_a,
            battery_model=self.model,
            values={"chemistry": chemistry, "cathode_composition": cathode},
        )
        services.passport_update(
            actor=self.admin_a, passport=self.passport, values={"manufacturing_place": place}
        )


@pytest.fixture
def review(admin_a, company_a) -> Review:
    """Company A's Ouranos application for a model and a passport, assigned to a body's reviewer."""
    add_initial_schemes()
    scheme = Scheme.objects.get(code=OURANOS)
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Review Body GmbH")
    Accreditation.objects.create(body=body, scheme=scheme, body_code="RVB", valid_from=date(2025, 1, 1))
    lead, reviewer = (
        member(Role.LEAD, body, username="rv-lead"),
        member(Role.REVIEWER, body, username="rv-rev"),
    )
    model = services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Reviewed Pack", "manufacturer_part_id": "RV-1", "battery_category": "ev"},
    )
    passport = services.passport_create(
        actor=admin_a, battery_model=model, values={"unique_identifier": "urn:epc:reviewed-0001"}
    )
    application = certification.application_create(
        actor=admin_a, scheme=scheme, body=body, battery_models=[model], passports=[passport]
    )
    certification.answers_save(
        actor=admin_a, application=application, answers={c.code: "Yes." for c in scheme.criteria.all()}
    )
    certification.application_submit(actor=admin_a, application=application, declaration_name="Anna Admin")
    certification.application_assign(actor=lead, application=application, reviewer=reviewer)
    found = Review(application, model, passport, admin_a, lead, reviewer)
    found.type_values(CHEM_REVIEWED, LI_REVIEWED, PLACE_REVIEWED)
    return found


def _approve(review: Review) -> None:
    for criterion in review.application.scheme.criteria.all():
        certification.verdict_record(
            actor=review.reviewer, application=review.application, criterion=criterion, value=VerdictValue.MET
        )
    certification.application_approve(actor=review.reviewer, application=review.application)
    review.application.refresh_from_db()
    assert review.application.state == ApplicationState.APPROVED


def test_open_review_workspace_shows_the_applicants_working_values(review):
    """The control: while the review is open, the body reads the working data (values typed just now)."""
    review.type_values(CHEM_AFTER, LI_AFTER, PLACE_AFTER)
    response = _html(review.reviewer).get(review.workspace)
    assert response.status_code == 200
    for value in AFTER_REVIEW:
        assert value in _text(response)


@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_workspace_after_approval_hides_values_typed_after_it(review, who):
    _approve(review)
    review.type_values(CHEM_AFTER, LI_AFTER, PLACE_AFTER)
    user = getattr(review, who)

    page = _html(user).get(review.workspace)
    assert page.status_code == 200
    api = _api(user).get(review.api)
    assert api.status_code == 200
    for response in (page, api):
        for value in AFTER_REVIEW:
            assert value not in _text(response), f"{who} read {value} typed after the review closed"


def test_workspace_after_approval_keeps_the_snapshot_it_reviewed(review):
    """The body keeps seeing, read-only, what it reviewed (the values at approval), on HTML and API."""
    _approve(review)
    review.type_values(CHEM_AFTER, LI_AFTER, PLACE_AFTER)
    page = _html(review.reviewer).get(review.workspace)
    api = _api(review.reviewer).get(review.api)
    for response in (page, api):
        assert response.status_code == 200
        assert CHEM_REVIEWED in _text(response)
        assert PLACE_REVIEWED in _text(response)


# ---- the reproductions with the demo logins ------------------------------------------------------------
DEMO_LI_NOW = "DEMO-LI-UNPUBLISHED-cathode"
DEMO_AUTH_NOW = "DEMO-AUTH-UNPUBLISHED-report"
DEMO_CHEM_NOW = "DEMO-CHEM-UNPUBLISHED"
DEMO_HIDDEN_UID = "urn:epc:DEMONEVERPUBLISHED-0001"
DEMO_SHARED_MODEL = "EP-75-NMC811"  # eu-maker's model with the grant to supplier (passports/demo.py)


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=StringIO())
    return {
        name: User.objects.get(username=name)
        for name in ("eu-maker", "supplier", "regulator", "certifier-eu", "certifier-jp")
    }


def test_demo_logins_see_no_unpublished_values(demo):
    """The issue's reproductions as eu-maker, supplier, regulator, certifier-eu and certifier-jp."""
    eu_maker = demo["eu-maker"]
    # The model eu-maker shared with supplier's company (a legitimate-interest grant on the model).
    shared_model = BatteryModel.objects.get(
        organization=eu_maker.membership.organization, manufacturer_part_id=DEMO_SHARED_MODEL
    )
    assert policies.viewer_kind(demo["supplier"], shared_model) == Viewer.PARTNER
    in_review = Application.objects.get(
        organization=eu_maker.membership.organization, state=ApplicationState.IN_REVIEW
    )
    closed_jp = (
        Application.objects.filter(
            organization=eu_maker.membership.organization, body=demo["certifier-jp"].membership.organization
        )
        .exclude(state__in=(ApplicationState.IN_REVIEW, ApplicationState.DRAFT))
        .first()
    )
    assert closed_jp is not None and closed_jp.battery_models.filter(pk=shared_model.pk).exists()
    # certifier-eu approves the open review (every criterion met).
    for criterion in in_review.scheme.criteria.all():
        certification.verdict_record(
            actor=demo["certifier-eu"], application=in_review, criterion=criterion, value=VerdictValue.MET
        )
    certification.application_approve(actor=demo["certifier-eu"], application=in_review)

    # eu-maker keeps working: values saved on the shared model, a passport it does not publish.
    services.battery_model_update(
        actor=eu_maker,
        battery_model=shared_model,
        values={
            "cathode_composition": DEMO_LI_NOW,
            "chemistry": DEMO_CHEM_NOW,
            "test_reports": _report(DEMO_AUTH_NOW),
        },
    )
    hidden = services.passport_create(
        actor=eu_maker, battery_model=shared_model, values={"unique_identifier": DEMO_HIDDEN_UID}
    )
    unpublished = (DEMO_LI_NOW, DEMO_AUTH_NOW, DEMO_CHEM_NOW, DEMO_HIDDEN_UID)

    model_api = f"/api/v1/battery-models/{shared_model.public_id}/"
    for who in ("supplier", "regulator"):
        response = _api(demo[who]).get(model_api)
        assert response.status_code == 200, who
        assert not [v for v in unpublished if v in _text(response)], f"{who}: {model_api}"

    supplier = _html(demo["supplier"])
    for path in ("/passports/", f"/passports/?q={DEMO_HIDDEN_UID[:-3]}"):
        assert DEMO_HIDDEN_UID not in _text(supplier.get(path)), path
    assert supplier.get(f"/passports/{hidden.public_id}/").status_code == 404
    for route in ("edit/general/", "sharing/"):
        assert supplier.get(f"/passports/{hidden.public_id}/{route}").status_code == 404, route
    for route in ("delete/", "publish/"):
        assert supplier.post(f"/passports/{hidden.public_id}/{route}").status_code == 404, route

    for who, application in (("certifier-eu", in_review), ("certifier-jp", closed_jp)):
        page = _html(demo[who]).get(f"/certification/applications/{application.public_id}/review/")
        assert page.status_code == 200, who
        assert not [v for v in unpublished if v in _text(page)], f"{who}: workspace of a closed review"
