"""The staff console pages under /staff: sign-in, live dashboard, people desk, devices,
exhibitors, sessions and the audit log. Every page and action needs a signed-in staff account."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from kiosk import devices as device_admin
from kiosk import pairing
from kiosk.attendees import desk as people
from kiosk.attendees import fields as person_fields
from kiosk.attendees import registration, screening
from kiosk.attendees import search as people_search
from kiosk.badges import printing
from kiosk.checkin import codes
from kiosk.device_health import state_of, trouble_of
from kiosk.devices import DIRECTIONS, PRINTING, ROLES, DeviceError, create_device
from kiosk.errors import DomainError, FieldErrors, Unavailable
from kiosk.exhibitors import manage as exhibitor_admin
from kiosk.exhibitors import questions as question_text
from kiosk.mailing import status as mail_status
from kiosk.staff import accounts
from kiosk.stats import dashboard
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import checkins as checkin_sql
from kiosk.storage import devices as device_sql
from kiosk.storage import exhibitors as exhibitor_sql
from kiosk.storage import interactions as interaction_sql
from kiosk.storage import reports
from kiosk.storage import staff as staff_sql
from kiosk.tabular import cell
from kiosk.web import services, staff_session, throttling
from kiosk.web.console_text import (
    DIRECTION_NAMES,
    LANG_COOKIE,
    PRINTING_NAMES,
    UI_LANGUAGES,
    Speaker,
    describe_json,
)
from kiosk.web.staff_session import actor, current_staff, staff_page

bp = Blueprint("console", __name__, url_prefix="/staff")

FORM_FIELDS = person_fields.FORM_FIELDS
# The form field a duplicate is shown under, by what matched.
FOUND_BY = {"email": "email", "phone": "phone", "name_company": "full_name"}


def _flash_outcome(action: Callable[[], object], success: str) -> bool:
    """Run one console action and flash how it went: the success text, or why it was refused."""
    try:
        action()
    except FieldErrors as exc:
        flash(speaker().form_refusal(exc), "error")
    except DomainError as exc:
        flash(speaker().refusal(exc), "error")
    else:
        flash(success)
        return True
    return False


def console_language() -> str:
    """The console's language: chosen with ?lang= (kept in a cookie), else the browser's, else
    the show's default; zh or en."""
    settings = services().settings
    offered = list(UI_LANGUAGES)
    for chosen in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in offered:
            return chosen
    best = request.accept_languages.best_match(offered)
    if best:
        return best
    return settings.default_language if settings.default_language in offered else "en"


def speaker() -> Speaker:
    """The console's words for this request."""
    if "console_speaker" not in g:
        g.console_speaker = Speaker(services().settings, console_language())
    return g.console_speaker


@bp.after_request
def _keep_language(response: Response) -> Response:
    lang = request.args.get("lang")
    if lang in UI_LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True, path="/staff"
        )
    return response


