"""Choice lists of the catalogue. Where the Catena-X BatteryPass 6.1.0 schema has an enumeration, the
stored values are the schema's values (so exports need no translation table); labels are for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import CATEGORY_LABELS, Category

BATTERY_CATEGORIES = tuple((category.value, CATEGORY_LABELS[category]) for category in Category)

# schema: StateEnumeration (sustainability.status); Annex XIII 4(c)
BATTERY_STATUSES = (
    ("original", _("Original")),
    ("repurposed", _("Repurposed")),
    ("re-used", _("Re-used")),
    ("remanufactured", _("Remanufactured")),
    ("waste", _("Waste")),
)

# schema: StatusEnumeration (metadata.status)
PASSPORT_STATUSES = (
    ("draft", _("Draft")),
    ("approved", _("Approved")),
    ("invalid", _("Invalid")),
    ("expired", _("Expired")),
)

# schema: LinearUnitEnumeration (sensible default first)
LINEAR_UNITS = (
    ("unit:millimetre", _("mm")),
    ("unit:centimetre", _("cm")),
    ("unit:metre", _("m")),
    ("unit:kilometre", _("km")),
    ("unit:inch", _("inch")),
    ("unit:foot", _("foot")),
    ("unit:yard", _("yard")),
)

# schema: MassUnitEnumeration (sensible default first)
MASS_UNITS = (
    ("unit:kilogram", _("kg")),
    ("unit:gram", _("g")),
    ("unit:tonneMetricTon", _("t (metric tonne)")),
    ("unit:tonUsOrShortTonUkorus", _("short ton (US)")),
    ("unit:ounceAvoirdupois", _("ounce")),
    ("unit:pound", _("pound")),
)

# schema: LifeEnumeration (characteristics.warranty.lifeUnit)
LIFE_UNITS = (
    ("unit:year", _("years")),
    ("unit:month", _("months")),
    ("unit:day", _("days")),
    ("unit:cycle", _("cycles")),
    ("unit:runningOrOperatingHour", _("operating hours")),
)

# schema: ConcentrationEnumeration
CONCENTRATION_UNITS = (
    ("unit:percent", _("% (by weight)")),
    ("unit:partPerMillion", _("ppm")),
    ("unit:partPerThousand", _("‰ (parts per thousand)")),
    ("unit:partPerBillionUs", _("ppb")),
    ("unit:partPerTrillionUs", _("ppt")),
    ("unit:percentVolume", _("% (by volume)")),
)
PERCENT_CONCENTRATION_UNITS = frozenset({"unit:percent", "unit:percentVolume"})

# schema: ListTypeEnumerationId
SUBSTANCE_ID_SCHEMES = (
    ("CAS", _("CAS number")),
    ("EC", _("EC number")),
    ("IUPAC", _("IUPAC name")),
)

# schema: CategoryEnumeration0 (sustainability.carbonFootprint[].type)
FOOTPRINT_IMPACT_CATEGORIES = (
    ("Climate Change Total", _("Climate change, total")),
    ("Climate Change Fossil", _("Climate change, fossil")),
    ("Climate Change Biogenic Removals and Emissions", _("Climate change, biogenic removals and emissions")),
    ("Climate Change Land Use and Land Use Change", _("Climate change, land use and land use change")),
    ("Ozone Depletion", _("Ozone depletion")),
    ("Acidification", _("Acidification")),
    ("Eutrophication Aquatic Freshwater", _("Eutrophication, aquatic freshwater")),
    ("Eutrophication Fresh Marine", _("Eutrophication, marine")),
    ("Eutrophication Terrestrial", _("Eutrophication, terrestrial")),
    ("Photochemical Ozone Formation", _("Photochemical ozone formation")),
    ("Abiotic Depletion- Minerals and Metals", _("Abiotic depletion, minerals and metals")),
    ("Fossil Fuels", _("Fossil fuels")),
    ("Water Use", _("Water use")),
    ("Particulate Matter Emissions", _("Particulate matter emissions")),
    ("Ionizing Radiation, Human Health", _("Ionising radiation, human health")),
    ("Eco-Toxicity", _("Eco-toxicity")),
    ("Human Toxicity, Cancer Effects", _("Human toxicity, cancer effects")),
    ("Human Toxicity, Non-Cancer Effects", _("Human toxicity, non-cancer effects")),
    ("Land Use Related Impacts/Soil Quality", _("Land use related impacts / soil quality")),
)

# Art. 7(1)(e) and Annex II: life-cycle stages (the schema's `lifecycle` is free text whose description
# names exactly these four), plus the whole life cycle for the Art. 7(1)(d) total, and cradle to gate: the
# first two stages as one figure, the production stage of a Catena-X/PACT footprint (io.catenax.pcf), for a
# source that does not split it (stored as stated rather than split by guesswork).
LIFECYCLE_STAGES = (
    ("total", _("Total (whole life cycle)")),
    ("raw material acquisition and pre-processing", _("Raw material acquisition and pre-processing")),
    ("main product production", _("Main product production")),
    ("cradle-to-gate", _("Cradle to gate (raw material acquisition and main product production together)")),
    ("distribution", _("Distribution")),
    ("end of life and recycling", _("End of life and recycling")),
)

# schema: SourceCategoryEnumeration (sources[].category)
SOURCE_CATEGORIES = (
    ("Product Specifications", _("Product specifications")),
    ("Manufacturer Information", _("Manufacturer information")),
    ("User Manuals and Guides", _("User manuals and guides")),
    ("Certifications and Compliance", _("Certifications and compliance")),
    ("Product Images and Videos", _("Product images and videos")),
    ("Warranty Information", _("Warranty information")),
    ("Reviews and Ratings", _("Reviews and ratings")),
    ("Product Variations", _("Product variations")),
    ("Supply Chain Information", _("Supply chain information")),
    ("Environmental Impact", _("Environmental impact")),
    ("Compatibility and Accessories", _("Compatibility and accessories")),
    ("FAQs and Support", _("FAQs and support")),
    ("Purchase and Retail Information", _("Purchase and retail information")),
    ("Privacy and Data Handling", _("Privacy and data handling")),
    ("Third-Party Integrations", _("Third-party integrations")),
    ("Legal Information", _("Legal information")),
    ("Safety Information", _("Safety information")),
    ("Repair and Installation", _("Repair and installation")),
    ("Waste Generation and Prevention", _("Waste generation and prevention")),
    ("Specific Voluntary Labels", _("Specific voluntary labels")),
    ("Product Packaging", _("Product packaging")),
    ("Return and Disposal", _("Return and disposal")),
    ("End of Life", _("End of life")),
    ("Material and Substance Information", _("Material and substance information")),
    ("Technical Documentation", _("Technical documentation")),
    ("Treatment facilities", _("Treatment facilities")),
    ("Other", _("Other")),
)

NEGATIVE_EVENT_KINDS = (
    ("accident", _("Accident")),
    ("deep_discharge", _("Deep discharge")),
    ("overcharge", _("Overcharge")),
    ("extreme_temperature", _("Extreme temperature")),
    ("thermal_event", _("Thermal event")),
    ("mechanical_damage", _("Mechanical damage")),
    ("water_ingress", _("Water ingress")),
    ("other", _("Other")),
)

# Supply chain (confidential): the critical battery materials the MoU and Arts. 47-53 trace.
SUPPLY_CHAIN_MATERIALS = (
    ("lithium", _("Lithium")),
    ("cobalt", _("Cobalt")),
    ("nickel", _("Nickel")),
    ("natural_graphite", _("Natural graphite")),
    ("manganese", _("Manganese")),
    ("other", _("Other")),
)

PROCUREMENT_UNITS = (
    ("t", _("t (metric tonnes)")),
    ("kg", _("kg")),
)
