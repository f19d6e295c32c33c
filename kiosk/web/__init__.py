"""Web layer: thin blueprints that parse, call the domain and shape the answer."""

from flask import current_app

from kiosk.services import Services


def services() -> Services:
    """The running show's services."""
    return current_app.extensions["kiosk"]
