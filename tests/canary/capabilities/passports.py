"""The passports' canary data: one published passport of company A with a newer draft, a draft-only
passport, and the battery model's confidential supply chain.

Who may see what (the passports' confidentiality decisions, from the field catalogue and the policy):

* PUBLIC attributes of a *published* version (model name, chemistry, the unique identifier): everyone,
  also on the public page `/p/<id>/` (the positive control: every audience must see them there).
* LEGITIMATE-INTEREST attributes (cathode composition, the dismantling document): company A's members
  and the authority (which reads every published passport); a partner would need a grant (none here).
* AUTHORITY-only attributes (the header of a test report): company A's members and the authority.
* A value only in the draft newer than the published version: company A's members only.
* The supply chain (supplier name and identifier, mine, refiner, procurement amount): company A's members
  only. The certifier audience holds no assignment, and the operator is not an audience of passport
  values at all (the admin lists passports without values and has no supply-chain page).
* The unique identifier of a never-published passport: company A and the operator (the admin lists
  passports by identifier), nobody else, not even through the public look-ups.

Uploaded documents (private storage, served by the permission-checked download views): a public
declaration of conformity (its title: everyone, listed on the public page), a legitimate-interest safety
sheet, an authority-only test report whose title, file name and *file content* carry markers, a
legitimate-interest document of the published battery (A's members and the authority) and one of the
never-published passport (A's members only). The download URLs are crawled by document id.

Publishing makes company A's BPNL public: it is the passport's economic operator id (Catena-X
`metadata.economicOperatorId`, a PUBLIC attribute, Annex XIII 1(a) names the manufacturer). The
foundation plants that BPNL as visible to company A's side only (no public directory), so this planter
widens that one marker to everyone once company A has a published passport.

Positive controls: every audience must see the public markers (on `/p/<id>/` at least); company A's
members must see every restricted marker on their passport pages, and the authority the
legitimate-interest and authority-only ones. Only the localized spellings of the procurement amount are
not expected anywhere (they are there to catch a page that formats the amount for people).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from passports import services
from tests.factories import BEFORE_OBLIGATIONS, make_bpn

from ..registry import (
    A_SIDE,
    AUTHORITY,
    COMPANY_A,
    COMPANY_A_VIEWER,
    EVERYONE,
    NOBODY,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
A_MEMBERS_AND_AUTHORITY = A_MEMBERS | {AUTHORITY}
PROCUREMENT_AMOUNT = Decimal("987654.321")
#: The amount as pages may print it: raw (JSON), with English/Japanese and German separators.
AMOUNT_FORMS = ("987654.321", "987,654.321", "987.654,321", "987654,321")
FOUNDATION_BPNL = "company A's BPNL"
#: The URLs that name a passport or a battery model by its `public_id` (HTML pages and API).
PASSPORT_URLS = frozenset({"passports:*", "api:passport-*", "api:battery-model-*"})


def _document(header: str) -> list[dict[str, str]]:
    return [{"header": header, "content_type": "URL", "content": f"https://example.com/{header.lower()}.pdf"}]


def passports_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    published, draft = world.objects["passport_published"], world.objects["passport_draft_only"]
    model = world.objects["battery_model"]
    part = model.manufacturer_part_id
    passports = [
        ParamValue(published.public_id, "company A's published passport (with a newer draft)"),
        ParamValue(draft.public_id, "company A's never-published passport"),
    ]
    pages = PASSPORT_URLS
    return {
        "public_id": [
            *(dataclasses.replace(value, url_names=pages) for value in passports),
            ParamValue(model.public_id, "company A's battery model", url_names=pages),
        ],
        "passport_id": passports,
        "battery_model_id": [ParamValue(model.public_id, "company A's battery model")],
        "document_id": [
            ParamValue(document.public_id, f"company A's uploaded document ({note})")
            for note, document in world.objects["documents"].items()
        ],
        # Only the published passport's identifiers: every page echoes its own path (the language
        # switcher's "next"), so probing a restricted identifier in the URL would only find that echo;
        # look-ups of never-published identifiers are tested in tests/passports/test_public.py.
        "identifier": [
            ParamValue(published.unique_identifier, "unique identifier of A's published passport"),
            ParamValue(f"CX:{part}:{published.unique_identifier}", "Catena-X id of A's published passport"),
        ],
    }


def passports_extra_paths(world: World, markers: list[Marker]) -> list[str]:
    """The query-string form of the look-up (the path form is found by the resolver)."""
    published = world.objects["passport_published"]
    part = world.objects["battery_model"].manufacturer_part_id
    return [
        f"/p/lookup/?id={published.unique_identifier}",
        f"/p/lookup/?id=CX:{part}:{published.unique_identifier}",
    ]


def _widen_bpnl(world: World) -> None:
    for index, marker in enumerate(world.markers):
        if marker.description == FOUNDATION_BPNL:
            world.markers[index] = dataclasses.replace(
                marker,
                description=f"{FOUNDATION_BPNL} (public once A publishes a passport: economic operator id)",
                visible_to=EVERYONE,
            )


@register("passports", url_kwargs=passports_url_kwargs, extra_paths=passports_extra_paths)
def plant_passports(world: World) -> list[Marker]:
    admin = world.users[COMPANY_A]
    public_name = new_marker_value("model-name")
    public_chemistry = new_marker_value("chemistry")
    li_cathode = new_marker_value("li-cathode")
    li_dismantling = new_marker_value("li-dismantling-doc")
    authority_report = new_marker_value("authority-test-report")
    model = services.battery_model_create(
        actor=admin,
        organization=world.company_a,
        values={
            "model_name": public_name,
            "manufacturer_part_id": f"PB-{uuid.uuid4().hex[:8]}",
            "battery_category": "ev",
            "chemistry": public_chemistry,
            "cathode_composition": li_cathode,
            "dismantling_information": _document(li_dismantling),
            "test_reports": _document(authority_report),
        },
    )
    supplier = new_marker_value("supplier-name")
    mine = new_marker_value("mine-site")
    refiner = new_marker_value("refiner")
    supplier_id = make_bpn("L", n=secrets.randbelow(36**9) + 36**8)
    services.supply_chain_replace(
        actor=admin,
        battery_model=model,
        rows=[
            {
                "material": "lithium",
                "country_of_origin": "AU",
                "mine_or_extraction_site": mine,
                "refiner_processor": refiner,
                "refiner_country": "CN",
                "supplier_name": supplier,
                "supplier_identifier": supplier_id,
                "procurement_amount": str(PROCUREMENT_AMOUNT),
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-06-30",
            }
        ],
    )

    public_uid = new_marker_value("published-uid")
    published = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": public_uid}
    )
    services.passport_publish(actor=admin, passport=published, on=BEFORE_OBLIGATIONS)
    draft_place = new_marker_value("draft-place")
    services.passport_update(actor=admin, passport=published, values={"manufacturing_place": draft_place})

    draft_uid = new_marker_value("draft-only-uid")
    draft_only = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": draft_uid}
    )

    document_markers = _plant_documents(world, admin, model, published, draft_only)

    world.objects.update(battery_model=model, passport_published=published, passport_draft_only=draft_only)
    _widen_bpnl(world)

    amount, *localized_amounts = AMOUNT_FORMS
    a_and_authority = A_MEMBERS_AND_AUTHORITY
    return [
        # Public values of a published version: everyone sees them on the public page.
        Marker(public_name, "public model name of A's published passport", EVERYONE, EVERYONE),
        Marker(public_chemistry, "public chemistry of A's published passport", EVERYONE, EVERYONE),
        Marker(public_uid, "unique identifier of A's published passport", EVERYONE, EVERYONE),
        Marker(li_cathode, "legitimate-interest cathode composition", a_and_authority, a_and_authority),
        Marker(li_dismantling, "legitimate-interest dismantling document", a_and_authority, a_and_authority),
        Marker(authority_report, "authority-only test report header", a_and_authority, a_and_authority),
        Marker(draft_place, "value only in the draft newer than the published version", A_MEMBERS, A_MEMBERS),
        Marker(draft_uid, "unique identifier of A's never-published passport", A_SIDE, A_SIDE),
        Marker(supplier, "supply chain: supplier name", A_MEMBERS, A_MEMBERS),
        Marker(supplier_id, "supply chain: supplier BPNL", A_MEMBERS, A_MEMBERS),
        Marker(mine, "supply chain: mine or extraction site", A_MEMBERS, A_MEMBERS),
        Marker(refiner, "supply chain: refiner", A_MEMBERS, A_MEMBERS),
        Marker(amount, f"supply chain: procurement amount as {amount}", A_MEMBERS, A_MEMBERS),
        *(
            Marker(form, f"supply chain: procurement amount as {form}", A_MEMBERS, NOBODY)
            for form in localized_amounts
        ),
        *document_markers,
    ]


def _pdf(*markers: str) -> SimpleUploadedFile:
    lines = "".join(f"% {marker}\n" for marker in markers)
    return SimpleUploadedFile("x.pdf", f"%PDF-1.7\n{lines}%%EOF\n".encode(), content_type="application/pdf")


def _plant_documents(world: World, admin, model, published, draft_only) -> list[Marker]:
    """Uploaded files with markers in their titles, file names and content (see the module docstring)."""
    public_title = new_marker_value("public-doc-title")
    li_title = new_marker_value("li-doc-title")
    auth_title = new_marker_value("auth-doc-title")
    auth_name = new_marker_value("auth-doc-file")
    auth_content = new_marker_value("auth-doc-content")
    battery_title = new_marker_value("battery-doc-title")
    draft_title = new_marker_value("draft-doc-title")
    uploads = {
        "public declaration of conformity": (model, "eu_declaration_of_conformity", public_title, _pdf()),
        "legitimate-interest safety sheet": (model, "safety_measures", li_title, _pdf()),
        "authority-only test report": (model, "test_reports", auth_title, _pdf(auth_content)),
        "legitimate-interest document of the published battery": (
            published,
            "negative_event_reports",
            battery_title,
            _pdf(),
        ),
        "document of the never-published passport": (
            draft_only,
            "operating_environment_reports",
            draft_title,
            _pdf(),
        ),
    }
    uploads["authority-only test report"][3].name = f"{auth_name}.pdf"
    world.objects["documents"] = {
        note: services.document_upload(actor=admin, target=target, attribute_key=key, file=file, title=title)
        for note, (target, key, title, file) in uploads.items()
    }
    a_and_authority = A_MEMBERS_AND_AUTHORITY
    return [
        Marker(public_title, "title of a public uploaded document", EVERYONE, EVERYONE),
        Marker(
            li_title, "title of a legitimate-interest uploaded document", a_and_authority, a_and_authority
        ),
        Marker(auth_title, "title of an authority-only uploaded document", a_and_authority, a_and_authority),
        Marker(
            auth_name, "file name of an authority-only uploaded document", a_and_authority, a_and_authority
        ),
        Marker(
            auth_content, "content of an authority-only uploaded document", a_and_authority, a_and_authority
        ),
        Marker(
            battery_title,
            "title of a battery's legitimate-interest document",
            a_and_authority,
            a_and_authority,
        ),
        Marker(draft_title, "title of a document of a never-published passport", A_MEMBERS, A_MEMBERS),
    ]
