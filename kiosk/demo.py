"""A demo show: a few hundred pre-registered people, exhibitors, devices, with their tokens."""

from __future__ import annotations

import json
import os
import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode

from kiosk.attendees import registration
from kiosk.attendees.consents import import_defaults
from kiosk.attendees.fields import clean_person
from kiosk.checkin import codes
from kiosk.checkin import sessions as attendance
from kiosk.checkin.service import check_in
from kiosk.devices import create_device
from kiosk.exhibitors.manage import create_exhibitor, set_questions
from kiosk.leads.capture import capture
from kiosk.services import Services
from kiosk.staff.accounts import create_staff
from kiosk.storage import attendees as attendee_sql
from kiosk.survey import answers as survey

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红文辉玲春晓云峰宇浩然子涵一鸣思远嘉怡"
)
LATIN_FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maria",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
LATIN_LAST = [
    "Müller",
    "Smith",
    "García",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Tanaka",
    "Silva",
    "Johansson",
    "O'Brien",
    "Nguyen",
    "Kim",
    "Okafor",
    "Novak",
    "Andersen",
]
COMPANIES_ZH = [
    "华为技术有限公司",
    "深圳市大疆创新科技",
    "上海电气集团",
    "海尔智家",
    "美的集团",
    "三一重工",
    "宁德时代",
    "格力电器",
    "比亚迪股份",
    "中联重科",
]
COMPANIES_EN = [
    "Siemens AG",
    "Bosch Rexroth",
    "ABB Robotics",
    "Festo",
    "Schneider Electric",
    "Rockwell Automation",
    "Omron Europe",
    "Kuka",
    "SMC Pneumatics",
    "Phoenix Contact",
]
TITLES = ["采购经理", "总经理", "工程师", "Purchasing Manager", "CEO", "Engineer", "Sales Director"]
EXHIBITORS = [
    ("Acme Robotics 艾可机器人", "A101"),
    ("Blue Ocean Logistics 蓝海物流", "A205"),
    ("Cheng Precision Tools 诚精工具", "B110"),
    ("Delta Sensors", "B214"),
    ("Evergreen Packaging 长青包装", "C008"),
    ("Futura Materials", "C120"),
]
# Every booth asks the same qualifying questions in the demo, so any booth phone shows them.
BOOTH_QUESTIONS = [
    {
        "id": "volume",
        "type": "single",
        "label": {"zh": "采购量", "en": "Purchase volume"},
        "options": [
            {"id": "small", "label": {"zh": "小批量", "en": "Small"}},
            {"id": "large", "label": {"zh": "大批量", "en": "Large"}},
        ],
    },
    {
        "id": "timeline",
        "type": "single",
        "label": {"zh": "采购时间", "en": "When to buy"},
        "options": [
            {"id": "now", "label": {"zh": "三个月内", "en": "Within 3 months"}},
            {"id": "later", "label": {"zh": "今年内", "en": "This year"}},
            {"id": "browsing", "label": {"zh": "先了解", "en": "Just looking"}},
        ],
    },
    {"id": "project", "type": "text", "label": {"zh": "项目", "en": "Project"}},
]
CATEGORY_WEIGHTS = {
    "visitor": 40,
    "trade": 30,
    "buyer": 15,
    "media": 4,
    "vip": 4,
    "exhibitor": 5,
    "staff": 2,
}


# The demo console account; a real show creates its own with `kiosk staff add`.
DEMO_STAFF_PASSWORD = "demo-staff-2026"


