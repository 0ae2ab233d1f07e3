"""Every passport attribute, in display order (cluster by cluster).

Sources: Regulation (EU) 2023/1542 Annex XIII (audience and point codes as listed in the domain guide),
the Catena-X BatteryPass 6.1.0 aspect model (every leaf is mapped exactly once), and attributes the
regulation needs that the 6.1.0 model lacks (no `catenax_paths`). Audience rules:
- Annex XIII point 1 -> PUBLIC; points 2 and 4 -> LEGITIMATE_INTEREST; point 3 -> AUTHORITY;
- Catena-X/ESPR product information outside Annex XIII (codes, classification, dimensions, data carrier,
  sources, passport metadata) -> PUBLIC: it identifies the product and is printed or linked on it anyway;
- supply chain (suppliers, origins, procurement amounts) -> CONFIDENTIAL, and only there.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import choices as ch
from .core import Attribute, Audience, Cluster, FieldType, Level, TextFormat

PUBLIC = Audience.PUBLIC
LI = Audience.LEGITIMATE_INTEREST
AUTHORITY = Audience.AUTHORITY
CONFIDENTIAL = Audience.CONFIDENTIAL
MODEL = Level.MODEL
BATTERY = Level.BATTERY
T = FieldType
ZERO = Decimal(0)
ABSOLUTE_ZERO_C = Decimal("-273.15")

# fmt: off

_attributes: list[Attribute] = []


def add(*attributes: Attribute) -> None:
    _attributes.extend(attributes)


def doc(key, label, base, cluster, level, audience, annex=(), *, group=None, help_text="") -> Attribute:
    """A DOCUMENT attribute mapping one Catena-X document list (content / contentType / header)."""
    paths = (f"{base}[].content", f"{base}[].contentType", f"{base}[].header") if base else ()
    return Attribute(
        key, label, cluster, level, T.DOCUMENT, audience,
        catenax_paths=paths, annex_xiii=annex, group=group, help_text=help_text,
    )


def measured(key, label, base, unit, annex, *, type=T.DECIMAL, min_value=ZERO, max_value=None, help_text=""):
    """Dynamic data of the individual battery: legitimate interest, each value with its timestamp."""
    return Attribute(
        key, label, Cluster.PERFORMANCE, BATTERY, type, LI, unit=unit,
        catenax_paths=(f"{base}.value", f"{base}.time") if base else (), annex_xiii=annex,
        min_value=min_value, max_value=max_value, timestamped=True, help_text=help_text,
    )


def rated(key, label, path, unit, annex, *, type=T.DECIMAL, min_value=ZERO, max_value=None, help_text=""):
    """Rated (model-level) performance value: public under Annex XIII 1(g)-(p)."""
    return Attribute(
        key, label, Cluster.PERFORMANCE, MODEL, type, PUBLIC, unit=unit,
        catenax_paths=(path,) if path else (), annex_xiii=annex,
        min_value=min_value, max_value=max_value, help_text=help_text,
    )


def condition_temperature(key, label, path, annex) -> Attribute:
    return rated(
        key, label, path, "°C", annex, min_value=ABSOLUTE_ZERO_C,
        help_text=_("Temperature at which the value above was determined, where relevant."),
    )


def substance_identifiers(parent: str, base: str, cluster: Cluster, audience: Audience,
    annex) -> list[Attribute]:
    """Rows of {scheme, identifier, name} (Catena-X `materialIdentification[]` / `id[]`).

    The identifier is checked against its scheme in `validate_row` (CAS and EC check digits)."""
    group = f"{parent}.identifiers"
    return [
        Attribute(
            group, _("Substance identification"), cluster, MODEL, T.GROUP, audience, annex_xiii=annex,
            group=parent, help_text=_("One row per identifier of the substance (CAS, EC or IUPAC)."),
        ),
        Attribute(
            f"{group}.scheme", _("Identifier scheme"), cluster, MODEL, T.CHOICE, audience,
            catenax_paths=(f"{base}[].type",), annex_xiii=annex, choices=ch.SUBSTANCE_ID_SCHEMES, group=group,
        ),
        Attribute(
            f"{group}.identifier", _("Identifier"), cluster, MODEL, T.IDENTIFIER, audience,
            catenax_paths=(f"{base}[].id",), annex_xiii=annex, max_length=500, group=group,
            help_text=_("CAS number (e.g. 7440-48-4), EC number (e.g. 231-158-0) or IUPAC name."),
        ),
        Attribute(
            f"{group}.name", _("Substance name"), cluster, MODEL, T.TEXT, audience,
            catenax_paths=(f"{base}[].name",), annex_xiii=annex, group=group,
        ),
    ]


# ==== General and manufacturer information ========================================================
G = Cluster.GENERAL
add(
    Attribute(
        "battery_category", _("Battery category"), G, MODEL, T.CHOICE, PUBLIC,
        catenax_paths=("identification.category",), annex_xiii=("1(a)",), choices=ch.BATTERY_CATEGORIES,
        help_text=_("Catena-X knows EV, LMT, industrial (also used for stationary storage), SLI, portable."),
    ),
    Attribute(
        "model_name", _("Battery model name"), G, MODEL, T.TEXT, PUBLIC,
        catenax_paths=("identification.identification.type.nameAtManufacturer",), annex_xiii=("1(a)",),
    ),
    Attribute(
        "manufacturer_part_id", _("Model identifier (manufacturer part ID)"), G, MODEL, T.IDENTIFIER, PUBLIC,
        catenax_paths=("identification.identification.type.manufacturerPartId",), annex_xiii=("1(a)",),
        help_text=_("Identifies the battery model at the manufacturer; include the version if there is one."),
    ),
    Attribute(
        "manufacturer_name", _("Manufacturer name"), G, MODEL, T.TEXT, PUBLIC, annex_xiii=("1(a)",),
        help_text=_("Name, registered trade name or registered trade mark (Art. 38(7))."),
    ),
    Attribute(
        "manufacturer_address", _("Manufacturer postal address"), G, MODEL, T.LONG_TEXT, PUBLIC,
        annex_xiii=("1(a)",), max_length=1000, help_text=_("Postal address with a single contact point."),
    ),
    Attribute(
        "manufacturer_email", _("Manufacturer e-mail address"), G, MODEL, T.TEXT, PUBLIC,
        annex_xiii=("1(a)",), text_format=TextFormat.EMAIL, max_length=254,
    ),
    Attribute("manufacturer_website", _("Manufacturer website"), G, MODEL, T.URL, PUBLIC,
        annex_xiii=("1(a)",)),
    Attribute(
        "manufacturer_bpnl", _("Manufacturer business partner number (BPNL)"), G, MODEL, T.IDENTIFIER, PUBLIC,
        catenax_paths=("operation.manufacturer.manufacturer",), text_format=TextFormat.BPNL,
        help_text=_("Catena-X identifier of the manufacturer, if different from the passport owner."),
    ),
    Attribute(
        "weight", _("Weight"), G, MODEL, T.DECIMAL, PUBLIC, min_value=ZERO, unit_key="weight_unit",
        catenax_paths=("characteristics.physicalDimension.weight.value",), annex_xiii=("1(a)",),
    ),
    Attribute(
        "weight_unit", _("Weight unit"), G, MODEL, T.CHOICE, PUBLIC, choices=ch.MASS_UNITS,
        catenax_paths=("characteristics.physicalDimension.weight.unit",), annex_xiii=("1(a)",),
    ),
    Attribute(
        "length", _("Length"), G, MODEL, T.DECIMAL, PUBLIC, min_value=ZERO, unit_key="length_unit",
        catenax_paths=("characteristics.physicalDimension.length.value",),
    ),
    Attribute(
        "length_unit", _("Length unit"), G, MODEL, T.CHOICE, PUBLIC, choices=ch.LINEAR_UNITS,
        catenax_paths=("characteristics.physicalDimension.length.unit",),
    ),
    Attribute(
        "width", _("Width"), G, MODEL, T.DECIMAL, PUBLIC, min_value=ZERO, unit_key="width_unit",
        catenax_paths=("characteristics.physicalDimension.width.value",),
    ),
    Attribute(
        "width_unit", _("Width unit"), G, MODEL, T.CHOICE, PUBLIC, choices=ch.LINEAR_UNITS,
        catenax_paths=("characteristics.physicalDimension.width.unit",),
    ),
    Attribute(
        "height", _("Height"), G, MODEL, T.DECIMAL, PUBLIC, min_value=ZERO, unit_key="height_unit",
        catenax_paths=("characteristics.physicalDimension.height.value",),
    ),
    Attribute(
        "height_unit", _("Height unit"), G, MODEL, T.CHOICE, PUBLIC, choices=ch.LINEAR_UNITS,
        catenax_paths=("characteristics.physicalDimension.height.unit",),
    ),
    Attribute(
        "product_codes", _("Product codes"), G, MODEL, T.GROUP, PUBLIC,
        help_text=_("Codes identifying the product, such as GTIN or TARIC."),
    ),
    Attribute(
        "product_codes.key", _("Code type"), G, MODEL, T.TEXT, PUBLIC, group="product_codes",
        catenax_paths=("identification.identification.codes[].key",), help_text=_("e.g. GTIN, TARIC"),
    ),
    Attribute(
        "product_codes.value", _("Code"), G, MODEL, T.IDENTIFIER, PUBLIC, group="product_codes",
        catenax_paths=("identification.identification.codes[].value",),
    ),
    Attribute("classifications", _("Part classifications"), G, MODEL, T.GROUP, PUBLIC),
    Attribute(
        "classifications.standard", _("Classification standard"), G, MODEL, T.TEXT, PUBLIC,
        group="classifications",
        catenax_paths=("identification.identification.classification[].classificationStandard",),
    ),
    Attribute(
        "classifications.classification_id", _("Classification ID"), G, MODEL, T.IDENTIFIER, PUBLIC,
        group="classifications",
        catenax_paths=("identification.identification.classification[].classificationID",),
    ),
    Attribute(
        "classifications.description", _("Classification description"), G, MODEL, T.TEXT, PUBLIC,
        group="classifications",
        catenax_paths=("identification.identification.classification[].classificationDescription",),
    ),
    Attribute(
        "data_carrier_type", _("Data carrier type"), G, MODEL, T.TEXT, PUBLIC, max_length=100,
        catenax_paths=("identification.identification.dataCarrier.carrierType",),
        help_text=_("The QR code of Art. 13(6) (ISO/IEC 18004)."),
    ),
    Attribute(
        "data_carrier_layout", _("Data carrier position on the battery"), G, MODEL, T.TEXT, PUBLIC,
        catenax_paths=("identification.identification.dataCarrier.carrierLayout",),
    ),
    Attribute(
        "intended_purposes", _("Intended industries"), G, MODEL, T.TEXT, PUBLIC, many=True, max_length=100,
        catenax_paths=("commercial.purpose[]",),
        help_text=_("Catena-X requires 'automotive' among them when the passport is exchanged there."),
    ),
    Attribute(
        "additional_sources", _("Additional information sources"), G, MODEL, T.GROUP, PUBLIC,
        help_text=_("Published to everyone: links to specifications, manuals and other public material."),
    ),
    Attribute(
        "additional_sources.header", _("Title"), G, MODEL, T.TEXT, PUBLIC, max_length=100,
        group="additional_sources", catenax_paths=("sources[].header",),
    ),
    Attribute(
        "additional_sources.category", _("Category"), G, MODEL, T.CHOICE, PUBLIC,
        choices=ch.SOURCE_CATEGORIES,
        group="additional_sources", catenax_paths=("sources[].category",),
    ),
    Attribute(
        "additional_sources.content_type", _("Content type"), G, MODEL, T.TEXT, PUBLIC, max_length=100,
        group="additional_sources", catenax_paths=("sources[].type",), help_text=_("e.g. URL, PDF"),
    ),
    Attribute(
        "additional_sources.content", _("Link or file"), G, MODEL, T.TEXT, PUBLIC, max_length=2048,
        group="additional_sources", catenax_paths=("sources[].content",),
    ),
    # --- the individual battery ---
    Attribute(
        "unique_identifier", _("Unique battery identifier"), G, BATTERY, T.IDENTIFIER, PUBLIC,
        catenax_paths=("identification.idDmc",), annex_xiii=("1(a)",), max_length=200,
        help_text=_("ISO/IEC 15459 identifier the QR code links to (Art. 77(3)); unique per operator."),
    ),
    Attribute(
        "serial_identifiers", _("Serial numbers"), G, BATTERY, T.GROUP, PUBLIC, annex_xiii=("1(a)",),
        help_text=_("The battery's serial number(s); key 'partInstanceId' for the manufacturer's serial."),
    ),
    Attribute(
        "serial_identifiers.key", _("Key"), G, BATTERY, T.TEXT, PUBLIC, group="serial_identifiers",
        catenax_paths=("identification.identification.serial[].key",), annex_xiii=("1(a)",),
        pattern=r"(manufacturerId|partInstanceId|batchId|van|customKey:\w+)",
    ),
    Attribute(
        "serial_identifiers.value", _("Serial number"), G, BATTERY, T.IDENTIFIER, PUBLIC,
        group="serial_identifiers", catenax_paths=("identification.identification.serial[].value",),
        annex_xiii=("1(a)",),
    ),
    Attribute(
        "batch_identifiers", _("Batch numbers"), G, BATTERY, T.GROUP, PUBLIC, annex_xiii=("1(a)",),
    ),
    Attribute(
        "batch_identifiers.key", _("Key"), G, BATTERY, T.TEXT, PUBLIC, group="batch_identifiers",
        catenax_paths=("identification.identification.batch[].key",), annex_xiii=("1(a)",),
        pattern=r"(manufacturerId|batchId|customKey:\w+)",
    ),
    Attribute(
        "batch_identifiers.value", _("Batch number"), G, BATTERY, T.IDENTIFIER, PUBLIC,
        group="batch_identifiers", catenax_paths=("identification.identification.batch[].value",),
        annex_xiii=("1(a)",),
    ),
    Attribute(
        "manufacturing_date", _("Date of manufacture"), G, BATTERY, T.DATE, PUBLIC,
        catenax_paths=("operation.manufacturer.manufacturingDate",), annex_xiii=("1(a)",),
    ),
    Attribute(
        "manufacturing_place", _("Place of manufacture"), G, BATTERY, T.TEXT, PUBLIC, annex_xiii=("1(a)",),
        help_text=_("Geographical location of the manufacturing plant (town, region)."),
    ),
    Attribute(
        "manufacturing_country", _("Country of manufacture"), G, BATTERY, T.COUNTRY, PUBLIC,
        annex_xiii=("1(a)",),
    ),
    Attribute(
        "manufacturing_facilities", _("Manufacturing site (BPNA)"), G, BATTERY, T.IDENTIFIER, PUBLIC,
        many=True, text_format=TextFormat.BPNA, catenax_paths=("operation.manufacturer.facility[].facility",),
    ),
    Attribute(
        "placed_on_market_date", _("Date placed on the market"), G, BATTERY, T.DATE, PUBLIC,
        catenax_paths=("commercial.placedOnMarket",),
    ),
    Attribute(
        "put_into_service_date", _("Date put into service"), G, BATTERY, T.DATE, LI,
        catenax_paths=("operation.intoServiceDate",), annex_xiii=("4(b)",),
        help_text=_("A parameter for the expected lifetime (Art. 14, Annex VII part B)."),
    ),
    Attribute(
        "battery_status", _("Battery status"), G, BATTERY, T.CHOICE, LI, choices=ch.BATTERY_STATUSES,
        catenax_paths=("sustainability.status",), annex_xiii=("4(c)",),
    ),
    # --- passport record metadata: filled by the platform ---
    Attribute(
        "passport_id", _("Passport identifier"), G, BATTERY, T.IDENTIFIER, PUBLIC, system=True,
        text_format=TextFormat.UUID, catenax_paths=("metadata.passportIdentifier",),
    ),
    Attribute(
        "passport_version", _("Passport version"), G, BATTERY, T.TEXT, PUBLIC, system=True, max_length=50,
        catenax_paths=("metadata.version",),
    ),
    Attribute(
        "passport_status", _("Passport status"), G, BATTERY, T.CHOICE, PUBLIC, system=True,
        choices=ch.PASSPORT_STATUSES, catenax_paths=("metadata.status",),
    ),
    Attribute(
        "passport_issue_date", _("Passport issued on"), G, BATTERY, T.DATE, PUBLIC, system=True,
        catenax_paths=("metadata.issueDate",),
    ),
    Attribute(
        "passport_last_modification", _("Passport last modified on"), G, BATTERY, T.DATE, PUBLIC, system=True,
        catenax_paths=("metadata.lastModification",),
    ),
    Attribute(
        "passport_expiration_date", _("Passport available until"), G, BATTERY, T.DATE, PUBLIC, system=True,
        catenax_paths=("metadata.expirationDate",),
    ),
    Attribute(
        "economic_operator_id", _("Economic operator (BPNL)"), G, BATTERY, T.IDENTIFIER, PUBLIC, system=True,
        text_format=TextFormat.BPNL, catenax_paths=("metadata.economicOperatorId",),
    ),
    Attribute(
        "predecessor_passport_id", _("Predecessor passport"), G, BATTERY, T.IDENTIFIER, PUBLIC, system=True,
        text_format=TextFormat.UUID, catenax_paths=("metadata.predecessor",),
        help_text=_("Set when repurposing or remanufacturing created this passport (Art. 77(6))."),
    ),
    Attribute(
        "backup_reference", _("Back-up copy reference"), G, BATTERY, T.TEXT, PUBLIC, system=True,
        max_length=2048, catenax_paths=("metadata.backupReference",),
    ),
    Attribute(
        "registration_identifier", _("Registry identifier"), G, BATTERY, T.TEXT, PUBLIC, system=True,
        max_length=2048, catenax_paths=("metadata.registrationIdentifier",),
    ),
    Attribute(
        "spec_version", _("Catena-X data model version"), G, BATTERY, T.TEXT, PUBLIC, system=True,
        max_length=200, catenax_paths=("specVersion",),
    ),
)

# ==== Symbols, labels and conformity ================================================================
L = Cluster.LABELS
add(
    doc(
        "meaning_of_labels", _("Meaning of symbols and labels"), "safety.meaningOfLabels", L, MODEL, PUBLIC,
        ("1(q)",), help_text=_("Separate-collection symbol, Cd/Pb symbols and the other markings (Art. 13)."),
    ),
    doc(
        "eu_declaration_of_conformity", _("EU declaration of conformity"),
        "conformity.declarationOfConformity",
        L, MODEL, PUBLIC, ("1(r)",),
    ),
    Attribute(
        "declaration_of_conformity_id", _("EU declaration of conformity number"), L, MODEL, T.IDENTIFIER,
        PUBLIC, catenax_paths=("conformity.declarationOfConformityId",), annex_xiii=("1(r)",),
    ),
    doc(
        "instructions_for_use", _("Instructions for use"), None, L, MODEL, PUBLIC, ("1(q)-(t)",),
    ),
    doc(
        "test_reports", _("Results of test reports proving compliance"), "conformity.resultOfTestReport",
        L, MODEL, AUTHORITY, ("3",),
        help_text=_("Only notified bodies, market surveillance authorities and the Commission see these."),
    ),
    doc(
        "eu_taxonomy_disclosure", _("EU taxonomy disclosure statement"),
        "sustainability.documents.euTaxonomyDisclosureStatement", L, MODEL, PUBLIC,
        help_text=_("Voluntary; published to everyone."),
    ),
    doc(
        "sustainability_report", _("Sustainability report"), "sustainability.documents.sustainabilityReport",
        L, MODEL, PUBLIC, help_text=_("Voluntary; published to everyone."),
    ),
)

# ==== Carbon footprint (Art. 7) ====================================================================
C = Cluster.CARBON
CF = "sustainability.carbonFootprint[]"
add(
    Attribute(
        "carbon_footprint", _("Carbon footprint"), C, MODEL, T.GROUP, PUBLIC, annex_xiii=("1(c)",),
        help_text=_(
            "Per battery model and manufacturing plant: one row for the total and one per life-cycle stage, "
            "in kg CO2e per kWh of total energy over the service life."
        ),
    ),
    Attribute(
        "carbon_footprint.lifecycle_stage", _("Life-cycle stage"), C, MODEL, T.CHOICE, PUBLIC,
        group="carbon_footprint", catenax_paths=(f"{CF}.lifecycle",), annex_xiii=("1(c)",),
        choices=ch.LIFECYCLE_STAGES,
    ),
    Attribute(
        "carbon_footprint.impact_category", _("Impact category"), C, MODEL, T.CHOICE, PUBLIC,
        group="carbon_footprint", catenax_paths=(f"{CF}.type",), annex_xiii=("1(c)",),
        choices=ch.FOOTPRINT_IMPACT_CATEGORIES,
        help_text=_("'Climate change, total' for the carbon footprint of Art. 7."),
    ),
    Attribute(
        "carbon_footprint.value", _("Value"), C, MODEL, T.DECIMAL, PUBLIC, unit="kg CO2e/kWh",
        group="carbon_footprint", catenax_paths=(f"{CF}.value",), annex_xiii=("1(c)",), min_value=ZERO,
    ),
    Attribute(
        "carbon_footprint.unit", _("Unit as declared"), C, MODEL, T.TEXT, PUBLIC, max_length=100,
        group="carbon_footprint", catenax_paths=(f"{CF}.unit",), annex_xiii=("1(c)",),
        help_text=_("kg CO2e/kWh for the carbon footprint; other impact categories have their own units."),
    ),
    Attribute(
        "carbon_footprint.performance_class", _("Carbon footprint performance class"), C, MODEL, T.TEXT,
        PUBLIC, max_length=10, group="carbon_footprint", catenax_paths=(f"{CF}.performanceClass",),
        annex_xiii=("1(c)",),
        help_text=_("Classes (A, B, ...) are set by a delegated act that is not yet adopted."),
    ),
    Attribute(
        "carbon_footprint.manufacturing_plants", _("Manufacturing plants (BPNA)"), C, MODEL, T.IDENTIFIER,
        PUBLIC, many=True, text_format=TextFormat.BPNA, group="carbon_footprint",
        catenax_paths=(f"{CF}.manufacturingPlant[].facility",), annex_xiii=("1(c)",),
    ),
    Attribute(
        "carbon_footprint.study_url", _("Public carbon footprint study"), C, MODEL, T.URL, PUBLIC,
        group="carbon_footprint", annex_xiii=("1(c)",),
        help_text=_("Web link to the public version of the study supporting the values (Art. 7(1))."),
    ),
    doc(
        "carbon_footprint.declaration", _("Carbon footprint declaration"), f"{CF}.declaration", C, MODEL,
        PUBLIC, ("1(c)",), group="carbon_footprint",
    ),
    doc(
        "carbon_footprint.rulebook", _("Calculation rules applied"), f"{CF}.rulebook", C, MODEL, PUBLIC,
        ("1(c)",), group="carbon_footprint",
    ),
)

# ==== Supply chain due diligence (Arts. 47-53) =====================================================
DD = Cluster.DUE_DILIGENCE
SC = "supply_chain"
add(
    doc(
        "due_diligence_report", _("Due diligence policy report"), "conformity.dueDiligencePolicy", DD, MODEL,
        PUBLIC, ("1(d)",),
        help_text=_("The public annual report on the battery due diligence policy (Art. 52(3))."),
    ),
    doc(
        "third_party_verification", _("Summary of third-party verifications"),
        "conformity.thirdPartyAssurance",
        DD, MODEL, PUBLIC, ("1(d)",),
        help_text=_("Summary report of the notified body's verification (Arts. 51 and 52(3)); public."),
    ),
    # Confidential: who the suppliers are and how much is bought from them never leaves the owner and
    # its assigned certifier. No Catena-X path on purpose: it must never be exported to anyone.
    Attribute(
        SC, _("Supply chain of critical raw materials"), DD, MODEL, T.GROUP, CONFIDENTIAL,
        help_text=_("Confidential: seen only by your company and the certifier reviewing it."),
    ),
    Attribute(
        f"{SC}.material", _("Material"), DD, MODEL, T.CHOICE, CONFIDENTIAL, group=SC,
        choices=ch.SUPPLY_CHAIN_MATERIALS,
    ),
    Attribute(f"{SC}.country_of_origin", _("Country of origin"), DD, MODEL, T.COUNTRY, CONFIDENTIAL,
        group=SC),
    Attribute(
        f"{SC}.mine_or_extraction_site", _("Mine or extraction site"), DD, MODEL, T.TEXT, CONFIDENTIAL,
        group=SC,
    ),
    Attribute(f"{SC}.refiner_processor", _("Refiner or processor"), DD, MODEL, T.TEXT, CONFIDENTIAL,
        group=SC),
    Attribute(f"{SC}.refiner_country", _("Country of refining"), DD, MODEL, T.COUNTRY, CONFIDENTIAL,
        group=SC),
    Attribute(f"{SC}.supplier_name", _("Supplier"), DD, MODEL, T.TEXT, CONFIDENTIAL, group=SC),
    Attribute(
        f"{SC}.supplier_identifier", _("Supplier identifier"), DD, MODEL, T.IDENTIFIER, CONFIDENTIAL,
        group=SC,
        text_format=TextFormat.COMPANY, help_text=_("BPNL, Japanese corporate number or LEI."),
    ),
    Attribute(
        f"{SC}.procurement_amount", _("Procurement amount"), DD, MODEL, T.DECIMAL, CONFIDENTIAL, group=SC,
        min_value=ZERO, unit_key=f"{SC}.procurement_unit",
    ),
    Attribute(
        f"{SC}.procurement_unit", _("Unit"), DD, MODEL, T.CHOICE, CONFIDENTIAL, group=SC,
        choices=ch.PROCUREMENT_UNITS,
    ),
    Attribute(
        f"{SC}.procurement_period_start", _("Procurement period from"), DD, MODEL, T.DATE, CONFIDENTIAL,
        group=SC,
    ),
    Attribute(
        f"{SC}.procurement_period_end", _("Procurement period to"), DD, MODEL, T.DATE, CONFIDENTIAL, group=SC,
    ),
    Attribute(
        f"{SC}.recycled_share", _("Recycled share"), DD, MODEL, T.PERCENT, CONFIDENTIAL, group=SC, unit="%",
    ),
    Attribute(
        f"{SC}.assurance_scheme", _("Assurance scheme"), DD, MODEL, T.TEXT, CONFIDENTIAL, group=SC,
        help_text=_("e.g. an industry due-diligence scheme recognised under Art. 51 or an audit standard."),
    ),
)

# ==== Materials and composition =====================================================================
MA = Cluster.MATERIALS
add(
    Attribute(
        "chemistry", _("Battery chemistry"), MA, MODEL, T.TEXT, PUBLIC,
        catenax_paths=("identification.chemistry",), annex_xiii=("1(a)", "1(b)"),
        help_text=_("As precise as possible, e.g. 'Lithium nickel manganese cobalt oxide (NMC 811)'."),
    ),
    Attribute(
        "critical_raw_materials", _("Critical raw materials"), MA, MODEL, T.GROUP, PUBLIC,
        annex_xiii=("1(a)", "1(b)"),
        help_text=_("Critical raw materials present above 0.1 % weight by weight (Annex VI part A)."),
    ),
    Attribute(
        "critical_raw_materials.material", _("Material"), MA, MODEL, T.TEXT, PUBLIC,
        group="critical_raw_materials", annex_xiii=("1(a)", "1(b)"),
    ),
    Attribute(
        "critical_raw_materials.cas_number", _("CAS number"), MA, MODEL, T.CAS_NUMBER, PUBLIC,
        group="critical_raw_materials", annex_xiii=("1(a)", "1(b)"),
    ),
    Attribute(
        "critical_raw_materials.share", _("Share by weight"), MA, MODEL, T.PERCENT, PUBLIC, unit="%",
        group="critical_raw_materials", annex_xiii=("1(a)", "1(b)"),
    ),
)


def _active_material(metal: str, name) -> list[Attribute]:
    """Cobalt, lithium, nickel: Catena-X `materials.active.<metal>` (recycled shares go to circularity)."""
    base = f"materials.active.{metal}"
    return [
        Attribute(
            f"{metal}_critical", format_lazy(_("{material}: critical raw material"), material=name), MA,
            MODEL,
            T.BOOLEAN, PUBLIC, catenax_paths=(f"{base}.critical",), annex_xiii=("1(b)",),
        ),
        Attribute(
            f"{metal}_location", format_lazy(_("{material}: location in the battery"), material=name), MA,
            MODEL, T.TEXT, PUBLIC, catenax_paths=(f"{base}.location",), annex_xiii=("1(b)",),
            help_text=_("e.g. cathode active material"),
        ),
        doc(
            f"{metal}_documents", format_lazy(_("{material}: documentation"), material=name),
            f"{base}.documentation", MA, MODEL, PUBLIC, ("1(b)",), help_text=_("Published to everyone."),
        ),
    ]


def _hazardous_metal(metal: str, name, bases: tuple[str, ...]) -> list[Attribute]:
    """Cadmium, mercury, lead (lead is both an active and a hazardous material in the 6.1.0 model: its
    leaves under `materials.active.lead` and `materials.hazardous.lead` carry the same values)."""

    def paths(leaf: str) -> tuple[str, ...]:
        return tuple(f"{base}.{leaf}" for base in bases)

    def docs(leaf: str) -> tuple[str, ...]:
        return tuple(f"{base}.{leaf}[].{part}" for base in bases for part in ("content", "contentType",
            "header"))

    return [
        Attribute(
            f"{metal}_concentration", format_lazy(_("{material}: concentration"), material=name), MA, MODEL,
            T.DECIMAL, PUBLIC, min_value=ZERO, unit_key=f"{metal}_concentration_unit",
            catenax_paths=paths("concentration"), annex_xiii=("1(b)",),
        ),
        Attribute(
            f"{metal}_concentration_unit", format_lazy(_("{material}: concentration unit"), material=name),
            MA, MODEL, T.CHOICE, PUBLIC, choices=ch.CONCENTRATION_UNITS,
            catenax_paths=paths("materialUnit"), annex_xiii=("1(b)",),
        ),
        Attribute(
            f"{metal}_location", format_lazy(_("{material}: location in the battery"), material=name), MA,
            MODEL, T.TEXT, PUBLIC, catenax_paths=paths("location"), annex_xiii=("1(b)",),
        ),
        Attribute(
            f"{metal}_critical", format_lazy(_("{material}: critical raw material"), material=name), MA,
            MODEL,
            T.BOOLEAN, PUBLIC, catenax_paths=paths("critical"), annex_xiii=("1(b)",),
        ),
        Attribute(
            f"{metal}_documents", format_lazy(_("{material}: documentation"), material=name), MA, MODEL,
            T.DOCUMENT, PUBLIC, catenax_paths=docs("documentation"), annex_xiii=("1(b)",),
            help_text=_("Published to everyone."),
        ),
        Attribute(
            f"{metal}_impact_documents",
            format_lazy(_("{material}: impact on environment, health and safety"), material=name), MA, MODEL,
            T.DOCUMENT, PUBLIC, catenax_paths=docs("impactOfSubstances"), annex_xiii=("1(s)",),
            help_text=_("Impact of the substance on the environment and human health (Art. 74(1)(f))."),
        ),
    ]


OAM = "other_active_materials"
HS = "hazardous_substances"
MC = "material_composition"
add(
    *_active_material("cobalt", _("Cobalt")),
    *_active_material("lithium", _("Lithium")),
    *_active_material("nickel", _("Nickel")),
    *_hazardous_metal("lead", _("Lead"), ("materials.active.lead", "materials.hazardous.lead")),
    *_hazardous_metal("cadmium", _("Cadmium"), ("materials.hazardous.cadmium",)),
    *_hazardous_metal("mercury", _("Mercury"), ("materials.hazardous.mercury",)),
    Attribute(
        OAM, _("Other active materials"), MA, MODEL, T.GROUP, PUBLIC, annex_xiii=("1(b)",),
        help_text=_("Active materials besides cobalt, lithium, nickel and lead, e.g. manganese, graphite."),
    ),
    *substance_identifiers(OAM, "materials.active.other[].materialIdentification", MA, PUBLIC, ("1(b)",)),
    Attribute(
        f"{OAM}.location", _("Location in the battery"), MA, MODEL, T.TEXT, PUBLIC, group=OAM,
        catenax_paths=("materials.active.other[].location",), annex_xiii=("1(b)",),
    ),
    Attribute(
        f"{OAM}.critical", _("Critical raw material"), MA, MODEL, T.BOOLEAN, PUBLIC, group=OAM,
        catenax_paths=("materials.active.other[].critical",), annex_xiii=("1(b)",),
    ),
    Attribute(
        f"{OAM}.recycled_share", _("Recycled share"), MA, MODEL, T.PERCENT, PUBLIC, unit="%", group=OAM,
        catenax_paths=("materials.active.other[].recycled",), annex_xiii=("1(e)",),
    ),
    doc(
        f"{OAM}.documents", _("Documentation"), "materials.active.other[].documentation", MA, MODEL, PUBLIC,
        ("1(b)",), group=OAM,
    ),
    Attribute(
        HS, _("Hazardous substances"), MA, MODEL, T.GROUP, PUBLIC, annex_xiii=("1(a)", "1(b)"),
        help_text=_("Hazardous substances present in the battery other than mercury, cadmium and lead."),
    ),
    *substance_identifiers(HS, "materials.hazardous.other[].materialIdentification", MA, PUBLIC, ("1(a)",
        "1(b)")),
    Attribute(
        f"{HS}.hazard_class", _("Hazard class"), MA, MODEL, T.TEXT, PUBLIC, group=HS, annex_xiii=("1(b)",),
        help_text=_("Hazard class under Regulation (EC) No 1272/2008 (CLP), e.g. 'Carc. 1B'."),
    ),
    Attribute(
        f"{HS}.concentration", _("Concentration"), MA, MODEL, T.DECIMAL, PUBLIC, group=HS, min_value=ZERO,
        unit_key=f"{HS}.concentration_unit",
        catenax_paths=("materials.hazardous.other[].concentration",), annex_xiii=("1(b)",),
    ),
    Attribute(
        f"{HS}.concentration_unit", _("Concentration unit"), MA, MODEL, T.CHOICE, PUBLIC, group=HS,
        choices=ch.CONCENTRATION_UNITS, catenax_paths=("materials.hazardous.other[].materialUnit",),
        annex_xiii=("1(b)",),
    ),
    Attribute(
        f"{HS}.location", _("Location in the battery"), MA, MODEL, T.TEXT, PUBLIC, group=HS,
        catenax_paths=("materials.hazardous.other[].location",), annex_xiii=("1(b)",),
    ),
    Attribute(
        f"{HS}.critical", _("Critical raw material"), MA, MODEL, T.BOOLEAN, PUBLIC, group=HS,
        catenax_paths=("materials.hazardous.other[].critical",), annex_xiii=("1(b)",),
    ),
    doc(
        f"{HS}.documents", _("Documentation"), "materials.hazardous.other[].documentation", MA, MODEL, PUBLIC,
        ("1(b)",), group=HS,
    ),
    doc(
        f"{HS}.impact_documents", _("Impact on environment, health and safety"),
        "materials.hazardous.other[].impactOfSubstances", MA, MODEL, PUBLIC, ("1(s)",), group=HS,
    ),
    # --- legitimate interest: detailed composition (Annex XIII 2(a)) ---
    Attribute(
        "cathode_composition", _("Cathode materials"), MA, MODEL, T.LONG_TEXT, LI, annex_xiii=("2(a)",),
        help_text=_("Detailed composition of the cathode; seen by persons with a legitimate interest."),
    ),
    Attribute(
        "anode_composition", _("Anode materials"), MA, MODEL, T.LONG_TEXT, LI, annex_xiii=("2(a)",),
        help_text=_("Detailed composition of the anode; seen by persons with a legitimate interest."),
    ),
    Attribute(
        "electrolyte_composition", _("Electrolyte materials"), MA, MODEL, T.LONG_TEXT, LI,
        annex_xiii=("2(a)",),
        help_text=_("Detailed composition of the electrolyte; seen by persons with a legitimate interest."),
    ),
    Attribute(
        MC, _("Detailed material composition"), MA, MODEL, T.GROUP, LI, annex_xiii=("2(a)",),
        help_text=_("One row per material; seen by persons with a legitimate interest."),
    ),
    *substance_identifiers(MC, "materials.composition[].id", MA, LI, ("2(a)",)),
    Attribute(
        f"{MC}.location", _("Component"), MA, MODEL, T.TEXT, LI, group=MC,
        catenax_paths=("materials.composition[].location",), annex_xiii=("2(a)",),
        help_text=_("e.g. cathode, anode, electrolyte, separator, housing"),
    ),
    Attribute(
        f"{MC}.concentration", _("Concentration"), MA, MODEL, T.DECIMAL, LI, group=MC, min_value=ZERO,
        unit_key=f"{MC}.concentration_unit",
        catenax_paths=("materials.composition[].concentration",), annex_xiii=("2(a)",),
    ),
    Attribute(
        f"{MC}.concentration_unit", _("Concentration unit"), MA, MODEL, T.CHOICE, LI, group=MC,
        choices=ch.CONCENTRATION_UNITS, catenax_paths=("materials.composition[].unit",), annex_xiii=("2(a)",),
    ),
    Attribute(
        f"{MC}.critical", _("Critical raw material"), MA, MODEL, T.BOOLEAN, LI, group=MC,
        catenax_paths=("materials.composition[].critical",), annex_xiii=("2(a)",),
    ),
    Attribute(
        f"{MC}.recycled_share", _("Recycled share"), MA, MODEL, T.PERCENT, LI, unit="%", group=MC,
        catenax_paths=("materials.composition[].recycled",), annex_xiii=("2(a)",),
    ),
    Attribute(
        f"{MC}.renewable_share", _("Renewable share"), MA, MODEL, T.PERCENT, LI, unit="%", group=MC,
        catenax_paths=("materials.composition[].renewable",), annex_xiii=("2(a)",),
    ),
    doc(
        f"{MC}.documents", _("Documentation"), "materials.composition[].documentation", MA, MODEL, LI,
        ("2(a)",), group=MC,
    ),
)

# ==== Circularity and resource efficiency ===========================================================
CI = Cluster.CIRCULARITY
RECYCLED_SHARE_ATTRIBUTES: dict[str, str] = {}  # material -> attribute key of its declared recycled share


def _recycled_content(metal: str, name, paths: tuple[str, ...]) -> list[Attribute]:
    """Art. 8 / Annex XIII 1(e): share recovered from waste, and its pre-/post-consumer split."""
    RECYCLED_SHARE_ATTRIBUTES[metal] = f"{metal}_recycled_share"
    return [
        Attribute(
            f"{metal}_recycled_share", format_lazy(_("{material}: recycled content share"),
                material=name), CI,
            MODEL, T.PERCENT, PUBLIC, unit="%", catenax_paths=paths, annex_xiii=("1(e)",),
            help_text=_("Share recovered from manufacturing and post-consumer waste in active materials."),
        ),
        Attribute(
            f"{metal}_recycled_pre_consumer",
            format_lazy(_("{material}: recycled share from manufacturing waste"), material=name), CI, MODEL,
            T.PERCENT, PUBLIC, unit="%", annex_xiii=("1(e)",),
        ),
        Attribute(
            f"{metal}_recycled_post_consumer",
            format_lazy(_("{material}: recycled share from post-consumer waste"), material=name), CI, MODEL,
            T.PERCENT, PUBLIC, unit="%", annex_xiii=("1(e)",),
        ),
    ]


EA = "extinguishing_agents"
SP = "spare_parts"
add(
    *_recycled_content("cobalt", _("Cobalt"), ("materials.active.cobalt.recycled",)),
    *_recycled_content("lithium", _("Lithium"), ("materials.active.lithium.recycled",)),
    *_recycled_content("nickel", _("Nickel"), ("materials.active.nickel.recycled",)),
    *_recycled_content("lead", _("Lead"), ("materials.active.lead.recycled",
        "materials.hazardous.lead.recycled")),
    Attribute(
        "renewable_content_share", _("Share of renewable content"), CI, MODEL, T.PERCENT, PUBLIC, unit="%",
        annex_xiii=("1(f)",),
    ),
    doc(
        "separate_collection_information", _("Separate collection information"),
        "sustainability.documents.separateCollection", CI, MODEL, PUBLIC, ("1(s)",),
        help_text=_("End-users' role in separate collection; take-back and collection points (Art. 74(1))."),
    ),
    doc(
        "waste_prevention_information", _("Waste prevention information"),
        "sustainability.documents.wastePrevention", CI, MODEL, PUBLIC, ("1(s)",),
    ),
    Attribute(
        EA, _("Usable extinguishing agents"), CI, MODEL, T.GROUP, PUBLIC, annex_xiii=("1(a)",),
    ),
    Attribute(
        f"{EA}.agent", _("Extinguishing agent"), CI, MODEL, T.TEXT, PUBLIC, group=EA, annex_xiii=("1(a)",),
        catenax_paths=("safety.usableExtinguishAgent[].media",), help_text=_("e.g. water, dry powder"),
    ),
    Attribute(
        f"{EA}.fire_class", _("Fire class"), CI, MODEL, T.TEXT, PUBLIC, group=EA, annex_xiii=("1(a)",),
        max_length=50, catenax_paths=("safety.usableExtinguishAgent[].fireClass",), help_text=_("e.g. A, B"),
    ),
    doc(
        f"{EA}.documents", _("Documentation"), "safety.usableExtinguishAgent[].document", CI, MODEL, PUBLIC,
        ("1(a)",), group=EA,
    ),
    doc(
        "dismantling_information", _("Dismantling information"), "safety.dismantling", CI, MODEL, LI,
        ("2(c)",),
        help_text=_(
            "Exploded diagrams, disassembly sequence, fasteners, tools, warnings, number and layout of cells."
        ),
    ),
    doc(
        "removal_instructions", _("Removal from the appliance"), "safety.removalFromAppliance", CI, MODEL, LI,
        ("2(c)",),
    ),
    doc(
        "safety_measures", _("Safety measures"), "safety.safetyMeasures", CI, MODEL, LI, ("2(d)",),
    ),
    doc(
        "safe_discharging_information", _("Safe discharging"), "safety.safeDischarging", CI, MODEL, LI,
        ("2(d)",),
    ),
    Attribute(
        "spare_parts_applicable", _("Spare part information applies"), CI, MODEL, T.BOOLEAN, LI,
        catenax_paths=("handling.applicable",),
    ),
    Attribute(SP, _("Spare parts"), CI, MODEL, T.GROUP, LI, annex_xiii=("2(b)",)),
    Attribute(
        f"{SP}.part_id", _("Part number"), CI, MODEL, T.IDENTIFIER, LI, group=SP, annex_xiii=("2(b)",),
        catenax_paths=("handling.content.sparePart[].manufacturerPartId",),
    ),
    Attribute(
        f"{SP}.name", _("Part name"), CI, MODEL, T.TEXT, LI, group=SP, annex_xiii=("2(b)",),
        catenax_paths=("handling.content.sparePart[].nameAtManufacturer",),
    ),
    Attribute(
        "spare_part_producers", _("Spare part sources (BPNL)"), CI, MODEL, T.IDENTIFIER, LI, many=True,
        text_format=TextFormat.BPNL, catenax_paths=("handling.content.producer[].id",), annex_xiii=("2(b)",),
    ),
    Attribute(
        "spare_part_sources_contact", _("Contact details of spare part sources"), CI, MODEL, T.LONG_TEXT, LI,
        annex_xiii=("2(b)",), max_length=2000,
    ),
)

# ==== Performance and durability ===================================================================
PE = Cluster.PERFORMANCE
R = "performance.rated"
add(
    rated("rated_capacity", _("Rated capacity"), f"{R}.capacity.value", "Ah", ("1(g)",)),
    condition_temperature("rated_capacity_temperature", _("Rated capacity: test temperature"),
                          f"{R}.capacity.temperature", ("1(g)",)),
    rated("rated_energy", _("Rated energy"), f"{R}.energy.value", "kWh", ("1(g)",),
          help_text=_("Decides whether an industrial battery needs a passport (above 2 kWh).")),
    condition_temperature("rated_energy_temperature", _("Rated energy: test temperature"),
                          f"{R}.energy.temperature", ("1(g)",)),
    rated("voltage_minimum", _("Minimum voltage"), f"{R}.voltage.min", "V", ("1(h)",)),
    rated("voltage_nominal", _("Nominal voltage"), f"{R}.voltage.nominal", "V", ("1(h)",)),
    rated("voltage_maximum", _("Maximum voltage"), f"{R}.voltage.max", "V", ("1(h)",)),
    condition_temperature("voltage_temperature", _("Voltages: temperature"), f"{R}.voltage.temperature",
        ("1(h)",)),
    rated("rated_power", _("Original power capability"), f"{R}.power.value", "W", ("1(i)",)),
    rated("power_at_80_percent_soc", _("Power capability at 80 percent state of charge"),
          f"{R}.power.at80SoC", "W", ("1(i)",)),
    rated("power_at_20_percent_soc", _("Power capability at 20 percent state of charge"),
          f"{R}.power.at20SoC", "W", ("1(i)",)),
    condition_temperature("power_temperature", _("Power capability: temperature"), f"{R}.power.temperature",
                          ("1(i)",)),
    rated("expected_lifetime_cycles", _("Expected lifetime in cycles"),
          f"{R}.lifetime.cycleLifeTesting.cycles", "cycles", ("1(j)",), type=T.INTEGER),
    Attribute(
        "cycle_life_reference_test", _("Cycle-life reference test"), PE, MODEL, T.TEXT, PUBLIC,
        annex_xiii=("1(j)",), help_text=_("Standard or procedure of the cycle-life test, e.g. IEC 62660-1."),
    ),
    rated("cycle_life_depth_of_discharge", _("Cycle-life test: depth of discharge"),
          f"{R}.lifetime.cycleLifeTesting.depthOfDischarge", "%", ("1(j)",), type=T.PERCENT),
    condition_temperature("cycle_life_temperature", _("Cycle-life test: temperature"),
                          f"{R}.lifetime.cycleLifeTesting.temperature", ("1(j)",)),
    rated("cycle_life_charge_rate", _("Cycle-life test: charge rate"),
          f"{R}.lifetime.cycleLifeTesting.appliedChargeRate", "C", ("1(p)",)),
    rated("cycle_life_discharge_rate", _("Cycle-life test: discharge rate"),
          f"{R}.lifetime.cycleLifeTesting.appliedDischargeRate", "C", ("1(p)",)),
    rated("expected_lifetime_years", _("Expected lifetime in years"), f"{R}.lifetime.expectedYears", "years",
          ("1(j)",)),
    rated("capacity_threshold_exhaustion", _("Capacity threshold for exhaustion"),
          f"{R}.capacity.thresholdExhaustion", "%", ("1(k)",), type=T.PERCENT,
          help_text=_("Electric vehicle batteries only.")),
    rated("idle_temperature_lower", _("Lowest temperature when not in use"), f"{R}.temperature.lower", "°C",
          ("1(l)",), min_value=ABSOLUTE_ZERO_C),
    rated("idle_temperature_upper", _("Highest temperature when not in use"), f"{R}.temperature.upper", "°C",
          ("1(l)",), min_value=ABSOLUTE_ZERO_C),
    Attribute(
        "idle_temperature_reference_test", _("Idle temperature range: reference test"), PE, MODEL, T.TEXT,
        PUBLIC, annex_xiii=("1(l)",),
    ),
    rated("warranty_period", _("Commercial warranty for calendar life"), "characteristics.warranty.lifeValue",
          None, ("1(m)",), type=T.INTEGER),
    Attribute(
        "warranty_period_unit", _("Warranty period unit"), PE, MODEL, T.CHOICE, PUBLIC, choices=ch.LIFE_UNITS,
        catenax_paths=("characteristics.warranty.lifeUnit",), annex_xiii=("1(m)",),
    ),
    rated("round_trip_efficiency_initial", _("Initial round-trip energy efficiency"),
          f"{R}.roundTripEfficiency.initial", "%", ("1(n)",), type=T.PERCENT),
    rated("round_trip_efficiency_50_percent_life",
          _("Round-trip energy efficiency at 50 percent of cycle life"),
          f"{R}.roundTripEfficiency.50PercentLife", "%", ("1(n)",), type=T.PERCENT),
    rated("round_trip_efficiency_depth_of_discharge", _("Round-trip efficiency: depth of discharge"),
          f"{R}.roundTripEfficiency.depthOfDischarge", "%", ("1(n)",), type=T.PERCENT),
    condition_temperature("round_trip_efficiency_temperature", _("Round-trip efficiency: temperature"),
                          f"{R}.roundTripEfficiency.temperature", ("1(n)",)),
    rated("internal_resistance_cell", _("Internal cell resistance"), f"{R}.resistance.cell", "Ω", ("1(o)",)),
    rated("internal_resistance_module", _("Internal module resistance"), f"{R}.resistance.module", "Ω",
          ("1(o)",)),
    rated("internal_resistance_pack", _("Internal pack resistance"), f"{R}.resistance.pack", "Ω", ("1(o)",)),
    condition_temperature("internal_resistance_temperature", _("Internal resistance: temperature"),
                          f"{R}.resistance.temperature", ("1(o)",)),
    Attribute(
        "rated_self_discharge_rate", _("Initial self-discharge rate"), PE, MODEL, T.PERCENT, LI,
        unit="%/month",
        catenax_paths=(f"{R}.selfDischargingRate",), annex_xiii=("4(b)",),
        help_text=_("Starting point for the evolution of self-discharge (Annex VII part A)."),
    ),
    doc("rated_performance_documents", _("Performance documentation (rated values)"),
        f"{R}.performanceDocument", PE, MODEL, AUTHORITY, ("3",)),
    doc("rated_test_reports", _("Test reports for rated values"), f"{R}.testReport", PE, MODEL, AUTHORITY,
        ("3",)),
    doc("lifetime_test_reports", _("Lifetime test reports"), f"{R}.lifetime.report", PE, MODEL, AUTHORITY,
        ("3",)),
)

# --- dynamic data of the individual battery (legitimate interest, Annex XIII point 4) ---
DY = "performance.dynamic"
NE = "negative_events"
add(
    measured("state_of_health", _("State of health"), None, "%", ("4(b)",), type=T.PERCENT,
             help_text=_("For batteries other than EV batteries (EV batteries report SOCE).")),
    measured("state_of_certified_energy", _("State of certified energy (SOCE)"), f"{DY}.energy.soce", "%",
             ("4(b)",), type=T.PERCENT),
    measured("remaining_capacity", _("Remaining capacity"), f"{DY}.capacity.capacity", "Ah", ("4(b)",)),
    measured("capacity_fade", _("Capacity fade"), f"{DY}.capacity.fade", "%", ("4(a)",), type=T.PERCENT),
    measured("remaining_energy", _("Remaining energy"), f"{DY}.energy.remaining", "kWh", ("4(b)",)),
    measured("remaining_power", _("Remaining power capability"), f"{DY}.power.remaining", "W", ("4(b)",)),
    measured("power_fade", _("Power fade"), f"{DY}.power.fade", "%", ("4(a)",), type=T.PERCENT),
    measured("remaining_round_trip_efficiency", _("Remaining round-trip efficiency"),
             f"{DY}.roundTripEfficiency.remaining", "%", ("4(b)",), type=T.PERCENT),
    measured("round_trip_efficiency_fade", _("Round-trip efficiency fade"), f"{DY}.roundTripEfficiency.fade",
             "%", ("4(a)",), type=T.PERCENT),
    measured("remaining_resistance_cell", _("Cell resistance"), f"{DY}.resistance.remaining.cell", "Ω",
             ("4(b)",)),
    measured("remaining_resistance_module", _("Module resistance"), f"{DY}.resistance.remaining.module", "Ω",
             ("4(b)",)),
    measured("remaining_resistance_pack", _("Pack resistance"), f"{DY}.resistance.remaining.pack", "Ω",
             ("4(b)",)),
    measured("resistance_increase_cell", _("Cell resistance increase"), f"{DY}.resistance.increase.cell", "%",
             ("4(a)",), help_text=_("Relative to the initial value; may exceed 100 %.")),
    measured("resistance_increase_module", _("Module resistance increase"),
             f"{DY}.resistance.increase.module", "%", ("4(a)",)),
    measured("resistance_increase_pack", _("Pack resistance increase"), f"{DY}.resistance.increase.pack", "%",
             ("4(a)",)),
    Attribute(
        "self_discharge_rate", _("Self-discharge rate"), PE, BATTERY, T.PERCENT, LI, unit="%/month",
        catenax_paths=(f"{DY}.selfDischargingRate",), annex_xiii=("4(b)",),
    ),
    measured("capacity_throughput", _("Capacity throughput"), f"{DY}.capacity.throughput", "Ah", ("4(b)",)),
    measured("energy_throughput", _("Energy throughput"), f"{DY}.energy.throughput", "kWh", ("4(b)",)),
    measured("full_cycles", _("Number of full charge-discharge cycles"), f"{DY}.fullCycles", "cycles",
             ("4(d)",)),
    measured("state_of_charge", _("State of charge"), f"{DY}.stateOfCharge", "%", ("4(d)",), type=T.PERCENT),
    measured("temperature_maximum_recorded", _("Highest temperature recorded"), None, "°C", ("4(d)",),
             min_value=ABSOLUTE_ZERO_C),
    measured("temperature_minimum_recorded", _("Lowest temperature recorded"), None, "°C", ("4(d)",),
             min_value=ABSOLUTE_ZERO_C),
    measured("time_in_extreme_temperatures", _("Time spent in extreme temperatures"), None, "h", ("4(d)",)),
    measured("time_charging_in_extreme_temperatures", _("Time spent charging in extreme temperatures"), None,
             "h", ("4(d)",)),
    measured("deep_discharge_events", _("Number of deep discharge events"), None, None, ("4(d)",),
             type=T.INTEGER),
    Attribute(
        NE, _("Negative events"), PE, BATTERY, T.GROUP, LI, annex_xiii=("4(d)",),
        help_text=_("Accidents and other harmful events, appended as they happen."),
    ),
    Attribute(f"{NE}.occurred_at", _("Occurred at"), PE, BATTERY, T.DATETIME, LI, group=NE,
        annex_xiii=("4(d)",)),
    Attribute(
        f"{NE}.kind", _("Kind of event"), PE, BATTERY, T.CHOICE, LI, group=NE, annex_xiii=("4(d)",),
        choices=ch.NEGATIVE_EVENT_KINDS,
    ),
    Attribute(
        f"{NE}.description", _("Description"), PE, BATTERY, T.LONG_TEXT, LI, group=NE, annex_xiii=("4(d)",),
        max_length=2000,
    ),
    doc("negative_event_reports", _("Negative event reports"), f"{DY}.negativeEvents", PE, BATTERY, LI,
        ("4(d)",)),
    doc("operating_environment_reports", _("Operating environment records"), f"{DY}.operatingEnvironment", PE,
        BATTERY, LI, ("4(d)",), help_text=_("Periodically recorded temperature and state-of-charge data.")),
    doc("dynamic_performance_documents", _("Performance documentation (this battery)"),
        f"{DY}.performanceDocument", PE, BATTERY, LI, ("4(a)",)),
)

# fmt: on

ATTRIBUTES: tuple[Attribute, ...] = tuple(_attributes)
