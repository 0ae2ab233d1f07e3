"""The schemes the portal starts with: "Catena-X Battery Passport data provider (CX-0160)" and "Ouranos
battery carbon footprint and due diligence participant", their standards and criteria, and the recognition
agreement between them in both directions. The data migration adds them; operators change them in the
admin. Adding only what is missing means an operator's edits are never overwritten.

Names, descriptions and criteria are shown in the reader's language (English, Japanese, German). A
criterion's tuple holds its English and Japanese requirement; its German requirement and the evidence
expected in Japanese and German are in the scheme's `translations`, by criterion code (checked complete
when this module is imported). Migration 0008 fills them into rows created before those fields existed
(`add_initial_translations`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured

CATENA_X = {
    "code": "catenax-battery-passport-provider",
    "name": "Catena-X Battery Passport data provider (CX-0160)",
    "name_ja": "Catena-X バッテリーパスポート データ提供者（CX-0160）",
    "name_de": "Catena-X Batteriepass-Datenanbieter (CX-0160)",
    "owner": "catenax",
    "version": "2.0",
    "description": (
        "Conformity of a battery maker or importer that provides battery passports in the Catena-X data "
        "space: the BatteryPass aspect model or the joint Catena-X/IDTA Digital Battery Passport submodels, "
        "offered through a conformant connector with audience-specific usage policies."
    ),
    "description_ja": (
        "Catena-X データスペースでバッテリーパスポートを提供する電池製造者または輸入者の適合性：BatteryPass "
        "アスペクトモデルまたは Catena-X/IDTA 共同のデジタルバッテリーパスポート・サブモデルを、閲覧者区分"
        "ごとの利用ポリシーを備えた適合コネクタを通じて提供すること。"
    ),
    "description_de": (
        "Konformität eines Batterieherstellers oder Importeurs, der Batteriepässe im Catena-X-Datenraum "
        "bereitstellt: das BatteryPass-Aspektmodell oder die gemeinsamen Catena-X/IDTA-Teilmodelle des "
        "digitalen Batteriepasses, angeboten über einen konformen Konnektor mit zielgruppenspezifischen "
        "Nutzungsrichtlinien."
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
    "translations": {
        "CX-BP-01": {
            "text_de": (
                "Jede Batterie, die unter den zertifizierten Batteriemodellen in Verkehr gebracht wird, hat "
                "einen Batteriepass im BatteryPass-6.x-Aspektmodell oder in den Catena-X/IDTA-Teilmodellen "
                "des digitalen Batteriepasses, gültig gegen das veröffentlichte Schema."
            ),
            "evidence_expected_ja": "サンプルパスポートのスキーマ検証レポート、対象電池型式の一覧。",
            "evidence_expected_de": (
                "Schema-Validierungsbericht für Beispielpässe; Liste der Batteriemodelle im Geltungsbereich."
            ),
        },
        "CX-BP-02": {
            "text_de": (
                "Die Pässe werden über einen zu CX-0018 konformen Konnektor angeboten und als digitale "
                "Zwillinge (CX-0002) mit der Pass-Kennung und der eindeutigen Produktkennung registriert."
            ),
            "evidence_expected_ja": "コネクタの適合宣言、サンプル電池のデジタルツインレジストリ登録情報。",
            "evidence_expected_de": (
                "Konformitätserklärung des Konnektors; Einträge im Digital-Twin-Register für "
                "Beispielbatterien."
            ),
        },
        "CX-BP-03": {
            "text_de": (
                "Der Zugriff auf Passdaten folgt den Zielgruppen der EU-Batterieverordnung (öffentlich, "
                "Personen mit berechtigtem Interesse, Behörden) und wird durch Nutzungsrichtlinien "
                "durchgesetzt, die die empfangenden BPNLs benennen."
            ),
            "evidence_expected_ja": "ポリシー設定のエクスポート、アクセス権管理手順の説明。",
            "evidence_expected_de": (
                "Export der Richtlinienkonfiguration; Beschreibung des Prozesses für Zugriffsrechte."
            ),
        },
        "CX-BP-04": {
            "text_de": (
                "Das Unternehmen und seine Fertigungsstandorte sind durch Business Partner Numbers (BPNL, "
                "BPNS) identifiziert, die mit dem Golden Record von Catena-X BPDM übereinstimmen."
            ),
            "evidence_expected_ja": "法人および拠点の BPDM 抽出データ。",
            "evidence_expected_de": "BPDM-Auszug für die juristische Person und die Standorte.",
        },
        "CX-BP-05": {
            "text_de": (
                "Der je Batteriemodell und Fertigungsstandort angegebene CO2-Fußabdruck wird nach dem "
                "PCF-Regelwerk (CX-0029) und den Berechnungsregeln der Kommission berechnet, mit einer "
                "öffentlichen Studie."
            ),
            "evidence_expected_ja": "カーボンフットプリント（CFP）の調査報告とその検証声明。",
            "evidence_expected_de": "Studie zum CO2-Fußabdruck und ihre Prüfbescheinigung.",
        },
        "CX-BP-06": {
            "text_de": (
                "Dynamische Daten (Gesundheitszustand, negative Ereignisse) werden nach einem dokumentierten "
                "Verfahren aktualisiert, und die Pässe bleiben zehn Jahre, nachdem die Batterie zu Abfall "
                "geworden ist, verfügbar."
            ),
            "evidence_expected_ja": "手順の説明、保存期間と可用性に関する確約。",
            "evidence_expected_de": "Prozessbeschreibung; Zusagen zu Aufbewahrung und Verfügbarkeit.",
        },
        "CX-BP-07": {
            "text_de": (
                "Vertrauliche Lieferkettendaten (Identität der Lieferanten, Beschaffungsmengen) erscheinen "
                "in keiner Passansicht und keinem Export für andere Unternehmen."
            ),
            "evidence_expected_ja": "データ分類の記録、取引先から見たエクスポートのサンプル。",
            "evidence_expected_de": (
                "Aufzeichnung der Datenklassifizierung; Beispielexporte aus Sicht eines Partners."
            ),
        },
        "CX-BP-08": {
            "text_de": "Eine Kontaktstelle für Korrekturen der Passdaten ist veröffentlicht.",
            "evidence_expected_ja": "公開されている窓口へのリンク。",
            "evidence_expected_de": "Link zur veröffentlichten Kontaktstelle.",
        },
    },
}

OURANOS = {
    "code": "ouranos-battery-cfp-dd",
    "name": "Ouranos battery carbon footprint and due diligence participant",
    "name_ja": "ウラノス・エコシステム 蓄電池カーボンフットプリント・デューディリジェンス参加者",
    "name_de": "Ouranos-Teilnehmer für CO2-Fußabdruck und Sorgfaltspflichten bei Batterien",
    "owner": "ouranos",
    "version": "1.1",
    "description": (
        "Participation in the Ouranos Ecosystem storage-battery data sharing system: carbon footprints "
        "calculated by the METI guidelines and shared upstream as aggregated values, and supply chain due "
        "diligence without disclosing suppliers or quantities to customers."
    ),
    "description_ja": (
        "ウラノス・エコシステムの蓄電池データ流通システムへの参加：経済産業省のガイドラインに従って算定した"
        "カーボンフットプリント（CFP）を集約値として上流と共有し、顧客にサプライヤーや数量を開示することなく"
        "サプライチェーンのデューディリジェンスを行うこと。"
    ),
    "description_de": (
        "Teilnahme am Datenaustauschsystem für Speicherbatterien des Ouranos-Ökosystems: nach den "
        "METI-Leitlinien berechnete CO2-Fußabdrücke, die als aggregierte Werte in der Lieferkette "
        "weitergegeben werden, und Sorgfaltspflichten in der Lieferkette, ohne Kunden Lieferanten oder "
        "Mengen offenzulegen."
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
    "translations": {
        "OU-CFP-01": {
            "text_de": (
                "Der CO2-Fußabdruck jedes Batterieprodukts wird nach den METI-Leitlinien berechnet, "
                "aufgeteilt in Rohstoffgewinnung und Hauptproduktion, je deklarierter Einheit."
            ),
            "evidence_expected_ja": "製品ごとの算定報告書、使用した排出係数。",
            "evidence_expected_de": "Berechnungsbericht je Produkt; verwendete Emissionsfaktoren.",
        },
        "OU-CFP-02": {
            "text_de": (
                "Von Lieferanten erhaltene CO2-Fußabdrücke werden als aggregierte Werte mit ihrer "
                "Datenqualitätsbewertung verwendet, und an Kunden gesendete CO2-Fußabdrücke geben weder die "
                "eigenen Lieferanten noch die Mengen des Unternehmens preis."
            ),
            "evidence_expected_ja": "データ流通システムを通じて交換された依頼と回答のサンプル。",
            "evidence_expected_de": "Beispielanfrage und -antwort, ausgetauscht über das "
            "Datenaustauschsystem.",
        },
        "OU-DD-01": {
            "text_de": (
                "Eine Richtlinie zu den Sorgfaltspflichten in der Lieferkette für Kobalt, Lithium, Nickel "
                "und Naturgraphit ist verabschiedet und den Lieferanten mitgeteilt."
            ),
            "evidence_expected_ja": "採択された方針と、その伝達を示す証拠。",
            "evidence_expected_de": "Die verabschiedete Richtlinie und Nachweise ihrer Mitteilung.",
        },
        "OU-DD-02": {
            "text_de": (
                "Risiken in der Lieferkette werden gemäß dem OECD-Leitfaden ermittelt und bewertet, mit "
                "einem Risikomanagementplan und einer Prüfung durch Dritte."
            ),
            "evidence_expected_ja": "リスク評価、管理計画および検証報告書。",
            "evidence_expected_de": "Risikobewertung, Managementplan und Prüfbericht.",
        },
        "OU-SYS-01": {
            "text_de": (
                "Das Unternehmen ist mit einer Betreiberkennung und Werksregistrierungen für jeden Standort "
                "im Geltungsbereich an das Ouranos-Datenaustauschsystem für Speicherbatterien angeschlossen."
            ),
            "evidence_expected_ja": "事業者識別子と工場登録の記録。",
            "evidence_expected_de": "Betreiberkennung und Nachweise der Werksregistrierung.",
        },
        "OU-SYS-02": {
            "text_de": (
                "Die Informationssicherheitsmaßnahmen für den Anschluss erfüllen die "
                "Sicherheitsanforderungen des Systems."
            ),
            "evidence_expected_ja": "セキュリティ自己点検シート。",
            "evidence_expected_de": "Selbstprüfbogen zur Informationssicherheit.",
        },
    },
}


#: Each English text operators translate, with its translated fields (`<field>_<language>`).
SCHEME_TEXTS = {"name": ("name_ja", "name_de"), "description": ("description_ja", "description_de")}
CRITERION_TEXTS = {
    "text": ("text_ja", "text_de"),
    "evidence_expected": ("evidence_expected_ja", "evidence_expected_de"),
}


def criterion_texts(spec: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every text of each criterion of a scheme spec, by criterion code: English, Japanese and German."""
    texts = {}
    for code, text, text_ja, evidence, _method, _mandatory in spec["criteria"]:
        texts[code] = {
            "text": text,
            "text_ja": text_ja,
            "evidence_expected": evidence,
            **spec["translations"][code],
        }
    return texts


