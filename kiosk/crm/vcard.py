"""vCard 4.0 (RFC 6350) text for a lead, escaped and folded by the rules."""

from __future__ import annotations

import uuid

from kiosk.crm.records import split_name


def escape(value: str) -> str:
    """Escape a text value: backslash, comma, semicolon and newlines."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without cutting a UTF-8 character."""
    if line.isascii():  # a character is an octet: cut by position
        if len(line) <= 75:
            return line + "\r\n"
        parts = [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]
        return "\r\n".join(parts) + "\r\n"
    if len(line.encode("utf-8")) <= 75:
        return line + "\r\n"
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def person_uid(event_id: str, attendee_id: int) -> str:
    """The UID of every vCard of a person (stable per show and person; the deletion list uses it)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'kiosk:{event_id}:attendee:{attendee_id}')}"


def card(lead, event_id: str, rev: str) -> str:
    """One vCard for a lead row joined with its person."""
    given, family = split_name(lead["full_name"])
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        f"UID:{person_uid(event_id, lead['attendee_id'])}",
        f"FN:{escape(lead['full_name'])}",
        f"N:{escape(family)};{escape(given)};;;",
    ]
    if lead["company"]:
        lines.append(f"ORG:{escape(lead['company'])}")
    if lead["job_title"]:
        lines.append(f"TITLE:{escape(lead['job_title'])}")
    if lead["email"]:
        lines.append(f"EMAIL;TYPE=work:{escape(lead['email'].strip().lower())}")
    if lead["phone"]:
        lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:{lead['phone']}")
    if lead["address"] or lead["city"] or lead["country"]:
        parts = ["", "", lead["address"], lead["city"], "", "", lead["country"]]
        lines.append("ADR:" + ";".join(escape(p) for p in parts))
    if lead["language"]:
        lines.append(f"LANG:{lead['language']}")
    if lead["rating"]:
        lines.append(f"CATEGORIES:{lead['rating']}")
    return _finish(lines, lead, f"Scanned {lead['scans']}x", rev)


# vCard TEL types for a business card's phone types.
TEL_TYPES = {"mobile": "cell", "office": "work", "fax": "fax", "other": "voice"}


def card_contact(lead, contact: dict, event_id: str, rev: str) -> str:
    """One vCard for a lead from a business card: what the card says, marked business_card."""
    who = f"attendee:{lead['attendee_id']}" if lead["attendee_id"] else f"lead:{lead['id']}"
    uid = uuid.uuid5(uuid.NAMESPACE_URL, f"kiosk:{event_id}:{who}")
    name = contact.get("full_name") or contact.get("company") or f"Lead {lead['id']}"
    given, family = split_name(contact.get("full_name", ""))
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual" if contact.get("full_name") else "KIND:org",
        f"UID:urn:uuid:{uid}",
        f"FN:{escape(name)}",
        f"N:{escape(family)};{escape(given)};;;",
    ]
    if contact.get("company"):
        lines.append(f"ORG:{escape(contact['company'])}")
    if contact.get("job_title"):
        lines.append(f"TITLE:{escape(contact['job_title'])}")
    lines += [f"EMAIL;TYPE=work:{escape(e.strip().lower())}" for e in contact.get("emails", [])]
    lines += [
        f"TEL;VALUE=uri;TYPE={TEL_TYPES.get(p['type'], 'voice')}:tel:{p['number']}"
        for p in contact.get("phones", [])
    ]
    if contact.get("website"):
        lines.append(f"URL:{escape(contact['website'])}")
    if contact.get("address"):
        lines.append("ADR:" + ";".join(["", "", escape(contact["address"]), "", "", "", ""]))
    marks = ["business_card"] + (["contact_only"] if lead["attendee_id"] is None else [])
    lines.append(f"CATEGORIES:{','.join(marks + ([lead['rating']] if lead['rating'] else []))}")
    return _finish(lines, lead, f"Business card, {lead['scans']}x", rev)


def _finish(lines: list[str], lead, how: str, rev: str) -> str:
    """Close a lead's vCard: its note (how it was taken, rating, notes) and revision, folded."""
    note = f"{how}, first {lead['first_scanned_at']}"
    if lead["rating"]:
        note += f"; rating {lead['rating']}"
    if lead["notes"]:
        note += f"\n{lead['notes']}"
    lines += [f"NOTE:{escape(note)}", f"REV:{rev}", "END:VCARD"]
    return "".join(fold(line) for line in lines)
