"""print_badge(): render a person's badge and send it to the kiosk's printer, logging the outcome.

A printer that is missing, stopped or out of paper never undoes a check-in: the job is
recorded as failed, `print_failed` is logged and staff get a live `alert`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import events
from kiosk.badges import cups
from kiosk.badges.service import Badges, BadgesUnavailable, NoBadge
from kiosk.checkin import identity
from kiosk.devices import Device, device_from_row
from kiosk.errors import DomainError, NotFound
from kiosk.secrets import Keys
from kiosk.storage import Store, from_iso, utcnow
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import devices as device_sql
from kiosk.storage import print_jobs as sql
from kiosk.storage.interactions import append


@dataclass(frozen=True)
class PrintResult:
    """What happened to one badge: printed (queued in CUPS), browser, or failed."""

    status: str
    job_id: int
    printer: str
    template: str
    width_mm: float
    height_mm: float
    cups_job: str = ""
    reason: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        """The API's view of the job."""
        return {
            "status": self.status,
            "job_id": self.job_id,
            "printer": self.printer,
            "template": self.template,
            "width_mm": round(self.width_mm, 2),
            "height_mm": round(self.height_mm, 2),
            "cups_job": self.cups_job,
            "reason": self.reason,
            "message": self.message,
        }


def printer_for(device: Device, settings) -> str:
    """The CUPS queue a device prints on: its [kiosks] entry, its own setting, else its gate's."""
    kiosk = settings.kiosks.get(device.name)
    if kiosk is not None and kiosk.printer:
        return kiosk.printer
    if device.printer:
        return device.printer
    gate_printers = settings.extra.get("badges", {}).get("gate_printers", {})
    return str(gate_printers.get(device.gate or "", "")) if isinstance(gate_printers, dict) else ""


def reissue(store: Store, keys: Keys, attendee_id: int, device: Device) -> str:
    """Revoke a person's badge codes and issue a new one (`badge_reprinted`); return the code."""
    from kiosk.attendees import desk as people

    try:
        return people.reprint(store, keys, attendee_id, actor=device.actor, device_id=device.id)
    except DomainError as exc:
        raise NoBadge(attendee_id) from exc


def known_printers(settings, store: Store) -> list[str]:
    """Every CUPS queue the show names: kiosks, gates and devices."""
    names = {k.printer for k in settings.kiosks.values() if k.printer}
    gate_printers = settings.extra.get("badges", {}).get("gate_printers", {})
    if isinstance(gate_printers, dict):
        names.update(str(v) for v in gate_printers.values() if v)
    names.update(device_sql.printers(store.conn))
    return sorted(names)


def print_badge(
    store: Store,
    keys: Keys,
    badges: Badges,
    attendee_id: int,
    device: Device,
    *,
    reprint: bool = False,
    printer: str | None = None,
) -> PrintResult:
    """Print a person's live badge on the device's printer, or the one given (else the browser).

    A kiosk prints only for a person it just checked in or registered (Forbidden otherwise).
    """
    identity.may_show_badge(store.conn, device, attendee_id)
    try:
        tpl = badges.template_for(device.name)  # before a reprint: no new code without a badge
    except BadgesUnavailable as exc:
        _alert(store, device, "font_missing", str(exc), printer_for(device, badges.settings))
        raise
    if reprint:
        reissue(store, keys, attendee_id, device)
    if attendee_sql.live_badge(store.conn, attendee_id) is None:
        raise NoBadge(attendee_id)
    if printer is None:
        printer = "" if device.printing == "browser" else printer_for(device, badges.settings)
    common = {
        "printer": printer,
        "template": tpl.id,
        "width_mm": tpl.width_mm,
        "height_mm": tpl.height_mm,
    }
    if device.printing == "none" and not reprint:
        return _failed(
            store,
            attendee_id,
            device,
            cups.PrintError("no_printer", f"kiosk '{device.name}' has no printer"),
            {**common, "printer": ""},
        )
    if not printer:
        job_id = _log_job(
            store,
            attendee_id,
            device,
            "badge_printed",
            {"printer": "", "template": tpl.id, "status": "browser"},
            {"via": "browser", "template": tpl.id},
            place="",
        )
        return PrintResult("browser", job_id, **common)
    image, _code = badges.for_attendee(store.conn, keys, attendee_id, tpl)
    try:
        job = cups.submit(
            printer,
            badges.pdf(image, tpl),
            title=f"badge-{attendee_id}",
            width_mm=tpl.width_mm,
            height_mm=tpl.height_mm,
        )
    except cups.PrintError as exc:
        return _failed(store, attendee_id, device, exc, common)
    job_id = _log_job(
        store,
        attendee_id,
        device,
        "badge_printed",
        {"printer": printer, "template": tpl.id, "status": "queued", "cups_job": job.job_id},
        {"via": "cups", "printer": printer, "cups_job": job.job_id, "template": tpl.id},
        place=printer,
    )
    return PrintResult("queued", job_id, cups_job=job.job_id, **common)


