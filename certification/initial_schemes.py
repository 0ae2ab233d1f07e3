"""The schemes the portal starts with: "Catena-X Battery Passport data provider (CX-0160)" and "Ouranos
battery carbon footprint and due diligence participant", their standards and criteria, and the recognition
agreement between them in both directions. The data migration adds them; operators change them in the
admin. Adding only what is missing means an operator's edits are never overwritten."""

from __future__ import annotations

from datetime import date

CATENA_X = {
    "code": "catenax-battery-passport-provider",
    "name": "Catena-X Battery Passport data provider (CX-0160)",
    "name_ja": "Catena-X バッテリーパスポート データ提供者（CX-0160）",
    "owner": "catenax",
    "version": "2.0",
    "description": (
        "Conformity of a battery maker or importer that provides battery passports in the Catena-X data "
        "space: the BatteryPass aspect model or the joint Catena-X/IDTA Digital Battery Passport submodels, "
        "offered through a conformant connector with audience-specific usage policies."
    ),
    "number_format": "CATX-{body}-{seq:07d}",
    "validity_kind": "period",
    "validity_months": 36,
    "scope_kind": "organization_and_products",
    "standards": [
        ("CX-0160", "Battery Passport", "2.0.0"),
        ("CX-0018", "Dataspace Connectivity", "3.1.0"),
        ("CX-0002", "Digital Twins in Catena-X", "2.2.0"),
        ("CX-0010", "Business Partner Number (BPN)", "2.0.0"),
        ("CX-0029", "Product Carbon Footprint Rulebook", "3.0.0"),
    ],
    "criteria": [
        (
            "CX-BP-01",
            "Every battery placed on the market under the certified battery models has a passport in the "
            "BatteryPass 6.x aspect model or the Catena-X/IDTA Digital Battery Passport submodels, valid "
            "against the published schema.",
            "対象電池モデルで市場に出される全ての電池について、公開スキーマに適合する BatteryPass 6.x "
            "アスペクトモデルまたは Catena-X/IDTA デジタル"
            "バッテリーパスポートのサブモデルによるパスポートがあること。",
            "Schema validation report of sample passports; list of battery models in scope.",
            "technical_test",
            True,
        ),
        (
            "CX-BP-02",
            "Passports are offered through a connector conformant with CX-0018 and registered as digital "
            "twins (CX-0002) with the passport identifier and the unique product identifier.",
            "パスポートは CX-0018 に適合するコネクタを通じて提供され、パスポート識別子と固有製品識別子を持つ"
            "デジタルツイン（CX-0002）として登録されていること。",
            "Connector conformity statement; digital twin registry entries for sample batteries.",
            "technical_test",
            True,
        ),
        (
            "CX-BP-03",
            "Access to passport data follows the EU Battery Regulation audiences (public, persons with a "
            "legitimate interest, authorities) and is enforced by usage policies naming the receiving BPNLs.",
            "パスポートデータへのアクセスは EU 電池規則の閲覧"
            "者区分（一般公開、正当な利益を有する者、当局）に従い、"
            "受領者の BPNL を指定する利用ポリシーにより実施されていること。",
            "Policy configuration export; description of the access-rights process.",
            "document_review",
            True,
        ),
        (
            "CX-BP-04",
            "The company and its manufacturing sites are identified by Business Partner Numbers (BPNL, BPNS) "
            "consistent with the Catena-X BPDM golden record.",
            "企業および製造拠点が Catena-X BPDM のゴールデンレコードと整合するビジネスパートナー番号"
            "（BPNL、BPNS）で識別されていること。",
            "BPDM extract for the legal entity and sites.",
            "document_review",
            True,
        ),
        (
            "CX-BP-05",
            "The carbon footprint declared per battery model and manufacturing site is calculated according "
            "to the PCF Rulebook (CX-0029) and the Commission's calculation rules, with a public study.",
            "電池モデルおよび製造拠点ごとに申告するカーボンフットプリントが PCF ルールブック（CX-0029）と"
            "欧州委員会の算定規則に従って算定され、公開の調査報告があること。",
            "Carbon footprint study and its verification statement.",
            "document_review",
            True,
        ),
        (
            "CX-BP-06",
            "Dynamic data (state of health, negative events) is updated by a documented process, and "
            "passports remain available for ten years after the battery becomes waste.",
            "動的データ（劣化状態、異常事象）が文書化された手順で更新され、電池が廃棄物となった後も 10 年間"
            "パスポートが利用可能であること。",
            "Process description; retention and availability commitments.",
            "self_assessment",
            True,
        ),
        (
            "CX-BP-07",
            "Confidential supply chain data (supplier identities, procurement amounts) is kept out of every "
            "passport view and export for other companies.",
            "機密のサプライチェーン情報（供給者の名称、調達量）が他社向けのパスポート表示およびエクスポートに"
            "含まれないこと。",
            "Data classification record; sample exports as seen by a partner.",
            "inspection",
            True,
        ),
        (
            "CX-BP-08",
            "A contact point for passport data corrections is published.",
            "パスポートデータ訂正のための窓口が公開されていること。",
            "Link to the published contact point.",
            "self_assessment",
            False,
        ),
    ],
}

