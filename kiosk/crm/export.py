"""`kiosk export`: the post-show export in every format, streamed one person at a time."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path

import orjson

from kiosk.config import Settings
from kiosk.crm import deletions, identity, mapping, metrics, vcard
from kiosk.crm.files import Output
from kiosk.crm.people import iter_people
from kiosk.crm.records import (
    STATIC_FIELDS,
    build,
    consent_cells,
    consent_columns,
    contact_consent,
    share_consent,
    split_name,
)
from kiosk.storage import Store, history, reports
from kiosk.storage import exhibitors as exhibitor_sql

FORMATS = ("jsonl", "csv", "xlsx", "hubspot", "salesforce", "vcard", "mapped")

# Every metric of crm-metrics.md as a people.csv column: (column, path into record["metrics"]).
# The segment's static parts, loyalty.return_intent and segment.purchasing_role repeat fields
# that have a column already (see METRIC_REPEATS).
PERSON_METRICS = [
    ("segment", ("segment", "key")),
    ("lifecycle_stage", ("lifecycle_stage",)),
    ("returning", ("returning",)),
    ("attended", ("attended",)),
    ("first_check_in", ("first_check_in",)),
    ("engagement_score", ("engagement", "score")),
    ("engaged", ("engagement", "engaged")),
    ("days_attended", ("contribution", "days_attended")),
    ("booths_visited", ("contribution", "booths_visited")),
    ("sessions_attended", ("contribution", "sessions_attended")),
    ("leads", ("contribution", "leads")),
    ("hot_leads", ("contribution", "hot_leads")),
    ("qualified_leads", ("contribution", "qualified_leads")),
    ("buying_signals", ("contribution", "buying_signals")),
    ("purchasing_role_class", ("contribution", "purchasing_role")),
    ("budget_value", ("contribution", "budget")),
    ("contribution_score", ("contribution", "score")),
    ("satisfaction", ("satisfaction", "satisfaction")),
    ("recommend", ("satisfaction", "recommend")),
    ("nps_group", ("satisfaction", "nps_group")),
    ("return_intent", ("satisfaction", "return_intent")),
    ("editions_attended", ("loyalty", "editions_attended")),
    ("earlier_editions", ("loyalty", "earlier_editions")),
    ("missed_editions", ("loyalty", "missed_editions")),
    ("retained", ("loyalty", "retained")),
    ("loyalty_score", ("loyalty", "score")),
    ("key_account", ("key_account",)),
    ("key_account_reason", ("key_account_reason",)),
]
METRIC_REPEATS = {
    ("segment", "category"),
    ("segment", "industry"),
    ("segment", "main_business"),
    ("segment", "interests"),
    ("segment", "purchasing_role"),
    ("loyalty", "return_intent"),
}
PEOPLE_COLUMNS = [
    "id",
    "person_key",
    *STATIC_FIELDS,
    "contact_withheld",
    "flags",
    "consents",
    "permissions",
    *(name for name, _ in PERSON_METRICS),
]
INTERACTION_COLUMNS = [
    "id",
    "at",
    "type",
    "attendee_id",
    "exhibitor_id",
    "device_id",
    "place",
    "direction",
    "data",
]
LEAD_COLUMNS = [
    "id",
    "exhibitor_id",
    "attendee_id",
    "first_scanned_at",
    "last_scanned_at",
    "scans",
    "rating",
    "notes",
    "answers",
    "follow_up",
    "contact_shared",
    "updated_at",
    "source",
    "card_id",
    "card_contact",
]
LEAD_TABLE = set(LEAD_COLUMNS) - {"contact_shared", "card_contact"}
EXHIBITOR_COLUMNS = ["id", "name", "booth", "questions", "leads", "hot_leads", "created_at"]

# The person's metrics both CRM files carry: (path into record["metrics"], HubSpot property,
# Salesforce field or None where the Lead has no field for it).
CRM_METRICS = [
    (("segment", "key"), "kiosk_segment", None),
    (("lifecycle_stage",), "kiosk_lifecycle_stage", "Kiosk_Lifecycle_Stage__c"),
    (("contribution", "purchasing_role"), "kiosk_purchasing_role", "Kiosk_Purchasing_Role__c"),
    (("satisfaction", "satisfaction"), "kiosk_satisfaction", "Kiosk_Satisfaction__c"),
    (("satisfaction", "nps_group"), "kiosk_nps_group", None),
    (("satisfaction", "return_intent"), "kiosk_return_intent", None),
    (("loyalty", "editions_attended"), "kiosk_editions_attended", "Kiosk_Editions_Attended__c"),
    (("loyalty", "score"), "kiosk_loyalty_score", "Kiosk_Loyalty_Score__c"),
    (("contribution", "booths_visited"), "kiosk_booths_visited", None),
    (("contribution", "sessions_attended"), "kiosk_sessions_attended", None),
    (("contribution", "hot_leads"), "kiosk_hot_leads", "Kiosk_Hot_Leads__c"),
    (("contribution", "score"), "kiosk_contribution_score", "Kiosk_Contribution_Score__c"),
    (("key_account",), "kiosk_key_account", "Kiosk_Key_Account__c"),
]

HUBSPOT_METRICS = {hubspot: path for path, hubspot, _ in CRM_METRICS}
SALESFORCE_METRICS = {sf: path for path, _, sf in CRM_METRICS if sf is not None}

HUBSPOT_COLUMNS = [
    "email",
    "hs_object_id",
    "kiosk_person_key",
    "firstname",
    "lastname",
    "company",
    "jobtitle",
    "mobilephone",
    "country",
    "city",
    "address",
    "industry",
    "hs_language",
    "kiosk_attendee_id",
    "kiosk_external_id",
    "kiosk_category",
    "kiosk_flags",
    *HUBSPOT_METRICS,
    "kiosk_consents",
    *consent_columns("hubspot"),
]
HUBSPOT_EVENT_COLUMNS = [
    "email",
    "externalEventId",
    "subscriberState",
    "interactionDateTime",
    "joinedAt",
    "leftAt",
]
SALESFORCE_LEAD_COLUMNS = [
    "Kiosk_Person_Key__c",
    "FirstName",
    "LastName",
    "Company",
    "Title",
    "Email",
    "MobilePhone",
    "Street",
    "City",
    "CountryCode",
    "Industry",
    "LeadSource",
    "Rating",
    "Description",
    "Kiosk_Industry__c",
    "Kiosk_Last_Event__c",
    "Kiosk_Category__c",
    "Kiosk_Flags__c",
    "Kiosk_Lifecycle_Stage__c",
    "Kiosk_Purchasing_Role__c",
    "Kiosk_Satisfaction__c",
    "Kiosk_Editions_Attended__c",
    "Kiosk_Loyalty_Score__c",
    "Kiosk_Contribution_Score__c",
    "Kiosk_Hot_Leads__c",
    "Kiosk_Key_Account__c",
    "Kiosk_Attendee_Id__c",
    "HasOptedOutOfEmail",
    *consent_columns("salesforce"),
]
SALESFORCE_MEMBER_COLUMNS = [
    "Kiosk_Member_Key__c",
    "Lead.Kiosk_Person_Key__c",
    "Campaign.Kiosk_Event_Id__c",
    "Status",
]
# Salesforce's standard Lead.Industry picklist values; free text maps onto them or to "Other".
SF_INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Other",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
)
# Words (lower case, Chinese or English) found in a typed industry, and the picklist value.
SF_INDUSTRY_WORDS = (
    ("农", "Agriculture"),
    ("agri", "Agriculture"),
    ("服装", "Apparel"),
    ("纺织", "Apparel"),
    ("textile", "Apparel"),
    ("银行", "Banking"),
    ("bank", "Banking"),
    ("生物", "Biotechnology"),
    ("biotech", "Biotechnology"),
    ("化工", "Chemicals"),
    ("chemic", "Chemicals"),
    ("通信", "Telecommunications"),
    ("telecom", "Telecommunications"),
    ("建筑", "Construction"),
    ("construct", "Construction"),
    ("咨询", "Consulting"),
    ("consult", "Consulting"),
    ("教育", "Education"),
    ("educat", "Education"),
    ("电子", "Electronics"),
    ("electronic", "Electronics"),
    ("能源", "Energy"),
    ("energy", "Energy"),
    ("工程", "Engineering"),
    ("engineer", "Engineering"),
    ("环保", "Environmental"),
    ("environment", "Environmental"),
    ("金融", "Finance"),
    ("financ", "Finance"),
    ("食品", "Food & Beverage"),
    ("food", "Food & Beverage"),
    ("政府", "Government"),
    ("government", "Government"),
    ("医疗", "Healthcare"),
    ("医药", "Healthcare"),
    ("health", "Healthcare"),
    ("pharma", "Healthcare"),
    ("酒店", "Hospitality"),
    ("hospitality", "Hospitality"),
    ("保险", "Insurance"),
    ("insurance", "Insurance"),
    ("机械", "Machinery"),
    ("machin", "Machinery"),
    ("制造", "Manufacturing"),
    ("manufactur", "Manufacturing"),
    ("媒体", "Media"),
    ("media", "Media"),
    ("零售", "Retail"),
    ("retail", "Retail"),
    ("航运", "Shipping"),
    ("物流", "Transportation"),
    ("shipping", "Shipping"),
    ("logistic", "Transportation"),
    ("汽车", "Transportation"),
    ("automotive", "Transportation"),
    ("transport", "Transportation"),
    ("软件", "Technology"),
    ("科技", "Technology"),
    ("互联网", "Technology"),
    ("software", "Technology"),
    ("tech", "Technology"),
    ("公用", "Utilities"),
    ("utilit", "Utilities"),
)
SF_ISO_COUNTRY = re.compile(r"[A-Z]{2}")
NO_COMPANY = "[not provided]"
HUBSPOT_LANGUAGES = {"zh": "zh-cn"}  # HubSpot's hs_language option values
SF_LIMITS = {"FirstName": 40, "LastName": 80, "Company": 255, "Title": 128, "City": 40}


@dataclass
class ExportSummary:
    format: str
    people: int = 0
    skipped: int = 0
    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """The end-of-run summary printed by the CLI."""
        files = ", ".join(f"{name} {n}" for name, n in sorted(self.files.items())) or "no files"
        skipped = f", {self.skipped} left out (no consent or no contact)" if self.skipped else ""
        return (
            f"export {self.format}: {self.people} people{skipped}; {files} in {self.seconds:.1f}s"
        )


Progress = Callable[..., Iterable]


def run_export(
    store: Store,
    settings: Settings,
    fmt: str,
    out_dir: Path,
    *,
    progress: Progress = lambda items, **kw: items,
    mapping_file: Path | None = None,
) -> ExportSummary:
    """Write one format under out_dir from a consistent snapshot of the show."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    writer = WRITERS[fmt]
    if fmt == "mapped":
        if mapping_file is None:
            raise mapping.MappingError("--format mapped needs --mapping FILE.toml")
        spec = mapping.load(mapping_file, tuple(PEOPLE_COLUMNS))
        writer = partial(write_mapped, spec)
    started = time.perf_counter()
    output = Output(out_dir)
    summary = ExportSummary(fmt)
    with store.snapshot() as conn:  # one consistent view for the whole export
        try:
            writer(conn, settings, output, summary, progress)
            deletions.write(conn, settings, fmt, output)
            output.commit()
        except BaseException:
            output.discard()
            raise
    summary.files = dict(output.counts)
    summary.seconds = time.perf_counter() - started
    return summary


