"""The supplier data exchange of the demo world (`manage.py load_demo`): a three-level chain. Idempotent.

    Boreal Battery Metals Oy (`refiner`)   makes lithium hydroxide and nickel sulphate (from its own
                                           nickel matte), answers Nordic Cathode's two requests;
    Nordic Cathode Materials Oy (`supplier`) buys both, makes a precursor and two NMC 811 cathode materials
                                           (its own two-level bill of materials);
    Elektra (`eu-maker`)                   asked for both cathode materials: two answers released, the
                                           first since corrected (version 1 kept, superseded);
    Sakura Denchi (`jp-maker`)             one request open, one sent back (Nordic makes no LFP).

Figures are per kilogram (cells and packs per piece), realistic for NMC 811 made in Finland. Everything goes
through `exchange.services` acting as the demo companies' administrators, so the demo passes the same rules,
validation, audit and notifications as real data. What exists already (parts by their local id, requests by
the customer's part, answers by request and version) is left alone, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.tenancy.models import Organization

from . import services
from .models import Answer, AnswerStatus, DataRequest, Material, Part, RequestState
from .reference_data import load_materials

REFINER = "Boreal Battery Metals Oy"
SUPPLIER = "Nordic Cathode Materials Oy"
EU_MAKER = "Elektra Batteriewerk GmbH"
JP_MAKER = "Sakura Denchi Kabushiki Kaisha"

KG = "kilogram"
PIECE = "piece"
GOOD = {"technological": 1, "geographical": 1, "temporal": 1}
FAIR = {"technological": 2, "geographical": 2, "temporal": 1}

# --- Boreal Battery Metals Oy, Harjavalta: the refiner -----------------------------------------------------

NI_MATTE = {
    "local_id": "BBM-NI-MATTE",
    "name": "Nickel matte (flash smelter)",
    "unit": KG,
    "mass_per_unit": "1",
    # Concentrates bought outside the portal (mining, beneficiation) and the smelter's own energy.
    "own_pre_processing": "4.6",
    "own_main_production": "2.2",
    "own_primary_share": "70",
    "own_quality": {"pre": FAIR, "main": GOOD},
}
NI_MATTE_NICKEL = {
    "material": "nickel",
    "mass_per_unit": "0.72",
    "extraction_shares": {"FI": "45", "AU": "35", "ID": "20"},
    "processing_shares": {"FI": "100"},
    "recycled_pre_consumer": "0",
    "recycled_post_consumer": "4",
    "evidence": "Concentrate purchase contracts 2025; smelter mass balance (ISO 14001 audit)",
}
NISO4 = {
    "local_id": "BBM-NISO4",
    "name": "Nickel sulphate hexahydrate, battery grade",
    "unit": KG,
    "mass_per_unit": "1",
    "cn_code": "28332400",
    "own_main_production": "0.9",
    "own_primary_share": "100",
    "own_quality": {"main": GOOD},
}
NISO4_MATTE = "0.31"  # kg matte (72 % Ni) per kg NiSO4·6H2O (22.3 % Ni)
LIOH = {
    "local_id": "BBM-LIOH",
    "name": "Lithium hydroxide monohydrate, battery grade",
    "unit": KG,
    "mass_per_unit": "1",
    "cn_code": "28252000",
    "own_pre_processing": "4.1",  # spodumene concentrate, mined and shipped
    "own_main_production": "3.2",  # conversion to hydroxide
    "own_primary_share": "75",
    "own_quality": {"pre": FAIR, "main": GOOD},
}
LIOH_LITHIUM = {
    "material": "lithium",
    "mass_per_unit": "0.1654",  # 16.5 % Li in LiOH·H2O
    "extraction_shares": {"AU": "78", "FI": "22"},
    "processing_shares": {"FI": "100"},
    "recycled_pre_consumer": "0",
    "recycled_post_consumer": "2",
    "evidence": "Spodumene concentrate certificates of origin 2025 (Greenbushes, Keliber)",
}

# --- Nordic Cathode Materials Oy, Kokkola: the cathode-material maker --------------------------------------

BOUGHT_LIOH = {"local_id": "NCM-RM-LIOH", "name": "Lithium hydroxide monohydrate", "unit": KG}
BOUGHT_NISO4 = {"local_id": "NCM-RM-NISO4", "name": "Nickel sulphate hexahydrate", "unit": KG}
PCAM = {
    "local_id": "NCM-PCAM-811",
    "name": "Precursor Ni0.8Mn0.1Co0.1(OH)2",
    "unit": KG,
    "mass_per_unit": "1",
    "own_pre_processing": "0.9",  # cobalt and manganese sulphates bought outside the portal
    "own_main_production": "1.4",  # co-precipitation
    "own_primary_share": "80",
    "own_quality": {"pre": FAIR, "main": GOOD},
}
PCAM_NISO4 = "2.30"  # kg NiSO4·6H2O per kg precursor (51 % Ni)
PCAM_COBALT = {
    "material": "cobalt",
    "mass_per_unit": "0.064",
    "extraction_shares": {"CD": "100"},
    "processing_shares": {"FI": "100"},
    "recycled_pre_consumer": "10",
    "recycled_post_consumer": "6",
    "evidence": "Kokkola cobalt refinery delivery notes; RMAP-conformant smelter list 2025",
}
PCAM_MANGANESE = {
    "material": "manganese",
    "mass_per_unit": "0.060",
    "extraction_shares": {"ZA": "70", "GA": "30"},
    "processing_shares": {"CN": "80", "JP": "20"},
    "recycled_pre_consumer": "0",
    "recycled_post_consumer": "0",
    "evidence": "Manganese sulphate supplier declarations 2025",
}
CAM_PC = {
    "local_id": "NCM-CAM-811-PC",
    "name": "NMC 811 cathode active material, polycrystalline",
    "unit": KG,
    "mass_per_unit": "1",
    "cn_code": "28419085",
    "own_main_production": "2.6",  # lithiation and calcination in electric kilns
    "own_primary_share": "90",
    "own_quality": {"main": GOOD},
}
#: The correction: since the kilns run on the Kokkola wind power purchase agreement.
CAM_PC_CORRECTED_MAIN = "2.1"
CAM_SC = {
    "local_id": "NCM-CAM-811-SC",
    "name": "NMC 811 cathode active material, single-crystal",
    "unit": KG,
    "mass_per_unit": "1",
    "cn_code": "28419085",
    "own_main_production": "3.4",  # two calcinations
    "own_primary_share": "90",
    "own_quality": {"main": GOOD},
}
CAM_LINES = {"NCM-CAM-811-PC": ("0.95", "0.44"), "NCM-CAM-811-SC": ("0.96", "0.45")}  # kg pCAM, kg LiOH

# --- The battery makers ------------------------------------------------------------------------------------

EU_CAM_PC = {"local_id": "EBW-CAM-811-PC", "name": "Cathode active material NMC 811 (polycrystalline)",
             "unit": KG}  # fmt: skip
EU_CAM_SC = {"local_id": "EBW-CAM-811-SC", "name": "Cathode active material NMC 811 (single-crystal)",
             "unit": KG}  # fmt: skip
EU_CELL_100 = {"local_id": "EBW-CELL-P100", "name": "Prismatic cell NMC 811, 100 Ah", "unit": PIECE,
               "mass_per_unit": "1.52", "own_main_production": "9.8", "own_primary_share": "95"}  # fmt: skip
EU_CELL_60 = {"local_id": "EBW-CELL-P60", "name": "Prismatic cell NMC 811 single-crystal, 60 Ah",
              "unit": PIECE, "mass_per_unit": "0.94", "own_main_production": "6.1",
              "own_primary_share": "95"}  # fmt: skip
EU_PACK = {"local_id": "EBW-PACK-EP75", "name": "EP-75 NMC 811 traction pack", "unit": PIECE,
           "mass_per_unit": "452", "own_main_production": "310", "own_primary_share": "90"}  # fmt: skip
JP_CAM_NMC = {"local_id": "SD-CAM-NMC811", "name": "NMC 811 cathode material (prototype line)", "unit": KG}
JP_CAM_LFP = {"local_id": "SD-CAM-LFP", "name": "LFP cathode material", "unit": KG}
JP_CELL = {"local_id": "SD-CELL-NMC-P1", "name": "NMC prototype cell, 80 Ah", "unit": PIECE,
           "mass_per_unit": "1.25", "own_main_production": "8.7"}  # fmt: skip

SENT_BACK_REASON = (
    "Nordic Cathode Materials makes NMC cathode materials only; we deliver no LFP to Sakura Denchi. "
    "Please ask the supplier of your LFP cathode material and correct the supplier of this part."
)


def _details(*, country: str, comment: str, boundary: str) -> services.AnswerDetails:
    return services.AnswerDetails(
        reference_period_start=datetime.date(2025, 1, 1),
        reference_period_end=datetime.date(2026, 1, 1),
        characterization_factors="AR6",
        cross_sectoral_standards=["ISO 14067", "GHG Protocol Product standard"],
        product_rules="Catena-X PCF Rulebook 3.0; PEFCR rechargeable batteries",
        boundary_processes=boundary,
        geography_country=country,
        quality={
            "coverage_percent": "100",
            "technological": "1.6",
            "temporal": "1.2",
            "geographical": "1.5",
            "completeness": "1.4",
            "reliability": "1.7",
        },
        assurance_provider="Nordic Verification Services Oy",
        assurance_standard="ISO 14064-3:2019 (limited assurance)",
        assurance_date=datetime.date(2026, 3, 12),
        comment=comment,
    )


def _part(actor, kind: str, data: dict[str, Any], *, supplier: Organization | None = None) -> Part:
    """The company's part with this local id, created when missing (a later run leaves it as it is)."""
    organization = actor.membership.organization
    part = Part.objects.filter(organization=organization, local_id=data["local_id"]).first()
    if part is None:
        part = services.create_part(actor=actor, kind=kind, data=data)
    if supplier is not None and part.supplier_id is None:
        part = services.link_supplier(actor=actor, part=part, identifier=supplier.bpnl)
    return part