def _log_job(
    store: Store,
    attendee_id: int,
    device: Device,
    interaction: str,
    job: dict,
    data: dict,
    *,
    place: str,
) -> int:
    """Record a print job and its interaction in one transaction; return the job id."""
    with store.write() as conn:
        job_id = sql.insert(conn, attendee_id=attendee_id, device_id=device.id, **job)
        append(
            conn,
            interaction,
            attendee_id=attendee_id,
            device_id=device.id,
            place=place,
            data={**data, "job_id": job_id},
        )
    return job_id


def _failed(
    store: Store, attendee_id: int, device: Device, exc: cups.PrintError, common: dict
) -> PrintResult:
    printer = common["printer"]
    job_id = _log_job(
        store,
        attendee_id,
        device,
        "print_failed",
        {
            "printer": printer,
            "template": common["template"],
            "status": "failed",
            "reason": exc.reason,
        },
        {"printer": printer, "reason": exc.reason, "message": exc.message},
        place=printer,
    )
    _alert(store, device, exc.reason, exc.message, printer, job_id)
    return PrintResult("failed", job_id, reason=exc.reason, message=exc.message, **common)


def browser_failed(store: Store, job_id: int, device: Device, reason: str) -> None:
    """A kiosk's browser could not print its badge: the job fails and staff are told.

    Only the kiosk the job was handed to may say so, and only once: a second report changes
    nothing.
    """
    with store.write() as conn:
        job = sql.get(conn, job_id)
        if job is None or job["device_id"] != device.id or job["printer"] != "":
            raise NotFound(f"no browser print job {job_id} of this device", code="no_job")
        if job["status"] != "browser":
            return
        sql.set_status(conn, job_id, "failed")
        append(
            conn,
            "print_failed",
            attendee_id=job["attendee_id"],
            device_id=device.id,
            place="",
            data={"printer": "", "reason": reason, "job_id": job_id, "via": "browser"},
        )
    _alert(
        store, device, reason, f"kiosk '{device.name}' could not print in its browser", "", job_id
    )


def _alert(
    store: Store, device: Device, reason: str, message: str, printer: str, job_id=None
) -> None:
    """Tell staff that a visitor at this kiosk was sent to the desk for their badge."""
    events.publish(
        store,
        events.Alert(
            kind="print_failed",
            reason=reason,
            message=f"{message}: the visitor was sent to the desk for the badge",
            at=utcnow(),
            printer=printer,
            device_id=device.id,
            device=device.name,
            gate=device.gate,
            job_id=job_id,
        ),
    )


def device_printers(store: Store, settings, watched: list[dict]) -> dict[int, dict]:
    """Per live kiosk and staff device: how it prints, its queue's state and its last badge."""
    states = {w["printer"]: w for w in watched}
    last = {row["device_id"]: row for row in sql.last_per_device(store.conn)}
    out: dict[int, dict] = {}
    for row in device_sql.list_devices(store.conn):
        if row["revoked_at"] or row["role"] == "exhibitor":
            continue
        device = device_from_row(row)
        queue = "" if device.printing != "auto" else printer_for(device, settings)
        via = "cups" if queue else ("none" if device.printing == "none" else "browser")
        state = states.get(queue, {}) if queue else {}
        job = last.get(device.id)
        out[device.id] = {
            "via": via,
            "printer": queue,
            "state": state.get("state", "unknown") if queue else "",
            "ok": bool(state.get("ok")) if queue else via == "browser",
            "message": state.get("message", ""),
            "last_job": (
                {
                    "status": job["status"],
                    "reason": job["reason"],
                    "at": job["created_at"],
                    "at_local": f"{from_iso(job['created_at']).astimezone(settings.timezone):%d %b %H:%M}",
                }
                if job is not None
                else None
            ),
        }
    return out
