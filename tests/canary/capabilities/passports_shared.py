"""Company A's battery model shared with partners, and its unpublished state: the canary of issue 12.

One battery model of company A ("the shared model") with one published passport. Company A grants
legitimate-interest access to the passport to the `partner_passport` company and to the model to the
`partner_model` company. A second certification body (the `certifier_after_review` audience) reviewed
and approved an application covering both; once that review had closed, company A kept working:

* it saved new values on the model (a public chemistry, a legitimate-interest cathode composition and
  an authority-only test report header) without publishing them;
* it changed the published passport, which started a draft version (a manufacturing place);
* it created a passport on the shared model that it never published (its unique identifier is a
  marker).

Then company A applied to the `certifier` audience's body for a review covering the model and both
passports, and that review is open.

Who may see what (issue 12: what a non-owner reads is always a published version):

* Values of the published version: public ones everyone (the public page `/p/<id>/`); legitimate-interest
  ones company A, both partners, the authority and the reviewing body; authority-only ones company A,
  the authority and the reviewing body, never a partner. The closed-review body may keep seeing them (it
  reviewed them: its workspace keeps a snapshot of what it reviewed).
* Unpublished values (saved on the model, in the draft version, the never-published passport's
  identifier): company A's members and the body while its review is open, nobody else; the operator also
  sees the never-published passport's identifier (the admin lists passports by identifier). Typed after
  the closed review, so the `certifier_after_review` body must not see them, not even in its workspace.
* The closed review's self-assessment answer: company A's members and the body that reviewed it.

Positive controls: partners and the authority see the published values they may read (passport pages
and API), the reviewing body sees the unpublished ones (workspace, passport and model pages), the
closed-review body sees its application's answer.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services as certification
from certification.models import Accreditation, Scheme, VerdictValue
from passports import services
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, member

from ..registry import (
    AUTHORITY,
    CERTIFIER,
    CERTIFIER_AFTER_REVIEW,
    COMPANY_A,
    COMPANY_A_VIEWER,
    EVERYONE,
    OPERATOR,
    PARTNER_MODEL,
    PARTNER_PASSPORT,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)
from .certification_web import APPLICATION_URLS, HOLDER_FACTS, OURANOS, _accredit
from .passports import PASSPORT_URLS

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
PARTNERS = frozenset({PARTNER_PASSPORT, PARTNER_MODEL})
#: Readers of the published version's legitimate-interest values.
LI_READERS = A_MEMBERS | PARTNERS | {AUTHORITY, CERTIFIER, CERTIFIER_AFTER_REVIEW}
#: Readers of the published version's authority-only values.
AUTHORITY_READERS = A_MEMBERS | {AUTHORITY, CERTIFIER, CERTIFIER_AFTER_REVIEW}
#: Readers of working values typed after the closed review: the owner and the body reviewing now.
WORKING_READERS = A_MEMBERS | {CERTIFIER}
#: The version number of the published passport's only publication (the API's version detail).
PUBLISHED_VERSION_URLS = frozenset({"api:passport-version-detail"})


def _document(header: str) -> list[dict[str, str]]:
    return [{"header": header, "content_type": "URL", "content": f"https://example.com/{header.lower()}.pdf"}]


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def shared_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    model = world.objects["shared_model"]
    published, hidden = world.objects["shared_published"], world.objects["shared_never_published"]
    passports = [
        ParamValue(published.public_id, "A's published passport shared with a partner (with a draft)"),
        ParamValue(hidden.public_id, "A's never-published passport on the shared model"),
    ]
    closed, open_ = world.objects["shared_review_closed"], world.objects["shared_review_open"]
    return {
        "public_id": [
            *(dataclasses.replace(value, url_names=PASSPORT_URLS) for value in passports),
            ParamValue(model.public_id, "A's battery model shared with a partner", url_names=PASSPORT_URLS),
            ParamValue(
                closed.public_id, "A's application approved by the second body", url_names=APPLICATION_URLS
            ),
            ParamValue(
                open_.public_id,
                "A's application in review covering the shared model",
                url_names=APPLICATION_URLS,
            ),
        ],
        "passport_id": passports,
        "battery_model_id": [ParamValue(model.public_id, "A's battery model shared with a partner")],
        "number": [ParamValue(1, "the first (published) version", url_names=PUBLISHED_VERSION_URLS)],
        "document_id": [
            ParamValue(document.public_id, f"document of A's shared model ({note})")
            for note, document in world.objects["shared_documents"].items()
        ],
    }


def _widen_holder_facts(world: World) -> None:
    """Applying to the second body disclosed company A's identity to it (as `certification_web` explains)."""
    for index, marker in enumerate(world.markers):
        if marker.description in HOLDER_FACTS:
            world.markers[index] = dataclasses.replace(
                marker, visible_to=marker.visible_to | {CERTIFIER_AFTER_REVIEW}
            )


def _apply(world: World, scheme: Scheme, body, *, model, passports, answer: str):
    admin = world.users[COMPANY_A]
    application = certification.application_create(
        actor=admin, scheme=scheme, body=body, battery_models=[model], passports=passports
    )
    certification.answers_save(
        actor=admin, application=application, answers={c.code: answer for c in scheme.criteria.all()}
    )
    certification.application_submit(
        actor=admin, application=application, declaration_name="Canary Declarant"
    )
    return application


def _assign(application, reviewer) -> None:
    lead = member(Role.LEAD, application.body, username=f"canary-shared-lead-{uuid.uuid4().hex[:6]}")
    certification.application_assign(actor=lead, application=application, reviewer=reviewer)


