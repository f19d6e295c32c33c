"""A person's key across editions, and one CRM record per key when a show holds several.

The key is what every CRM file and connector uses to find the record an earlier edition made:

- `crm:<crm_id>` when the ticketing system or the desk gave the person's CRM id;
- else `email:<e-mail, trimmed and lower-cased>`;
- else `phone:<E.164 number>`;
- else `kiosk:<event id>:<attendee id>` (nothing identifies the person beyond this show).

Contact details withheld by consent are blank in the record, so they never leak into a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator


def person_key(record: dict) -> str:
    """The person's stable key (see the module docstring for the rule)."""
    crm_id = (record.get("crm_id") or "").strip()
    if crm_id:
        return f"crm:{crm_id}"
    email = (record.get("email") or "").strip().lower()
    if email:
        return f"email:{email}"
    phone = (record.get("phone") or "").strip()
    if phone:
        return f"phone:{phone}"
    return f"kiosk:{record['event']}:{record['id']}"


def _rank(record: dict) -> tuple:
    # The record that speaks for the group: one the CRM knows, then one who came, then the
    # most recently updated, then the newest.
    return (
        bool(record.get("crm_id")),
        bool(record["metrics"]["attended"]),
        record.get("updated_at") or "",
        record["id"],
    )


def merge(group: list[dict]) -> dict:
    """One record for several people with the same key: the primary, blanks filled by the rest.

    The primary is the record with a CRM id, else one who came, else the latest updated (then
    the highest id). Its metrics stay as they are; `merged_ids` lists the other attendee ids.
    """
    ordered = sorted(group, key=_rank, reverse=True)
    primary = dict(ordered[0])
    for other in ordered[1:]:
        for name, value in other.items():
            if isinstance(value, str) and value and not primary.get(name):
                primary[name] = value
    primary["merged_ids"] = [r["id"] for r in ordered[1:]]
    return primary


def one_per_key(
    records: Iterable[dict], key: Callable[[dict], str], candidates: set[int]
) -> Iterator[dict]:
    """The records with those of the same key merged into one.

    Only `candidates` (attendee ids that share a CRM id, e-mail or phone with someone else) are
    held back until the end; everyone else streams through, so memory stays flat.
    """
    held: dict[str, list[dict]] = {}
    for record in records:
        if record["id"] in candidates:
            held.setdefault(key(record), []).append(record)
        else:
            yield record
    for group in held.values():
        yield group[0] if len(group) == 1 else merge(group)