def _records(conn, settings, progress, desc="people", *, detail: bool = False):
    """Every person's record; with detail, everything the JSON Lines line carries."""
    ctx = metrics.ShowContext.build(settings, history.editions(conn))
    exhibitors = exhibitor_sql.by_id(conn)
    total = reports.count_people(conn)
    people = iter_people(conn, whole_log=detail)
    for person in progress(people, total=total, desc=desc, unit="person"):
        yield build(person, settings, ctx, exhibitors, detail=detail)


def write_jsonl(conn, settings, output, summary, progress) -> None:
    """people.jsonl: one whole record a line."""
    with output.open("people.jsonl") as fh:
        for record in _records(conn, settings, progress, detail=True):
            fh.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE).decode())
            output.counts["people.jsonl"] += 1
            summary.people += 1


def person_row(record: dict) -> dict:
    """A person's flat row in people.csv."""
    row = {k: record.get(k) for k in PEOPLE_COLUMNS if k in record}
    row["consents"] = record["consent_state"]
    m = record["metrics"]
    for name, path in PERSON_METRICS:
        value = m
        for key in path:
            value = value[key]
        row[name] = value
    return row


def write_csv(conn, settings, output, summary, progress) -> None:
    """people.csv, interactions.csv, leads.csv and exhibitors.csv."""
    people = output.csv("people.csv", PEOPLE_COLUMNS)
    for record in _records(conn, settings, progress):
        people.write(person_row(record))
        summary.people += 1
    people.close()
    interactions = output.csv("interactions.csv", INTERACTION_COLUMNS)
    rows = reports.all_interactions(conn, INTERACTION_COLUMNS)
    # data is stored as compact JSON already
    interactions.write_all(progress(rows, desc="interactions", unit="row"))
    interactions.close()
    leads = output.csv("leads.csv", LEAD_COLUMNS)
    exhibitors = output.csv("exhibitors.csv", EXHIBITOR_COLUMNS)
    _write_leads_and_exhibitors(conn, settings, leads, exhibitors)
    leads.close()
    exhibitors.close()


