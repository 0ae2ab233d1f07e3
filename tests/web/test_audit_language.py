"""Audit entries are read in the reader's language (issue 16).

An entry stores its action code and the English `str(target)` of the moment; the audit log shows a label
for the code and the object's kind in the reader's language, keeping what identifies the object.
"""

from __future__ import annotations

import ast
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_lazy

from certification.models import Application, ApplicationState, CertificateStatus, Criterion, Standard
from endoflife.models import RecoveredOutput, Transfer
from exchange.models import Answer, DataRequest
from passports.models import BatteryModel, Passport
from portal.audit import labels
from portal.audit.models import AuditEvent
from portal.audit.presentation import event_rows, object_identifier, object_kind
from portal.audit.services import audit_record
from portal.tenancy.models import Membership, Role
from tests.factories import SiteFactory, member

ROOT = Path(__file__).resolve().parents[2]
AUDIT_URL = "/organization/audit/"


# --- Every code the source writes has a label ------------------------------------------------------------

PACKAGES = ("portal", "passports", "certification", "exchange", "pact", "endoflife", "oversight")
WRITER = "audit_record"


def _dynamic_codes() -> dict[str, set[str]]:
    """The codes each f-string in an audit call writes, by its text (`_template`). A new f-string code fails
    the scan until it is listed here, with the values it can take."""
    return {
        # certification.services.applications._move: the state an application moves to (never draft).
        "application.{to}": {
            f"application.{state}" for state in ApplicationState.values if state != ApplicationState.DRAFT
        },
        # certification.services.certificates._event: issued, then each status it changes to.
        "certificate.{certificate.status if previous else 'issued'}": {
            "certificate.issued",
            *(f"certificate.{status}" for status in CertificateStatus.values),
        },
        # certification.services.accreditations: a scheme's standards and criteria.
        "scheme.{kind}_{'added' if adding else 'changed'}": {
            f"scheme.{model._meta.model_name}_{change}"
            for model in (Standard, Criterion)
            for change in ("added", "changed")
        },
        "scheme.{kind}_deleted": {
            f"scheme.{model._meta.model_name}_deleted" for model in (Standard, Criterion)
        },
        # passports.services.restricted_read_record: the model read.
        "{target._meta.model_name}.read_restricted": {
            f"{model._meta.model_name}.read_restricted" for model in (Passport, BatteryModel)
        },
    }


