"""Badge codes: opaque, signed, versioned. No personal data, verified without the database.

A code reads ``K<version>-<id>-<mac>``: 16 base32 characters of randomness (80 bits) and the
first 80 bits of an HMAC-SHA256 over version and id. Only upper-case letters, digits and '-'
appear, so the QR stays in alphanumeric mode and small.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from kiosk.secrets import Keys

# One spelling per code: ASCII only, a version without leading zeros.
CODE_RE = re.compile(r"K([1-9][0-9]{0,2})-([A-Z2-7]{16})-([A-Z2-7]{16})")


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def _mac(key: bytes, version: int, code_id: str) -> str:
    digest = hmac.new(key, f"K{version}-{code_id}".encode(), hashlib.sha256).digest()
    return _b32(digest[:10])


def issue(keys: Keys) -> tuple[str, str, int]:
    """A new badge code: (code, code_id, version)."""
    version = keys.current_badge_version
    code_id = _b32(secrets.token_bytes(10))
    return (
        f"K{version}-{code_id}-{_mac(keys.badge_keys[version], version, code_id)}",
        code_id,
        version,
    )


def code_for(keys: Keys, code_id: str, version: int) -> str:
    """Rebuild the full code of a stored badge (only its id is stored)."""
    return f"K{version}-{code_id}-{_mac(keys.badge_keys[version], version, code_id)}"


def normalise(text: str) -> str:
    """What a scanner typed, as a code: trimmed and upper-cased (caps-lock safe).

    Only ASCII is upper-cased: a dotless "ı" or a long "ſ" must not turn into a valid letter.
    """
    text = text.strip()
    return text.upper() if text.isascii() else text


def verify(keys: Keys, text: str) -> str | None:
    """The code's id when the signature holds, else None. Touches no database."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    match = CODE_RE.fullmatch(normalise(text))
    if not match:
        return None
    version, code_id, mac = int(match[1]), match[2], match[3]
    key = keys.badge_keys.get(version)
    if key is None or not hmac.compare_digest(mac, _mac(key, version, code_id)):
        return None
    return code_id