@register("passports_shared", url_kwargs=shared_url_kwargs)
def plant_shared(world: World) -> list[Marker]:
    admin = world.users[COMPANY_A]
    ouranos = Scheme.objects.get(code=OURANOS)

    # Published: the model's values and one passport, shared with the two partners.
    name, chemistry = new_marker_value("shared-model-name"), new_marker_value("shared-chemistry-pub")
    li_value, authority_value = new_marker_value("shared-li-pub"), new_marker_value("shared-auth-pub")
    model = services.battery_model_create(
        actor=admin,
        organization=world.company_a,
        values={
            "model_name": name,
            "manufacturer_part_id": f"SH-{uuid.uuid4().hex[:8]}",
            "battery_category": "ev",
            "chemistry": chemistry,
            "cathode_composition": li_value,
            "test_reports": _document(authority_value),
        },
    )
    li_title, authority_title = new_marker_value("shared-li-doc"), new_marker_value("shared-auth-doc")
    documents = {
        "legitimate-interest safety sheet": services.document_upload(
            actor=admin, target=model, attribute_key="safety_measures", file=_pdf(), title=li_title
        ),
        "authority-only test report": services.document_upload(
            actor=admin, target=model, attribute_key="test_reports", file=_pdf(), title=authority_title
        ),
    }
    published_uid = new_marker_value("shared-published-uid")
    published = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": published_uid}
    )
    services.passport_publish(actor=admin, passport=published, on=BEFORE_OBLIGATIONS)
    partner_of = {audience: world.users[audience].membership.organization for audience in PARTNERS}
    services.grant_legitimate_interest(
        actor=admin, target=published, organization=partner_of[PARTNER_PASSPORT]
    )
    services.grant_legitimate_interest(actor=admin, target=model, organization=partner_of[PARTNER_MODEL])

    # A second body reviews the model and the passport, and approves: its review is closed.
    closed_reviewer = world.users[CERTIFIER_AFTER_REVIEW]
    Accreditation.objects.create(
        body=closed_reviewer.membership.organization,
        scheme=ouranos,
        body_code="CNRZ",
        valid_from=date(2025, 1, 1),
    )
    closed_answer = new_marker_value("closed-review-answer")
    closed = _apply(
        world,
        ouranos,
        closed_reviewer.membership.organization,
        model=model,
        passports=[published],
        answer=f"Met: {closed_answer}",
    )
    _assign(closed, closed_reviewer)
    for criterion in ouranos.criteria.all():
        certification.verdict_record(
            actor=closed_reviewer, application=closed, criterion=criterion, value=VerdictValue.MET
        )
    certification.application_approve(actor=closed_reviewer, application=closed)

    # After the closed review and the publication: working values, a draft version, an unpublished passport.
    chemistry_now, li_now = new_marker_value("shared-chemistry-now"), new_marker_value("shared-li-now")
    authority_now = new_marker_value("shared-auth-now")
    services.battery_model_update(
        actor=admin,
        battery_model=model,
        values={
            "chemistry": chemistry_now,
            "cathode_composition": li_now,
            "test_reports": _document(authority_now),
        },
    )
    draft_place = new_marker_value("shared-draft-place")
    services.passport_update(actor=admin, passport=published, values={"manufacturing_place": draft_place})
    hidden_uid = new_marker_value("shared-never-published-uid")
    hidden = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": hidden_uid}
    )

    # The certifier audience's body reviews the model and both passports now: its review is open.
    reviewer = world.users[CERTIFIER]
    _accredit(reviewer.membership.organization)
    open_ = _apply(
        world,
        ouranos,
        reviewer.membership.organization,
        model=model,
        passports=[published, hidden],
        answer="Yes.",
    )
    _assign(open_, reviewer)

    world.objects.update(
        shared_model=model,
        shared_published=published,
        shared_never_published=hidden,
        shared_documents=documents,
        shared_review_closed=closed,
        shared_review_open=open_,
    )
    _widen_holder_facts(world)
    partners_and_authority = PARTNERS | {AUTHORITY}
    return [
        Marker(name, "shared model: public model name (published)", EVERYONE, EVERYONE),
        Marker(chemistry, "shared model: public chemistry (published)", EVERYONE, EVERYONE),
        Marker(
            published_uid, "shared model: unique identifier of the published passport", EVERYONE, EVERYONE
        ),
        Marker(
            li_value,
            "shared model: legitimate-interest cathode composition (published)",
            LI_READERS,
            partners_and_authority,
        ),
        Marker(
            authority_value,
            "shared model: authority-only test report header (published)",
            AUTHORITY_READERS,
            {AUTHORITY},
        ),
        Marker(
            li_title,
            "shared model: title of a legitimate-interest document",
            LI_READERS,
            partners_and_authority,
        ),
        Marker(
            authority_title,
            "shared model: title of an authority-only document",
            AUTHORITY_READERS,
            {AUTHORITY},
        ),
        Marker(
            chemistry_now,
            "shared model: public chemistry saved after the last publication",
            WORKING_READERS,
            WORKING_READERS,
        ),
        Marker(
            li_now,
            "shared model: legitimate-interest cathode composition saved after the last publication",
            WORKING_READERS,
            WORKING_READERS,
        ),
        Marker(
            authority_now,
            "shared model: authority-only test report header saved after the last publication",
            WORKING_READERS,
            WORKING_READERS,
        ),
        Marker(
            draft_place,
            "shared model: value in the draft version of the published passport",
            WORKING_READERS,
            WORKING_READERS,
        ),
        Marker(
            hidden_uid,
            "shared model: unique identifier of a never-published passport",
            WORKING_READERS | {OPERATOR},
            WORKING_READERS | {OPERATOR},
        ),
        Marker(
            closed_answer,
            "shared model: self-assessment answer of the closed review",
            A_MEMBERS | {CERTIFIER_AFTER_REVIEW},
            A_MEMBERS | {CERTIFIER_AFTER_REVIEW},
        ),
    ]