def _write_leads_and_exhibitors(conn, settings, leads, exhibitors) -> None:
    """Every lead (staff view), then every exhibitor with its lead counts."""
    per_exhibitor: dict[int, list[int]] = {}
    table_columns = [k for k in LEAD_COLUMNS if k in LEAD_TABLE]
    for row in reports.all_leads(conn, share_consent(settings), contact_consent(settings)):
        counts = per_exhibitor.setdefault(row["exhibitor_id"], [0, 0])
        counts[0] += 1
        counts[1] += row["rating"] == "hot"
        card = _card_contact(row)
        cells = {k: row[k] for k in table_columns}
        # stored as compact JSON already, as the cells would write them
        cells["answers"] = row["answers"] or "{}"
        cells["follow_up"] = row["follow_up"] or "[]"
        cells["contact_shared"] = _shared(row) or bool(card)
        cells["card_contact"] = row["contact"] if card else ""
        leads.write(cells)
    for exhibitor_id, row in exhibitor_sql.by_id(conn).items():
        counts = per_exhibitor.get(exhibitor_id, [0, 0])
        exhibitors.write(
            {
                **dict(row),
                "questions": json.loads(row["questions"] or "[]"),
                "leads": counts[0],
                "hot_leads": counts[1],
            }
        )


def write_xlsx(conn, settings, output, summary, progress) -> None:
    """kiosk-export.xlsx: sheets people, leads and exhibitors (interactions stay in CSV)."""
    from kiosk.crm import workbook

    name = "kiosk-export.xlsx"
    book = workbook.Workbook(output.path(name))
    people = book.sheet("people", PEOPLE_COLUMNS)
    for record in _records(conn, settings, progress):
        people.write(person_row(record))
        summary.people += 1
    leads = book.sheet("leads", LEAD_COLUMNS)
    exhibitors = book.sheet("exhibitors", EXHIBITOR_COLUMNS)
    _write_leads_and_exhibitors(conn, settings, leads, exhibitors)
    book.save()
    output.counts[name] = people.rows + leads.rows + exhibitors.rows


