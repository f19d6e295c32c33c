"""Keys kept beside the database (never in the repository): badge signing and the web session."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class MissingSecrets(RuntimeError):
    """The key file does not exist yet: `kiosk init` creates it."""


@dataclass(frozen=True)
class Keys:
    badge_keys: dict[int, bytes]
    current_badge_version: int
    session_secret: str


def create_if_missing(path: Path) -> bool:
    """Write a fresh key file (mode 0600) unless one exists; True when created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "badge_keys": {"1": secrets.token_hex(32)},
        "current_badge_version": 1,
        "session_secret": secrets.token_hex(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(content, fh, indent=2)
    return True


def rotate_badge_key(path: Path) -> int:
    """Add a new badge signing key and make it current; return its version.

    Codes signed with the earlier keys stay valid (their keys are kept), so printed badges go on
    working; badges issued from now on carry the new version.
    """
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise MissingSecrets(f"{path}: key file missing; run `kiosk init` first") from exc
    version = max(int(v) for v in raw["badge_keys"]) + 1
    if version > 999:
        raise ValueError("no badge key version left (codes carry at most three digits)")
    raw["badge_keys"][str(version)] = secrets.token_hex(32)
    raw["current_badge_version"] = version
    # Written beside, then renamed over: a crash leaves the old file or the new one, never half.
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(raw, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(fresh, path)
    return version


def load(path: Path) -> Keys:
    """Read the key file."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise MissingSecrets(f"{path}: key file missing; run `kiosk init` first") from exc
    return Keys(
        badge_keys={int(v): bytes.fromhex(k) for v, k in raw["badge_keys"].items()},
        current_badge_version=int(raw["current_badge_version"]),
        session_secret=raw["session_secret"],
    )


def pseudonym(keys: Keys, kind: str, value: str) -> str:
    """A keyed one-way fingerprint of an identifier (HMAC-SHA256 under a key derived from the
    show's key file): it recognises the identifier again without keeping it."""
    key = hmac.new(keys.session_secret.encode(), b"kiosk:pseudonym:v1", hashlib.sha256).digest()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def fingerprint(keys: Keys) -> str:
    """A one-way fingerprint of the badge and session keys: nodes of one show compare it (in
    Redis) to know they verify the same badges, without the keys leaving the key file."""
    material = json.dumps(
        {
            "badge_keys": {str(v): k.hex() for v, k in sorted(keys.badge_keys.items())},
            "current": keys.current_badge_version,
            "session": keys.session_secret,
        },
        sort_keys=True,
    )
    return hmac.new(material.encode(), b"kiosk:key-fingerprint:v1", hashlib.sha256).hexdigest()
