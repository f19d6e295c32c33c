"""How the staff console speaks: the console's language (zh or en, switchable), the show's
names for its ids (gates, categories, sessions, survey purposes, fields), venue time, and a
person's timeline told in sentences instead of raw log rows."""

from __future__ import annotations

import json
import re
from datetime import datetime

from kiosk.attendees import fields as person_fields
from kiosk.config import Settings
from kiosk.errors import DomainError, FieldErrors
from kiosk.storage import from_iso
from kiosk.survey.answers import PURPOSES

LANG_COOKIE = "console_lang"
UI_LANGUAGES = ("zh", "en")

PURPOSE_NAMES = {
    "sourcing": ("采购", "Sourcing"),
    "new_products": ("了解新产品", "New products"),
    "suppliers": ("寻找供应商", "Finding suppliers"),
    "networking": ("行业交流", "Networking"),
    "seminars": ("论坛讲座", "Seminars"),
    "market": ("市场调研", "Market research"),
    "other": ("其他", "Other"),
}

ROLE_NAMES = {
    "kiosk": ("自助机", "Kiosk"),
    "exhibitor": ("展商设备", "Exhibitor device"),
    "staff": ("工作人员", "Staff"),
}
SOURCE_NAMES = {
    "import": ("预登记导入", "pre-registration import"),
    "walkup": ("现场自助登记", "walk-up kiosk"),
    "staff": ("服务台", "staff desk"),
}
CONSENT_NAMES = {
    "terms": ("隐私条款", "Privacy terms"),
    "share_with_exhibitors": ("向展商提供联系方式", "Share contact details with exhibitors"),
}
REASONS = {
    "already_checked_in": ("已签到", "already checked in"),
    "not_checked_in": ("尚未签到", "not checked in"),
    "revoked": ("胸卡已作废", "badge revoked"),
    "not_allowed": ("不允许入场", "not allowed"),
    "invalid": ("无效胸卡", "invalid badge"),
}
# What a refused console action says in Chinese, by the domain error's code (the domain's own
# message is the English).
REFUSALS_ZH = {
    "already_dismissed": "这两条记录已判定为不同的人。",
    "already_voided": "该通行记录已作废。",
    "not_a_passage": "只能作废此人的签到或离场记录。",
    "not_active": "该记录已不再有效（已并入其他记录或已删除）。",
    "not_merged": "该记录未被合并。",
    "same_record": "不能对同一条记录执行此操作。",
    "name_taken": "该工作人员账号名已存在。",
    "not_found": "找不到该记录。",
}
# The console's form errors in Chinese: the domain's English message (a pattern, its groups
# carried over) and its Chinese. tests/test_console_text.py makes the domain produce each one,
# so a reworded message is noticed there.
FIELD_MESSAGES_ZH = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"required", "必填"),
        (r"longer than (\d+) characters", "不能超过 {0} 个字符"),
        (r"unknown category '(.*)'", "没有“{0}”这个类别"),
        (r"not a phone number", "不是电话号码"),
        (r"not a valid phone number", "不是有效的电话号码"),
        (r"role must be one of (.*)", "角色应为以下之一：{0}"),
        (r"a device needs a name", "设备需要名称"),
        (r"a device needs a name of 1 to (\d+) characters", "设备名称应为 1 到 {0} 个字符"),
        (r"unknown gate '(.*)' \(known: (.*)\)", "没有“{0}”这个入口（现有：{1}）"),
        (r"an exhibitor device needs --exhibitor ID", "展商设备需要选择展商"),
        (r"only exhibitor devices belong to an exhibitor", "只有展商设备属于展商"),
        (r"no exhibitor with id (\d+)", "没有编号为 {0} 的展商"),
        (r"direction must be one of (.*)", "方向应为以下之一：{0}"),
        (r"printing must be one of (.*)", "打印方式应为以下之一：{0}"),
        (r"gate (.*) allows (.*) only", "入口 {0} 只允许：{1}"),
        (r"an exhibitor needs a name", "展商需要名称"),
        (r"an exhibitor needs a booth", "展商需要展位号"),
        (
            r"line (\d+): start with text:, single: or multiple:",
            "第 {0} 行：请以 text:、single: 或 multiple: 开头",
        ),
        (r"line (\d+): the question is missing", "第 {0} 行：缺少问题"),
        (r"line (\d+): a choice needs 2 to (\d+) options", "第 {0} 行：选择题需要 2 到 {1} 个选项"),
        (r"line (\d+): a text question has no options", "第 {0} 行：文字题没有选项"),
        (
            r"line (\d+): '(.*)' needs one text, or one per language \((.*)\)",
            "第 {0} 行：“{1}”需要一个文字，或每种语言一个（{2}）",
        ),
        (
            r"line (\d+): each text 1 to (\d+) characters, without line breaks, '\|' or ' / '.*",
            "第 {0} 行：每个文字 1 到 {1} 个字符，不含换行、“|”或“ / ”（控制台的分隔符）",
        ),
        (r"at most (\d+) questions", "最多 {0} 个问题"),
    )
)
# A message not listed above, in Chinese, by the field it is about.
FIELD_FALLBACK_ZH = {"email": "不是有效的电子邮件地址"}
# The names of the console's form fields that are not a person's.
FORM_FIELD_NAMES = {
    "role": ("角色", "role"),
    "name": ("名称", "name"),
    "gate": ("入口", "gate"),
    "exhibitor": ("展商", "exhibitor"),
    "direction": ("方向", "direction"),
    "printing": ("打印方式", "printing"),
    "booth": ("展位", "booth"),
    "questions": ("问题", "questions"),
    "device": ("设备", "device"),
}
MATCHED_NAMES = {
    "email": ("相同的电子邮箱", "same email"),
    "phone": ("相同的手机号", "same phone"),
    "name_company": ("相同的姓名和公司", "same name and company"),
}
DIRECTION_NAMES = {"in": ("入场", "entry"), "out": ("离场", "exit"), "both": ("双向", "both ways")}
PRINTING_NAMES = {
    "auto": ("自动（有打印队列用 CUPS，否则浏览器）", "auto (CUPS if named, else browser)"),
    "browser": ("浏览器", "browser"),
    "none": ("不打印（请到服务台）", "none (desk)"),
}
RATINGS = {"hot": ("热", "hot"), "warm": ("温", "warm"), "cold": ("冷", "cold")}
AUDIT_ACTIONS = {
    "attendee.erase": ("删除个人信息", "Personal data erased"),
    "badge.reprint": ("补发胸卡", "Badge reissued"),
    "card.erase": ("删除名片", "Business cards erased"),
    "checkin.offline_conflict": ("离线签到冲突", "Offline check-in conflict"),
    "checkin.void": ("作废通行记录", "Passage voided"),
    "device.create": ("添加设备", "Device added"),
    "device.mode": ("更改设备模式", "Device mode changed"),
    "device.rename": ("设备改名", "Device renamed"),
    "device.revoke": ("吊销设备", "Device revoked"),
    "exhibitor.create": ("添加展商", "Exhibitor added"),
    "exhibitor.questions": ("更改展商问题", "Exhibitor questions changed"),
    "exhibitor.update": ("更改展商信息", "Exhibitor changed"),
    "identity.refused": ("身份核验未通过", "Identity check refused"),
    "mail.confirmations": ("发送确认邮件", "Confirmations sent"),
    "mail.invitations": ("发送邀请邮件", "Invitations sent"),
    "person.duplicate_dismiss": ("判定并非重复", "Marked as not a duplicate"),
    "person.merge": ("合并记录", "Records merged"),
    "person.register": ("服务台登记", "Registered at the desk"),
    "person.unmerge": ("撤销合并", "Merge undone"),
    "person.update": ("更正信息", "Details corrected"),
    "scan.refused": ("扫描被拒", "Scan refused"),
    "staff.create": ("添加工作人员", "Staff account added"),
    "staff.password": ("更改密码", "Password changed"),
    "staff.sign_in": ("登录", "Signed in"),
    "staff.sign_in_failed": ("登录失败", "Sign-in failed"),
    "staff.sign_out": ("退出登录", "Signed out"),
}
# Keys of audited before/after data that are not person fields.
AUDIT_KEYS = {
    "device_id": ("设备", "Device"),
    "exhibitor_id": ("展商编号", "Exhibitor no."),
    "name": ("名称", "Name"),
    "first_at": ("首次", "First"),
    "last_at": ("最近", "Last"),
    "reason": ("原因", "Reason"),
    "gate": ("入口", "Gate"),
    "session": ("论坛", "Session"),
    "direction": ("方向", "Direction"),
    "printing": ("打印", "Printing"),
    "role": ("角色", "Role"),
    "version": ("胸卡版本", "Badge version"),
    "merged_id": ("被并入的记录", "Merged record"),
    "survivor_id": ("保留的记录", "Kept record"),
    "booth": ("展位", "Booth"),
    "questions": ("问题", "Questions"),
    "revoked": ("已吊销", "Revoked"),
    "count": ("数量", "Count"),
}
# Audited values told by the show's names: key -> the Speaker method that names them.
SAID_BY = {
    "reason": "reason",
    "gate": "gate",
    "session": "session",
    "role": "role",
    "category": "category",
    "direction": "direction",
    "printing": "printing",
}


