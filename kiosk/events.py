"""Domain events: one dataclass per thing that happened, published after its transaction commits.

The domain publishes with `publish(store, Event(...))`; kiosk.live.bridge is the one subscriber
that turns them into Socket.IO messages. Each event's fields are its payload; `payload()` gives
them as the JSON-ready dict pushed live. Events carry no personal data beyond what the rooms
they reach may see (the staff room sees names, an exhibitor's room only its own leads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from blinker import Namespace

_signals = Namespace()
_published = _signals.signal("domain-event")


@dataclass(frozen=True)
class Event:
    """Something that happened in the show; subclasses name what."""

    def payload(self) -> dict:
        """The event's fields as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class CheckedIn(Event):
    """A badge passed a gate, in or out."""

    interaction_id: int
    attendee: dict
    gate: str
    direction: str
    at: str
    device_id: int


@dataclass(frozen=True)
class ScanRefused(Event):
    """A scan at a gate or a session door was refused (forged, revoked, already in, not allowed)."""

    reason: str
    gate: str
    direction: str | None
    device_id: int
    attendee_id: int | None
    at: str


@dataclass(frozen=True)
class Registered(Event):
    """A new person is on file (walk-up kiosk, staff desk or import)."""

    attendee_id: int
    category: str
    source: str
    at: str
    device_id: int | None


@dataclass(frozen=True)
class LeadCaptured(Event):
    """An exhibitor's lead was created, scanned again, qualified or consented."""

    change: str
    exhibitor_id: int
    lead: dict


@dataclass(frozen=True)
class Scanned(Event):
    """A camera scanner's check-in, answered on the kiosk bound to its gate.

    `outcome` is the check-in's outcome (kiosk.checkin.scans.Outcome) as a dict.
    """

    gate: str
    outcome: dict
    device_id: int
    at: str


@dataclass(frozen=True)
class Alert(Event):
    """Trouble staff must see: a failed print, a printer that stopped, a burst of forged codes."""

    kind: str
    message: str
    at: str
    reason: str | None = None
    gate: str | None = None
    device_id: int | None = None
    device: str | None = None
    printer: str | None = None
    job_id: int | None = None
    extra: dict = field(default_factory=dict)

    def payload(self) -> dict:
        """Only the fields that apply."""
        data = {k: v for k, v in asdict(self).items() if v is not None and k != "extra"}
        return {**data, **self.extra}


@dataclass(frozen=True)
class SessionAttended(Event):
    """A badge was counted into a seminar or forum."""

    attendee_id: int
    session: str
    at: str
    device_id: int


@dataclass(frozen=True)
class SurveyAnswered(Event):
    """An exit-survey answer was stored."""

    response_id: int
    attendee_id: int | None
    at: str


@dataclass(frozen=True)
class PeopleChanged(Event):
    """The desk corrected, reprinted, voided, merged, unmerged or dismissed (as a likely
    duplicate) a record."""

    action: str
    attendee_id: int


@dataclass(frozen=True)
class DayClosed(Event):
    """A show day closed: whoever was still inside was checked out (`day_closed`)."""

    day: str
    closed: int
    at: str


@dataclass(frozen=True)
class DeviceRevoked(Event):
    """A device's token was revoked: its open live connections are cut."""

    device_id: int
    at: str


@dataclass(frozen=True)
class StaffSignedOut(Event):
    """A staff account signed out of one browser: that sign-in's live connections are cut."""

    staff_id: int
    sign_in: str | None
    at: str


def publish(sender: object, event: Event) -> None:
    """Tell the subscribers of `sender` (the show's Store) that `event` happened."""
    _published.send(sender, event=event)


def subscribe(sender: object, receiver: Callable[[Event], None]) -> None:
    """Call `receiver(event)` for every event the show `sender` publishes, for the app's life."""

    def deliver(_sender, event: Event) -> None:
        receiver(event)

    # A strong reference: the subscriber lives as long as the app that made it.
    _published.connect(deliver, sender=sender, weak=False)