def _template(fstring: ast.JoinedStr) -> str:
    """An f-string's text as written, without the quotes (which `ast.unparse` renders differently from one
    Python version to the next)."""
    return "".join(
        part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
        for part in fstring.values
    )


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(), filename=str(path)))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    return [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


def _forwarders(modules) -> dict[str, int | None]:
    """Functions that write an audit entry with an action their caller gives (`audit_record` itself,
    `_audit`, `_decide`, `_audit_bulk`...): name -> position of `action` among the positional parameters."""
    found: dict[str, int | None] = {}
    for _path, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or "action" not in _parameters(
                node
            ):
                continue
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if node.name == WRITER or names & {WRITER, "AuditEvent"}:
                positional = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
                found[node.name] = positional.index("action") if "action" in positional else None
    return found


def _constants(modules) -> dict[str, set[str]]:
    constants: dict[str, set[str]] = {}
    for _path, tree in modules:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(getattr(node.value, "value", None), str):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        constants.setdefault(target.id, set()).add(node.value.value)
    return constants


def scanned_codes() -> tuple[set[str], list[str]]:
    """Every action code the source writes, and what the scan could not read (which must be nothing)."""
    modules = _modules()
    forwarders = _forwarders(modules)
    constants = _constants(modules)
    dynamic = _dynamic_codes()
    codes: set[str] = set()
    problems: list[str] = []

    def evaluate(expression: ast.expr, parameters: set[str], where: str) -> None:
        if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
            codes.add(expression.value)
        elif isinstance(expression, ast.IfExp):
            evaluate(expression.body, parameters, where)
            evaluate(expression.orelse, parameters, where)
        elif isinstance(expression, ast.Name) and expression.id in parameters:
            pass  # handed on by a forwarder: its callers are scanned
        elif isinstance(expression, ast.Name) and expression.id in constants:
            codes.update(constants[expression.id])
        elif isinstance(expression, ast.JoinedStr) and _template(expression) in dynamic:
            codes.update(dynamic[_template(expression)])
        else:
            problems.append(f"{where}: cannot read the action {ast.unparse(expression)!r}")

    def visit(node: ast.AST, parameters: set[str], path: Path) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parameters = parameters | set(_parameters(node))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in forwarders:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                keyword = next((k.value for k in node.keywords if k.arg == "action"), None)
                position = forwarders[name]
                if keyword is None and position is not None and position < len(node.args):
                    keyword = node.args[position]
                if keyword is None:
                    problems.append(f"{where}: {name}() without an action")
                else:
                    evaluate(keyword, parameters, where)
        for child in ast.iter_child_nodes(node):
            visit(child, parameters, path)

    for path, tree in modules:
        visit(tree, set(), path)
    return codes, problems


class TestEveryCodeHasALabel:
    def test_the_scan_reads_every_audit_call(self):
        codes, problems = scanned_codes()
        assert problems == []
        # The scan sees literal codes, module constants, forwarders and f-strings alike.
        assert {
            "battery_model.archived",  # literal
            "certificate.downloaded",  # certification.documents.download.DOWNLOADED
            "certificate.document_rerender",  # certification.documents.services.RERENDER_REQUESTED
            "organization.approved",  # through tenancy's _decide(action=...)
            "passport.imported",  # through passports' _audit_bulk(actor, action, ...)
            "application.evidence_added",  # through certification's _audit(...)
            "application.in_review",  # f"application.{to}"
            "pact.client_updated",  # one branch of a conditional
            "two_factor.enabled",
        } <= codes

    def test_every_code_written_has_a_label(self):
        codes, _problems = scanned_codes()
        assert sorted(code for code in codes if not labels.is_registered(code)) == []

    def test_every_label_belongs_to_a_code_written(self):
        codes, _problems = scanned_codes()
        assert sorted(labels.registered_codes() - codes) == []


# --- The registry and the object rule --------------------------------------------------------------------


class TestLabels:
    def test_label_in_the_active_language_and_code_for_unknown_codes(self, monkeypatch):
        monkeypatch.setitem(labels._ACTIONS, "test.members", gettext_lazy("Members"))
        with translation.override("ja"):
            assert labels.action_label("test.members") == "メンバー"
            assert labels.action_label("test.never-registered") == "test.never-registered"
        with translation.override("de"):
            assert labels.action_label("test.members") == "Mitglieder"
        assert not labels.is_registered("test.never-registered")

    def test_a_code_claimed_twice_with_other_words_fails_at_start(self, monkeypatch):
        from django.core.exceptions import ImproperlyConfigured

        monkeypatch.setattr(labels, "_ACTIONS", dict(labels._ACTIONS))
        labels.register("site.archived", gettext_lazy("Site archived"))  # the same again: harmless
        with pytest.raises(ImproperlyConfigured):
            labels.register("site.archived", gettext_lazy("Site deleted"))

    def test_generic_labels_lose_the_english_kind_word_and_keep_the_reference(self):
        assert object_identifier("certification.application", "Application 1654fbb7") == "1654fbb7"
        assert object_identifier("exchange.datarequest", "Data request 0a1b2c3d") == "0a1b2c3d"
        assert object_identifier("exchange.answer", "Answer 99aa88bb") == "99aa88bb"
        transfer = str(uuid.uuid4())
        assert object_identifier("endoflife.transfer", f"Transfer {transfer}") == transfer
        assert object_identifier("endoflife.recoveredoutput", f"Recovered output {transfer}") == transfer
        assert object_identifier("passports.passportdocument", f"Document {transfer}") == transfer

    def test_names_numbers_and_identifiers_stay_whole(self):
        # A name that begins with the kind word is still a name.
        assert object_identifier("tenancy.site", "Site North plant") == "Site North plant"
        assert object_identifier("tenancy.site", "Kokkola plant") == "Kokkola plant"
        assert object_identifier("certification.certificate", "PBC-2025-000123") == "PBC-2025-000123"
        assert object_identifier("passports.passport", "urn:uuid:1234") == "urn:uuid:1234"
        assert object_identifier("certification.application", "Application") == "Application"

    def test_removed_model_keeps_its_stored_label_without_a_kind(self):
        assert object_kind("gone.thing") == ""
        assert object_kind("not-a-type") == ""
        assert object_kind("") == ""
        assert object_identifier("gone.thing", "Thing 1234") == "Thing 1234"

    def test_kind_in_the_readers_language(self):
        with translation.override("ja"):
            assert object_kind("certification.application") == "申請"
        with translation.override("de"):
            assert object_kind("endoflife.recoveredoutput") == "Zurückgewonnene Materialmenge"
        with translation.override("en"):
            assert object_kind("passports.batterymodel") == "Battery model"


# --- The audit log page ---------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The text of each table body row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")
        elif self._in_cell and tag == "br":
            self.rows[-1][-1] += " "

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


def table_rows(response) -> list[list[str]]:
    parser = _Cells()
    parser.feed(response.content.decode())
    return [[" ".join(cell.split()) for cell in row] for row in parser.rows]


@pytest.fixture
def recorded(db, company_a):
    """One entry of each generic kind, a site, a membership and a system entry, in company A's log;
    returns the stored facts the page must keep (references, names) by action code."""
    viewer = member(Role.VIEWER, company_a, username="viewer-x")
    membership = Membership.objects.get(user=viewer)
    # Unsaved objects: the audit entry only keeps their type, id and label.
    targets = {
        "application.submitted": Application(),
        "exchange.request_sent": DataRequest(),
        "exchange.answer_released": Answer(),
        "endoflife.transfer_recorded": Transfer(),
        "endoflife.output_recorded": RecoveredOutput(),
        "passport.published": Passport(unique_identifier="urn:uuid:5f0c4a1e-passport"),
        "site.archived": SiteFactory(organization=company_a, name="Kokkola plant"),
        "membership.role_changed": membership,
    }
    for code, target in targets.items():
        audit_record(actor=viewer, action=code, organization=company_a, target=target)
    audit_record(actor=None, action="organization.approved", organization=company_a)
    return {
        "application.submitted": str(targets["application.submitted"].public_id)[:8],
        "exchange.request_sent": str(targets["exchange.request_sent"].public_id)[:8],
        "exchange.answer_released": str(targets["exchange.answer_released"].public_id)[:8],
        "endoflife.transfer_recorded": str(targets["endoflife.transfer_recorded"].public_id),
        "endoflife.output_recorded": str(targets["endoflife.output_recorded"].public_id),
        "passport.published": "urn:uuid:5f0c4a1e-passport",
        "site.archived": "Kokkola plant",
        "membership.role_changed": f"{viewer} @ {company_a}",
    }


def _page(client, company_a, language: str):
    client.force_login(
        member(Role.ADMIN, company_a, username=f"admin-{language}", preferred_language=language)
    )
    response = client.get(AUDIT_URL)
    assert response.status_code == 200
    return response


def _by_code(response) -> dict[str, list[str]]:
    """Table cells by the row's action code (the context's rows are in the table's order)."""
    return {
        row.action: cells for row, cells in zip(response.context["rows"], table_rows(response), strict=True)
    }


#: The English kind words generic labels are stored with; a Japanese or German reader never sees them.
ENGLISH_KIND_WORDS = (
    "Application",
    "Data request",
    "Answer",
    "Transfer",
    "Recovered output",
    "Viewer",
    "Site",
)


@pytest.mark.django_db
class TestAuditLogPage:
    @pytest.mark.parametrize(
        "language, kinds, role",
        [
            (
                "ja",
                {
                    "application.submitted": "申請",
                    "exchange.request_sent": "データ依頼",
                    "exchange.answer_released": "回答",
                    "endoflife.transfer_recorded": "引渡し",
                    "endoflife.output_recorded": "回収材料の実績",
                    "passport.published": "バッテリーパスポート",
                    "site.archived": "拠点",
                    "membership.role_changed": "メンバーシップ",
                },
                "閲覧者",
            ),
            (
                "de",
                {
                    "application.submitted": "Antrag",
                    "exchange.request_sent": "Datenanfrage",
                    "exchange.answer_released": "Antwort",
                    "endoflife.transfer_recorded": "Übergabe",
                    "endoflife.output_recorded": "Zurückgewonnene Materialmenge",
                    "passport.published": "Batteriepass",
                    "site.archived": "Standort",
                    "membership.role_changed": "Mitgliedschaft",
                },
                "Betrachter",
            ),
        ],
    )
    def test_objects_and_actions_in_the_readers_language(
        self, client, company_a, recorded, language, kinds, role
    ):
        cells = _by_code(_page(client, company_a, language))

        for code, kind in kinds.items():
            _when, who, action, obj, _ip = cells[code]
            identifier = recorded[code]
            if code == "membership.role_changed":
                identifier = f"{identifier} ({role})"
            assert obj == f"{kind} {identifier}"
            assert not [word for word in ENGLISH_KIND_WORDS if word in obj], obj
            with translation.override(language):
                label = labels.action_label(code)
            # The label as the catalogue has it, then the stored code for support staff.
            assert action == f"{label} {code}"
            assert who == "viewer-x"
        # The system's own entries are signed in the reader's language too; no object, no kind.
        _when, who, action, obj, _ip = cells["organization.approved"]
        assert who == {"ja": "システム", "de": "System"}[language]
        assert obj == ""

    def test_labels_come_from_the_readers_catalogue(self, client, company_a, admin_a, monkeypatch):
        # A label whose words the catalogues already hold ("Members"): the page says it in Japanese.
        monkeypatch.setitem(labels._ACTIONS, "test.members", gettext_lazy("Members"))
        audit_record(actor=admin_a, action="test.members", organization=company_a)

        _when, _who, action, _obj, _ip = _by_code(_page(client, company_a, "ja"))["test.members"]

        assert action == "メンバー test.members"

    def test_english_reads_as_written(self, client, company_a, recorded):
        cells = _by_code(_page(client, company_a, "en"))

        assert cells["application.submitted"][2:4] == [
            "Application submitted application.submitted",
            f"Application {recorded['application.submitted']}",
        ]
        assert cells["site.archived"][2:4] == ["Site archived site.archived", "Site Kokkola plant"]
        assert cells["endoflife.output_recorded"][3] == (
            f"Recovered material output {recorded['endoflife.output_recorded']}"
        )
        assert (
            cells["membership.role_changed"][3]
            == f"Membership {recorded['membership.role_changed']} (Viewer)"
        )
        assert cells["organization.approved"][1:3] == [
            "System",
            "Organization approved organization.approved",
        ]

    def test_unknown_codes_and_removed_models_show_what_was_stored(self, client, company_a, admin_a):
        audit_record(actor=admin_a, action="test.retired-action", organization=company_a)
        # An entry about a model that no longer exists: its type cannot be resolved, its label stays.
        rows = event_rows(
            [
                AuditEvent(
                    action="test.retired-action",
                    actor_label="admin-a",
                    object_type="retired.widget",
                    object_label="Widget 42",
                )
            ]
        )
        assert (rows[0].action_label, rows[0].action_known, rows[0].kind, rows[0].identifier) == (
            "test.retired-action",
            False,
            "",
            "Widget 42",
        )

        cells = _by_code(_page(client, company_a, "ja"))
        # Without a label the code is all there is to say, once.
        assert cells["test.retired-action"][2] == "test.retired-action"

    def test_queries_do_not_grow_with_the_rows(self, client, company_a, admin_a, recorded):
        client.force_login(admin_a)
        with CaptureQueriesContext(connection) as few:
            client.get(AUDIT_URL)
        for _ in range(20):
            audit_record(actor=admin_a, action="site.archived", organization=company_a, target=Transfer())
        with CaptureQueriesContext(connection) as many:
            response = client.get(AUDIT_URL)
        assert len(response.context["rows"]) > 25
        assert len(many) == len(few)