class Speaker:
    """The console's words in one language, with the show's names for its ids."""

    def __init__(self, settings: Settings, lang: str):
        self.settings = settings
        self.lang = lang if lang in UI_LANGUAGES else "en"
        self.labels = {f.name: f.label for f in person_fields.PERSON}

    def t(self, zh: str, en: str) -> str:
        """The console text in its language."""
        return zh if self.lang == "zh" else en

    def pair(self, texts: tuple[str, str] | None, fallback: str) -> str:
        """A (zh, en) pair in the console's language, or the fallback made readable."""
        return self.t(*texts) if texts else fallback.replace("_", " ")

    def name(self, names: dict[str, str] | None, fallback: str = "") -> str:
        """A name given per language, in the console's language (else the show's default)."""
        if not names:
            return fallback
        return (
            names.get(self.lang)
            or names.get(self.settings.default_language)
            or next(iter(names.values()), fallback)
        )

    def gate(self, gid: str | None) -> str:
        """A gate's name."""
        gate = self.settings.gates.get(gid or "")
        return self.name(gate.name, gid) if gate else (gid or "")

    def category(self, cid: str | None) -> str:
        """A category's name."""
        cat = self.settings.categories.get(cid or "")
        return self.name(cat.name, cid) if cat else (cid or "")

    def session(self, sid: str | None) -> str:
        """A session's name."""
        s = self.settings.sessions.get(sid or "")
        return self.name(s.name, sid) if s else (sid or "")

    def purpose(self, pid: str) -> str:
        """An exit-survey purpose's name."""
        return self.pair(PURPOSE_NAMES.get(pid), pid)

    def role(self, role: str) -> str:
        """A device role's name."""
        return self.pair(ROLE_NAMES.get(role), role)

    def source(self, source: str) -> str:
        """Where a record came from."""
        return self.pair(SOURCE_NAMES.get(source), source)

    def consent(self, key: str) -> str:
        """A consent's short name."""
        return self.pair(CONSENT_NAMES.get(key), key)

    def field(self, name: str) -> str:
        """A person field's label."""
        return self.name(self.labels.get(name), name.replace("_", " "))

    def half(self, text: str) -> str:
        """The console's half of a "中文 English" text (the domain's bilingual labels)."""
        zh, _, en = str(text).partition(" ")
        return (zh if self.lang == "zh" else en) if en else str(text)

    def reason(self, code: str) -> str:
        """Why a scan was refused."""
        return self.pair(REASONS.get(code), code)

    def rating(self, rating: str) -> str:
        """A lead's rating."""
        return self.pair(RATINGS.get(rating), rating)

    def refusal(self, error: DomainError) -> str:
        """Why the domain refused a console action, in the console's language."""
        if self.lang == "zh" and error.code in REFUSALS_ZH:
            return REFUSALS_ZH[error.code]
        return error.message

    def field_message(self, name: str, message: str) -> str:
        """What is wrong with a form field, in the console's language."""
        if name.startswith("consents.") and message == "required":
            return self.t("请勾选此项才能登记", "tick this box to register")
        if self.lang != "zh":
            return message
        for pattern, zh in FIELD_MESSAGES_ZH:
            found = pattern.fullmatch(message)
            if found:
                return zh.format(*found.groups())
        return FIELD_FALLBACK_ZH.get(name, message)

    def field_errors(self, error: FieldErrors) -> dict[str, str]:
        """A form's errors by field, in the console's language."""
        return {name: self.field_message(name, text) for name, text in error.fields.items()}

    def form_field(self, name: str) -> str:
        """A form field's name: a person's field, a consent, or a device's or exhibitor's."""
        if name.startswith("consents."):
            return self.consent(name.removeprefix("consents."))
        if name in FORM_FIELD_NAMES:
            return self.t(*FORM_FIELD_NAMES[name])
        return self.field(name)

    def form_refusal(self, error: FieldErrors) -> str:
        """A form's errors as one line: each field by its name, with what is wrong with it."""
        colon = self.t("：", ": ")
        return self.t("；", "; ").join(
            f"{self.form_field(name)}{colon}{text}"
            for name, text in self.field_errors(error).items()
        )

    def already_registered(self, record_id: int, matched_on: str) -> str:
        """Why the desk cannot register someone: the record on file, and what matched."""
        same = self.pair(MATCHED_NAMES.get(matched_on), matched_on)
        return self.t(
            f"已登记为 {record_id} 号（{same}）",
            f"already registered as person {record_id} ({same})",
        )

    def direction(self, direction: str) -> str:
        """A kiosk's direction."""
        return self.pair(DIRECTION_NAMES.get(direction), direction)

    def printing(self, printing: str) -> str:
        """A kiosk's way of printing badges."""
        return self.pair(PRINTING_NAMES.get(printing), printing)

    def venue(self, iso: str | None, with_date: bool = False) -> str:
        """A stored UTC time as venue time: 09:41, or 11-24 09:41."""
        if not iso:
            return "–"
        try:
            local = from_iso(str(iso)).astimezone(self.settings.timezone)
        except ValueError:
            return str(iso)
        return local.strftime("%m-%d %H:%M" if with_date else "%H:%M")

    def venue_day(self, iso: str) -> str:
        """The venue's day of a stored time, for grouping a timeline."""
        local = from_iso(iso).astimezone(self.settings.timezone)
        return local.strftime("%Y年%m月%d日" if self.lang == "zh" else "%a %d %b %Y")

    def today(self) -> str:
        """Today at the venue, as venue_day() writes it."""
        now = datetime.now(self.settings.timezone)
        return now.strftime("%Y年%m月%d日" if self.lang == "zh" else "%a %d %b %Y")

    def client_names(self) -> dict:
        """What the dashboard's script needs to name things and tell venue time."""
        s = self.settings
        return {
            "lang": self.lang,
            "tz": str(s.timezone),
            "gates": {g: self.gate(g) for g in s.gates},
            "categories": {c: self.category(c) for c in s.categories},
            "sessions": {x: self.session(x) for x in s.sessions},
            "purposes": {p: self.purpose(p) for p in PURPOSES},
            "roles": {r: self.role(r) for r in ROLE_NAMES},
        }

    # The audit log ---------------------------------------------------------------------------

    def action(self, code: str) -> str:
        """An audited action's name ("person.merge": "Records merged")."""
        return self.pair(AUDIT_ACTIONS.get(code), code)

    def audit_party(
        self, ref: str, devices: dict[int, str], exhibitors: dict[int, dict]
    ) -> tuple[str, str | None]:
        """Who acted or what was acted on ("attendee:12"), as (words, console link or None)."""
        kind, _, rest = (ref or "").partition(":")
        rest, _, also = rest.partition(":")  # a device acting is "device:ID:NAME"
        number = int(rest) if rest.isdigit() else None
        if kind == "attendee" and number is not None:
            return self.t(f"人员 #{number}", f"Person #{number}"), f"/staff/people/{number}"
        if kind == "device":
            if number is None:
                return self.t("未知设备", "an unknown device"), None
            named = devices.get(number) or also
            return named or self.t(f"设备 #{number}", f"Device #{number}"), None
        if kind == "exhibitor" and number is not None:
            ex = exhibitors.get(number)
            return (ex["name"] if ex else f"#{number}"), f"/staff/exhibitors/{number}"
        if kind == "gate":
            return self.gate(rest), None
        if kind == "session":
            return self.session(rest), None
        if kind == "interaction" and number is not None:
            return self.t(f"通行记录 #{number}", f"Passage #{number}"), None
        if kind == "staff":
            if number is not None:
                return self.t(f"工作人员账号 #{number}", f"Staff account #{number}"), None
            return rest, None
        if kind == "card":
            cards = ", ".join("#" + part.removeprefix("card:") for part in ref.split(","))
            return self.t(f"名片 {cards}", f"Business cards {cards}"), None
        return ref or "", None

    def audit_changes(self, data: str | None, devices: dict[int, str]) -> list[tuple[str, str]]:
        """An audit row's before or after data as (label, value) lines."""
        if not data:
            return []
        try:
            value = json.loads(data)
        except ValueError:
            return [("", data)]
        if not isinstance(value, dict):
            return [("", json.dumps(value, ensure_ascii=False))]
        lines = []
        for key, item in value.items():
            if item is None or item == "":
                continue
            label = self.pair(AUDIT_KEYS[key], key) if key in AUDIT_KEYS else self.field(key)
            if key in SAID_BY and isinstance(item, str):
                shown = getattr(self, SAID_BY[key])(item)
            elif key.endswith("_at") and isinstance(item, str):
                shown = self.venue(item, True)
            elif key == "device_id" and isinstance(item, int):
                shown = devices.get(item) or f"#{item}"
            elif key == "questions" and isinstance(item, list):
                asked = [q.get("label") for q in item if isinstance(q, dict)]
                shown = "; ".join(self.name(a) if isinstance(a, dict) else str(a) for a in asked)
                shown = shown or "–"
            elif item is None or isinstance(item, str | int | float | bool):
                shown = "" if item is None else str(item)
            else:
                shown = json.dumps(item, ensure_ascii=False)
            lines.append((label, shown))
        return lines

    # The timeline ----------------------------------------------------------------------------

    def _who(self, actor: str | None) -> str:
        return (actor or "").removeprefix("staff:") or self.t("工作人员", "staff")

    def story(self, item: dict, devices: dict[int, str], exhibitors: dict[int, dict]) -> str:
        """One interaction as a sentence: "Checked in at North 1 (kiosk north-1)"."""
        kind, data, t = item["type"], item["data"], self.t
        place = item.get("place") or ""
        device = devices.get(item.get("device_id") or 0)
        by = f" · {device}" if device else ""
        ex = exhibitors.get(item.get("exhibitor_id") or 0)
        booth = (
            t(f"{ex['name']}（展位 {ex['booth']}）", f"{ex['name']} (booth {ex['booth']})")
            if ex
            else t("展商", "an exhibitor")
        )
        if kind == "registered":
            return t(
                f"登记（{self.source(data.get('source', ''))}），类别：{self.category(data.get('category'))}",
                f"Registered ({self.source(data.get('source', ''))}) as "
                f"{self.category(data.get('category'))}",
            )
        if kind in ("consent_given", "consent_withdrawn"):
            what = self.consent(data.get("consent") or place)
            if kind == "consent_given":
                return t(f"同意：{what}", f"Agreed: {what}")
            return t(f"未同意 / 撤回：{what}", f"Declined or withdrew: {what}")
        if kind == "checked_in":
            return t(f"在{self.gate(place)}签到{by}", f"Checked in at {self.gate(place)}{by}")
        if kind == "checked_out":
            return t(f"从{self.gate(place)}离场{by}", f"Checked out at {self.gate(place)}{by}")
        if kind in ("checkin_refused", "session_refused"):
            where = self.gate(place) if kind == "checkin_refused" else self.session(place)
            why = self.reason(data.get("reason", ""))
            return t(f"在{where}被拒：{why}{by}", f"Refused at {where}: {why}{by}")
        if kind == "checkin_voided":
            return t(
                f"{self._who(data.get('actor'))} 作废了在{self.gate(place)}的签到：{data.get('reason', '')}",
                f"Passage at {self.gate(place)} voided by {self._who(data.get('actor'))}: "
                f"{data.get('reason', '')}",
            )
        if kind == "lead_captured":
            rating = data.get("rating")
            rated = t(f"，评级：{self.rating(rating)}", f", rated {self.rating(rating)}")
            return t(f"被{booth}扫描", f"Scanned by {booth}") + (rated if rating else "")
        if kind == "lead_updated":
            return t(f"{booth}更新了线索", f"{booth} updated the lead")
        if kind == "card_read":
            return t(f"{booth}读取了名片", f"Business card read by {booth}")
        if kind == "session_attended":
            return t(
                f"参加{self.session(place)}（{data.get('room', '')}）",
                f"Attended {self.session(place)} ({data.get('room', '')})",
            )
        if kind == "survey_answered":
            return t(
                f"填写离场问卷：满意度 {data.get('satisfaction')}/5，推荐 {data.get('recommend')}/10",
                f"Answered the exit survey: satisfaction {data.get('satisfaction')}/5, "
                f"would recommend {data.get('recommend')}/10",
            )
        if kind == "badge_printed":
            if data.get("via") == "browser":
                return t(f"胸卡由浏览器打印{by}", f"Badge printed from the browser{by}")
            printer = data.get("printer", "")
            return t(f"胸卡已发送到打印机 {printer}{by}", f"Badge sent to printer {printer}{by}")
        if kind == "print_failed":
            return t(
                f"胸卡打印失败：{data.get('reason') or data.get('message', '')}",
                f"Badge printing failed: {data.get('reason') or data.get('message', '')}",
            )
        if kind == "badge_reprinted":
            return t(
                f"{self._who(data.get('actor'))} 补发胸卡（第 {data.get('version')} 版），旧码作废",
                f"New badge (version {data.get('version')}) issued by "
                f"{self._who(data.get('actor'))}; the old code no longer works",
            )
        if kind == "merged":
            a, b = data.get("merged_id"), data.get("survivor_id")
            who = self._who(data.get("actor"))
            if data.get("undo"):
                return t(f"{who} 撤销了 #{a} 并入 #{b}", f"{who} undid the merge of #{a} into #{b}")
            return t(f"{who} 将 #{a} 并入 #{b}", f"#{a} merged into #{b} by {who}")
        if kind == "updated":
            changed = "、".join if self.lang == "zh" else ", ".join
            names = changed(self.field(f) for f in data.get("fields", []))
            return t(
                f"{self._who(data.get('actor'))} 更正了：{names}",
                f"Corrected by {self._who(data.get('actor'))}: {names}",
            )
        if kind == "erased":
            return t("个人信息已删除", "Personal data erased")
        return kind.replace("_", " ").capitalize() + by


def describe_json(data: str) -> dict:
    """An interaction's stored data as a dict (an unreadable one as empty)."""
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
