"""Entrance kiosks without the server: the offline set they keep, and their check-ins synced later.

The offline set tells a kiosk which badge codes are good, without the signing key and without
letting a stolen kiosk tell anything about anyone: each badge is one entry, keyed by a hash of
its code and holding the greeting (name, category, language, whether it is revoked, where the
person is) encrypted with AES-GCM under a key derived (HKDF-SHA256) from the code itself. Only
someone holding the code finds and reads the entry; the code carries 160 bits the thief cannot
guess. With it go the kiosk's gate rules and the decision table (kiosk.checkin.decisions).

The set is built once per change and kept in memory; a kiosk asks every second with the revision
it holds and gets nothing (unchanged), the entries changed since, or the whole set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk import events
from kiosk.checkin import codes, decisions
from kiosk.checkin.scans import nonce_error
from kiosk.checkin.service import check_in
from kiosk.config import ConfigError, Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, from_iso, to_iso, utcnow
from kiosk.storage import offline as sql
from kiosk.storage.interactions import audit
from kiosk.storage.shared import Clustered, Local

ENTRY_INFO = b"kiosk-offline-entry-v1"
# A changed show is rebuilt at most this often: kiosks see it within about a second more.
REBUILD_EVERY_S = 1.0
# Between whole rebuilds only the people changed are read again; a whole rebuild this often
# catches anything else.
FULL_REBUILD_S = 600.0
# Changed records are looked for from this long before the last look.
OVERLAP_S = 10.0
KEEP_CHANGES = 600
MAX_BATCH = 500
# An offline check-in older than this is not taken (a kiosk's clock gone wrong).
MAX_AGE_DAYS = 14
# A kiosk that has not asked for its set for this long is shown offline.
ONLINE_WITHIN_S = 5.0
DEFAULT_ALERT_AFTER_MIN = 5.0


def b64(raw: bytes) -> str:
    """URL-safe base64 without padding (what the kiosk decodes)."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def set_salt(settings: Settings) -> bytes:
    """The show's salt for entry keys and lookups: sets of two shows never match."""
    return hashlib.sha256(b"kiosk-offline-set/" + settings.event_id.encode()).digest()


def lookup_key(salt: bytes, code: str) -> str:
    """The entry's name: a hash of the code as scanned (normalised)."""
    return b64(hashlib.sha256(salt + b"\x00id\x00" + code.encode()).digest()[:16])


def entry_key(salt: bytes, code: str) -> bytes:
    """The AES-128 key of a code's entry, derived from the code."""
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=salt, info=ENTRY_INFO).derive(
        code.encode()
    )


def seal(key: bytes, lookup: str, greeting: dict) -> str:
    """A greeting encrypted for its code's holder (AES-GCM, the lookup as associated data)."""
    iv = os.urandom(12)
    text = json.dumps(greeting, ensure_ascii=False, separators=(",", ":")).encode()
    return b64(iv + AESGCM(key).encrypt(iv, text, lookup.encode()))


def open_entry(salt: bytes, code: str, blob: str) -> dict:
    """What a kiosk reads from an entry with the code in hand (the server's tests use it)."""
    raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
    lookup = lookup_key(salt, code)
    plain = AESGCM(entry_key(salt, code)).decrypt(raw[:12], raw[12:], lookup.encode())
    return json.loads(plain)


def greeting(row) -> dict:
    """The little a kiosk needs to greet (or refuse) a badge's holder; no contact details."""
    data = {"n": row["full_name"], "c": row["category"], "l": row["language"]}
    if row["revoked"]:
        data["r"] = 1
    if row["state"]:
        data.update(p=row["state"], g=row["gate"], t=row["at"])
    return data


@dataclass
class _Badge:
    lookup: str
    key: bytes
    marks: tuple
    blob: str


