"""An exhibitor's qualifying questions (text, single or multiple choice) and answers to them."""

from __future__ import annotations

import re

from kiosk.errors import FieldErrors

TYPES = ("text", "single", "multiple")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_QUESTIONS = 20
MAX_TEXT = 500
FOLLOW_UPS = ("call", "email", "meeting", "quote", "samples")


def _label(value, where: str, errors: dict) -> dict | None:
    if isinstance(value, str) and value.strip():
        return {"zh": value.strip(), "en": value.strip()}
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        return {k: v.strip() for k, v in value.items()}
    errors[where] = 'a text, or texts by language ({"zh": ..., "en": ...})'
    return None


def clean_questions(raw) -> list[dict]:
    """Validate a list of questions; FieldErrors names the bad one (questions[2].options...)."""
    if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
        raise FieldErrors({"questions": f"a list of at most {MAX_QUESTIONS} questions"})
    errors: dict[str, str] = {}
    clean, seen = [], set()
    for i, q in enumerate(raw):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            errors[where] = "must be an object"
            continue
        qid, qtype = q.get("id"), q.get("type")
        if not isinstance(qid, str) or not ID_RE.match(qid) or qid in seen:
            errors[f"{where}.id"] = "a unique id of lower-case letters, digits, - or _"
        seen.add(qid)
        if qtype not in TYPES:
            errors[f"{where}.type"] = f"one of {', '.join(TYPES)}"
        label = _label(q.get("label"), f"{where}.label", errors)
        options: list[dict] = []
        if qtype in ("single", "multiple"):
            raw_options = q.get("options")
            if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 20:
                errors[f"{where}.options"] = "a choice needs 2 to 20 options"
            else:
                for j, opt in enumerate(raw_options):
                    if isinstance(opt, str):
                        opt = {"id": opt, "label": opt}
                    oid = opt.get("id") if isinstance(opt, dict) else None
                    if not isinstance(oid, str) or not 0 < len(oid) <= 60:
                        errors[f"{where}.options[{j}]"] = "an option needs an id"
                        continue
                    olabel = _label(opt.get("label", oid), f"{where}.options[{j}].label", errors)
                    options.append({"id": oid, "label": olabel})
        entry = {"id": qid, "type": qtype, "label": label}
        if options:
            entry["options"] = options
        clean.append(entry)
    if errors:
        raise FieldErrors(errors)
    return clean


def clean_answers(raw, questions: list[dict]) -> dict:
    """Validate answers against the exhibitor's questions; FieldErrors names answers.<id>."""
    if not isinstance(raw, dict):
        raise FieldErrors({"answers": "an object of question id -> answer"})
    by_id = {q["id"]: q for q in questions}
    errors, clean = {}, {}
    for qid, value in raw.items():
        q = by_id.get(qid)
        where = f"answers.{qid}"
        if q is None:
            errors[where] = "no such question"
            continue
        options = {o["id"] for o in q.get("options", [])}
        if value is None:
            clean[qid] = None
        elif q["type"] == "text":
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                errors[where] = f"a text of at most {MAX_TEXT} characters"
            else:
                clean[qid] = value.strip()
        elif q["type"] == "single":
            if value not in options:
                errors[where] = f"one of {', '.join(sorted(options))}"
            else:
                clean[qid] = value
        else:
            if not isinstance(value, list) or any(v not in options for v in value):
                errors[where] = f"a list of {', '.join(sorted(options))}"
            else:
                clean[qid] = [o["id"] for o in q["options"] if o["id"] in value]
    if errors:
        raise FieldErrors(errors)
    return clean


def clean_follow_up(raw) -> list[str]:
    """Follow-up flags: a list drawn from FOLLOW_UPS."""
    if not isinstance(raw, list) or any(v not in FOLLOW_UPS for v in raw):
        raise FieldErrors({"follow_up": f"a list of {', '.join(FOLLOW_UPS)}"})
    return [v for v in FOLLOW_UPS if v in raw]