OURANOS = {
    "code": "ouranos-battery-cfp-dd",
    "name": "Ouranos battery carbon footprint and due diligence participant",
    "name_ja": "ウラノス・エコシステム 蓄電池カーボンフットプリント・デューディリジェンス参加者",
    "owner": "ouranos",
    "version": "1.1",
    "description": (
        "Participation in the Ouranos Ecosystem storage-battery data sharing system: carbon footprints "
        "calculated by the METI guidelines and shared upstream as aggregated values, and supply chain due "
        "diligence without disclosing suppliers or quantities to customers."
    ),
    "number_format": "OUR-{body}-{year}-{seq:06d}",
    "validity_kind": "period",
    "validity_months": 24,
    "scope_kind": "organization_and_products",
    "standards": [
        (
            "METI-BATT-CFP",
            "Guidelines for calculating the carbon footprint of storage batteries (METI)",
            "1.1",
        ),
        ("OURANOS-BATT-API", "Storage battery data sharing system API specification (IPA DADC)", "1.2"),
        ("OECD-DDG", "OECD Due Diligence Guidance for Responsible Supply Chains of Minerals", "3rd edition"),
    ],
    "criteria": [
        (
            "OU-CFP-01",
            "The carbon footprint of each battery product is calculated according to the METI guidelines, "
            "split into raw material acquisition and main production, per declared unit.",
            "各電池製品のカーボンフットプリントが経済産業省の"
            "ガイドラインに従い、原材料調達段階と主要生産段階に"
            "分けて宣言単位あたりで算定されていること。",
            "Calculation report per product; emission factors used.",
            "document_review",
            True,
        ),
        (
            "OU-CFP-02",
            "Footprints received from suppliers are used as a"
            "ggregated values with their data quality rating, "
            "and footprints sent to customers do not reveal the company's own suppliers or quantities.",
            "供給者から受け取ったフットプリントはデータ品質評価と"
            "ともに集約値として利用され、顧客に送るフットプリントが"
            "自社の供給者や数量を明らかにしないこと。",
            "Sample request and answer exchanged through the data sharing system.",
            "inspection",
            True,
        ),
        (
            "OU-DD-01",
            "A supply chain due diligence policy for cobalt, lithium, nickel and natural graphite is adopted "
            "and communicated to suppliers.",
            "コバルト、リチウム、ニッケル、天然黒鉛に関するサプ"
            "ライチェーン・デューディリジェンス方針が採択され、"
            "供給者に伝達されていること。",
            "The adopted policy and evidence of its communication.",
            "document_review",
            True,
        ),
        (
            "OU-DD-02",
            "Risks in the supply chain are identified and assessed per the OECD guidance, with a risk "
            "management plan and third-party verification.",
            "OECD ガイダンスに従いサプライチェーンのリスクが"
            "特定・評価され、リスク管理計画と第三者検証があること。",
            "Risk assessment, management plan and verification report.",
            "document_review",
            True,
        ),
        (
            "OU-SYS-01",
            "The company is connected to the Ouranos storage battery data sharing system with an operator "
            "identifier and plant registrations for every site in scope.",
            "事業者識別子と対象全拠点の工場登録により、ウラノ"
            "スの蓄電池データ流通システムに接続していること。",
            "Operator identifier and plant registration records.",
            "technical_test",
            True,
        ),
        (
            "OU-SYS-02",
            "Information security measures for the connection meet the system's security requirements.",
            "接続に関する情報セキュリティ対策がシステムのセキュリティ要件を満たしていること。",
            "Security self-check sheet.",
            "self_assessment",
            False,
        ),
    ],
}


def add_initial_schemes(apps=None) -> None:
    """Add the schemes, standards, criteria and agreements that are missing (never overwrites)."""
    if apps is None:
        from django.apps import apps
    Scheme = apps.get_model("certification", "Scheme")
    Standard = apps.get_model("certification", "Standard")
    Criterion = apps.get_model("certification", "Criterion")
    Agreement = apps.get_model("certification", "RecognitionAgreement")
    schemes = []
    for spec in (CATENA_X, OURANOS):
        spec = dict(spec)
        standards = spec.pop("standards")
        criteria = spec.pop("criteria")
        scheme, created = Scheme.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        schemes.append(scheme)
        if not created:
            continue
        for position, (code, title, version) in enumerate(standards):
            Standard.objects.create(scheme=scheme, code=code, title=title, version=version, position=position)
        for position, (code, text, text_ja, evidence, method, mandatory) in enumerate(criteria):
            Criterion.objects.create(
                scheme=scheme,
                code=code,
                text=text,
                text_ja=text_ja,
                evidence_expected=evidence,
                method=method,
                mandatory=mandatory,
                position=position,
            )
    catena_x, ouranos = schemes
    for origin, partner in ((ouranos, catena_x), (catena_x, ouranos)):
        Agreement.objects.get_or_create(
            from_scheme=origin, to_scheme=partner, defaults={"effective_from": date(2025, 4, 1)}
        )