def _line(actor, parent: Part, child: Part, quantity: str) -> None:
    if not parent.components.filter(child=child).exists():
        services.set_component(actor=actor, parent=parent, child=child, quantity=quantity)


def _material(actor, part: Part, data: dict[str, Any]) -> None:
    if not part.own_materials.filter(material__code=data["material"]).exists():
        services.set_own_material(actor=actor, part=part, data=data)


def _request(actor, part: Part, *, message: str, days: int) -> DataRequest:
    """The customer's request about this part (the newest one), sent when there is none."""
    existing = DataRequest.objects.filter(customer_part=part).order_by("-created_at", "-id").first()
    if existing is not None:
        return existing
    return services.send_request(
        actor=actor,
        part=part,
        wants_footprint=True,
        wants_materials=True,
        message=message,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
    )


def _answer(actor, request: DataRequest, part: Part, details: services.AnswerDetails) -> Answer | None:
    if request.state == RequestState.SENT:
        return services.answer_request(actor=actor, request=request, supplier_part=part, details=details)
    return request.answers.order_by("-version").first()


def _refiner(refiner_admin) -> dict[str, Part]:
    matte = _part(refiner_admin, "made", NI_MATTE)
    _material(refiner_admin, matte, NI_MATTE_NICKEL)
    niso4 = _part(refiner_admin, "made", NISO4)
    _line(refiner_admin, niso4, matte, NISO4_MATTE)
    lioh = _part(refiner_admin, "made", LIOH)
    _material(refiner_admin, lioh, LIOH_LITHIUM)
    return {"niso4": niso4, "lioh": lioh}


