"""The pages people touch: the entrance kiosk and the staff live view."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file

from kiosk.web import services

bp = Blueprint("pages", __name__)


def _show() -> dict:
    settings = services().settings
    return {
        "name": settings.event_name,
        "languages": settings.languages,
        "default_language": settings.default_language,
    }


@bp.get("/")
def index():
    """Links to every page of the show."""
    return render_template("index.html", show=_show())


@bp.get("/kiosk")
def kiosk():
    """The entrance kiosk: scan, find me, welcome."""
    return render_template("kiosk.html", show=_show())


@bp.get("/staff/live")
def staff_live():
    """Live counts for staff."""
    return render_template("staff_live.html", show=_show())


@bp.get("/healthz")
def health():
    """Liveness for load balancers and the demo script."""
    return {"status": "ok"}


@bp.get("/ca.pem")
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
