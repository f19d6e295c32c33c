"""Schemathesis against a real `kiosk serve`: every route, as every role allowed to call it.

Fails on any server error (5xx), any status the OpenAPI description does not list for the route,
any content type it does not name and any JSON answer that breaks its schema. Examples are few
and derandomised (the same requests every run), so the whole run stays within seconds; badge
codes and ids are sometimes swapped for real ones so the fuzzing also reaches the answers a
real show gives, not only the refusals of made-up input.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import Factory, LiveServer, load_settings
from kiosk import create_app
from kiosk.services import open_services

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 6


class Show:
    """A show with people, an exhibitor with leads and a device per role, served for real."""

    def __init__(self, tmp_path):
        self.settings = load_settings(tmp_path)
        self.svc = open_services(self.settings)
        make = Factory(self.svc)
        self.people = [make.attendee(phone=f"1380013800{i}") for i in range(4)]
        exhibitor = make.exhibitor()
        self.tokens = {
            "kiosk": make.device("kiosk"),
            "exhibitor": make.device("exhibitor", exhibitor_id=exhibitor),
            "staff": make.device("staff"),
        }
        self.server = LiveServer(self.settings)
        for i, (_, code) in enumerate(self.people[:2]):
            res = requests.post(
                self.server.url + "/api/v1/leads",
                json={"code": code, "client_ref": f"seed-{i}"},
                headers=self.headers("exhibitor"),
            )
            assert res.status_code == 201, res.text
        leads = requests.get(self.server.url + "/api/v1/leads", headers=self.headers("staff"))
        self.ids = {
            "attendee_id": [person_id for person_id, _ in self.people],
            "exhibitor_id": [exhibitor],
            "lead_id": [lead["id"] for lead in leads.json()["leads"]],
        }

    def headers(self, role: str) -> dict:
        """The bearer header of the role's device."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def close(self):
        self.server.stop()
        self.svc.store.close()


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    show = Show(tmp_path_factory.mktemp("fuzz"))
    yield show
    show.close()


def served_document() -> dict:
    """The OpenAPI document as the server builds it (the show fixture checks it is the one served)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(load_settings(Path(tmp)), testing=True)
        document = app.test_client().get("/api/v1/openapi.json").get_json()
        app.extensions["kiosk"].store.close()
    return document


DOCUMENT = served_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    allow_x00=False,
    with_security_parameters=False,  # each role's own token, never a made-up one
)


def test_the_server_serves_this_document(show):
    assert requests.get(show.server.url + "/api/v1/openapi.json").json() == DOCUMENT


# Values of the demo show that made-up input would hardly ever hit.
REAL_VALUES = {
    "gate": "north",
    "place": "forum-1",
    "type": "session_attended",
    "category": "visitor",
    "language": "en",
}


def make_realistic(case, show: Show, pick: int) -> None:
    """Now and then use a real badge code, id or value, so a real show's answers are reached too."""
    body = case.body
    if isinstance(body, dict) and pick % 2 == 0:
        for key, value in REAL_VALUES.items():
            if key in body:
                body[key] = value
        if "full_name" in body:  # a walk-up: the same person again is told so (409)
            body.update(
                full_name=f"Walk Up {pick}",
                email=f"walk-up-{pick}@example.com",
                consents={"terms": True},
            )
    if isinstance(body, dict) and "code" in body and pick < len(show.people):
        body["code"] = show.people[pick][1]
        body.pop("attendee_id", None)
    for name, ids in show.ids.items():
        if name in (case.path_parameters or {}) and pick < len(ids):
            case.path_parameters[name] = ids[pick]


@schema.parametrize()
@schema.given(pick=st.integers(min_value=0, max_value=7))
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_openapi_description(case, pick, show):
    make_realistic(case, show, pick)
    for role in case.operation.definition.raw["x-roles"]:
        case.call_and_validate(
            base_url=show.server.url, headers=show.headers(role), checks=CHECKS, timeout=30
        )
