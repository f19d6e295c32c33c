"""Show configuration: defaults, then config/event.toml, then KIOSK_* environment, then overrides."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

DEFAULT_CONFIG = "config/event.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "instance/kiosk.db"
DIRECTIONS = ("in", "out")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Every key a show configuration may hold, by table; "*" stands for an id the show chooses
# (a gate, a category...). Any other key stops the start; README.md documents each of these
# (tests/test_docs.py checks it). Values that are tables of free names (texts per language,
# fonts, printers per gate, fields per category) are not walked further.
KEYS: dict[str, tuple[str, ...]] = {
    "event": (
        "id",
        "name",
        "edition",
        "timezone",
        "default_region",
        "languages",
        "default_language",
        "days",
        "day_closes",
    ),
    "categories.*": ("name", "color", "required"),
    "gates.*": ("name", "directions", "reentry", "rules"),
    "gates.*.rules": ("days", "categories", "opens", "closes"),
    "sessions.*": ("name", "room", "starts", "ends", "capacity"),
    "door": ("early_minutes", "late_minutes", "outside"),
    "consents.*": ("required", "version", "text", "import_default"),
    "kiosks.*": ("gate", "printer", "badge_template", "scanner"),
    "branding": (
        "logo",
        "primary_color",
        "accent_color",
        "scanner",
        "tagline",
        "sponsor_logo",
        "sponsor_name",
    ),
    "registration": ("categories", "fields", "fields_by_category"),
    "badges": ("templates_dir", "template", "fonts", "gate_printers"),
    "staff": ("max_failures", "lockout_minutes", "idle_minutes", "session_hours"),
    "console": ("service_s", "alert_wait_s", "window_min"),
    "crm": ("contact_consent", "share_consent", "marketing_consent", "metrics"),
    "crm.metrics": (
        "engaged_score",
        "engaged_categories",
        "decline_satisfaction",
        "key_hot_leads",
        "key_contribution",
        "key_role_hot_leads",
        "key_budget",
        "key_exhibitor_editions",
        "key_company_contribution",
        "buying_answers",
    ),
    "mail": (
        "host",
        "port",
        "security",
        "sender",
        "username",
        "ca_file",
        "rate_per_minute",
        "timeout",
        "templates_dir",
    ),
    "invitations": ("registration_url",),
    "tls": ("names",),
    "storage": ("synchronous",),
    "server": (
        "header_timeout",
        "body_timeout",
        "max_body_mb",
        "max_connections_per_address",
        "request_threads",
        "proxies",
    ),
    "live": ("message_queue",),
    "throttle": ("sign_in_failures", "token_failures", "window_seconds", "storage"),
    "offline": ("alert_after_minutes",),
}


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class GateRule:
    """Who may enter a gate on given days, and when."""

    days: tuple[date, ...] = ()
    categories: tuple[str, ...] = ()
    opens: time | None = None
    closes: time | None = None

    def applies_on(self, day: date) -> bool:
        """True when this rule governs the given local date."""
        return not self.days or day in self.days


@dataclass(frozen=True)
class Gate:
    id: str
    name: dict[str, str]
    directions: tuple[str, ...] = DIRECTIONS
    reentry: bool = True
    rules: tuple[GateRule, ...] = ()


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]
    color: str
    required: tuple[str, ...] = ("full_name",)


@dataclass(frozen=True)
class Session:
    id: str
    name: dict[str, str]
    room: str = ""
    starts: datetime | None = None
    ends: datetime | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class Consent:
    id: str
    text: dict[str, str]
    version: str
    required: bool = False
    # The answer `kiosk import attendees` records (source "import") for a row that gives none.
    import_default: bool | None = None


@dataclass(frozen=True)
class KioskSettings:
    name: str
    gate: str | None = None
    printer: str = ""
    badge_template: str = ""
    scanner: str = ""


SCANNER_SIDES = ("below", "left", "right")
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Branding:
    """How the kiosks look ([branding]): logo, colours, the sign to the scanner, a sponsor."""

    logo: Path | None = None
    primary_color: str = ""
    accent_color: str = ""
    # Where the scanner sits seen from the visitor facing the screen; a kiosk may differ.
    scanner: str = "below"
    tagline: dict[str, str] = field(default_factory=dict)
    sponsor_logo: Path | None = None
    sponsor_name: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerSettings:
    """How `kiosk serve` treats its connections ([server] in the configuration)."""

    # Seconds a client has to send a whole request head, from connecting or from its first byte
    # on a kept-alive connection; a client that takes longer is dropped.
    header_timeout: float = 5.0
    # Seconds a client has, once its request head is in, to send the whole body; a slower one
    # is answered 408 and dropped, so that it holds a request thread no longer than this.
    body_timeout: float = 30.0
    # The largest request body taken, in MB (MiB); a larger one is answered 413.
    max_body_mb: float = 2.0
    # Open connections one client address may hold; a booth's NAT can put many devices behind one.
    max_connections_per_address: int = 256
    # Threads for ordinary requests, apart from the threads of live sockets (`--threads`).
    request_threads: int = 64
    # Addresses of the load balancers in front (nginx): their connections are not capped per
    # address, and a request through them is counted by the client address they forward.
    proxies: tuple[str, ...] = ()

    @property
    def max_body_bytes(self) -> int:
        """`max_body_mb` in bytes."""
        return int(self.max_body_mb * 1024 * 1024)


@dataclass(frozen=True)
class ThrottleSettings:
    """Budgets per client address for failures ([throttle] in the configuration)."""

    # Failed console sign-ins one address may make per window; then 429 until the window moves on.
    sign_in_failures: int = 10
    # Requests (and live connections) with an unknown or revoked device token per window.
    token_failures: int = 30
    window_seconds: int = 300
    # Where the counts are kept: a `limits` storage URI (memory:// is this one server process).
    storage: str = "memory://"


@dataclass
class Settings:
    """Everything the app needs to know about the show and where it keeps its data."""

    event_id: str
    event_name: dict[str, str]
    edition: int
    timezone: ZoneInfo
    default_region: str
    languages: tuple[str, ...]
    default_language: str
    days: tuple[date, ...]
    categories: dict[str, Category]
    gates: dict[str, Gate]
    sessions: dict[str, Session]
    consents: dict[str, Consent]
    kiosks: dict[str, KioskSettings]
    db_path: Path
    config_path: Path
    secret_path: Path
    sqlite_synchronous: str = "FULL"
    # A postgresql:// URL: the show lives in PostgreSQL instead of the SQLite file at db_path.
    database_url: str | None = None
    server: ServerSettings = field(default_factory=ServerSettings)
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    branding: Branding = field(default_factory=Branding)
    # Several `kiosk serve` nodes share live events and state through this Redis ("" is one node).
    message_queue: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # When a show day ends: whoever is still inside is checked out then (as `day_closed`).
    day_closes: time = time(0, 0)

    def now(self) -> datetime:
        """The current time in the show's time zone."""
        return datetime.now(self.timezone)