class OfflineSets:
    """The show's offline set, kept current in memory, and the changes of its last revisions."""

    def __init__(self, store: Store, settings: Settings, keys: Keys):
        self.store = store
        self.settings = settings
        self.keys = keys
        self.salt = set_salt(settings)
        self._lock = threading.Lock()
        self._epoch = secrets.token_hex(4)
        self._rev = 0
        self._badges: dict[str, _Badge] = {}
        self._changes: deque[tuple[int, frozenset, frozenset]] = deque(maxlen=KEEP_CHANGES)
        self._marks: tuple = (None,)
        self._built = 0.0
        self._full_at = 0.0
        self._since = ""

    @property
    def revision(self) -> str:
        """The revision a kiosk holds once it has this set."""
        return f"{self._epoch}-{self._rev}"

    def refresh(self) -> None:
        """Bring the set up to date when the show changed (at most once a second)."""
        marks = sql.change_marks(self.store.conn)
        now = time.monotonic()
        with self._lock:
            full = self._rev == 0 or now - self._full_at >= FULL_REBUILD_S
            if (marks == self._marks and not full) or now - self._built < REBUILD_EVERY_S:
                return
            self._rebuild(marks, now, full)

    def _rebuild(self, marks: tuple, now: float, full: bool) -> None:
        conn = self.store.conn
        # Records and badges changed since a little before the last look (a transaction under
        # way then commits with an earlier time), passages after the last interaction seen.
        cut = to_iso(datetime.now(UTC) - timedelta(seconds=OVERLAP_S))
        people = None if full else sql.changed_people(conn, self._since, self._marks[0] or 0)
        rows = sql.badges_for_set(conn, None if people is None else sorted(people))
        seen: dict[str, _Badge] = {} if full else dict(self._badges)
        changed = set()
        for row in rows:
            row_marks = tuple(row)
            badge = self._badges.get(row["code_id"])
            if badge is None:
                code = codes.code_for(self.keys, row["code_id"], row["version"])
                lookup = lookup_key(self.salt, code)
                key = entry_key(self.salt, code)
                badge = _Badge(lookup, key, row_marks, seal(key, lookup, greeting(row)))
                changed.add(lookup)
            elif badge.marks != row_marks:
                badge.marks = row_marks
                badge.blob = seal(badge.key, badge.lookup, greeting(row))
                changed.add(badge.lookup)
            seen[row["code_id"]] = badge
        present = {row["code_id"] for row in rows}
        if full:
            gone = [cid for cid in self._badges if cid not in seen]
        else:  # the changed people's badges that are no longer in the set (erased)
            gone = [
                cid
                for cid, b in self._badges.items()
                if b.marks[2] in people and cid not in present
            ]
        removed = {self._badges[cid].lookup for cid in gone}
        for cid in gone:
            seen.pop(cid, None)
        self._badges = seen
        self._marks = marks
        self._since = cut
        self._built = now
        if full:
            self._full_at = now
        if changed or removed or self._rev == 0:
            self._rev += 1
            self._changes.append((self._rev, frozenset(changed), frozenset(removed)))

    def answer(self, gate: str, since: str | None) -> dict | None:
        """The kiosk's set: None when `since` is current, else the changes since or all of it."""
        self.refresh()
        with self._lock:
            if since == self.revision:
                return None
            base = _since(since, self._epoch)
            changes = [c for c in self._changes if base is not None and c[0] > base]
            partial = base is not None and bool(changes) and changes[0][0] == base + 1
            by_lookup = None
            if partial:
                changed: set[str] = set()
                removed: set[str] = set()
                for _, added, gone in changes:
                    changed |= added
                    changed -= gone
                    removed |= gone
                    removed -= added
                by_lookup = {b.lookup: b.blob for b in self._badges.values() if b.lookup in changed}
                entries, gone_list = by_lookup, sorted(removed)
            else:
                entries = {b.lookup: b.blob for b in self._badges.values()}
                gone_list = []
            revision = self.revision
        settings = self.settings
        return {
            "revision": revision,
            "full": not partial,
            "entries": entries,
            "removed": gone_list,
            "salt": b64(self.salt),
            "gate": decisions.gate_data(settings.gates[gate]),
            "table": [dict(row) for row in decisions.TABLE],
            "timezone": settings.timezone.key,
            "gates": {g.id: g.name for g in settings.gates.values()},
            "categories": {c.id: c.name for c in settings.categories.values()},
            "size": len(self._badges),
        }


def _since(since: str | None, epoch: str) -> int | None:
    if not since or "-" not in since:
        return None
    head, _, number = since.partition("-")
    if head != epoch or not number.isdigit():
        return None
    return int(number)


class KioskStates:
    """Each kiosk's offline state: online, queue, last sync. Kept in the shared state, so that
    with several server nodes a kiosk that reports to one shows on every node's console."""

    def __init__(
        self,
        alert_after_min: float = DEFAULT_ALERT_AFTER_MIN,
        shared: Local | Clustered | None = None,
    ):
        self.alert_after_min = alert_after_min
        self.shared = shared if shared is not None else Local()

    def seen(self, device_id: int, queue: int, offline_since: str | None) -> None:
        """A kiosk asked for its set, saying how many check-ins it holds."""
        self.shared.kiosk_seen(device_id, time.time(), queue, offline_since)

    def synced(self, device_id: int, count: int, left: int) -> None:
        """A kiosk's queued check-ins reached the server."""
        self.shared.kiosk_synced(device_id, time.time(), utcnow(), count, left)

    def snapshot(self, kiosks: list[dict]) -> list[dict]:
        """Every kiosk: online or offline since when, queue length, last sync, and the alert."""
        now = time.time()
        states = self.shared.kiosk_states()
        out = []
        for device in kiosks:
            state = states.get(device["id"])
            if state is None:
                out.append(
                    {
                        **device,
                        "state": "unknown",
                        "offline_since": None,
                        "queue": None,
                        "last_sync": None,
                        "synced": 0,
                        "alert": False,
                    }
                )
                continue
            online = now - state["last_seen"] <= ONLINE_WITHIN_S
            since = None if online else datetime.fromtimestamp(state["last_seen"]).astimezone()
            minutes = (now - state["last_seen"]) / 60 if not online else 0.0
            out.append(
                {
                    **device,
                    "state": "online" if online else "offline",
                    "offline_since": to_iso(since) if since else None,
                    "offline_minutes": round(minutes, 1),
                    "queue": state["queue"],
                    "last_sync": state["last_sync"],
                    "synced": state["synced"],
                    "alert": not online and minutes >= self.alert_after_min,
                }
            )
        return out


