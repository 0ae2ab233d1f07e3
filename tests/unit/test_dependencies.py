"""The dependency rule of the architecture guide ("Direction of dependencies"): certification and pact ->
exchange -> passports -> portal, never the other way; portal knows no domain outside its composition
root; certification uses the passports' public interface, never their views, API, forms or URLs.

The contracts are declared once, in pyproject.toml ([tool.importlinter]); import-linter checks them here so
that `make test` (and .ci/run) fails with the linter's report. The same contracts are also run on a small
stand-in tree with one forbidden import at a time, to show that each of them really catches a violation
(a contract that can never break would pass silently).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# The modules of portal that name every app (the rest of portal knows no domain). All but the demo loader
# name them by dotted-path strings (INSTALLED_APPS, include("passports.urls"), autodiscover_tasks).
COMPOSITION_ROOT = {
    "portal.settings",
    "portal.urls",
    "portal.api_urls",
    "portal.celery",
    "portal.wsgi",
    "portal.management.commands.load_demo",
}
CONTRACTS = {
    "layers": "certification -> passports -> portal",  # the contract's name predates exchange and pact
    "passports-public": "certification uses passports' public interface",
    "oversight-reads-cube": "oversight pages, answers and exports read only the cube",
}


def lint(cwd: Path) -> tuple[int, str]:
    """Run import-linter on `cwd`'s pyproject.toml; its exit code and its report. The root packages are
    found from `cwd` (import-linter puts it first on sys.path), nothing is cached, and wide columns keep
    each contract and import on one line of the report."""
    assert LINT_IMPORTS.is_file(), f"{LINT_IMPORTS} is missing: pip install -e '.[test]'"
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_dependency_contracts_are_declared() -> None:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert sorted(config["root_packages"]) == [
        "certification",
        "endoflife",
        "exchange",
        "oversight",
        "pact",
        "passports",
        "portal",
    ]
    contracts = _contracts()
    assert set(CONTRACTS) <= set(contracts)
    assert contracts["layers"]["layers"] == [
        "oversight",
        "certification | pact",
        "exchange | endoflife",
        "passports",
        "portal",
    ]
    assert "passports" in contracts["oversight-reads-cube"]["forbidden_modules"]
    # Only portal's composition root may import the apps, each import declared.
    importers = {line.split(" -> ")[0] for line in contracts["layers"].get("ignore_imports", [])}
    assert importers <= COMPOSITION_ROOT
    forbidden = set(contracts["passports-public"]["forbidden_modules"])
    assert {"passports.views", "passports.api", "passports.public_views", "passports.forms"} <= forbidden
    assert contracts["passports-public"]["source_modules"] == ["certification"]


def test_the_project_keeps_the_dependency_rule() -> None:
    code, report = lint(ROOT)
    assert code == 0, report
    for name in CONTRACTS.values():
        assert any(name in line and "KEPT" in line for line in report.splitlines()), report
    assert "0 broken" in report, report


# ---- each contract catches a violation -------------------------------------------------------------------
# A stand-in for the three apps, laid out like them and keeping the rule: the composition root's demo
# loader imports both apps (the contract's declared exceptions must exist, or the check fails), passports
# build on portal, certification on passports' public modules and portal's shared plumbing.
CLEAN_TREE = {
    "portal/__init__.py": "",
    "portal/uploads.py": "",
    "portal/tenancy/__init__.py": "",
    "portal/tenancy/models.py": "",
    "portal/management/__init__.py": "",
    "portal/management/commands/__init__.py": "",
    "portal/management/commands/load_demo.py": (
        "import certification.demo\nimport passports.demo\nimport exchange.demo\nimport oversight.demo\n"
    ),
    "passports/__init__.py": "",
    "passports/models.py": "import portal.tenancy.models\n",
    "passports/selectors.py": "from . import models\n",
    "passports/display.py": "from . import models\n",
    "passports/demo.py": "from . import models\n",
    "passports/forms.py": "from . import models\n",
    "passports/views/__init__.py": "",
    "passports/views/display.py": "from .. import display\n",
    "passports/api/__init__.py": "",
    "passports/api/serializers.py": "from .. import selectors\n",
    "passports/public_views.py": "from . import selectors\n",
    "certification/__init__.py": "",
    "certification/models.py": "import passports.models\nimport portal.uploads\n",
    "certification/demo.py": "from . import models\n",
    "certification/views.py": "from passports import display, selectors\n",
    "exchange/__init__.py": "",
    "exchange/models.py": "import passports.models\nimport portal.tenancy.models\n",
    "exchange/demo.py": "from . import models\n",
    "pact/__init__.py": "",
    "pact/models.py": "import exchange.models\n",
    "endoflife/__init__.py": "",
    "endoflife/models.py": "import passports.models\n",
    "oversight/__init__.py": "",
    "oversight/models.py": "",
    "oversight/worker/__init__.py": "",
    "oversight/worker/facts.py": "import endoflife.models\nimport passports.models\nfrom .. import models\n",
    "oversight/selectors.py": "from . import models\n",
    "oversight/presentation.py": "from . import selectors\n",
    "oversight/views.py": "from . import presentation\n",
    "oversight/queries.py": "from . import selectors\n",
    "oversight/api.py": "from . import queries\n",
    "oversight/charts.py": "from . import selectors\n",
    "oversight/exports.py": "from . import presentation\n",
    "oversight/demo.py": "from .worker import facts\n",
}
VIOLATIONS = {
    "portal imports passports": (
        "portal/tenancy/selectors.py",
        "from passports import models\n",
        "portal.tenancy.selectors -> passports.models",
    ),
    "portal imports certification": (
        "portal/uploads.py",
        "import certification.models\n",
        "portal.uploads -> certification.models",
    ),
    "the composition root imports more than declared": (
        "portal/management/commands/load_demo.py",
        "import certification.demo\nimport passports.demo\nimport exchange.demo\nimport oversight.demo\n"
        "import passports.selectors\n",
        "portal.management.commands.load_demo -> passports.selectors",
    ),
    "passports import certification": (
        "passports/selectors.py",
        "from . import models\nimport certification.models\n",
        "passports.selectors -> certification.models",
    ),
    "passports import exchange": (
        "passports/display.py",
        "from . import models\nimport exchange.models\n",
        "passports.display -> exchange.models",
    ),
    "exchange imports pact": (
        "exchange/demo.py",
        "from . import models\nimport pact.models\n",
        "exchange.demo -> pact.models",
    ),
    "pact imports certification": (
        "pact/views.py",
        "import certification.models\n",
        "pact.views -> certification.models",
    ),
    "oversight's pages read company rows": (
        "oversight/views.py",
        "from . import presentation\nimport passports.models\n",
        "oversight.views -> passports.models",
    ),
    "oversight's selectors read the worker's facts": (
        "oversight/selectors.py",
        "from . import models\nfrom .worker import facts\n",
        "oversight.selectors -> oversight.worker.facts",
    ),
    "end of life imports oversight": (
        "endoflife/models.py",
        "import passports.models\nimport oversight.models\n",
        "endoflife.models -> oversight.models",
    ),
    "certification imports passports' views": (
        "certification/views.py",
        "from passports.views.display import display\n",
        "certification.views -> passports.views.display",
    ),
    "certification imports passports' API": (
        "certification/api.py",
        "from passports.api.serializers import selectors\n",
        "certification.api -> passports.api.serializers",
    ),
    "certification imports passports' forms": (
        "certification/forms.py",
        "from passports.forms import models\n",
        "certification.forms -> passports.forms",
    ),
    "certification imports passports' public views": (
        "certification/public_views.py",
        "import passports.public_views\n",
        "certification.public_views -> passports.public_views",
    ),
}


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    tree = dict(CLEAN_TREE)
    # import-linter refuses a forbidden module that does not exist: give each one an empty stand-in.
    for module in _contracts()["passports-public"]["forbidden_modules"]:
        path = module.replace(".", "/")
        if f"{path}.py" not in tree and f"{path}/__init__.py" not in tree:
            tree[f"{path}.py"] = ""
    for name, text in tree.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_stand_in_tree_keeps_the_contracts(stand_in: Path) -> None:
    # Checked on the same tree as the violations below: each of them alone is what breaks a contract.
    code, report = lint(stand_in)
    assert code == 0, report


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_a_violation_breaks_the_contract(stand_in: Path, case: str) -> None:
    module, text, expected = VIOLATIONS[case]
    (stand_in / module).write_text(text, encoding="utf-8")
    code, report = lint(stand_in)
    assert code != 0, report
    assert "1 broken" in report, report
    assert expected in report, report
