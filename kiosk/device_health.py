"""Device health as a dashboard shows it: a bounded summary of the devices' heartbeats.

A show may pair a thousand booth phones; the control room needs counts by role and state, the
gates' kiosks, and the few devices that need someone to walk over (silent, or their printer in
trouble), not a list of a thousand rows every time one phone's battery dies. The Devices page
lists them all.
"""

from __future__ import annotations

# A summary lists at most this many kiosks and this many devices needing attention; the rest
# are counted (the Devices page lists them all).
SUMMARY_KIOSKS = 100
SUMMARY_ATTENTION = 25
# A device's own printer state (its heartbeat's `printer.state`) that is not trouble.
PRINTER_FINE = frozenset({"", "ok", "ready", "idle"})
# What a summary entry keeps of a device.
ENTRY = ("id", "name", "role", "gate", "printer", "printer_state", "last_seen", "age_s", "online")


def state_of(device: dict) -> str:
    """`online`, `offline` (answered before, silent now) or `never` (never heard from)."""
    if device["online"]:
        return "online"
    return "never" if device["last_seen"] is None else "offline"


def trouble_of(device: dict) -> str | None:
    """Why a device needs attention: `offline`, `printer` (its own printer reports trouble), or
    None."""
    if state_of(device) == "offline":
        return "offline"
    printer = device.get("printer_state")
    if isinstance(printer, dict) and str(printer.get("state", "")) not in PRINTER_FINE:
        return "printer"
    return None


def summarise(devices: list[dict], at: str) -> dict:
    """A dashboard's view of `devices` (as `Heartbeats.snapshot` lists them) at server time `at`:
    counts, the kiosks (at most `SUMMARY_KIOSKS`) and the devices needing attention (at most
    `SUMMARY_ATTENTION`, the most recently silent first), each with its total."""
    by_role: dict[str, dict[str, int]] = {}
    kiosks, attention = [], []
    for device in devices:
        if device["role"] == "staff":
            continue
        counts = by_role.setdefault(
            device["role"], {"total": 0, "online": 0, "offline": 0, "never": 0, "trouble": 0}
        )
        counts["total"] += 1
        counts[state_of(device)] += 1
        trouble = trouble_of(device)
        entry = {key: device[key] for key in ENTRY} | {"trouble": trouble}
        if trouble:
            counts["trouble"] += 1
            attention.append(entry)
        if device["role"] == "kiosk":
            kiosks.append(entry)
    kiosks.sort(key=lambda d: (d["gate"] or "", d["name"], d["id"]))
    # Trouble first among the kiosks kept, so a long list never hides one.
    shown = sorted(kiosks, key=lambda d: d["trouble"] is None)[:SUMMARY_KIOSKS]
    kept = {d["id"] for d in shown}
    attention.sort(key=lambda d: (d["trouble"] != "offline", d["age_s"] or 0.0, d["id"]))
    return {
        "at": at,
        "total": sum(c["total"] for c in by_role.values()),
        "by_role": by_role,
        "kiosks": [d for d in kiosks if d["id"] in kept],
        "kiosks_total": len(kiosks),
        "attention": attention[:SUMMARY_ATTENTION],
        "attention_total": len(attention),
    }


def shape_of(summary: dict) -> list:
    """What of a summary matters for sending it again: everything but the time and the ages."""
    return [
        summary["by_role"],
        summary["kiosks_total"],
        summary["attention_total"],
        *(
            (
                d["id"],
                d["name"],
                d["gate"],
                d["printer"],
                d["printer_state"],
                d["last_seen"] is None,
                d["online"],
                d["trouble"],
            )
            for d in summary["kiosks"] + summary["attention"]
        ),
    ]