def alert_after_minutes(settings: Settings) -> float:
    """[offline] alert_after_minutes: how long a kiosk may be offline before staff are alerted."""
    raw = settings.extra.get("offline", {})
    if not isinstance(raw, dict):
        raise ConfigError("offline: expected a table")
    value = raw.get("alert_after_minutes", DEFAULT_ALERT_AFTER_MIN)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1440:
        raise ConfigError("offline.alert_after_minutes: expected a number from 0 to 1440")
    return float(value)


def _check_items(settings: Settings, items, now: datetime) -> list[tuple[dict, datetime]]:
    if not isinstance(items, list) or not items:
        raise FieldErrors({"checkins": "a list of 1 to 500 check-ins"})
    if len(items) > MAX_BATCH:
        raise FieldErrors({"checkins": f"at most {MAX_BATCH} check-ins at once"})
    checked = []
    for i, item in enumerate(items):
        where = f"checkins[{i}]"
        if not isinstance(item, dict):
            raise FieldErrors({where: "an object"})
        if not isinstance(item.get("code"), str) or not item["code"].strip():
            raise FieldErrors({f"{where}.code": "required"})
        nonce = item.get("nonce")
        if nonce is None or nonce_error(nonce):
            raise FieldErrors({f"{where}.nonce": "a string of 1 to 100 characters"})
        try:
            at = from_iso(item.get("at")) if isinstance(item.get("at"), str) else None
            if at is not None and at.tzinfo is not None:
                late = at > now + timedelta(minutes=5)
                old = at < now - timedelta(days=MAX_AGE_DAYS)
        except (ValueError, OverflowError):
            at = None
        if at is None or at.tzinfo is None:
            raise FieldErrors({f"{where}.at": "when the kiosk admitted them, ISO 8601 with zone"})
        if late or old:
            raise FieldErrors({f"{where}.at": f"not within the last {MAX_AGE_DAYS} days up to now"})
        checked.append((item, at))
    return checked


def sync_checkins(
    store: Store, settings: Settings, keys: Keys, device: Device, items, *, now: datetime
) -> list[dict]:
    """Record a kiosk's offline check-ins in order, each as it would have been at its time.

    Each goes through check_in with its own nonce, so a batch sent again records nothing new.
    An admission the server refuses (already in through another kiosk, revoked meanwhile, ...)
    stays refused in the record and becomes one conflict row for staff, once per nonce.
    """
    results = []
    for item, at in _check_items(settings, items, now):
        nonce = item["nonce"]
        gate = item.get("gate") or device.gate
        direction = item.get("direction", "in")
        outcome = check_in(
            store,
            settings,
            keys,
            code=item["code"],
            gate=gate,
            direction=direction,
            nonce=nonce,
            device=device,
            now=at,
        )
        if outcome.ok:
            results.append({"nonce": nonce, "status": "recorded"})
        elif outcome.attendee is None:
            results.append({"nonce": nonce, "status": "invalid", "reason": outcome.reason})
        else:
            _conflict(store, settings, device, item, at, gate, direction, outcome)
            results.append({"nonce": nonce, "status": "conflict", "reason": outcome.reason})
    return results


def _conflict(store, settings, device, item, at, gate, direction, outcome) -> None:
    attendee = outcome.attendee
    standing = {
        k: outcome.details[k] for k in ("checked_in_at", "checked_in_gate") if k in outcome.details
    }
    admitted_at = to_iso(at)
    with store.write() as conn:
        conflict_id = sql.add_conflict(
            conn,
            attendee_id=attendee["id"],
            device_id=device.id,
            nonce=item["nonce"],
            gate=gate,
            direction=direction,
            admitted_at=admitted_at,
            reason=outcome.reason,
            standing=standing,
            recorded_at=utcnow(),
        )
        if conflict_id is None:
            return
        audit(
            conn,
            f"device:{device.id}",
            "checkin.offline_conflict",
            f"attendee:{attendee['id']}",
            after={
                "conflict_id": conflict_id,
                "reason": outcome.reason,
                "gate": gate,
                "admitted_at": admitted_at,
                **standing,
            },
        )
    where = settings.gates.get(gate)
    events.publish(
        store,
        events.Alert(
            kind="offline_conflict",
            reason=outcome.reason,
            message=f"admitted offline at {where.name.get('en', gate) if where else gate}"
            f" although {outcome.reason.replace('_', ' ')}",
            at=utcnow(),
            gate=gate,
            device_id=device.id,
            device=device.name,
            extra={"attendee_id": attendee["id"], "admitted_at": admitted_at, **standing},
        ),
    )