def _supplier(supplier_admin, refiner: Organization) -> dict[str, Part]:
    lioh = _part(supplier_admin, "bought", BOUGHT_LIOH, supplier=refiner)
    niso4 = _part(supplier_admin, "bought", BOUGHT_NISO4, supplier=refiner)
    pcam = _part(supplier_admin, "made", PCAM)
    _line(supplier_admin, pcam, niso4, PCAM_NISO4)
    _material(supplier_admin, pcam, PCAM_COBALT)
    _material(supplier_admin, pcam, PCAM_MANGANESE)
    parts = {"lioh": lioh, "niso4": niso4, "pcam": pcam}
    for key, spec in (("cam_pc", CAM_PC), ("cam_sc", CAM_SC)):
        cam = _part(supplier_admin, "made", spec)
        pcam_quantity, lioh_quantity = CAM_LINES[spec["local_id"]]
        _line(supplier_admin, cam, pcam, pcam_quantity)
        _line(supplier_admin, cam, lioh, lioh_quantity)
        parts[key] = cam
    return parts


def _eu_maker(eu_admin, supplier: Organization) -> dict[str, Part]:
    cam_pc = _part(eu_admin, "bought", EU_CAM_PC, supplier=supplier)
    cam_sc = _part(eu_admin, "bought", EU_CAM_SC, supplier=supplier)
    cell_100 = _part(eu_admin, "made", EU_CELL_100)
    _line(eu_admin, cell_100, cam_pc, "0.56")
    cell_60 = _part(eu_admin, "made", EU_CELL_60)
    _line(eu_admin, cell_60, cam_sc, "0.34")
    pack = _part(eu_admin, "made", EU_PACK)
    _line(eu_admin, pack, cell_100, "204")
    return {"cam_pc": cam_pc, "cam_sc": cam_sc}


