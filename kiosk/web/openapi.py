"""GET /api/v1/openapi.json, built from the routes themselves so nothing goes undocumented."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

bp = Blueprint("openapi", __name__)


def document() -> dict:
    """The OpenAPI 3 description of every /api/v1 route."""
    paths: dict = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.spec":
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ] + meta["params"]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = {
                "summary": meta["summary"],
                "description": "Roles: " + ", ".join(meta["roles"]),
                "security": [{"deviceToken": []}],
                "parameters": params,
                "responses": {
                    code: {
                        "description": text,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                    for code, text in {
                        **meta["responses"],
                        "401": "missing or bad token",
                        "403": "wrong role or another exhibitor's data",
                    }.items()
                },
                "x-roles": list(meta["roles"]),
            }
            if meta["body"] is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": meta["body"]}},
                }
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Trade show check-in and lead capture", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        },
    }


@bp.get("/api/v1/openapi.json")
def spec():
    """The OpenAPI document."""
    return jsonify(document())
