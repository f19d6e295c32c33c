"""GET /api/v1/openapi.json, built from the routes themselves so nothing goes undocumented.

Each API view carries what its `@endpoint(...)` declared (roles, summary, body, parameters and
its answers per status, kiosk/web/schemas.py); the answers every protected route shares (401,
403, 429 for an address that keeps sending unknown tokens, 503 when the database takes no writes, 400 for a body that is not JSON, 404 for an id that
names nothing) are added here.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from kiosk.web import schemas

bp = Blueprint("openapi", __name__)

SHARED = {
    "401": schemas.error("missing or unknown device token"),
    "403": schemas.error("this role may not call this route (or not on another exhibitor's data)"),
    "429": schemas.error(
        "too_many_requests: this address sent too many unknown device tokens; Retry-After"
        " gives the seconds to wait (a good token is never refused)"
    ),
    "503": schemas.error(
        "storage_unavailable: the database file is gone, replaced or full; nothing was recorded"
        " (retry later, with the same nonce where there is one)"
    ),
}


def _operation(meta: dict, path_params: list[str]) -> dict:
    params = [
        {"name": name, "in": "path", "required": True, "schema": schemas.ID} for name in path_params
    ] + [{"required": False, **p} for p in meta["params"]]
    responses = {
        code: answer if isinstance(answer, dict) else {"description": answer}
        for code, answer in meta["responses"].items()
    }
    if meta["body"] is not None and meta["body_type"] == "application/json":
        responses.setdefault("400", schemas.error("the body is not a JSON object"))
    if path_params:
        responses.setdefault("404", schemas.error("no such id"))
    for code, answer in SHARED.items():
        responses.setdefault(code, answer)
    op = {
        "summary": meta["summary"],
        "description": meta["description"] + "Roles: " + ", ".join(meta["roles"]) + ".",
        "security": [{"deviceToken": []}],
        "parameters": params,
        "responses": dict(sorted(responses.items())),
        "x-roles": list(meta["roles"]),
    }
    if meta["body"] is not None:
        op["requestBody"] = {
            "required": meta["body_required"],
            "content": {meta["body_type"]: {"schema": meta["body"]}},
        }
    return op


def document() -> dict:
    """The OpenAPI 3 description of every /api/v1 route."""
    paths: dict = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.spec":
            continue
        meta = getattr(current_app.view_functions[rule.endpoint], "openapi", None)
        if meta is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            op = _operation(meta, re.findall(r"{(\w+)}", path))
            op["operationId"] = rule.endpoint.replace(".", "_")
            if len(methods) > 1:
                op["operationId"] += "_" + method.lower()
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Trade show check-in and lead capture", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas.COMPONENTS,
        },
    }


@bp.get("/api/v1/openapi.json")
def spec():
    """The OpenAPI document."""
    return jsonify(document())
