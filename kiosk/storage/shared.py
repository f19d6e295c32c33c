"""What every server node of one show must see alike, kept in this process or in the show's Redis.

One `kiosk serve` alone keeps device heartbeats, printer states, the latest alerts, the
invalid-scan watch, the gates' answer times and what each entrance kiosk said of its offline
queue in its own memory (`Local`), as fast as a dict. With a message queue
(`KIOSK_MESSAGE_QUEUE=redis://...`) several nodes serve the show behind a load balancer, and the
same state lives in that Redis (`Clustered`), under keys named after the show, so that every
node's console shows the same devices, printers and alerts. The nodes also tell each other, on one
Redis channel, what changed (so that each pushes fresh counts to its own dashboards) and which
console sign-ins ended (so that each cuts their live connections).

Redis going away costs the live view, never a check-in: every call here logs the failure (once a
minute) and answers as if nothing were kept; the database stays the one record of the show.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Say so once a minute at most while Redis does not answer.
COMPLAIN_EVERY_S = 60.0


class Local:
    """One server process: the state in memory; nothing to tell other nodes."""

    clustered = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._beats: dict[int, tuple[float, str]] = {}
        self._device_printers: dict[int, dict] = {}
        self._alerts: deque[dict] = deque()
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._alerted: dict[str, float] = {}
        self._printers: dict[str, dict] = {}
        self._kiosks: dict[int, dict] = {}

    def beat(self, device_id: int, at: float, at_iso: str, printer: dict | None) -> None:
        """A device's heartbeat, with its printer's state when it sent one."""
        with self._lock:
            self._beats[device_id] = (at, at_iso)
            if printer is not None:
                self._device_printers[device_id] = printer

    def beats(self) -> tuple[dict[int, tuple[float, str]], dict[int, dict]]:
        """The last heartbeat of every device, and the printer states devices reported."""
        with self._lock:
            return dict(self._beats), dict(self._device_printers)

    def beat_many(self, device_ids, at: float, at_iso: str) -> None:
        """A heartbeat for each of these devices at once (their printers' states unchanged)."""
        with self._lock:
            for device_id in device_ids:
                self._beats[device_id] = (at, at_iso)

    def add_alert(self, alert: dict, keep: int) -> None:
        """Keep an alert (the newest `keep`)."""
        with self._lock:
            self._alerts.appendleft(dict(alert))
            while len(self._alerts) > keep:
                self._alerts.pop()

    def alerts(self) -> list[dict]:
        """The kept alerts, newest first."""
        with self._lock:
            return list(self._alerts)

    def burst(self, key: str, window: float, threshold: int) -> int | None:
        """Count one occurrence of `key`; the count when it reaches `threshold` within `window`
        seconds, at most once a window; otherwise None."""
        now = time.monotonic()
        with self._lock:
            times = self._windows[key]
            times.append(now)
            while times and now - times[0] > window:
                times.popleft()
            if len(times) < threshold or now - self._alerted.get(key, -1e9) <= window:
                return None
            self._alerted[key] = now
            return len(times)

    def set_printer(self, name: str, state: dict) -> dict | None:
        """Keep a printer's state; return the one it replaces."""
        with self._lock:
            before = self._printers.get(name)
            self._printers[name] = dict(state)
            return before

    def printers(self) -> dict[str, dict]:
        """The last known state of every printer, by name."""
        with self._lock:
            return {k: dict(v) for k, v in self._printers.items()}

    def kiosk_seen(self, device_id: int, at: float, queue: int, offline_since: str | None) -> None:
        """An entrance kiosk said at `at` how many check-ins it holds and since when it is offline."""
        with self._lock:
            state = self._kiosks.setdefault(device_id, _new_kiosk())
            state.update(last_seen=at, queue=queue, offline_since=offline_since)

    def kiosk_synced(self, device_id: int, at: float, at_iso: str, count: int, left: int) -> None:
        """`count` of an entrance kiosk's queued check-ins reached the server; `left` remain."""
        with self._lock:
            state = self._kiosks.setdefault(device_id, _new_kiosk())
            state.update(last_seen=at, last_sync=at_iso, queue=left)
            state["synced"] += count

    def kiosk_states(self) -> dict[int, dict]:
        """What every entrance kiosk said last: last_seen, queue, offline_since, last_sync, synced."""
        with self._lock:
            return {k: dict(v) for k, v in self._kiosks.items()}

    def add_answer_times(
        self, samples: list[tuple[str, float, float]], window: float, keep: int
    ) -> None:
        """Nothing to share: one node reads its answer times from its own memory."""

    def answer_times(self, gates: list[str], window: float) -> dict[str, list[float]] | None:
        """None: one node reads its answer times from its own memory."""
        return None

    def take_turn(self, task: str, seconds: float) -> bool:
        """Whether this node does `task` now (one node alone always does)."""
        return True

    def tell(self, message: dict) -> None:
        """Tell the other nodes (there are none)."""

    def listen(self, handler: Callable[[dict], None]) -> None:
        """Hear the other nodes (there are none)."""

    def ping(self) -> str | None:
        """Why the shared state cannot be reached, or None."""
        return None


def _new_kiosk() -> dict:
    return {"last_seen": 0.0, "queue": 0, "offline_since": None, "last_sync": None, "synced": 0}


def _quietly(default: Callable[[], Any]):
    """Run a Redis call; on failure log (rate-limited) and answer `default()`."""

    def wrap(method):
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                self.complain(method.__name__, exc)
                return default()

        call.__name__ = method.__name__
        call.__doc__ = method.__doc__
        return call

    return wrap


class Clustered:
    """Several server nodes: the state in the show's Redis, news between nodes on one channel."""

    clustered = True

    def __init__(self, url: str, show: str):
        import redis

        self.redis = redis.Redis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30
        )
        self.url = url
        self.node = f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.prefix = f"kiosk:{show}:"
        self.channel = self.prefix + "news"
        self._complained: dict[str, float] = {}
        # Names this node's answer times apart from other nodes' in the shared sorted sets.
        self._tag = uuid.uuid4().hex[:6]
        self._seq = itertools.count()
        self._listening = False
        self._lock = threading.Lock()

    def complain(self, what: str, exc: Exception) -> None:
        """Log that Redis failed, once a minute per kind of call."""
        now = time.monotonic()
        if now - self._complained.get(what, -1e9) >= COMPLAIN_EVERY_S:
            self._complained[what] = now
            log.warning("shared state (%s): %s: %s", what, type(exc).__name__, exc)

    @_quietly(lambda: None)
    def beat(self, device_id: int, at: float, at_iso: str, printer: dict | None) -> None:
        """A device's heartbeat, with its printer's state when it sent one."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(self.prefix + "beats", str(device_id), json.dumps([at, at_iso]))
        if printer is not None:
            pipe.hset(self.prefix + "device_printers", str(device_id), json.dumps(printer))
        pipe.execute()

    @_quietly(lambda: None)
    def beat_many(self, device_ids, at: float, at_iso: str) -> None:
        """A heartbeat for each of these devices at once (their printers' states unchanged)."""
        beat = json.dumps([at, at_iso])
        mapping = {str(device_id): beat for device_id in device_ids}
        if mapping:
            self.redis.hset(self.prefix + "beats", mapping=mapping)

    @_quietly(lambda: ({}, {}))
    def beats(self) -> tuple[dict[int, tuple[float, str]], dict[int, dict]]:
        """The last heartbeat of every device, and the printer states devices reported."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(self.prefix + "beats")
        pipe.hgetall(self.prefix + "device_printers")
        beats, printers = pipe.execute()
        return (
            {int(k): tuple(json.loads(v)) for k, v in beats.items()},
            {int(k): json.loads(v) for k, v in printers.items()},
        )

    @_quietly(lambda: None)
    def add_alert(self, alert: dict, keep: int) -> None:
        """Keep an alert (the newest `keep`)."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(self.prefix + "alerts", json.dumps(alert, ensure_ascii=False))
        pipe.ltrim(self.prefix + "alerts", 0, keep - 1)
        pipe.execute()

    @_quietly(list)
    def alerts(self) -> list[dict]:
        """The kept alerts, newest first."""
        return [json.loads(a) for a in self.redis.lrange(self.prefix + "alerts", 0, -1)]

    @_quietly(lambda: None)
    def burst(self, key: str, window: float, threshold: int) -> int | None:
        """Count one occurrence of `key` (on any node); the count when it reaches `threshold`
        within `window` seconds, at most once a window (on one node); otherwise None."""
        now = time.time()
        times = self.prefix + "window:" + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(times, {uuid.uuid4().hex: now})
        pipe.zremrangebyscore(times, "-inf", now - window)
        pipe.zcard(times)
        pipe.expire(times, int(window) + 1)
        count = pipe.execute()[2]
        if count < threshold:
            return None
        first = self.redis.set(
            self.prefix + "alerted:" + key, self.node, nx=True, px=int(window * 1000)
        )
        return count if first else None

    @_quietly(lambda: None)
    def set_printer(self, name: str, state: dict) -> dict | None:
        """Keep a printer's state; return the one it replaces."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hget(self.prefix + "printers", name)
        pipe.hset(self.prefix + "printers", name, json.dumps(state, ensure_ascii=False))
        before = pipe.execute()[0]
        return json.loads(before) if before else None

    @_quietly(dict)
    def printers(self) -> dict[str, dict]:
        """The last known state of every printer, by name."""
        raw = self.redis.hgetall(self.prefix + "printers")
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    @_quietly(lambda: None)
    def kiosk_seen(self, device_id: int, at: float, queue: int, offline_since: str | None) -> None:
        """An entrance kiosk said at `at` how many check-ins it holds and since when it is offline."""
        self.redis.hset(
            self.prefix + "kiosks",
            mapping={
                f"{device_id}:at": repr(at),
                f"{device_id}:queue": queue,
                f"{device_id}:since": offline_since or "",
            },
        )

    @_quietly(lambda: None)
    def kiosk_synced(self, device_id: int, at: float, at_iso: str, count: int, left: int) -> None:
        """`count` of an entrance kiosk's queued check-ins reached the server; `left` remain."""
        key = self.prefix + "kiosks"
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(
            key,
            mapping={
                f"{device_id}:at": repr(at),
                f"{device_id}:queue": left,
                f"{device_id}:sync": at_iso,
            },
        )
        pipe.hincrby(key, f"{device_id}:synced", count)
        pipe.execute()

    @_quietly(dict)
    def kiosk_states(self) -> dict[int, dict]:
        """What every entrance kiosk said last, on any node: last_seen, queue, offline_since,
        last_sync, synced."""
        states: dict[int, dict] = {}
        for field, value in self.redis.hgetall(self.prefix + "kiosks").items():
            device, _, what = field.decode().partition(":")
            state = states.setdefault(int(device), _new_kiosk())
            text = value.decode()
            if what == "at":
                state["last_seen"] = float(text)
            elif what in ("queue", "synced"):
                state[what] = int(text)
            elif what == "since":
                state["offline_since"] = text or None
            elif what == "sync":
                state["last_sync"] = text
        return states

    @_quietly(lambda: None)
    def add_answer_times(
        self, samples: list[tuple[str, float, float]], window: float, keep: int
    ) -> None:
        """This node's answer times (gate, wall-clock time, seconds) for every node to read: per
        gate, the latest `keep` of all nodes within `window` seconds."""
        by_gate: dict[str, dict[str, float]] = defaultdict(dict)
        for gate, at, seconds in samples:
            by_gate[gate][f"{seconds:.6f}|{self._tag}{next(self._seq)}"] = at
        cut = time.time() - window
        pipe = self.redis.pipeline(transaction=False)
        for gate, members in by_gate.items():
            key = self.prefix + "answers:" + gate
            pipe.zadd(key, members)
            pipe.zremrangebyscore(key, "-inf", cut)
            pipe.zremrangebyrank(key, 0, -keep - 1)
            pipe.expire(key, int(window) + 60)
        pipe.execute()

    @_quietly(lambda: None)
    def answer_times(self, gates: list[str], window: float) -> dict[str, list[float]] | None:
        """Every node's answer times at these gates within the last `window` seconds (None when
        Redis does not answer)."""
        cut = time.time() - window
        pipe = self.redis.pipeline(transaction=False)
        for gate in gates:
            pipe.zrangebyscore(self.prefix + "answers:" + gate, cut, "+inf")
        found = pipe.execute()
        return {
            gate: [float(m.split(b"|", 1)[0]) for m in members]
            for gate, members in zip(gates, found, strict=True)
        }

    @_quietly(lambda: False)
    def take_turn(self, task: str, seconds: float) -> bool:
        """Whether this node does `task` now: one node in the cluster per `seconds`."""
        key = self.prefix + "turn:" + task
        return bool(self.redis.set(key, self.node, nx=True, px=max(1, int(seconds * 1000))))

    @_quietly(lambda: None)
    def tell(self, message: dict) -> None:
        """Tell the other nodes."""
        self.redis.publish(self.channel, json.dumps({"node": self.node, **message}))

    def listen(self, handler: Callable[[dict], None]) -> None:
        """Hear the other nodes (not this one) from a background thread, reconnecting forever."""
        with self._lock:
            if self._listening:
                return
            self._listening = True
        threading.Thread(
            target=self._listen, args=(handler,), name="shared-news", daemon=True
        ).start()

    def _listen(self, handler: Callable[[dict], None]) -> None:
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                for raw in pubsub.listen():
                    message = json.loads(raw["data"])
                    if message.get("node") == self.node:
                        continue
                    try:
                        handler(message)
                    except Exception:
                        log.exception("shared state: news from %s not handled", message["node"])
            except Exception as exc:
                self.complain("listen", exc)
                time.sleep(1.0)

    def ping(self) -> str | None:
        """Why the shared state cannot be reached, or None."""
        try:
            self.redis.ping()
            return None
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    def same_keys(self, fingerprint: str) -> bool:
        """Whether this node's badge keys are the cluster's (the first node to start sets them)."""
        key = self.prefix + "keys"
        self.redis.set(key, fingerprint, nx=True)
        return self.redis.get(key).decode() == fingerprint


def open_shared(url: str, show: str) -> Local | Clustered:
    """The shared state for a show: in Redis at `url`, or in this process when `url` is ""."""
    return Clustered(url, show) if url else Local()
