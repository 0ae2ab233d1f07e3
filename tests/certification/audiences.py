"""The audiences of the certification API and page matrices (their users come from the `users` fixture of
tests/certification/conftest.py).

Company A (admin, viewer) applies to the accredited body (lead, reviewer); company B is another company;
a second accredited body has its own lead; an inspector works at a market surveillance authority; the
operator has no membership.
"""

from __future__ import annotations

from pathlib import Path

from portal.storage import private_storage

from .stored_documents import STAND_IN_PDF

ADMIN_A, VIEWER_A, OTHER_COMPANY = "admin_a", "viewer_a", "other_company"
LEAD, REVIEWER, OTHER_BODY, INSPECTOR, OPERATOR, ANONYMOUS = (
    "lead",
    "reviewer",
    "other_body",
    "inspector",
    "operator",
    "anonymous",
)
#: The audiences of every matrix (the operator has no membership: it only reads schemes and certificates).
AUDIENCES = (ADMIN_A, VIEWER_A, OTHER_COMPANY, LEAD, REVIEWER, OTHER_BODY, INSPECTOR, ANONYMOUS)
APPLICANT = (ADMIN_A, VIEWER_A)
BODY = (LEAD, REVIEWER)

PDF = STAND_IN_PDF


def stored_files() -> list[Path]:
    """Every file in this test's private storage: "nothing stored" is an empty listing."""
    root = Path(private_storage.location)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