def _metric_cells(metrics: dict, columns: dict[str, tuple[str, ...]]) -> dict:
    """The person's metrics under one CRM's column names."""
    cells = {}
    for name, path in columns.items():
        value = metrics
        for key in path:
            value = value[key]
        cells[name] = value
    return cells


def _crm_ready(record: dict) -> bool:
    return record["status"] != "erased" and not record["contact_withheld"]


def crm_records(conn, settings, progress, summary, *, one_per: str = "person_key"):
    """The records a CRM may receive, one per person key (or per e-mail), counting the rest."""
    candidates = reports.people_sharing_an_identity(conn)

    def ready():
        for record in _records(conn, settings, progress):
            if not _crm_ready(record) or (one_per == "email" and not record["email"]):
                summary.skipped += 1
                continue
            yield record

    return identity.one_per_key(ready(), lambda r: r[one_per], candidates)


@lru_cache(maxsize=1 << 16)  # many people share a registration or check-in second
def epoch_ms(at: str | None) -> int | str:
    """A stored UTC time as milliseconds since 1970 (HubSpot's timestamps); '' for none."""
    if not at:
        return ""
    return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)


def last_check_out(record: dict) -> str | None:
    """The person's last valid check-out, if any."""
    outs = [
        t["at"] for t in record["timeline"] if t["type"] == "checked_out" and not t.get("voided")
    ]
    return max(outs) if outs else None


