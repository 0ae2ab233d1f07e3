"""IDTA Digital Battery Passport (CX-0160) as AAS value-only JSON: export and import.

`convert.passport_submodels` exports one object keyed by submodel plus `shellDescriptor` (AAS Part 2,
Catena-X specific asset ids) and `omittedSubmodels`; `convert.import_submodels` imports such an object
as a draft passport through the Catena-X 6.1.0 import. Schemas: `schemas` (verbatim copies in
`passports/catenax_data/idta-dbp/`).

What maps where (IDTA path -> catalogue key; [6.1.0] = also in the BatteryPass 6.1.0 document)
----------------------------------------------------------------------------------------------
Nameplate
  ManufacturerName[0]                      manufacturer_name (one text; language tag not kept: "en" out)
  AddressInformation Street/ZipCode/CityTown/NationalCode
                                           manufacturer_address (three lines "street / zip city / country")
  AddressInformation.Email.EmailAddress    manufacturer_email
  AddressInformation.AddressOfAdditionalLink  manufacturer_website
  SerialNumber                             serial_identifiers[partInstanceId] [6.1.0], or unique_identifier
  DateOfManufacture / DateOfPuttingIntoService  manufacturing_date / put_into_service_date [6.1.0]
  UniqueFacilityIdentifier                 manufacturing_facilities[0] [6.1.0]
  LifeCycleStage                           battery_status [6.1.0] (same enumeration)
  OperatorIdentifier                       economic operator (metadata.economicOperatorId) [6.1.0]
  ManufacturerIdentifier                   manufacturer_bpnl [6.1.0]
  Markings[] (MarkingName, MarkingFile)    meaning_of_labels documents (header, content, type) [6.1.0]
  EUDeclarationOfConformity[]              eu_declaration_of_conformity documents (content) [6.1.0]
  ResultsOfTestReportsProvingCompliance[]  test_reports documents (content; authority only) [6.1.0]
  URIOfTheProduct                          export only: the public passport page (what the QR encodes)
TechnicalData
  GeneralInformation ManufacturerName / ManufacturerIdentifier  as in Nameplate
  WarrantyInformation.WarrantyPeriod       warranty_period + warranty_period_unit (PnY / PnM / PnD)
  BatteryCategory                          battery_category (sli/portable have no IDTA value)
  BatteryMass (kg)                         weight (+ weight_unit, converted from g / t on export)
  rated values                             see TECHNICAL_RATED (voltages, capacity, energy, efficiency,
                                           resistances, power, idle temperatures, lifetime, C-rate)
  fades and resistance increases           dynamic points (TECHNICAL_DYNAMIC), timed at DppMetadata.lastUpdate
  OriginalPowerCapability[] at 80/20 % SoC power_at_80_percent_soc / power_at_20_percent_soc
  CycleLifeReferenceTest[0]                cycle_life_reference_test
  RatioNominalBatteryPowerAndBatteryEnergy export only: rated_power / (rated_energy * 1000), derived
ProductCondition
  <Name>{<Name>Value, LastUpdate}          the timestamped keys of CONDITION_DYNAMIC (value and time)
  CurrentSelfDischargingRate               self_discharge_rate (no time kept; LastUpdate = last update)
CarbonFootprint
  ProductCarbonFootprints[]                carbon_footprint rows of impact "Climate Change Total":
    PcfCo2eq / PerformanceClass            value / performance_class
    Reference unit + quantity              unit "kg CO2e / [quantity] unit"
    LifeCyclePhases[0]                     lifecycle_stage (Art. 7 stage <-> EN 15804 module)
    PcfCalculationMethods[]                rulebook documents (header)
    WebLinkToPublicCarbonFootprintStudy[0] study_url
MaterialComposition
  BatteryChemistry                         chemistry "ClearName (ShortName)"
  BatteryMaterials[]                       material_composition rows (CAS id + name, critical, location)
  HazardousSubstances[]                    hazardous_substances rows (CAS, class, concentration in %, impact,
                                           location)
Circularity
  DismantlingAndRemovalInformation[]       dismantling_information documents
  SparePartSources[].Components[]          spare_parts rows (import only, see below)
  RecycledContentInformation[]             <material>_recycled_pre_consumer / _post_consumer
  SafetyMeasures.SafetyInstructions[]      safety_measures documents
  SafetyMeasures.ExtinguishingAgents[]     extinguishing_agents rows (agent)
  EndOfLifeInformation.WastePrevention[] / SeparateCollection[]  waste_prevention / separate_collection docs
  RenewableContent                         renewable_content_share
HandoverDocumentation
  Documents[].DocumentVersions[0] Title[0] + DigitalFiles[0]  additional_sources rows (header, type, content)
DppMetadata
  digitalProductPassportId                 passport identifier (urn:uuid; anything else: a new id, warning)
  uniqueProductIdentifier                  unique_identifier [6.1.0 identification.idDmc]
  dppStatus                                passport status (draft/approved/invalid/expired)
  lastUpdate                               last modification (date only)
  economicOperatorId                       economic operator [6.1.0]
  facilityId                               manufacturing_facilities[0]
  granularity / dppSchemaVersion           export only ("Item"; the CX-0160 DBP version)
shellDescriptor.specificAssetIds           manufacturerPartId -> manufacturer_part_id (finds the model),
                                           batchId -> batch_identifiers; exported with manufacturerId,
                                           partInstanceId, digitalTwinType "PartInstance"

What does not map (import: one warning per value; export: left out)
-------------------------------------------------------------------
- Contact details beyond the address, e-mail and web link (phone, fax, names, titles, IP channels, public
  keys, department, PO box): the catalogue has one postal address text and one e-mail.
- Markings' certificate designation, issue/expiry dates and additional text; product images, company logo.
- ProductCondition NegativeEvents, InformationOnAccidents, TemperatureInformation values,
  RemainingPowerCapability, EvolutionOfSelfDischarge: the portal records negative events as reports and
  temperatures in other units of measure (exported: an empty accident set, temperature time only).
- BatteryMaterialMass and component ids; spare-part suppliers (name, address, e-mail, web).
- EndOfLifeInformation.InformationOnCollection; DppMetadata.contentSpecificationIds.
- Carbon footprints with several life-cycle phases or a phase outside the four Art. 7 stages.
- Export leaves out footprints of other impact categories, materials without a CAS number, spare parts
  (no supplier to name) and the model's further manufacturing facilities.
- The supply chain (suppliers, procurement amounts) has no place in any submodel and is never read.
"""