@dataclass
class Credentials:
    # role, name, token; role "badge" lines carry a person's badge code to try at the kiosk
    tokens: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable credentials, one device (or demo badge) per line."""
        return [f"{role:9} {name:20} {token}" for role, name, token in self.tokens]


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def shifted_config(text: str, today: date | None = None) -> str:
    """The show's configuration with its dates moved so that its first day is `today`.

    The demo then happens now: its check-ins, sessions and gate rules fall inside the show's days.
    Without `today`, it is today in the show's time zone.
    """
    if today is None:
        zone = tomllib.loads(text).get("event", {}).get("timezone", "UTC")
        today = datetime.now(ZoneInfo(zone)).date()
    days = re.search(r"^days\s*=\s*\[([^\]]*)\]", text, re.M)
    found = _ISO_DATE.search(days.group(1)) if days else None
    if found is None:
        return text
    offset = today - date(*map(int, found.groups()))

    def move(match: re.Match) -> str:
        return (date(*map(int, match.groups())) + offset).isoformat()

    return _ISO_DATE.sub(move, text)


def write_badge_qrs(creds: Credentials, folder: Path) -> list[Path]:
    """Write each demo badge code as a QR image (to try with a scanner or a phone); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for role, _name, code in creds.tokens:
        if role != "badge":
            continue
        path = folder / f"{code}.png"
        qrcode.make(code, box_size=12, border=4).save(path)
        written.append(path)
    return written


# Two people everyone can find when trying the demo: "zhangwei" / "zw" and "anna"; each proves it
# at the kiosk with "0000" (their phone's last four digits) or guest0000N@example.com.
WELL_KNOWN = [
    {
        "full_name": "张伟",
        "company": "华为技术有限公司",
        "job_title": "采购经理",
        "country": "CN",
        "category": "buyer",
        "language": "zh",
        "phone": "+8613900000000",
    },
    {
        "full_name": "Anna Müller",
        "company": "Siemens AG",
        "job_title": "Purchasing Manager",
        "country": "DE",
        "category": "trade",
        "language": "en",
        "phone": "+4915100000000",
    },
]


def _person(rng: random.Random, i: int, categories: list[str]) -> dict:
    if i <= len(WELL_KNOWN):
        return {**WELL_KNOWN[i - 1], "email": f"guest{i:05d}@example.com"}
    category = rng.choices(categories, weights=[CATEGORY_WEIGHTS.get(c, 5) for c in categories])[0]
    chinese = rng.random() < 0.7
    if chinese:
        name = rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        company, country, phone = rng.choice(COMPANIES_ZH), "CN", f"+86139{i:08d}"
    else:
        name = f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}"
        company, country, phone = rng.choice(COMPANIES_EN), "DE", f"+49151{i:08d}"
    return {
        "external_id": f"DEMO-{i:05d}",
        "full_name": name,
        "company": company,
        "job_title": rng.choice(TITLES),
        "email": f"guest{i:05d}@example.com",
        "phone": phone,
        "country": country,
        "category": category,
        "language": "zh" if chinese else "en",
    }