def hubspot_id(crm_id: str) -> str:
    """HubSpot's record id (hs_object_id) when the person's CRM id is one (digits only), else ''."""
    crm_id = (crm_id or "").strip()
    return crm_id if crm_id.isascii() and crm_id.isdigit() else ""


def write_hubspot(conn, settings, output, summary, progress) -> None:
    """HubSpot contacts import (one row per e-mail) and the marketing-event attendance file."""
    contacts = output.csv("hubspot_contacts.csv", HUBSPOT_COLUMNS)
    events = output.csv("hubspot_event_attendance.csv", HUBSPOT_EVENT_COLUMNS)
    for record in crm_records(conn, settings, progress, summary, one_per="email"):
        m = record["metrics"]
        given, family = split_name(record["full_name"])
        contacts.write(
            {
                "email": record["email"],
                "hs_object_id": hubspot_id(record["crm_id"]),
                "kiosk_person_key": record["person_key"],
                "firstname": given,
                "lastname": family,
                "company": record["company"],
                "jobtitle": record["job_title"],
                "mobilephone": record["phone"],
                "country": record["country"],
                "city": record["city"],
                "address": record["address"],
                "industry": record["industry"],
                "hs_language": HUBSPOT_LANGUAGES.get(record["language"], record["language"]),
                "kiosk_attendee_id": record["id"],
                "kiosk_external_id": record["external_id"],
                "kiosk_category": record["category"],
                "kiosk_flags": ";".join(record["flags"]),
                **_metric_cells(m, HUBSPOT_METRICS),
                "kiosk_consents": ";".join(
                    sorted(k for k, v in record["consent_state"].items() if v)
                ),
                **consent_cells(record, "hubspot"),
            }
        )
        events.write(
            {
                "email": record["email"],
                "externalEventId": settings.event_id,
                "subscriberState": "register",
                "interactionDateTime": epoch_ms(record["created_at"]),
            }
        )
        if m["attended"]:
            events.write(
                {
                    "email": record["email"],
                    "externalEventId": settings.event_id,
                    "subscriberState": "attend",
                    "interactionDateTime": epoch_ms(m["first_check_in"]),
                    "joinedAt": epoch_ms(m["first_check_in"]),
                    "leftAt": epoch_ms(last_check_out(record)),
                }
            )
        summary.people += 1
    contacts.close()
    events.close()


def salesforce_names(full_name: str, company: str) -> dict:
    """FirstName, LastName and Company within Salesforce's required fields and lengths."""
    given, family = split_name(full_name)
    if not family:
        family, given = given or "(unknown)", ""
    values = {"FirstName": given, "LastName": family, "Company": company or NO_COMPANY}
    return {k: v[: SF_LIMITS[k]] for k, v in values.items()}


def salesforce_industry(text: str) -> str:
    """A value of Salesforce's standard Industry picklist for a typed industry ('' for none)."""
    text = (text or "").strip()
    if not text:
        return ""
    for value in SF_INDUSTRIES:
        if text.lower() == value.lower():
            return value
    lowered = text.lower()
    for word, value in SF_INDUSTRY_WORDS:
        if word in lowered:
            return value
    return "Other"


def salesforce_country(code: str) -> str:
    """The ISO 3166 alpha-2 code for CountryCode, or '' when the country is not one."""
    code = (code or "").strip().upper()
    return code if SF_ISO_COUNTRY.fullmatch(code) else ""


