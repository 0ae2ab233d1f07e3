"""Hostile JSON answers 400 with a message, never 500 (issue 15): bodies nested thousands of levels deep,
and NaN or Infinity where a number is expected."""

from __future__ import annotations

import pytest

from portal.json_input import MAX_DEPTH, loads
from portal.tenancy.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

DEEP = "[" * 2000 + "]" * 2000  # 4 KB


def test_loads_refuses_depth_and_non_numbers_but_reads_strings_with_brackets():
    with pytest.raises(ValueError, match="nested"):
        loads(DEEP)
    with pytest.raises(ValueError, match="NaN"):
        loads('{"a": NaN}')
    with pytest.raises(ValueError, match="Infinity"):
        loads('{"a": -Infinity}')
    assert loads('{"a": "' + "[" * 500 + '\\"{"}') == {"a": "[" * 500 + '"{'}
    nested: object = 1
    for _ in range(MAX_DEPTH):
        nested = [nested]
    import json

    assert loads(json.dumps(nested)) == nested


def _depth_by_scanning(text: str, max_depth: int) -> bool:
    """The plain definition: a scanner walking every character, in and out of strings."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


@pytest.mark.parametrize("alphabet", ['[]{}"ab,:ü', '[]{}"\\ab,:ü'], ids=["without escapes", "with escapes"])
def test_the_depth_check_finds_what_a_character_scanner_finds(alphabet):
    """`depth_exceeded` removes strings and text before counting; on any text, well-formed or not, it must
    answer as the scanner does (unterminated strings, escaped quotes, brackets inside strings...)."""
    import random

    from portal.json_input import depth_exceeded

    rng = random.Random(17)
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for max_depth in (0, 1, 2, 4):
            assert depth_exceeded(text, max_depth) is _depth_by_scanning(text, max_depth), (text, max_depth)


def test_the_depth_check_reads_hostile_strings_in_one_pass():
    """An unterminated string full of escaped quotes made a pattern retry at every quote (quadratic time);
    the check now answers like the scanner on such text of a megabyte without stalling the test."""
    from portal.json_input import depth_exceeded

    for text in ('"' + '\\"' * 500_000, '"' + '\\"' * 500_000 + "\\", "[" * 10 + '"' + "[" * 100):
        assert depth_exceeded(text, MAX_DEPTH) is _depth_by_scanning(text, MAX_DEPTH) is False


def test_the_unauthenticated_token_endpoint_refuses_deep_json(client):
    response = client.post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_api_writes_refuse_deep_json(client):
    client.force_login(member(Role.ADMIN))
    response = client.post(
        "/api/v1/passports/", '{"a":' * 1500 + "1" + "}" * 1500, content_type="application/json"
    )
    assert response.status_code == 400


def test_catenax_import_refuses_deep_json_and_nan(client):
    client.force_login(member(Role.ADMIN))
    url = "/api/v1/passports/import/catenax/"
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["errors"][0]["message"]
    response = client.post(url, '{"metadata": {"version": NaN}}', content_type="application/json")
    assert response.status_code == 400 and "NaN" in response.json()["errors"][0]["message"]


def test_mail_subjects_are_one_line_whatever_the_company_name_holds(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from portal.mail import one_line
    from portal.tenancy.models import Organization
    from tests.web.test_registration import registration

    assert one_line("Elektra\r\nGmbH\u2028AG\u2029 \x0b x") == "Elektra GmbH AG x"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/", registration(legal_name="Volt\rwerk\u2028AG"))
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # accepted: the operators are told, in a one-line subject
        assert Organization.objects.filter(legal_name__startswith="Volt").exists()
        assert mail.outbox and all("\r" not in m.subject and "\u2028" not in m.subject for m in mail.outbox)
    else:  # refused by the form: nothing stored
        assert not Organization.objects.filter(legal_name__startswith="Volt").exists()


def test_api_bodies_with_control_characters_answer_400_naming_where(client):
    """The forms refuse control characters; the API does too, wherever they hide (issue 15)."""
    from portal.json_input import control_characters_at

    assert control_characters_at({"a": ["ok", {"b": "x\x00y"}]}) == "a[1].b"
    assert control_characters_at({"note": "line one\nline two\ttabbed\r\n"}) is None
    assert control_characters_at({"bad\x07key": 1}) == "bad\x07key"
    client.force_login(member(Role.ADMIN))
    body = '{"name": "Werk\\u0000Nord", "street": "a", "postal_code": "1", "city": "b", "country": "DE"}'
    response = client.post("/api/v1/organizations/me/sites/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Remove the control characters from this text."]}


def test_a_broken_multipart_body_is_not_called_malformed_json(client):
    client.force_login(member(Role.ADMIN))
    response = client.post(
        "/api/v1/organizations/me/sites/",
        b'--xx\r\nContent-Disposition: form-data; name="name"\r\n\r\nno end boundary',
        content_type="multipart/form-data; boundary=xx",
    )
    assert response.status_code in (400, 415)
    assert "Malformed JSON" not in response.content.decode()


def test_the_catenax_import_reads_json_only_and_refuses_bodies_it_cannot_measure(client):
    client.force_login(member(Role.ADMIN))
    url = "/api/v1/passports/import/catenax/"
    wrong_type = client.post(url, "{}", content_type="text/plain")
    assert wrong_type.status_code == 415 and "application/json" in wrong_type.json()["errors"][0]["message"]
    # A chunked body as a WSGI server hands it over: the body is there, its length is not.
    chunked = client.generic(
        "POST",
        url,
        b"[]",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert chunked.status_code == 411, chunked.content
    assert "Content-Length" in chunked.json()["errors"][0]["message"]
    assert (
        client.post(url, "[]", content_type="application/vnd.catenax+json").status_code == 400
    )  # read, empty
