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
from kiosk.storage.shared import Clustered, Local

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
    """How long the server took to answer each recent scan, per gate.

    One node keeps its own in memory. With several nodes (a clustered shared state) each also
    sends its answer times to the shared state a few times a second (`flush`, from the live
    pusher; a scan itself never waits for Redis), and the gate's figures are every node's.
    """

    def __init__(
        self,
        shared: Local | Clustered | None = None,
        window_s: float = Thresholds().window_min * 60,
    ) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, deque[tuple[float, float]]] = defaultdict(lambda: deque(maxlen=KEEP))
        self.shared = shared if shared is not None and shared.clustered else None
        self.window_s = window_s
        self._pending: deque[tuple[str, float, float]] = deque(maxlen=KEEP * 4)

    def record(self, gate: str, seconds: float, now: float | None = None) -> None:
        """One scan at this gate was answered in `seconds`."""
        with self._lock:
            self._times[str(gate)].append((time.monotonic() if now is None else now, seconds))
            if self.shared is not None:
                self._pending.append((str(gate), time.time(), seconds))

    def recent(self, gate: str, window_s: float, now: float | None = None) -> list[float]:
        """The answer times at this gate within the last `window_s` seconds (this node's)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [s for at, s in self._times.get(gate, ()) if now - at <= window_s]

    def flush(self) -> None:
        """Send the answer times recorded since the last flush to the other nodes."""
        if self.shared is None:
            return
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
        if batch:
            self.shared.add_answer_times(batch, self.window_s, KEEP)

    def within(self, gates: list[str], window_s: float) -> dict[str, list[float]]:
        """The answer times at these gates within the last `window_s` seconds, on every node
        (this node's alone while the shared state does not answer)."""
        if self.shared is not None:
            self.flush()
            found = self.shared.answer_times(gates, window_s)
            if found is not None:
                return found
        return {gate: self.recent(gate, window_s) for gate in gates}


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
    ids = [*settings.gates, *sorted(set(passages) - set(settings.gates))]
    answers = answer_times.within(ids, window_s) if answer_times else {}
    for gid in ids:
        seen = passages.get(gid, {"in": 0, "out": 0})
        times = answers.get(gid, [])
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