def write_salesforce(conn, settings, output, summary, progress) -> None:
    """Salesforce Lead and CampaignMember CSV for upsert (Bulk API / Data Loader headers)."""
    leads = output.csv("salesforce_leads.csv", SALESFORCE_LEAD_COLUMNS)
    members = output.csv("salesforce_campaign_members.csv", SALESFORCE_MEMBER_COLUMNS)
    for record in crm_records(conn, settings, progress, summary):
        m = record["metrics"]
        key = record["person_key"]
        rating = "Hot" if m["key_account"] else "Warm" if m["attended"] else "Cold"
        leads.write(
            {
                "Kiosk_Person_Key__c": key,
                **salesforce_names(record["full_name"], record["company"]),
                "Title": record["job_title"][: SF_LIMITS["Title"]],
                "Email": record["email"],
                "MobilePhone": record["phone"],
                "Street": record["address"],
                "City": record["city"][: SF_LIMITS["City"]],
                "CountryCode": salesforce_country(record["country"]),
                "Industry": salesforce_industry(record["industry"]),
                "LeadSource": "Trade Show",
                "Rating": rating,
                "Description": f"{settings.event_id}: {m['segment']['key']},"
                f" {m['lifecycle_stage']}",
                "Kiosk_Industry__c": record["industry"],
                "Kiosk_Last_Event__c": settings.event_id,
                "Kiosk_Category__c": record["category"],
                "Kiosk_Flags__c": ";".join(record["flags"]),
                **_metric_cells(m, SALESFORCE_METRICS),
                "Kiosk_Attendee_Id__c": f"{settings.event_id}:{record['id']}",
                "HasOptedOutOfEmail": not record["permissions"]["marketing"]["allowed"],
                **consent_cells(record, "salesforce"),
            }
        )
        members.write(
            {
                "Kiosk_Member_Key__c": f"{settings.event_id}:{key}",
                "Lead.Kiosk_Person_Key__c": key,
                "Campaign.Kiosk_Event_Id__c": settings.event_id,
                "Status": "Attended" if m["attended"] else "Registered",
            }
        )
        summary.people += 1
    leads.close()
    members.close()


def mapped_values(record: dict, settings: Settings) -> dict:
    """Every value a mapping file can name, for one person."""
    given, family = split_name(record["full_name"])
    m = record["metrics"]
    return {
        **person_row(record),
        "first_name": given,
        "last_name": family,
        "event_id": settings.event_id,
        "event_name": settings.event_name.get("en") or next(iter(settings.event_name.values()), ""),
        "attendance": "attended" if m["attended"] else "registered",
        "person_key_slug": mapping.slug(record["person_key"]),
        "country_lower": (record["country"] or "").lower(),
        "consents_granted": ";".join(sorted(k for k, v in record["consent_state"].items() if v)),
    }


def write_mapped(spec: mapping.Mapping, conn, settings, output, summary, progress) -> None:
    """One CSV laid out by a mapping file (see mapping.py)."""
    out = output.csv(spec.file, [c.header for c in spec.columns], bom=spec.bom)
    if spec.people == "crm":
        records = crm_records(conn, settings, progress, summary, one_per=spec.one_per)
    else:
        records = _records(conn, settings, progress)
    for record in records:
        row = spec.row(mapped_values(record, settings))
        if row is None:
            summary.skipped += 1
            continue
        out.write(row)
        summary.people += 1
    out.close()


def _shared(lead) -> bool:
    """Whether this exhibitor may have the person's contact details."""
    return bool(lead["shared"]) and not lead["withheld"] and lead["person_status"] == "active"


def _card_contact(lead) -> dict:
    """What the business card given to this exhibitor says (blank once erased)."""
    contact = lead["contact"]
    return json.loads(contact) if contact and contact != "{}" else {}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "booth"


def write_vcard(conn, settings, output, summary, progress) -> None:
    """vcard/<exhibitor id>-<booth>.vcf: one vCard 4.0 per lead who shares contact details."""
    exhibitors = exhibitor_sql.by_id(conn)
    rev = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    current, fh, name = None, None, ""
    rows = reports.all_leads(conn, share_consent(settings), contact_consent(settings))
    for lead in progress(rows, desc="leads", unit="lead"):
        # A business card handed over shares what it says with that exhibitor.
        contact = None if _shared(lead) else _card_contact(lead)
        if contact is not None and not contact:
            summary.skipped += 1
            continue
        if lead["exhibitor_id"] != current:
            if fh is not None:
                fh.close()
            current = lead["exhibitor_id"]
            booth = exhibitors[current]["booth"] if current in exhibitors else ""
            name = f"vcard/{current}-{_slug(booth)}.vcf"
            fh = output.open(name)
        if contact:
            fh.write(vcard.card_contact(lead, contact, settings.event_id, rev))
        else:
            fh.write(vcard.card(lead, settings.event_id, rev))
        output.counts[name] += 1
        summary.people += 1
    if fh is not None:
        fh.close()


WRITERS = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "xlsx": write_xlsx,
    "hubspot": write_hubspot,
    "salesforce": write_salesforce,
    "vcard": write_vcard,
    "mapped": None,  # needs its mapping file: see run_export
}
