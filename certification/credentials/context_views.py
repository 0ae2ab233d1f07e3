"""The platform's own JSON-LD contexts, served at stable public URLs so that a JSON-LD processor (also in
safe mode, which refuses undefined terms) can expand the certificate credentials.

A context is a static file of the repository (contexts/*.jsonld beside this module), served byte for byte:
a verifier may pin its digest, and a published version never changes. A change of meaning is a new
version (a new file and a new URL); credentials already issued keep naming the version they were issued
with, so every version stays served for good.

The terms map to IRIs under the fixed vocabulary namespace ``https://w3id.org/passbridge/vocab#``, not
under the portal's own address (``SITE_URL``): the address differs between deployments (development,
staging, production) and may move, while a term must mean the same thing on all of them and in every
credential ever issued; and the vocabulary outlives a context version (``legalName`` in a future v2 is
the same property as in v1). The context URL itself is the deployment's address, since that is where a
processor fetches it from. The w3id.org namespace resolves once its redirect is registered there (to the
served context or the documentation); JSON-LD processing does not dereference vocabulary IRIs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
MEDIA_TYPE = "application/ld+json"
#: A version never changes: caches may keep it for a year without asking again.
CACHE_CONTROL = "public, max-age=31536000, immutable"
VOCABULARY = "https://w3id.org/passbridge/vocab#"


@dataclass(frozen=True)
class ContextDocument:
    filename: str

    @property
    def path(self) -> Path:
        return CONTEXTS_DIR / self.filename


#: Version 1 of the certificate credential's context (the terms of `certificate_data()` and the subject).
CERTIFICATE_V1 = ContextDocument("certificate-v1.jsonld")


@cache
def context_bytes(document: ContextDocument) -> bytes:
    """The file as it is in the repository (read once per process: it never changes while running)."""
    return document.path.read_bytes()


@require_safe
def jsonld_context(request: HttpRequest, document: ContextDocument) -> HttpResponse:
    content = context_bytes(document)
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    response = HttpResponse(content, content_type=MEDIA_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    # A 304 to a revalidation keeps the validator and the caching headers of the full answer.
    response = get_conditional_response(request, etag=etag, response=response)
    # Processors fetch contexts from wherever a credential is checked, browsers included: a context is
    # public and carries no credentials, so any origin may read it.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response