def _jp_maker(jp_admin, supplier: Organization) -> dict[str, Part]:
    cam_nmc = _part(jp_admin, "bought", JP_CAM_NMC, supplier=supplier)
    cam_lfp = _part(jp_admin, "bought", JP_CAM_LFP, supplier=supplier)
    cell = _part(jp_admin, "made", JP_CELL)
    _line(jp_admin, cell, cam_nmc, "0.45")
    return {"cam_nmc": cam_nmc, "cam_lfp": cam_lfp}


def _correct_cam_pc(supplier_admin, cam_pc: Part, first: Answer) -> None:
    """Nordic's kilns moved to wind power: a new footprint supersedes the first one (which stays)."""
    if first.status != AnswerStatus.ACTIVE or first.version != 1:
        return
    services.update_part(
        actor=supplier_admin, part=cam_pc, data={**CAM_PC, "own_main_production": CAM_PC_CORRECTED_MAIN}
    )
    details = services.details_of(first)
    details.comment = (
        "Corrected: since the 2025 audit the calcination kilns run on the Kokkola wind power purchase "
        "agreement; main production emissions recalculated."
    )
    services.correct_answer(actor=supplier_admin, answer=first, details=details)


@transaction.atomic
def load() -> list[str]:
    """Build the chain (idempotent); returns a short summary without business relations or figures
    (who supplies whom is confidential, even in a console)."""
    load_materials(Material)  # the reference list a migration loads; a flushed database lacks it
    refiner, supplier, eu, jp = (
        Organization.objects.get(legal_name=name) for name in (REFINER, SUPPLIER, EU_MAKER, JP_MAKER)
    )
    refiner_admin, supplier_admin, eu_admin, jp_admin = (
        User.objects.select_related("membership__organization").get(username=username)
        for username in ("refiner", "supplier", "eu-maker", "jp-maker")
    )

    boreal = _refiner(refiner_admin)
    nordic = _supplier(supplier_admin, refiner)
    elektra = _eu_maker(eu_admin, supplier)
    sakura = _jp_maker(jp_admin, supplier)

    # Level 1: Nordic asks Boreal, Boreal answers with its roll-ups.
    refiner_details = _details(
        country="FI",
        comment="Released for Nordic Cathode Materials' 2025 cathode footprints.",
        boundary="Cradle to gate: mining and concentration (supplier data), smelting, refining.",
    )
    for key in ("lioh", "niso4"):
        request = _request(supplier_admin, nordic[key], message="For our 2025 NMC 811 footprints.", days=21)
        _answer(refiner_admin, request, boreal[key], refiner_details)

    # Level 2: Elektra asks Nordic for both cathode materials; Nordic answers both, then corrects one.
    supplier_details = _details(
        country="FI",
        comment="Rolled up from our refiner's released footprints and our own Kokkola plant data.",
        boundary="Cradle to gate: refined metal salts, precursor co-precipitation, lithiation, calcination.",
    )
    for key in ("cam_pc", "cam_sc"):
        request = _request(
            eu_admin, elektra[key], message="Needed for the EP-75 and EP-50 battery passports.", days=30
        )
        answer = _answer(supplier_admin, request, nordic[key], supplier_details)
        if key == "cam_pc" and answer is not None:
            _correct_cam_pc(supplier_admin, nordic["cam_pc"], answer)

    # Sakura: one request open, one sent back (Nordic makes no LFP).
    _request(jp_admin, sakura["cam_nmc"], message="For the NMC prototype cell's footprint.", days=45)
    lfp_request = _request(jp_admin, sakura["cam_lfp"], message="Annual LFP declaration.", days=30)
    if lfp_request.state == RequestState.SENT:
        services.send_back_request(actor=supplier_admin, request=lfp_request, reason=SENT_BACK_REASON)

    return [_summary(organization) for organization in (refiner, supplier, eu, jp)]


def _summary(organization: Organization) -> str:
    parts = Part.objects.filter(organization=organization).count()
    received = DataRequest.objects.filter(supplier=organization)
    answers = Answer.objects.filter(supplier=organization)
    states = ", ".join(
        f"{count} {label.lower()}"
        for value, label in RequestState.choices
        if (count := received.filter(state=value).count())
    )
    superseded = answers.filter(status=AnswerStatus.SUPERSEDED).count()
    sent = DataRequest.objects.filter(customer=organization).count()
    line = f"{organization.legal_name}: parts {parts}, requests sent {sent}, received {received.count()}"
    line += f" ({states})" if states else ""
    line += f", answers released {answers.count()}"
    return line + (f" ({superseded} superseded)" if superseded else "")