def _require(table: dict, key: str, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{where}.{key}: missing")
    return table[key]


def _names(value: Any, where: str, languages: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, str):
        return {lang: value for lang in languages}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{where}: expected a table of language = text")
    missing = [lang for lang in languages if lang not in value]
    if missing:
        raise ConfigError(f"{where}: missing text for language {', '.join(missing)}")
    return dict(value)


def _id(value: str, where: str) -> str:
    if not ID_RE.match(value):
        raise ConfigError(f"{where}: '{value}' is not a valid id (lower-case letters, digits, - _)")
    return value


def _date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from exc


def _time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: '{value}' is not a time (HH:MM)") from exc


def _datetime(value: Any, where: str, tz: ZoneInfo) -> datetime:
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: '{value}' is not a date and time (YYYY-MM-DDTHH:MM)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _gate(gid: str, raw: dict, categories: dict, languages: tuple[str, ...]) -> Gate:
    where = f"gates.{gid}"
    directions = tuple(raw.get("directions", DIRECTIONS))
    for d in directions:
        if d not in DIRECTIONS:
            raise ConfigError(f"{where}.directions: '{d}' is not one of in, out")
    rules = []
    for i, rule in enumerate(raw.get("rules", [])):
        rw = f"{where}.rules[{i}]"
        cats = tuple(rule.get("categories", ()))
        for c in cats:
            if c not in categories:
                raise ConfigError(f"{rw}.categories: unknown category '{c}'")
        rules.append(
            GateRule(
                days=tuple(_date(d, f"{rw}.days") for d in rule.get("days", ())),
                categories=cats,
                opens=_time(rule["opens"], f"{rw}.opens") if "opens" in rule else None,
                closes=_time(rule["closes"], f"{rw}.closes") if "closes" in rule else None,
            )
        )
    reentry = raw.get("reentry", True)
    if not isinstance(reentry, bool):
        raise ConfigError(f"{where}.reentry: expected true or false")
    return Gate(
        id=gid,
        name=_names(_require(raw, "name", where), f"{where}.name", languages),
        directions=directions,
        reentry=reentry,
        rules=tuple(rules),
    )


SERVER_LIMITS = {
    # key: (type, least, most)
    "header_timeout": (float, 0.5, 300),
    "body_timeout": (float, 0.5, 3600),
    "max_body_mb": (float, 0.01, 1024),
    "max_connections_per_address": (int, 1, 100_000),
    "request_threads": (int, 4, 1024),
}


THROTTLE_LIMITS = {
    "sign_in_failures": (int, 1, 100_000),
    "token_failures": (int, 1, 1_000_000),
    "window_seconds": (int, 1, 86_400),
}


def _numbers(raw: Any, table: str, limits: dict, text: tuple[str, ...] = ()) -> dict[str, Any]:
    """The numeric keys of a table, each checked against its (type, least, most)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{table}: expected a table")
    values = {}
    for key, value in raw.items():
        if key in text:
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{table}.{key}: expected text")
            values[key] = value
            continue
        if key not in limits:
            raise ConfigError(f"{table}.{key}: unknown key")
        kind, least, most = limits[key]
        allowed = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed) or not least <= value <= most:
            noun = "a number" if kind is float else "an integer"
            raise ConfigError(f"{table}.{key}: expected {noun} from {least} to {most}")
        values[key] = kind(value)
    return values


def _server(raw: Any) -> ServerSettings:
    if not isinstance(raw, dict):
        raise ConfigError("server: expected a table")
    raw = dict(raw)
    proxies = raw.pop("proxies", [])
    if not isinstance(proxies, list) or not all(isinstance(p, str) and p for p in proxies):
        raise ConfigError("server.proxies: expected a list of addresses")
    for address in proxies:
        try:
            ipaddress.ip_address(address)
        except ValueError as exc:
            raise ConfigError(f"server.proxies: '{address}' is not an IP address") from exc
    return ServerSettings(**_numbers(raw, "server", SERVER_LIMITS), proxies=tuple(proxies))


def message_queue(url: Any, where: str = "live.message_queue") -> str:
    """A Redis URL for the message queue, checked; "" for one node alone."""
    if url in (None, ""):
        return ""
    if not isinstance(url, str) or urlsplit(url).scheme not in ("redis", "rediss"):
        raise ConfigError(f"{where}: expected a redis://HOST:PORT/DB URL")
    return url


def _color(value: Any, where: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(value)):
        raise ConfigError(f"{where}: '{value}' is not a colour like #1565C0")
    return str(value)


def _scanner(value: Any, where: str) -> str:
    if value not in SCANNER_SIDES:
        raise ConfigError(f"{where}: '{value}' is not one of {', '.join(SCANNER_SIDES)}")
    return str(value)


def _image(value: Any, where: str, base: Path) -> Path:
    # Like badges.templates_dir: relative to the configuration's folder, its parent or the project.
    given = Path(str(value))
    if given.suffix.lower() not in IMAGE_TYPES:
        raise ConfigError(f"{where}: '{value}' is not a {', '.join(IMAGE_TYPES)} image")
    bases = (Path("/"),) if given.is_absolute() else (base, base.parent, PROJECT_ROOT)
    for folder in bases:
        if (folder / given).is_file():
            return (folder / given).resolve()
    raise ConfigError(f"{where}: no file '{value}' beside the configuration or in the project")


def _branding(raw: Any, base: Path, languages: tuple[str, ...]) -> Branding:
    if not isinstance(raw, dict):
        raise ConfigError("branding: expected a table")
    w = "branding"
    return Branding(
        logo=_image(raw["logo"], f"{w}.logo", base) if "logo" in raw else None,
        primary_color=_color(raw["primary_color"], f"{w}.primary_color")
        if "primary_color" in raw
        else "",
        accent_color=_color(raw["accent_color"], f"{w}.accent_color")
        if "accent_color" in raw
        else "",
        scanner=_scanner(raw.get("scanner", "below"), f"{w}.scanner"),
        tagline=_names(raw["tagline"], f"{w}.tagline", languages) if "tagline" in raw else {},
        sponsor_logo=_image(raw["sponsor_logo"], f"{w}.sponsor_logo", base)
        if "sponsor_logo" in raw
        else None,
        sponsor_name=_names(raw["sponsor_name"], f"{w}.sponsor_name", languages)
        if "sponsor_name" in raw
        else {},
    )


def _throttle(raw: Any) -> ThrottleSettings:
    return ThrottleSettings(**_numbers(raw, "throttle", THROTTLE_LIMITS, text=("storage",)))


def _tables(raw: dict, pattern: str) -> list[tuple[str, dict]]:
    """The tables of a configuration that a KEYS pattern names, each with its dotted path."""
    found: list[tuple[str, Any]] = [("", raw)]
    for part in pattern.split("."):
        deeper = []
        for where, value in found:
            if not isinstance(value, dict):
                continue
            names = value if part == "*" else [part] if part in value else []
            deeper += [(f"{where}.{name}".lstrip("."), value[name]) for name in names]
        found = deeper
    tables = []
    for where, value in found:
        if isinstance(value, list):  # an array of tables, [[gates.north.rules]]
            tables += [(f"{where}[{i}]", v) for i, v in enumerate(value) if isinstance(v, dict)]
        elif isinstance(value, dict):
            tables.append((where, value))
    return tables


def unknown_key(raw: dict) -> str | None:
    """The dotted path of the first key no part of the show reads (a typo), if any."""
    tops = {pattern.split(".")[0] for pattern in KEYS}
    for key in raw:
        if key not in tops:
            return key
    for pattern, known in KEYS.items():
        for where, table in _tables(raw, pattern):
            for key in table:
                if key not in known:
                    return f"{where}.{key}"
    return None


def parse(
    raw: dict, *, db_path: Path, config_path: Path, secret_path: Path | None = None
) -> Settings:
    """Validate a configuration table and build Settings; ConfigError names the bad key."""
    event = _require(raw, "event", "")
    if not isinstance(event, dict):
        raise ConfigError("event: expected a table")
    typo = unknown_key(raw)
    if typo is not None:
        raise ConfigError(f"{typo}: unknown key")
    languages = tuple(event.get("languages", ("zh", "en")))
    if not languages:
        raise ConfigError("event.languages: at least one language")
    default_language = event.get("default_language", languages[0])
    if default_language not in languages:
        raise ConfigError(f"event.default_language: '{default_language}' is not in event.languages")
    try:
        tz = ZoneInfo(event.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"event.timezone: unknown time zone '{event.get('timezone')}'") from exc
    edition = event.get("edition", datetime.now().year)
    if not isinstance(edition, int):
        raise ConfigError("event.edition: expected a year (integer)")

    categories = {}
    for cid, c in _require(raw, "categories", "").items():
        where = f"categories.{cid}"
        _id(cid, where)
        color = c.get("color", "#455A64")
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(color)):
            raise ConfigError(f"{where}.color: '{color}' is not a colour like #1565C0")
        categories[cid] = Category(
            id=cid,
            name=_names(_require(c, "name", where), f"{where}.name", languages),
            color=color,
            required=tuple(c.get("required", ("full_name",))),
        )
    if not categories:
        raise ConfigError("categories: at least one category")

    gates = {}
    for gid, g in _require(raw, "gates", "").items():
        gates[_id(gid, f"gates.{gid}")] = _gate(gid, g, categories, languages)

    sessions = {}
    for sid, s in raw.get("sessions", {}).items():
        where = f"sessions.{sid}"
        _id(sid, where)
        capacity = s.get("capacity")
        if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
            raise ConfigError(f"{where}.capacity: expected a positive integer")
        sessions[sid] = Session(
            id=sid,
            name=_names(_require(s, "name", where), f"{where}.name", languages),
            room=str(s.get("room", "")),
            starts=_datetime(s["starts"], f"{where}.starts", tz) if "starts" in s else None,
            ends=_datetime(s["ends"], f"{where}.ends", tz) if "ends" in s else None,
            capacity=capacity,
        )

    consents = {}
    for kid, k in raw.get("consents", {}).items():
        where = f"consents.{kid}"
        import_default = k.get("import_default")
        if import_default is not None and not isinstance(import_default, bool):
            raise ConfigError(f"{where}.import_default: expected true or false")
        consents[_id(kid, where)] = Consent(
            id=kid,
            text=_names(_require(k, "text", where), f"{where}.text", languages),
            version=str(_require(k, "version", where)),
            required=bool(k.get("required", False)),
            import_default=import_default,
        )

    kiosks = {}
    for name, k in raw.get("kiosks", {}).items():
        gate = k.get("gate")
        if gate is not None and gate not in gates:
            raise ConfigError(f"kiosks.{name}.gate: unknown gate '{gate}'")
        kiosks[name] = KioskSettings(
            name=name,
            gate=gate,
            printer=str(k.get("printer", "")),
            badge_template=str(k.get("badge_template", "")),
            scanner=_scanner(k["scanner"], f"kiosks.{name}.scanner") if "scanner" in k else "",
        )

    region = event.get("default_region", "CN")
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"event.default_region: '{region}' is not a region code like CN, DE or US"
        )

    storage = raw.get("storage", {})
    synchronous = str(storage.get("synchronous", "FULL")).upper()
    if synchronous not in ("FULL", "NORMAL"):
        raise ConfigError("storage.synchronous: expected FULL or NORMAL")

    server = _server(raw.get("server", {}))
    throttle = _throttle(raw.get("throttle", {}))

    known = {
        "event",
        "categories",
        "gates",
        "sessions",
        "consents",
        "kiosks",
        "storage",
        "server",
        "live",
        "throttle",
        "branding",
    }
    return Settings(
        event_id=_id(str(event.get("id", "show")), "event.id"),
        event_name=_names(_require(event, "name", "event"), "event.name", languages),
        edition=edition,
        timezone=tz,
        default_region=region.upper(),
        languages=languages,
        default_language=default_language,
        days=tuple(_date(d, "event.days") for d in event.get("days", ())),
        day_closes=_time(event.get("day_closes", "00:00"), "event.day_closes"),
        categories=categories,
        gates=gates,
        sessions=sessions,
        consents=consents,
        kiosks=kiosks,
        db_path=db_path,
        config_path=config_path,
        secret_path=secret_path or db_path.with_name(db_path.stem + ".secret"),
        sqlite_synchronous=synchronous,
        server=server,
        throttle=throttle,
        branding=_branding(raw.get("branding", {}), config_path.parent, languages),
        message_queue=message_queue(raw.get("live", {}).get("message_queue")),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def load(
    config_path: str | os.PathLike | None = None,
    db_path: str | os.PathLike | None = None,
    overrides: dict | None = None,
    database_url: str | None = None,
) -> Settings:
    """Load and validate the configuration file, applying environment and explicit overrides."""
    url = database_url or os.environ.get("KIOSK_DATABASE_URL") or None
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "database URL: expected postgresql://user:password@host/db"
            " (the SQLite file is given with --db or KIOSK_DB)"
        )
    cpath = Path(config_path or os.environ.get("KIOSK_CONFIG") or DEFAULT_CONFIG)
    dpath = Path(db_path or os.environ.get("KIOSK_DB") or DEFAULT_DB)
    try:
        with cpath.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{cpath}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cpath}: {exc}") from exc
    queue = os.environ.get("KIOSK_MESSAGE_QUEUE")
    if queue:
        raw.setdefault("live", {})["message_queue"] = queue
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        raw.setdefault(section, {})[name] = value
    secret = os.environ.get("KIOSK_SECRET_FILE")
    settings = parse(
        raw, db_path=dpath, config_path=cpath, secret_path=Path(secret) if secret else None
    )
    settings.database_url = url
    return settings