def _page(template: str, **context):
    settings = services().settings
    say = speaker()
    show = {
        "name": settings.event_name,
        "languages": settings.languages,
        # The page's language is the console's (the <html lang> of base.html).
        "default_language": say.lang,
    }
    return render_template(
        template,
        show=show,
        staff=current_staff(),
        settings=settings,
        labels={f.name: f.label for f in person_fields.PERSON},
        say=say,
        t=say.t,
        lang=say.lang,
        **context,
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; a good name and password start a session that expires."""
    error = None
    if request.method == "POST":
        # An address that keeps failing waits, before any password is hashed.
        if wait := throttling.sign_in_wait():
            return _throttled(wait)
        try:
            user = accounts.sign_in(
                services().store,
                services().settings,
                request.form.get("name", ""),
                request.form.get("password", ""),
            )
        except accounts.LockedOut as exc:
            throttling.sign_in_failed()
            error = speaker().t(
                f"密码错误次数过多，账户锁定至 {speaker().venue(exc.until)}（场馆时间）。",
                f"Too many wrong passwords: locked until {speaker().venue(exc.until)} venue time.",
            )
            return _page("console/sign_in.html", error=error), 429
        if user is None:
            if wait := throttling.sign_in_failed():
                return _throttled(wait)
            return _page(
                "console/sign_in.html",
                error=speaker().t("用户名或密码错误。", "Wrong name or password."),
            ), 401
        staff_session.start(user)
        target = request.args.get("next", "")
        # Only local console paths: never an open redirect.
        if not target.startswith("/staff/") or target.startswith("//"):
            target = url_for("console.live")
        return redirect(target)
    return _page("console/sign_in.html", error=error)


def _throttled(wait: int) -> Response:
    """429: too many failed sign-ins from this address, with when to try again."""
    error = (
        f"Too many failed sign-ins from this address: try again in {wait} s."
        f" 此地址登录失败次数过多，请 {wait} 秒后再试。"
    )
    res = current_app.make_response((_page("console/sign_in.html", error=error), 429))
    res.headers["Retry-After"] = str(wait)
    return res


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    staff_session.end()
    return redirect(url_for("console.sign_in"))


@bp.get("/")
@staff_page
def home():
    """The console starts on the live dashboard."""
    return redirect(url_for("console.live"))


@bp.get("/live")
@staff_page
def live():
    """The live dashboard (filled over Socket.IO)."""
    return _page("console/live.html", names=speaker().client_names(), wall=False)


@bp.get("/wall")
@staff_page
def wall():
    """The dashboard full-screen for the control room's wall: large figures, no controls."""
    return _page("console/live.html", names=speaker().client_names(), wall=True)


# People -------------------------------------------------------------------------------------


@bp.get("/people", endpoint="people")
@staff_page
def people_list():
    """Search people by name (also pinyin), email, phone or company."""
    q = request.args.get("q", "")[:200]
    rows = people_search.search(services().store.conn, q) if q else []
    mail = mail_status.summary(services().store.conn)
    return _page("console/people.html", q=q, rows=rows, mail=mail)


def _person_context(attendee_id: int) -> dict:
    svc = services()
    conn = svc.store.conn
    row = attendee_sql.get(conn, attendee_id)
    if row is None:
        abort(404)
    merged = attendee_sql.merged_into(conn, attendee_id)
    ids = [attendee_id] + [m["id"] for m in merged]
    voided = checkin_sql.voided_ids(conn, ids)
    say = speaker()
    device_names = {d["id"]: d["name"] for d in device_sql.list_devices(conn)}
    booths = {e["id"]: e for e in exhibitor_sql.list_exhibitors(conn)}
    timeline = []
    for r in interaction_sql.timeline(conn, ids):
        item = dict(r)
        item["data"] = describe_json(r["data"])
        item["voided"] = r["id"] in voided
        item["story"] = say.story(item, device_names, booths)
        item["day"] = say.venue_day(r["at"])
        timeline.append(item)
    badge = attendee_sql.live_badge(conn, attendee_id)
    code = codes.code_for(svc.keys, badge["code_id"], badge["version"]) if badge else None
    return {
        "person": row,
        "interests": "; ".join(json.loads(row["interests"])),
        "timeline": timeline,
        "merged": merged,
        "badge": badge,
        "code": code,
        "printers": printing.known_printers(svc.settings, svc.store),
        "consents": attendee_sql.current_consents(conn, attendee_id),
        "presence": checkin_sql.presence(conn, attendee_id),
        "editable": person_fields.DESK_FIELDS,
        "flags": json.loads(row["flags"]),
        "flag_labels": screening.FLAGS,
    }


@bp.get("/people/<int:attendee_id>")
@staff_page
def person(attendee_id: int):
    """One person: the record, the badge and the whole timeline."""
    return _page("console/person.html", errors={}, **_person_context(attendee_id))


@bp.post("/people/<int:attendee_id>")
@staff_page
def person_update(attendee_id: int):
    """Correct fields; every change is audited with before and after."""
    raw = {f: request.form.get(f, "") for f in person_fields.DESK_FIELDS if f in request.form}
    if "interests" in request.form:
        raw["interests"] = request.form["interests"]
    try:
        changes = people.correct(
            services().store,
            services().settings,
            attendee_id,
            raw,
            actor=actor(),
            device_id=g.device.id,
        )
    except FieldErrors as exc:
        errors = speaker().field_errors(exc)
        return _page("console/person.html", errors=errors, **_person_context(attendee_id)), 422
    except DomainError as exc:
        flash(speaker().refusal(exc), "error")
        return redirect(url_for("console.person", attendee_id=attendee_id))
    say = speaker()
    names = ", ".join(say.field(f) for f in sorted(changes))
    flash(
        say.t(f"已保存：{names}", f"Saved: {names}")
        if changes
        else say.t("没有改动。", "Nothing changed.")
    )
    return redirect(url_for("console.person", attendee_id=attendee_id))


@bp.post("/people/<int:attendee_id>/reprint")
@staff_page
def person_reprint(attendee_id: int):
    """Revoke the badge code, issue a new one and print it on the chosen printer."""
    svc = services()
    if not _flash_outcome(
        lambda: people.reprint(
            svc.store, svc.keys, attendee_id, actor=actor(), device_id=g.device.id
        ),
        speaker().t("已补发胸卡，旧码作废。", "New badge issued; the old code no longer works."),
    ):
        return redirect(url_for("console.person", attendee_id=attendee_id))
    printer = request.form.get("printer", "")
    if printer:
        if printer not in printing.known_printers(svc.settings, svc.store):
            flash(
                speaker().t(f"打印机 {printer} 不存在。", f"Unknown printer {printer!r}."), "error"
            )
        else:
            try:
                result = printing.print_badge(
                    svc.store,
                    svc.keys,
                    current_app.extensions["kiosk.badges"],
                    attendee_id,
                    g.device,
                    printer=printer,
                )
            except Unavailable as exc:
                flash(
                    f"{exc.message}. "
                    + speaker().t("无法打印胸卡。", "The badge cannot be printed."),
                    "error",
                )
                return redirect(url_for("console.person", attendee_id=attendee_id))
            if result.status == "failed":
                flash(
                    speaker().t(
                        f"{printer} 打印失败：{result.reason}。",
                        f"Printing failed on {printer}: {result.reason}.",
                    ),
                    "error",
                )
            else:
                flash(speaker().t(f"已发送到打印机 {printer}。", f"Sent to {printer}."))
    return redirect(url_for("console.person", attendee_id=attendee_id))


@bp.post("/people/<int:attendee_id>/void/<int:interaction_id>")
@staff_page
def person_void(attendee_id: int, interaction_id: int):
    """Void a check-in (a new interaction; the original stays in the log)."""
    _flash_outcome(
        lambda: people.void_checkin(
            services().store,
            attendee_id,
            interaction_id,
            request.form.get("reason", ""),
            actor=actor(),
            device_id=g.device.id,
        ),
        speaker().t("已作废此次通行。", "Check-in voided."),
    )
    return redirect(url_for("console.person", attendee_id=attendee_id))


@bp.post("/people/<int:attendee_id>/merge")
@staff_page
def person_merge(attendee_id: int):
    """Merge another record (a double registration) into this one."""
    try:
        other = int(request.form.get("other_id", ""))
    except ValueError:
        flash(speaker().t("请填写另一条记录的编号。", "Give the other record's id."), "error")
        return redirect(url_for("console.person", attendee_id=attendee_id))
    _flash_outcome(
        lambda: people.merge(
            services().store, attendee_id, other, actor=actor(), device_id=g.device.id
        ),
        speaker().t(f"#{other} 已并入本记录。", f"Person {other} merged into this record."),
    )
    return redirect(url_for("console.person", attendee_id=attendee_id))


@bp.post("/people/<int:attendee_id>/unmerge")
@staff_page
def person_unmerge(attendee_id: int):
    """Undo a merge: the record is active again with a new badge."""
    _flash_outcome(
        lambda: people.unmerge(
            services().store, services().keys, attendee_id, actor=actor(), device_id=g.device.id
        ),
        speaker().t("已撤销合并，此记录有了新胸卡。", "Merge undone; the record has a new badge."),
    )
    return redirect(url_for("console.person", attendee_id=attendee_id))


# To review: likely duplicates and flagged records ------------------------------------------


@bp.get("/review")
@staff_page
def review():
    """Likely duplicates to merge or dismiss, and records screening flagged as likely fakes."""
    conn = services().store.conn
    return _page(
        "console/review.html",
        pairs=screening.likely_duplicates(conn),
        flagged=screening.flagged(conn),
        flag_labels=screening.FLAGS,
        matches=screening.MATCHES,
    )


def _form_id(name: str) -> int | None:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        flash(speaker().t(f"{name}：请提供记录编号。", f"{name}: give a record id."), "error")
        return None


@bp.post("/review/merge")
@staff_page
def review_merge():
    """Merge one record of a likely duplicate pair into the other (the desk's merge, audited)."""
    keep, other = _form_id("keep_id"), _form_id("merge_id")
    if keep is not None and other is not None:
        _flash_outcome(
            lambda: people.merge(
                services().store, keep, other, actor=actor(), device_id=g.device.id
            ),
            speaker().t(f"#{other} 已并入 #{keep}。", f"#{other} merged into #{keep}."),
        )
    return redirect(url_for("console.review"))


@bp.post("/review/dismiss")
@staff_page
def review_dismiss():
    """Record that a likely duplicate pair is two different people (audited)."""
    first, second = _form_id("first_id"), _form_id("second_id")
    if first is not None and second is not None:
        _flash_outcome(
            lambda: people.dismiss_duplicate(services().store, first, second, actor=actor()),
            speaker().t(
                f"已确认 #{first} 和 #{second} 不是同一人。", f"#{first} and #{second} kept apart."
            ),
        )
    return redirect(url_for("console.review"))


@bp.route("/register", methods=["GET", "POST"])
@staff_page
def register():
    """Register someone at the desk: any category, the walk-up form's fields, the consents."""
    if request.method == "GET":
        return _page("console/register.html", errors={}, form={}, fields=FORM_FIELDS)
    svc = services()
    raw = {f: request.form.get(f, "") for f in (*FORM_FIELDS, "category", "language")}
    raw["consents"] = {k: request.form.get(f"consent_{k}") == "on" for k in svc.settings.consents}
    try:
        done = registration.register(
            svc.store,
            svc.settings,
            svc.keys,
            raw,
            source="staff",
            device_id=g.device.id,
            actor=actor(),
        )
    except FieldErrors as exc:
        return _page(
            "console/register.html",
            errors=speaker().field_errors(exc),
            form=request.form,
            fields=FORM_FIELDS,
        ), 422
    except registration.AlreadyRegistered as exc:
        said = speaker().already_registered(exc.existing["id"], exc.matched_on)
        errors = {FOUND_BY[exc.matched_on]: said}
        return _page(
            "console/register.html",
            errors=errors,
            on_file=(FOUND_BY[exc.matched_on], exc.existing["id"]),
            form=request.form,
            fields=FORM_FIELDS,
        ), 409
    flash(speaker().t("登记成功。", "Registered."))
    return redirect(url_for("console.person", attendee_id=done.attendee_id))


# Devices and exhibitors ---------------------------------------------------------------------


PRINTER_STATE_NAMES = {
    "ready": ("就绪", "ready"),
    "unknown": ("未检查", "not checked yet"),
    "out_of_paper": ("缺纸", "out of paper"),
    "paper_jam": ("卡纸", "paper jam"),
    "stopped": ("已停止", "stopped"),
    "offline": ("离线", "offline"),
    "missing": ("不存在", "missing"),
    "no_cups": ("无 CUPS", "no print system"),
    "door_open": ("盖子打开", "door open"),
}
JOB_NAMES = {
    "queued": ("已送打印机", "queued"),
    "completed": ("已打印", "printed"),
    "browser": ("浏览器打印", "browser"),
    "failed": ("失败", "failed"),
}


def _said(names: dict[str, tuple[str, str]]) -> dict[str, str]:
    say = speaker()
    return {key: say.t(*pair) for key, pair in names.items()}


# The Devices page lists this many a page; a show's thousand booth phones are filtered and paged.
DEVICES_PER_PAGE = 100
DEVICE_STATES = ("online", "offline", "never", "attention", "revoked")


def _in_state(device, health: dict | None, state: str) -> bool:
    if state == "revoked":
        return bool(device["revoked_at"])
    if not state:
        return True
    if device["revoked_at"]:
        return False
    if health is None:
        return state == "never"
    if state == "attention":
        return trouble_of(health) is not None
    return state_of(health) == state


def _devices_page(created=None, status=200):
    conn = services().store.conn
    live = current_app.extensions["kiosk.live"]
    health = {d["id"]: d for d in live.heartbeats.snapshot()}
    console = staff_sql.console_device_ids(conn)
    every = [d for d in device_sql.list_devices(conn) if d["id"] not in console]
    # Filters: an unknown value shows everything rather than nothing.
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    state = request.args.get("state", "")
    state = state if state in DEVICE_STATES else ""
    q = request.args.get("q", "")[:100].strip()
    chosen = [
        d
        for d in every
        if (not role or d["role"] == role)
        and (not q or q.casefold() in d["name"].casefold())
        and _in_state(d, health.get(d["id"]), state)
    ]
    pages = max(1, -(-len(chosen) // DEVICES_PER_PAGE))
    page = request.args.get("page", "1")
    page = min(pages, max(1, int(page))) if page.isdigit() and len(page) < 7 else 1
    first = (page - 1) * DEVICES_PER_PAGE
    return _page(
        "console/devices.html",
        health=health,
        devices=chosen[first : first + DEVICES_PER_PAGE],
        listing={
            "role": role,
            "state": state,
            "q": q,
            "page": page,
            "pages": pages,
            "first": first + 1 if chosen else 0,
            "last": min(first + DEVICES_PER_PAGE, len(chosen)),
            "found": len(chosen),
            "total": len(every),
            "states": DEVICE_STATES,
            # The filters, carried over by the pager.
            "args": {k: v for k, v in (("q", q), ("role", role), ("state", state)) if v},
        },
        exhibitors=exhibitor_sql.list_exhibitors(conn),
        roles=ROLES,
        directions=DIRECTIONS,
        printings=PRINTING,
        direction_names=_said(DIRECTION_NAMES),
        printing_names=_said(PRINTING_NAMES),
        printer_state_names=_said(PRINTER_STATE_NAMES),
        job_names=_said(JOB_NAMES),
        printers=printing.device_printers(
            services().store, services().settings, live.printers.states()
        ),
        created=created,
    ), status


@bp.get("/devices")
@staff_page
def devices():
    """Devices with their online status; create, rename, revoke."""
    return _devices_page()


@bp.post("/devices")
@staff_page
def devices_create():
    """Create a device: its token and pairing QR are shown once."""
    form = request.form
    exhibitor = form.get("exhibitor_id") or None
    try:
        device, token = create_device(
            services().store,
            services().settings,
            role=form.get("role", ""),
            name=form.get("name", ""),
            exhibitor_id=int(exhibitor) if exhibitor and exhibitor.isdigit() else None,
            gate=form.get("gate") or None,
            direction=form.get("direction", "in"),
            printing=form.get("printing", "auto"),
            actor=actor(),
        )
    except DeviceError as exc:
        flash(speaker().form_refusal(exc), "error")
        return _devices_page(status=422)
    link = pairing.pairing_link(request.host_url, device.role, token)
    qr = base64.b64encode(pairing.qr_png(link)).decode()
    return _devices_page(created={"device": device, "token": token, "link": link, "qr": qr})


@bp.post("/devices/<int:device_id>/rename")
@staff_page
def devices_rename(device_id: int):
    """Rename a device."""
    _flash_outcome(
        lambda: device_admin.rename_device(
            services().store, device_id, request.form.get("name", ""), actor=actor()
        ),
        speaker().t("已改名。", "Renamed."),
    )
    return redirect(url_for("console.devices"))


@bp.post("/devices/<int:device_id>/mode")
@staff_page
def devices_mode(device_id: int):
    """Change a kiosk's direction (in, out, both) and printing (auto, browser, none)."""
    _flash_outcome(
        lambda: device_admin.set_mode(
            services().store,
            services().settings,
            device_id,
            direction=request.form.get("direction", ""),
            printing=request.form.get("printing", ""),
            actor=actor(),
        ),
        speaker().t(
            "已保存：自助机从下一次扫描起照此工作。", "Saved: the kiosk uses it from its next scan."
        ),
    )
    return redirect(url_for("console.devices"))


@bp.post("/devices/<int:device_id>/revoke")
@staff_page
def devices_revoke(device_id: int):
    """Revoke a device's token."""
    _flash_outcome(
        lambda: device_admin.revoke_device(services().store, device_id, actor=actor()),
        speaker().t(
            "已吊销：令牌失效，在线连接已断开。",
            "Revoked: the token no longer works and its live connections are closed.",
        ),
    )
    return redirect(url_for("console.devices"))


@bp.get("/exhibitors")
@staff_page
def exhibitors():
    """Exhibitors, their booths and qualifying questions."""
    rows = reports.exhibitors_with_leads(services().store.conn)
    return _page(
        "console/exhibitors.html",
        rows=rows,
        questions={
            r["id"]: question_text.render(json.loads(r["questions"]), services().settings.languages)
            for r in rows
        },
        errors={},
    )


@bp.post("/exhibitors")
@staff_page
def exhibitors_create():
    """Create an exhibitor."""
    try:
        exhibitor_admin.create_exhibitor(
            services().store,
            name=request.form.get("name", ""),
            booth=request.form.get("booth", ""),
            actor=actor(),
        )
        flash(speaker().t("已创建展商。", "Exhibitor created."))
    except DeviceError as exc:
        flash(speaker().form_refusal(exc), "error")
    return redirect(url_for("console.exhibitors"))


@bp.post("/exhibitors/<int:exhibitor_id>")
@staff_page
def exhibitors_update(exhibitor_id: int):
    """Change an exhibitor's name, booth and qualifying questions."""
    store, languages = services().store, services().settings.languages
    form = request.form
    try:
        questions = question_text.parse(
            form.get("questions", ""),
            languages,
            previous=exhibitor_admin.questions_of(store, exhibitor_id),
        )
        exhibitor_admin.update_exhibitor(
            store,
            exhibitor_id,
            name=form.get("name", ""),
            booth=form.get("booth", ""),
            actor=actor(),
        )
        exhibitor_admin.set_questions(
            store, exhibitor_id, questions, actor=actor(), languages=languages
        )
        flash(speaker().t("已保存。", "Saved."))
    except FieldErrors as exc:
        flash(speaker().form_refusal(exc), "error")
    except DomainError as exc:
        flash(speaker().refusal(exc), "error")
    return redirect(url_for("console.exhibitors"))


# Sessions and audit -------------------------------------------------------------------------


@bp.get("/sessions")
@staff_page
def sessions():
    """Sessions with attendance against capacity, and links to the door-scan page."""
    svc = services()
    return _page("console/sessions.html", rows=dashboard.sessions(svc.store.conn, svc.settings))


@bp.get("/audit")
@staff_page
def audit():
    """The audit log: every staff action and every refused scan."""
    action = request.args.get("action", "")[:40]
    before = request.args.get("before", "")
    conn = services().store.conn
    rows = interaction_sql.audit_rows(
        conn, action=action, before_id=int(before) if before.isdigit() else None
    )
    return _page(
        "console/audit.html",
        rows=rows,
        action=action,
        device_names={d["id"]: d["name"] for d in device_sql.list_devices(conn)},
        booths={e["id"]: e for e in exhibitor_sql.list_exhibitors(conn)},
    )


@bp.get("/audit.csv")
@staff_page
def audit_csv():
    """The whole audit log as formula-safe CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor", "action", "target", "before", "after"])
    for row in interaction_sql.all_audit_rows(services().store.conn):
        writer.writerow(
            [cell(row[c]) for c in ("id", "at", "actor", "action", "target", "before", "after")]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )


@bp.get("/offline")
@staff_page
def offline_kiosks():
    """Each entrance kiosk's offline state and the offline conflicts, refreshed every 5 s."""
    from kiosk.web.api_offline import kiosk_report

    return _page("console/offline.html", report=kiosk_report())
