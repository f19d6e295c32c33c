"""The pages people touch: the entrance kiosk and the staff live view."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    send_from_directory,
    url_for,
)

from kiosk.web import services

bp = Blueprint("pages", __name__)


def show_context() -> dict:
    """What every device page shows of the show: its name and languages."""
    settings = services().settings
    return {
        "name": settings.event_name,
        "languages": settings.languages,
        "default_language": settings.default_language,
    }


@bp.get("/")
def index():
    """Links to every page of the show."""
    return render_template("index.html", show=show_context())


@bp.get("/kiosk")
def kiosk():
    """The entrance kiosk: scan, find me, welcome."""
    return render_template("kiosk.html", show=show_context(), branding=branding_context())


def _luminance(colour: str) -> float:
    # WCAG 2 relative luminance of a #RRGGBB colour.
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink(background: str) -> str:
    """Black or white, whichever reads better on a #RRGGBB background (WCAG contrast)."""
    light = _luminance(background)
    return "#000000" if (light + 0.05) / 0.05 > 1.05 / (light + 0.05) else "#ffffff"


def branding_context() -> dict:
    """The kiosk's look from [branding]: colours, images to show, where each kiosk's scanner is."""
    settings = services().settings
    b = settings.branding
    return {
        "primary_color": b.primary_color,
        "primary_ink": ink(b.primary_color) if b.primary_color else "",
        "accent_color": b.accent_color,
        "accent_ink": ink(b.accent_color) if b.accent_color else "",
        "logo": url_for("pages.branding_image", which="logo") if b.logo else "",
        "sponsor_logo": url_for("pages.branding_image", which="sponsor") if b.sponsor_logo else "",
        "sponsor_name": b.sponsor_name,
        "tagline": b.tagline,
        "scanner": b.scanner,
        "scanners": {name: k.scanner for name, k in settings.kiosks.items() if k.scanner},
    }


@bp.get("/branding/logo", defaults={"which": "logo"})
@bp.get("/branding/sponsor", defaults={"which": "sponsor"})
def branding_image(which: str):
    """The show's logo or its sponsor's, as configured in [branding]; 404 when there is none."""
    from kiosk.config import IMAGE_TYPES

    b = services().settings.branding
    path = b.logo if which == "logo" else b.sponsor_logo
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype=IMAGE_TYPES[path.suffix.lower()], max_age=3600)


@bp.get("/exhibitor")
def exhibitor_redirect():
    """The exhibitor page lives under /exhibitor/ so its service worker covers it."""
    return redirect(url_for("pages.exhibitor"), code=301)


@bp.get("/exhibitor/")
def exhibitor():
    """Booth staff: scan badges (camera or wedge), qualify leads, list and download them."""
    return render_template("exhibitor.html", show=show_context())


@bp.get("/exhibitor/sw.js")
def exhibitor_worker():
    """The service worker that lets the exhibitor page open without the server."""
    res = send_from_directory(bp.root_path + "/static/exhibitor", "sw.js", max_age=0)
    res.headers["Cache-Control"] = "no-cache"
    res.mimetype = "text/javascript"
    return res


@bp.get("/kiosk-sw.js")
def kiosk_worker():
    """The service worker that lets the entrance kiosk page open without the server."""
    res = send_from_directory(bp.root_path + "/static/kiosk", "sw.js", max_age=0)
    res.headers["Cache-Control"] = "no-cache"
    res.mimetype = "text/javascript"
    return res


@bp.get("/healthz")
def health():
    """Liveness for monitors and the demo script: 503 with the reason when writes are refused."""
    trouble = current_app.extensions["kiosk.storage_watch"].check()
    if trouble is not None:
        return {
            "status": "unavailable",
            "error": trouble.code,
            "reason": trouble.details.get("reason"),
            "message": trouble.message,
        }, 503
    problem = current_app.extensions["kiosk.badges"].problem
    if problem:  # check-ins go on: still healthy, with a warning for the monitor
        return {"status": "ok", "warnings": [{"error": "badges_unavailable", "message": problem}]}
    return {"status": "ok"}


@bp.get("/ca.pem")
@bp.get("/ca.crt")
def ca_certificate():
    """The show's CA root, for staff to install on booth phones (public by nature)."""
    from kiosk.tls import ca_cert_path

    path = ca_cert_path(services().settings)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="application/x-x509-ca-cert",
        as_attachment=True,
        download_name="kiosk-ca.crt",
    )
