"""A lead's answers to its exhibitor's qualifying questions, and its follow-up flags.

The questions themselves, and their schema, belong to the exhibitor (kiosk/exhibitors/questions.py).
"""

from __future__ import annotations

from kiosk.errors import FieldErrors

MAX_TEXT = 500
FOLLOW_UPS = ("call", "email", "meeting", "quote", "samples")


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
            if not isinstance(value, str) or value not in options:
                errors[where] = f"one of {', '.join(sorted(options))}"
            else:
                clean[qid] = value
        else:
            if not isinstance(value, list) or any(
                not isinstance(v, str) or v not in options for v in value
            ):
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
