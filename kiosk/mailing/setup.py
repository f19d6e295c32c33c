"""The [mail] and [invitations] tables of the configuration, checked before anything is sent."""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

from kiosk.config import ConfigError, Settings

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_ENV = "KIOSK_SMTP_PASSWORD"
TEMPLATES_DIR = "mail"


@dataclass(frozen=True)
class MailSettings:
    """Where and how messages go out. The password is never in the file."""

    host: str
    port: int
    security: str
    sender: str
    username: str = ""
    password: str = ""
    ca_file: str = ""
    rate_per_minute: float = 60.0
    timeout: float = 30.0
    templates_dir: Path | None = None


def _table(settings: Settings, name: str) -> dict:
    table = settings.extra.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: expected a table")
    return table


def _number(table: dict, key: str, default: float, least: float, most: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not least <= value <= most:
        raise ConfigError(f"mail.{key}: expected a number from {least} to {most}")
    return float(value)


def templates_dir(settings: Settings) -> Path:
    """[mail].templates_dir, relative to the configuration file's folder (default `mail/`)."""
    configured = Path(str(_table(settings, "mail").get("templates_dir", TEMPLATES_DIR)))
    return configured if configured.is_absolute() else settings.config_path.parent / configured


def sender_address(value: str) -> str:
    """The sender as configured, checked to be one address (a display name is allowed)."""
    _, address = parseaddr(value)
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"mail.sender: '{value}' is not an e-mail address") from exc
    if "@" not in address:
        raise ConfigError(f"mail.sender: '{value}' is not an e-mail address")
    return value


def sender_only(settings: Settings) -> str:
    """The configured sender (dry runs need nothing else); ConfigError if missing."""
    mail = _table(settings, "mail")
    if not mail.get("sender"):
        raise ConfigError("mail.sender: missing (the From address of every message)")
    return sender_address(str(mail["sender"]))


def load(settings: Settings, *, environ=os.environ) -> MailSettings:
    """The SMTP settings; ConfigError names the key at fault."""
    mail = _table(settings, "mail")
    if not mail.get("host"):
        raise ConfigError("mail.host: missing (the SMTP server)")
    security = str(mail.get("security", "starttls"))
    if security not in SECURITY:
        raise ConfigError(f"mail.security: '{security}' is not one of {', '.join(SECURITY)}")
    port = mail.get("port", DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError("mail.port: expected a port number (1-65535)")
    username = str(mail.get("username", ""))
    password = environ.get(PASSWORD_ENV, "")
    if username and not password:
        raise ConfigError(f"mail.username is set: give the password in ${PASSWORD_ENV}")
    ca_file = str(mail.get("ca_file", ""))
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"mail.ca_file: '{ca_file}' not found")
    return MailSettings(
        host=str(mail["host"]),
        port=port,
        security=security,
        sender=sender_only(settings),
        username=username,
        password=password,
        ca_file=ca_file,
        rate_per_minute=_number(mail, "rate_per_minute", 60, 0.1, 100_000),
        timeout=_number(mail, "timeout", 30, 1, 600),
        templates_dir=templates_dir(settings),
    )


def registration_url(settings: Settings) -> str:
    """[invitations].registration_url: the organiser's registration page for this show."""
    url = str(_table(settings, "invitations").get("registration_url", ""))
    if not url.startswith(("https://", "http://")):
        raise ConfigError(
            "invitations.registration_url: missing or not an http(s) URL"
            " (the registration page every invitation links to)"
        )
    return url
