"""An exhibitor's qualifying questions: the one schema, its validation and the console's lines.

A question is `{"id", "type": "text" | "single" | "multiple", "label": {language: text}}`; a
choice also has `"options": [{"id", "label": {language: text}}]`. The API sends that shape (a
label may be one text for every language, an option just its id); the staff console edits the
same questions as lines, `single: 采购量 / Volume | 小 / small | 大 / large`, parsed into the
schema and rendered back from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pypinyin import lazy_pinyin

from kiosk.errors import FieldErrors

TYPES = ("text", "single", "multiple")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_QUESTIONS = 20
MAX_OPTIONS = 20
MAX_LABEL = 200
MAX_OPTION_ID = 60
# The console's separators: between options, and between the texts of one label by language.
OPTION_SEPARATOR = "|"
LANGUAGE_SEPARATOR = " / "
LABEL_RULE = (
    f"1 to {MAX_LABEL} characters, without line breaks, '|' or ' / ' (the console's separators)"
)


def _text_ok(text: str) -> bool:
    return (
        0 < len(text) <= MAX_LABEL
        and "\n" not in text
        and "\r" not in text
        and OPTION_SEPARATOR not in text
        and LANGUAGE_SEPARATOR not in text
    )


def _label(value, where: str, errors: dict, languages: Sequence[str]) -> dict | None:
    if isinstance(value, str):
        text = value.strip()
        if _text_ok(text):
            return {lang: text for lang in languages}
    elif (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and k and isinstance(v, str) for k, v in value.items())
    ):
        clean = {k: v.strip() for k, v in value.items()}
        if all(_text_ok(t) for t in clean.values()):
            return clean
    errors[where] = f'a text, or texts by language ({{"zh": ..., "en": ...}}), each {LABEL_RULE}'
    return None


def _options(raw, where: str, errors: dict, languages: Sequence[str]) -> list[dict]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        errors[f"{where}.options"] = f"a choice needs 2 to {MAX_OPTIONS} options"
        return []
    options, seen = [], set()
    for j, opt in enumerate(raw):
        if isinstance(opt, str):
            opt = {"id": opt, "label": opt}
        oid = opt.get("id") if isinstance(opt, dict) else None
        if not isinstance(oid, str) or not 0 < len(oid) <= MAX_OPTION_ID or oid in seen:
            errors[f"{where}.options[{j}]"] = f"an option needs a unique id of 1 to {MAX_OPTION_ID}"
            continue
        seen.add(oid)
        label = _label(opt.get("label", oid), f"{where}.options[{j}].label", errors, languages)
        options.append({"id": oid, "label": label})
    return options


def clean_questions(raw, languages: Sequence[str]) -> list[dict]:
    """Questions in the schema, or FieldErrors naming the bad part (questions[2].options...)."""
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
        else:
            seen.add(qid)
        if qtype not in TYPES:
            errors[f"{where}.type"] = f"one of {', '.join(TYPES)}"
        entry = {
            "id": qid,
            "type": qtype,
            "label": _label(q.get("label"), f"{where}.label", errors, languages),
        }
        if qtype in ("single", "multiple"):
            entry["options"] = _options(q.get("options"), where, errors, languages)
        clean.append(entry)
    if errors:
        raise FieldErrors(errors)
    return clean


# The console's lines ---------------------------------------------------------------------------


def _line_label(part: str, number: int, languages: Sequence[str]) -> dict:
    texts = [part.strip()] if len(languages) == 1 else [t.strip() for t in part.split(" / ")]
    if len(texts) == 1:
        texts = texts * len(languages)
    elif len(texts) != len(languages):
        raise FieldErrors(
            {
                "questions": f"line {number}: '{part.strip()}' needs one text, or one per language"
                f" ({LANGUAGE_SEPARATOR.join(languages)})"
            }
        )
    if not all(_text_ok(t) for t in texts):
        raise FieldErrors({"questions": f"line {number}: each text {LABEL_RULE}"})
    return dict(zip(languages, texts, strict=True))


# Signs that carry meaning in answers such as "<10k" or "500+", spelled out in an id.
SIGNS = str.maketrans({"<": " lt ", ">": " gt ", "+": " plus ", "%": " pct ", "&": " and "})


def _slug(texts: Iterable[str]) -> str:
    """An id-like slug of a label: its first all-ASCII text, else the pinyin of its first text."""
    texts = list(texts)
    chosen = [t for t in texts if t.isascii()] + [" ".join(lazy_pinyin(t)) for t in texts[:1]]
    for text in chosen:
        spelled = text.lower().translate(SIGNS)
        slug = re.sub(r"[^a-z0-9]+", "-", spelled).strip("-")[:36].strip("-")
        if slug:
            return slug
    return ""


def _new_id(label: dict, avoid: set[str], fallback: str) -> str:
    base = _slug(label.values()) or fallback
    candidate, n = base, 2
    while candidate in avoid:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _match(candidates: list[dict], label: dict, kind: str | None = None) -> dict | None:
    """The earlier question (or option) this one continues: same label, else one same text."""
    same_kind = [c for c in candidates if kind is None or c.get("type") == kind]
    for c in same_kind:
        if c["label"] == label:
            return c
    texts = set(label.values())
    for c in same_kind:
        if texts & set(c["label"].values()):
            return c
    return None


def _claim_id(
    unmatched: list[dict], taken: set[str], label: dict, fallback: str, kind: str | None = None
) -> tuple[str, dict | None]:
    """The id of the earlier question (or option) this one continues, else a new one; now taken.

    The earlier one, if any, leaves `unmatched` and is returned too.
    """
    earlier = _match(unmatched, label, kind)
    if earlier is not None:
        unmatched.remove(earlier)
        new_id = earlier["id"]
    else:
        new_id = _new_id(label, taken, fallback)
    taken.add(new_id)
    return new_id, earlier


def _with_ids(parsed: list[tuple[str, dict, list[dict]]], previous: Sequence[dict]) -> list[dict]:
    """Give parsed questions and options ids, keeping those of earlier ones with the same text.

    A new id never reuses one of an earlier question still known, so stored answers keep their
    meaning; an id derived from the text means the same question gets the same id again.
    """
    unmatched = list(previous)
    taken = {q["id"] for q in previous}
    questions = []
    for kind, label, option_labels in parsed:
        qid, earlier = _claim_id(unmatched, taken, label, f"q{len(questions) + 1}", kind)
        question = {"id": qid, "type": kind, "label": label}
        if kind != "text":
            old_options = list(earlier.get("options", [])) if earlier else []
            option_ids = {o["id"] for o in old_options}
            options = []
            for opt_label in option_labels:
                oid, _ = _claim_id(old_options, option_ids, opt_label, f"o{len(options) + 1}")
                options.append({"id": oid, "label": opt_label})
            question["options"] = options
        questions.append(question)
    return questions


def parse(text: str, languages: Sequence[str], previous: Sequence[dict] = ()) -> list[dict]:
    """The console's lines as questions in the schema; FieldErrors names the bad line.

    One question a line, `type: question | option | option`; a text is one for every language
    or one per language, in the show's order, joined by ' / '. Questions and options whose text
    is unchanged from `previous` keep their ids.
    """
    parsed = []
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
        parts = [p.strip() for p in rest.split(OPTION_SEPARATOR)]
        question, options = parts[0], [p for p in parts[1:] if p]
        if not question:
            raise FieldErrors({"questions": f"line {number}: the question is missing"})
        if kind != "text" and not 2 <= len(options) <= MAX_OPTIONS:
            raise FieldErrors(
                {"questions": f"line {number}: a choice needs 2 to {MAX_OPTIONS} options"}
            )
        if kind == "text" and options:
            raise FieldErrors({"questions": f"line {number}: a text question has no options"})
        parsed.append(
            (
                kind,
                _line_label(question, number, languages),
                [_line_label(o, number, languages) for o in options],
            )
        )
    if len(parsed) > MAX_QUESTIONS:
        raise FieldErrors({"questions": f"at most {MAX_QUESTIONS} questions"})
    return _with_ids(parsed, previous)


def _label_line(label: dict, languages: Sequence[str]) -> str:
    # A language the label lacks shows the text of the show's first language it has, as the
    # booth page does.
    known = [label[lang] for lang in languages if label.get(lang)]
    fallback = (known or list(label.values()) or [""])[0]
    texts = [label.get(lang) or fallback for lang in languages]
    return texts[0] if len(set(texts)) == 1 else LANGUAGE_SEPARATOR.join(texts)


def render(questions: Sequence[dict], languages: Sequence[str]) -> str:
    """The console's lines for questions in the schema."""
    return "\n".join(
        f" {OPTION_SEPARATOR} ".join(
            [
                f"{q['type']}: {_label_line(q['label'], languages)}",
                *(_label_line(o["label"], languages) for o in q.get("options", [])),
            ]
        )
        for q in questions
    )
