"""One mapping from domain errors and scan outcomes to HTTP (kiosk/web/errors.py)."""

import importlib
import pkgutil

import pytest

import kiosk
from conftest import auth
from kiosk.attendees.desk import DeskError
from kiosk.attendees.registration import AlreadyRegistered
from kiosk.badges.service import BadgesUnavailable, NoBadge
from kiosk.cards import CardUnreadable
from kiosk.checkin.identity import (
    VerificationFailed,
    VerificationRequired,
    VerificationUnavailable,
)
from kiosk.checkin.scans import Outcome
from kiosk.devices import DeviceError
from kiosk.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    Forbidden,
    NotFound,
    RateLimited,
    StorageUnavailable,
    Unavailable,
)
from kiosk.mailing.outbox import MailError
from kiosk.web.errors import outcome_body, outcome_status

PERSON = {"id": 7, "full_name": "陈静", "company": "Acme"}

# Every domain error the code base defines: how to make one, and the answer it must give.
EXPECTED = {
    DomainError: (lambda: DomainError("no", code="refused"), 409),
    FieldErrors: (lambda: FieldErrors({"email": "not valid"}), 422),
    DeviceError: (lambda: DeviceError("name", "a device needs a name"), 422),
    CardUnreadable: (lambda: CardUnreadable("no_text"), 422),
    NotFound: (lambda: NotFound("no lead 5"), 404),
    NoBadge: (lambda: NoBadge(5), 404),
    BadgesUnavailable: (lambda: BadgesUnavailable("font 'X' is not installed"), 503),
    Forbidden: (lambda: Forbidden("another exhibitor's lead"), 403),
    Conflict: (lambda: Conflict("already answered", code="already_answered"), 409),
    DeskError: (lambda: DeskError("this record is not merged", code="not_merged"), 409),
    AlreadyRegistered: (lambda: AlreadyRegistered(PERSON, "email"), 409),
    VerificationRequired: (VerificationRequired, 422),
    VerificationFailed: (VerificationFailed, 422),
    VerificationUnavailable: (VerificationUnavailable, 422),
    RateLimited: (lambda: RateLimited("too many searches", retry_after=42), 429),
    Unavailable: (lambda: Unavailable("out of paper", code="print_failed", reason="paper"), 503),
    MailError: (lambda: MailError("mail server 127.0.0.1:25: cannot connect"), 503),
    StorageUnavailable: (
        lambda: StorageUnavailable("the database file is gone", reason="database_missing"),
        503,
    ),
}


def _every_subclass(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _every_subclass(sub)


def test_every_domain_error_has_a_known_answer():
    for module in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    defined = {DomainError, *_every_subclass(DomainError)}
    assert defined == set(EXPECTED), "a new domain error needs its status here and in STATUS"


@pytest.fixture
def raising_client(app):
    """The app with one route that raises the domain error named in its path."""
    from kiosk.web.auth import endpoint

    @app.get("/api/v1/raise/<name>")
    @endpoint("staff", summary="raises a domain error (test only)")
    def raise_it(name):
        raise {cls.__name__: make for cls, (make, _) in EXPECTED.items()}[name]()

    return app.test_client()


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda c: c.__name__)
def test_each_domain_error_maps_to_its_status_and_the_one_shape(cls, raising_client, make):
    make_error, status = EXPECTED[cls]
    error = make_error()
    res = raising_client.get(f"/api/v1/raise/{cls.__name__}", headers=auth(make.device("staff")))
    assert res.status_code == status
    body = res.get_json()
    assert body["error"] == error.code and isinstance(body["message"], str) and body["message"]
    if isinstance(error, FieldErrors):
        assert body["fields"] == error.fields and body["message"] == error.headline
    else:
        assert "fields" not in body and body["message"] == error.message
    assert {k: v for k, v in body.items() if k not in ("error", "message", "fields")} == (
        error.details
    )


def test_rate_limited_says_when_to_retry(raising_client, make):
    res = raising_client.get("/api/v1/raise/RateLimited", headers=auth(make.device("staff")))
    assert res.status_code == 429 and res.headers["Retry-After"] == "42"


def test_a_kiosk_is_told_already_registered_and_nothing_more():
    error = AlreadyRegistered(PERSON, "email", withheld=True)
    assert error.details == {"attendee_id": 7}
    assert "陈静" not in error.message and "Acme" not in error.message


def test_already_registered_names_the_record_found():
    error = AlreadyRegistered(PERSON, "phone", {"id": 7, "full_name": "陈静"})
    assert error.details == {
        "attendee_id": 7,
        "matched_on": "phone",
        "attendee": {"id": 7, "full_name": "陈静"},
    }


@pytest.mark.parametrize(
    ("outcome", "status", "body"),
    [
        (
            Outcome(True, attendee=PERSON, details={"gate": "north", "direction": "in"}),
            201,
            {"status": "ok", "gate": "north", "direction": "in", "attendee": PERSON},
        ),
        (
            Outcome.refused("already_checked_in", "already in", PERSON, checked_in_gate="south"),
            200,
            {
                "status": "error",
                "reason": "already_checked_in",
                "message": "already in",
                "checked_in_gate": "south",
                "attendee": PERSON,
            },
        ),
        (
            Outcome.refused("invalid", "not a valid badge"),
            404,
            {"status": "error", "reason": "invalid", "message": "not a valid badge"},
        ),
    ],
    ids=["ok", "known-badge-refused", "unknown-code"],
)
def test_scan_outcomes_answer_as_the_contract_says(outcome, status, body):
    assert outcome_status(outcome) == status
    assert outcome_body(outcome) == body
    # As a nonce replays it: kept without the person, who is looked up again by id.
    kept = outcome.for_nonce()
    assert "full_name" not in kept
    assert outcome_body(Outcome.from_nonce(kept, lambda _: outcome.attendee)) == body
