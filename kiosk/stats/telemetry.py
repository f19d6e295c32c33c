"""Gate telemetry for the control room: per gate the scans per minute, the server's answer time,
and an estimated wait from the arrival rate against what the gate's kiosks can serve.

The estimate is a queue of one server working at the gate's combined rate (M/M/1): with `c`
kiosks at a gate each needing `service_s` seconds per visitor, the gate serves
`mu = c * 60 / service_s` visitors a minute; with `lam` arrivals a minute over the last
`window_min` minutes, the load is `rho = lam / mu` and the wait `service_s / c * rho / (1 - rho)`.
A gate is behind when the load reaches 1 (the queue only grows) or the wait reaches
`alert_wait_s`. The thresholds come from the `[console]` table of the configuration.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.config import ConfigError, Settings
from kiosk.storage import devices as device_sql
from kiosk.storage import reports, to_iso

KEEP = 2000


@dataclass(frozen=True)
class Thresholds:
    """How the gate telemetry estimates a wait and when it calls a gate behind."""

    service_s: float = 10.0
    alert_wait_s: float = 300.0
    window_min: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """The `[console]` table's values; a bad one names its key."""
        raw = settings.extra.get("console", {})
        if not isinstance(raw, dict):
            raise ConfigError("console: expected a table")
        values = {}
        for key, default in cls().__dict__.items():
            value = raw.get(key, default)
            whole = key == "window_min"
            if (
                isinstance(value, bool)
                or not isinstance(value, int if whole else (int, float))
                or value <= 0
            ):
                kind = "a positive whole number" if whole else "a positive number"
                raise ConfigError(f"console.{key}: expected {kind}")
            values[key] = value if whole else float(value)
        unknown = set(raw) - set(values)
        if unknown:
            raise ConfigError(f"console.{sorted(unknown)[0]}: unknown key")
        return cls(**values)


class AnswerTimes:
    """How long this server took to answer each recent scan, per gate (kept in memory)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, deque[tuple[float, float]]] = defaultdict(lambda: deque(maxlen=KEEP))

    def record(self, gate: str, seconds: float, now: float | None = None) -> None:
        """One scan at this gate was answered in `seconds`."""
        with self._lock:
            self._times[str(gate)].append((time.monotonic() if now is None else now, seconds))

    def recent(self, gate: str, window_s: float, now: float | None = None) -> list[float]:
        """The answer times at this gate within the last `window_s` seconds."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [s for at, s in self._times.get(gate, ()) if now - at <= window_s]


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def estimate(arrivals_per_min: float, kiosks: int, thresholds: Thresholds) -> dict:
    """The load and the estimated wait at a gate, and whether it is behind."""
    kiosks = max(1, kiosks)
    capacity = kiosks * 60.0 / thresholds.service_s
    load = arrivals_per_min / capacity
    wait = None if load >= 1 else thresholds.service_s / kiosks * load / (1 - load)
    behind = load >= 1 or (wait is not None and wait >= thresholds.alert_wait_s)
    return {
        "capacity_per_min": round(capacity, 1),
        "load": round(load, 2),
        "wait_s": None if wait is None else round(wait),
        "behind": behind,
    }


def gates(
    conn: sqlite3.Connection,
    settings: Settings,
    answer_times: AnswerTimes | None = None,
    now: datetime | None = None,
) -> dict:
    """Per gate: scans and arrivals a minute, answer times, kiosks, load, estimated wait, behind."""
    thresholds = Thresholds.from_settings(settings)
    now = now or settings.now()
    window_s = thresholds.window_min * 60
    since = to_iso(now - timedelta(seconds=window_s))
    passages: dict[str, dict[str, int]] = defaultdict(lambda: {"in": 0, "out": 0})
    for row in reports.passages_since(conn, since):
        passages[row["place"]][row["direction"]] += row["n"]
    kiosks: dict[str, int] = defaultdict(int)
    for d in device_sql.list_devices(conn):
        if d["role"] == "kiosk" and d["gate"] and not d["revoked_at"]:
            kiosks[d["gate"]] += 1
    out = {}
    for gid in [*settings.gates, *sorted(set(passages) - set(settings.gates))]:
        seen = passages.get(gid, {"in": 0, "out": 0})
        times = answer_times.recent(gid, window_s) if answer_times else []
        arrivals = seen["in"] / thresholds.window_min
        p50, p95 = _percentile(times, 0.5), _percentile(times, 0.95)
        out[gid] = {
            "scans_per_min": round((seen["in"] + seen["out"]) / thresholds.window_min, 1),
            "arrivals_per_min": round(arrivals, 1),
            "answer_ms_p50": None if p50 is None else round(p50 * 1000),
            "answer_ms_p95": None if p95 is None else round(p95 * 1000),
            "kiosks": kiosks.get(gid, 0),
            **estimate(arrivals, kiosks.get(gid, 0), thresholds),
        }
    return {
        "gates": out,
        "window_min": thresholds.window_min,
        "alert_wait_s": thresholds.alert_wait_s,
        "service_s": thresholds.service_s,
    }
