"""Exhibitors' qualifying questions: one per line, `type: question | option | option`."""

from __future__ import annotations

from kiosk.errors import FieldErrors

TYPES = ("text", "single", "multiple")
MAX_QUESTIONS = 20


def parse(text: str) -> list[dict]:
    """Questions from the editor's lines; raise FieldErrors naming the bad line."""
    questions = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, sep, rest = line.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in TYPES:
            raise FieldErrors(
                {"questions": f"line {number}: start with text:, single: or multiple:"}
            )
        parts = [p.strip() for p in rest.split("|")]
        question, options = parts[0], [p for p in parts[1:] if p]
        if not question or len(question) > 200:
            raise FieldErrors({"questions": f"line {number}: a question of 1 to 200 characters"})
        if kind != "text" and len(options) < 2:
            raise FieldErrors({"questions": f"line {number}: a choice needs at least 2 options"})
        if kind == "text" and options:
            raise FieldErrors({"questions": f"line {number}: a text question has no options"})
        entry = {"id": f"q{len(questions) + 1}", "type": kind, "text": question}
        if options:
            entry["options"] = options
        questions.append(entry)
    if len(questions) > MAX_QUESTIONS:
        raise FieldErrors({"questions": f"at most {MAX_QUESTIONS} questions"})
    return questions


def render(questions: list[dict]) -> str:
    """The editor's lines for stored questions."""
    return "\n".join(
        " | ".join([f"{q['type']}: {q['text']}", *q.get("options", [])]) for q in questions
    )
