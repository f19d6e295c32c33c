"""GET /api/v1/openapi.json describes each answer exactly: schemas per status, content types, optionals."""

from __future__ import annotations

import json
import re

import pytest

from conftest import auth


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield f"{method.upper()} {path}", op


def test_every_answer_has_a_real_schema_or_a_file_type(spec):
    for name, op in operations(spec):
        for status, answer in op["responses"].items():
            content = answer.get("content")
            assert content, f"{name} {status} has no content"
            (media_type, body), *_ = content.items()
            schema = body["schema"]
            if media_type == "application/json":
                assert schema.get("$ref") or schema.get("allOf") or schema.get("properties"), (
                    f"{name} {status}: a bare schema {schema}"
                )
            else:
                assert schema == {"type": "string", "format": "binary"}, name


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/attendees/{attendee_id}/badge.png", "image/png"),
        ("/api/v1/attendees/{attendee_id}/badge.pdf", "application/pdf"),
        ("/api/v1/leads.csv", "text/csv"),
        ("/api/v1/leads.vcf", "text/vcard"),
    ],
)
def test_files_are_described_with_their_content_type(spec, path, media_type):
    assert list(spec["paths"][path]["get"]["responses"]["200"]["content"]) == [media_type]


def test_refusals_use_the_error_shape(spec):
    error = {"$ref": "#/components/schemas/Error"}
    for name, op in operations(spec):
        for status, answer in op["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            schema = answer["content"]["application/json"]["schema"]
            if schema == {"$ref": "#/components/schemas/InvalidCode"}:
                continue  # an unknown badge at a gate or door: {status, reason: invalid}
            assert schema == error or error in schema.get("allOf", []), f"{name} {status}"


def test_every_route_answers_401_and_403_in_the_error_shape(spec):
    for name, op in operations(spec):
        assert {"401", "403"} <= set(op["responses"]), name


def test_query_parameters_are_optional_and_ids_are_integers(spec):
    for name, op in operations(spec):
        for param in op["parameters"]:
            if param["in"] == "query":
                assert param["required"] is False, f"{name} ?{param['name']}"
            else:
                assert param["required"] is True and param["schema"]["type"] == "integer", name


def test_every_reference_resolves(spec):
    named = set(re.findall(r'"#/components/schemas/(\w+)"', json.dumps(spec)))
    assert named <= set(spec["components"]["schemas"])


def test_the_roles_described_are_the_roles_enforced(client, make, spec):
    tokens = {role: make.device(role) for role in ("kiosk", "exhibitor", "staff")}
    for name, op in operations(spec):
        method, path = name.split(" ")
        url = re.sub(r"{\w+}", "1", path)
        for role, token in tokens.items():
            res = client.open(url, method=method, headers=auth(token))
            if role in op["x-roles"]:
                # A 403 of its own (a kiosk asking for a badge it did not just serve) is no
                # refusal of the role.
                refused_role = res.status_code == 403 and res.get_json()["error"] == "forbidden"
                assert res.status_code != 401 and not refused_role, f"{name} as {role}"
            else:
                assert res.status_code == 403, f"{name} as {role}"