def _check_translations() -> None:
    # A criterion added without its translations would show English to Japanese and German readers.
    for spec in (CATENA_X, OURANOS):
        codes = [criterion[0] for criterion in spec["criteria"]]
        if set(spec["translations"]) != set(codes):
            raise ImproperlyConfigured(
                f"{spec['code']}: translations must cover exactly the criteria {codes}"
            )
        wanted = {field for fields in CRITERION_TEXTS.values() for field in fields}
        for code, texts in criterion_texts(spec).items():
            if missing := sorted(field for field in wanted if not texts.get(field)):
                raise ImproperlyConfigured(f"{spec['code']} {code}: no {', '.join(missing)}")
        if missing := sorted(f for fields in SCHEME_TEXTS.values() for f in fields if not spec.get(f)):
            raise ImproperlyConfigured(f"{spec['code']}: no {', '.join(missing)}")


_check_translations()


def _fields_of(model, values: dict[str, Any]) -> dict[str, Any]:
    """The values the model has fields for: migration 0002 runs this with the models as they were then,
    before the translated fields existed (0008 adds and fills those)."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in values.items() if key in names}


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
        texts = criterion_texts(spec)
        spec = dict(spec)
        standards = spec.pop("standards")
        criteria = spec.pop("criteria")
        spec.pop("translations")
        scheme, created = Scheme.objects.get_or_create(
            code=spec.pop("code"), defaults=_fields_of(Scheme, spec)
        )
        schemes.append(scheme)
        if not created:
            continue
        for position, (code, title, version) in enumerate(standards):
            Standard.objects.create(scheme=scheme, code=code, title=title, version=version, position=position)
        for position, (code, _text, _text_ja, _evidence, method, mandatory) in enumerate(criteria):
            Criterion.objects.create(
                scheme=scheme,
                code=code,
                method=method,
                mandatory=mandatory,
                position=position,
                **_fields_of(Criterion, texts[code]),
            )
    catena_x, ouranos = schemes
    for origin, partner in ((ouranos, catena_x), (catena_x, ouranos)):
        Agreement.objects.get_or_create(
            from_scheme=origin, to_scheme=partner, defaults={"effective_from": date(2025, 4, 1)}
        )


def _fill(row, shipped: dict[str, str], translated: dict[str, tuple[str, ...]]) -> None:
    """Fill the row's empty translations from `shipped`, only where its English text is still the shipped
    one: an operator's translation is never overwritten, and an English text an operator changed gets no
    translation of the old wording."""
    changed = []
    for source, fields in translated.items():
        if getattr(row, source) != shipped.get(source):
            continue
        for field in fields:
            if not getattr(row, field) and shipped.get(field):
                setattr(row, field, shipped[field])
                changed.append(field)
    if changed:
        row.save(update_fields=changed)


def add_initial_translations(apps=None) -> None:
    """Give the initial schemes' existing rows their Japanese and German names, descriptions and criteria
    (migration 0008; rows created since then get them from `add_initial_schemes`)."""
    if apps is None:
        from django.apps import apps
    Scheme = apps.get_model("certification", "Scheme")
    Criterion = apps.get_model("certification", "Criterion")
    for spec in (CATENA_X, OURANOS):
        scheme = Scheme.objects.filter(code=spec["code"]).first()
        if scheme is None:
            continue
        _fill(scheme, spec, SCHEME_TEXTS)
        texts = criterion_texts(spec)
        for criterion in Criterion.objects.filter(scheme=scheme):
            if criterion.code in texts:
                _fill(criterion, texts[criterion.code], CRITERION_TEXTS)
