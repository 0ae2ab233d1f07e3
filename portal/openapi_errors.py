"""The error answers of every API operation, declared in the OpenAPI document in one place.

drf-spectacular documents only the success answer of an operation unless a view lists its errors. Clients
and fuzzers (schemathesis) read the document to learn which statuses exist, so `ErrorDeclaringAutoSchema`
adds, to every operation, the error statuses that the way it is built can really answer, with the bodies
that `portal.api.exception_handler` writes:

- 400 when it writes (a service may refuse the change as invalid), reads a body or takes query parameters
  (field messages, or `detail` for an unreadable body);
- 401 when it authenticates (no, or an invalid, expired or revoked token);
- 403 when its permissions are more than `AllowAny`, or when a session may post to it (CSRF);
- 404 when its path names an object (outside the caller's scope it does not exist) or it is paginated;
- 406 when it negotiates its content type the DRF way (JSON only; downloads use `AnyAccept`);
- 409 when the view declares the methods with `answers_conflict` (services raising `InvalidTransition`);
- 415 when it reads a body (a Content-Type none of its parsers reads);
- 429 when it is throttled.

A status a view declares itself (`extend_schema(responses={...})`) is kept as the view wrote it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

from portal.api import AnyAccept

ViewClass = TypeVar("ViewClass", bound=type)

#: `{"detail": "..."}`, sometimes with a machine-readable `code` and the facts behind it (a 409's date).
ERROR = "ErrorDetail"
#: `{"field": ["message"]}`; nested input nests the same shape, `non_field_errors` concerns the whole input.
FIELD_ERRORS = "FieldErrors"

_SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "An error in words (`detail`), with a machine-readable `code` where one helps.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": (
            "Input that was refused, field by field: each key names a field (`non_field_errors` the input "
            "as a whole) and holds its messages; the fields of nested objects and lists nest the same way."
        ),
        "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
    },
}

_DESCRIPTIONS: dict[str, str] = {
    "400": "Invalid input: field messages, or `detail` when the body cannot be read.",
    "401": "No valid credentials: the token is missing, invalid, expired or revoked.",
    "403": (
        "Not allowed: not an active member, a role that may not do this (the reason is in `detail`), "
        "or a session request without its CSRF token."
    ),
    "404": "Unknown, or not yours to see (the same answer); for a list, a page past its end.",
    "406": "The `Accept` header asks for a type this operation does not answer with (it answers JSON).",
    "409": "Not possible in the object's current state (`code` says why).",
    "415": "The body's `Content-Type` is not one this operation reads.",
    "429": "Too many requests: try again after the `Retry-After` seconds.",
}

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: A page past the end of a list answers 404 (DRF's page number and cursor paginations).
_PAGE_PARAMETERS = {"page", "cursor"}


def answers_conflict(*methods: str) -> Callable[[ViewClass], ViewClass]:
    """Class decorator for a view whose `methods` may answer 409 (a service refusing the transition with
    `InvalidTransition`, a deletion guard refusing a delete); the document declares it for them."""

    def decorate(view: ViewClass) -> ViewClass:
        view.conflict_methods = frozenset(method.upper() for method in methods)  # type: ignore[attr-defined]
        return view

    return decorate


class ErrorDeclaringAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]
        for status in self._error_statuses(operation):
            # A view's own declaration wins: it knows its body (`{"errors": [...]}` of the file imports).
            responses.setdefault(status, self._error_response(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        view = self.view
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        path_parameters = any(parameter["in"] == "path" for parameter in parameters)
        query_names = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        paginated = bool(query_names & _PAGE_PARAMETERS)
        authenticators = view.get_authenticators()
        only_anyone = all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
        session = any(isinstance(a, SessionAuthentication) for a in authenticators)

        statuses = []
        if has_body or query_names or self.method in _UNSAFE:
            statuses.append("400")
        if authenticators:
            statuses.append("401")
        if not only_anyone or (session and self.method in _UNSAFE):
            statuses.append("403")
        if path_parameters or paginated:
            statuses.append("404")
        if not isinstance(view.get_content_negotiator(), AnyAccept):
            statuses.append("406")
        if self.method in getattr(view, "conflict_methods", ()):
            statuses.append("409")
        if has_body:
            statuses.append("415")
        if view.get_throttles():
            statuses.append("429")
        return statuses

    def _component(self, name: str) -> dict[str, str]:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=_SCHEMAS[name], object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_response(self, status: str) -> dict[str, Any]:
        schema = self._component(ERROR)
        if status == "400":
            # A serializer's field messages, a top-level list (`ValidationError("...")` raised in a view),
            # or `detail` for a body that cannot be parsed.
            schema = {
                "anyOf": [
                    self._component(FIELD_ERRORS),
                    schema,
                    {"type": "array", "items": {"type": "string"}},
                ]
            }
        return {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
