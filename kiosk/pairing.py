"""Pairing links: a device page URL carrying its token in the fragment, and its QR code."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import qrcode

PAGES = {"exhibitor": "/exhibitor/", "kiosk": "/kiosk", "staff": "/staff/live"}


def pairing_link(base_url: str, role: str, token: str) -> str:
    """The link a device opens once to be signed in (the fragment never reaches server logs)."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--url must look like https://host:port, not '{base_url}'")
    return f"{parts.scheme}://{parts.netloc}{PAGES[role]}#token={token}"


def write_qr(link: str, path: str | Path) -> Path:
    """Write the pairing link as a QR code PNG for the phone's camera."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    qrcode.make(link, box_size=8, border=4).save(path)
    return path


def qr_png(text: str) -> bytes:
    """A QR code PNG of a text."""
    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