def _show_floor(svc: Services, creds: Credentials, rng: random.Random) -> None:
    """Some of the show already happened: entries and exits, booth scans, a forum, surveys.

    The two well-known people stay untouched so that trying the kiosk with them works.
    """
    devices = {
        name: svc.devices.authenticate(token)
        for role, name, token in creds.tokens
        if role not in ("console", "badge")
    }
    people = attendee_sql.ids_except(svc.store.conn, ("DEMO-00001", "DEMO-00002"))
    arrived = rng.sample(people, k=len(people) * 2 // 5)
    # Arrivals spread over the last six hours of today, oldest first, so the charts have a shape.
    now = svc.settings.now()
    span = min(timedelta(hours=6), now - now.replace(hour=0, minute=0, second=0, microsecond=0))
    times = sorted(now - rng.betavariate(2, 3) * span for _ in arrived)
    passages = []
    for n, (attendee_id, at) in enumerate(zip(arrived, times, strict=True)):
        kiosk = devices["north-1" if n % 3 else "south-1"]
        passages.append((at, attendee_id, "in", kiosk))
        if n % 7 == 0:
            passages.append((at + (now - at) / 2, attendee_id, "out", kiosk))
    code_of = {
        row["attendee_id"]: codes.code_for(svc.keys, row["code_id"], row["version"])
        for row in attendee_sql.live_badges(svc.store.conn)
    }
    # In time order, as a real morning's log would be; each visitor scans their badge.
    for at, attendee_id, direction, kiosk in sorted(passages, key=lambda p: p[0]):
        check_in(
            svc.store,
            svc.settings,
            svc.keys,
            code=code_of[attendee_id],
            gate=kiosk.gate,
            direction=direction,
            device=kiosk,
            now=at,
        )
    booths = [d for d in devices.values() if d.role == "exhibitor"]
    for weight, booth in enumerate(booths):
        for ref, attendee_id in enumerate(
            rng.sample(arrived, k=min(len(arrived), max(4, 30 - 5 * weight)))
        ):
            capture(
                svc.store,
                svc.keys,
                booth,
                {
                    "code": code_of[attendee_id],
                    "client_ref": f"demo-{ref}",
                    "rating": rng.choice(("hot", "warm", "warm", "cold")),
                },
            )
    door = devices["north-1"]
    for attendee_id in rng.sample(arrived, k=min(len(arrived), 40)):
        attendance.record(
            svc.store,
            svc.settings,
            svc.keys,
            {"code": code_of[attendee_id], "type": "session_attended", "place": "forum-1"},
            door,
        )
    for attendee_id in rng.sample(arrived, k=min(len(arrived), 25)):
        survey.answer(
            svc.store,
            svc.settings,
            svc.keys,
            {
                "code": code_of[attendee_id],
                "satisfaction": rng.choice((3, 4, 4, 5, 5)),
                "recommend": rng.choice((6, 8, 9, 9, 10)),
                "return_intent": rng.random() < 0.8,
                "purpose": rng.sample(list(survey.PURPOSES[:-1]), k=2),
                "comment": "",
            },
            door,
        )


def create_demo_show(svc: Services, *, people: int = 300, seed: int = 2026) -> Credentials:
    """Create the demo show unless there is one; return the demo device tokens."""
    settings, store = svc.settings, svc.store
    creds_path = settings.db_path.with_name(settings.db_path.stem + ".demo-credentials.json")
    existing = attendee_sql.count(store.conn)
    if existing and creds_path.exists():
        return Credentials([tuple(t) for t in json.loads(creds_path.read_text())])
    rng = random.Random(seed)
    categories = list(settings.categories)
    registered = []
    with store.write() as conn:
        for i in range(1, people + 1):
            person = clean_person(_person(rng, i, categories), settings)
            person["external_id"] = f"DEMO-{i:05d}"
            consents = import_defaults(settings)  # the demo's people come as from an import
            if "share_with_exhibitors" in settings.consents:
                consents["share_with_exhibitors"] = rng.random() < 0.6
            applicant = registration.Applicant(person, consents)
            registered.append(
                registration.create(conn, settings, svc.keys, applicant, source="import")
            )
    registration.announce(store, registered)
    creds = Credentials()
    for name, gate in (("north-1", "north"), ("south-1", "south")):
        _, token = create_device(store, settings, role="kiosk", name=name, gate=gate, actor="demo")
        creds.tokens.append(("kiosk", name, token))
    _, token = create_device(store, settings, role="staff", name="control-room", actor="demo")
    creds.tokens.append(("staff", "control-room", token))
    for name, booth in EXHIBITORS:
        exhibitor_id = create_exhibitor(store, name=name, booth=booth, actor="demo")
        set_questions(
            store, exhibitor_id, BOOTH_QUESTIONS, actor="demo", languages=settings.languages
        )
        _, token = create_device(
            store,
            settings,
            role="exhibitor",
            name=f"booth-{booth}",
            exhibitor_id=exhibitor_id,
            actor="demo",
        )
        creds.tokens.append(("exhibitor", f"booth-{booth}", token))
    create_staff(store, "demo", DEMO_STAFF_PASSWORD, actor="demo")
    creds.tokens.append(("console", "demo", DEMO_STAFF_PASSWORD))
    for i, person in enumerate(WELL_KNOWN[:people], start=1):
        row = attendee_sql.by_external_id(store.conn, f"DEMO-{i:05d}")
        live = attendee_sql.live_badge(store.conn, row["id"])
        code = codes.code_for(svc.keys, live["code_id"], live["version"])
        creds.tokens.append(("badge", person["full_name"], code))
    _show_floor(svc, creds, rng)
    fd = os.open(creds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(creds.tokens, fh)
    return creds
