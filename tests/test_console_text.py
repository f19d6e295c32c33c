"""The console in the show's words: its language, names for ids, venue time, the person's
timeline in sentences, the wall page, and the gate telemetry's estimate and thresholds."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from conftest import EVENT_TOML, auth, load_settings
from kiosk.config import ConfigError
from kiosk.stats import dashboard, telemetry


def post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def checkin(client, token, code, gate="north", direction="in"):
    return client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": gate, "direction": direction},
        headers=auth(token),
    )


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_console_speaks_one_language_chosen_and_remembered(staff_client):
    zh = staff_client.get("/staff/people", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert '<html lang="zh">' in zh and ">人员<" in zh and "People" not in text(zh)
    en = staff_client.get("/staff/people?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and ">People<" in en and "人员" not in text(en)
    # Remembered: the next page is English whatever the browser prefers.
    again = staff_client.get("/staff/devices", headers={"Accept-Language": "zh-CN"})
    assert ">Devices<" in again.get_data(as_text=True)
    # Without a choice, the browser's language decides.
    staff_client.delete_cookie("console_lang", path="/staff")
    assert ">Devices<" in staff_client.get(
        "/staff/devices", headers={"Accept-Language": "en-US,en;q=0.8"}
    ).get_data(as_text=True)


def test_ids_are_shown_by_their_names(staff_client, make, svc):
    make.device("kiosk", name="north-1", gate="north")
    person, _ = make.attendee(
        full_name="王芳", category="buyer", company="Acme", phone="+8613912345678"
    )
    devices = staff_client.get("/staff/devices?lang=en").get_data(as_text=True)
    row = devices[devices.index('data-device="') :]
    assert "North 1" in row and "Kiosk" in row and ">north<" not in row and ">kiosk<" not in row
    page = staff_client.get(f"/staff/people/{person}?lang=zh").get_data(as_text=True)
    assert "采购商" in page and ">buyer<" not in page
    found = staff_client.get("/staff/people?q=Acme&lang=en").get_data(as_text=True)
    assert "<td>Buyer</td>" in found
    sessions = staff_client.get("/staff/sessions?lang=en").get_data(as_text=True)
    assert "Smart Manufacturing Forum" in sessions and "智能制造" not in sessions


def test_times_are_venue_time(staff_client, make, svc):
    make.device("kiosk", name="north-1")
    post(staff_client, "/staff/devices", name="kiosk-b", role="kiosk", gate="south")
    row = svc.store.one("SELECT at FROM audit_log ORDER BY id DESC LIMIT 1")
    local = datetime.fromisoformat(row["at"].replace("Z", "+00:00")).astimezone(
        svc.settings.timezone
    )
    page = staff_client.get("/staff/audit?lang=en").get_data(as_text=True)
    assert "At (venue time)" in page and local.strftime("%m-%d %H:%M") in page


def test_the_audit_log_names_actions_devices_people_and_changes(staff_client, make, svc):
    kiosk = make.device("kiosk", name="north-1", gate="north")
    person, code = make.attendee(full_name="Ada Lovelace")
    res = post(staff_client, f"/staff/people/{person}", full_name="Ada King", company="Analytical")
    assert res.status_code == 302
    _, outside = make.attendee()
    assert checkin(staff_client, kiosk, code).status_code == 201
    refused = checkin(staff_client, kiosk, outside, direction="out").get_json()
    assert refused["reason"] == "not_checked_in"
    page = staff_client.get("/staff/audit?lang=en").get_data(as_text=True)
    words = " ".join(text(page).split())
    assert "Details corrected" in words and "Scan refused" in words
    assert f'<a href="/staff/people/{person}">Person #{person}</a>' in page
    assert "Full name : Ada King" in words and "Reason : not checked in" in words
    assert "north-1" in words and "North" in words
    zh = " ".join(text(staff_client.get("/staff/audit?lang=zh").get_data(as_text=True)).split())
    assert "更正信息" in zh and "扫描被拒" in zh and "Details corrected" not in zh


def test_a_refused_action_is_explained_in_the_console_language(staff_client, make):
    person, _ = make.attendee()
    for lang, said in (
        ("zh", "不能对同一条记录执行此操作。"),
        ("en", "cannot be merged into itself"),
    ):
        staff_client.get(f"/staff/people?lang={lang}")
        res = post(staff_client, f"/staff/people/{person}/merge", other_id=str(person))
        page = staff_client.get(res.headers["Location"]).get_data(as_text=True)
        assert said in page


FORM_ERRORS = {
    "zh": {
        "register": (
            "姓名 必填",
            "手机号 不是电话号码",
            "电子邮箱 不是有效的电子邮件地址",
            "请勾选此项才能登记",
        ),
        "duplicate": "已登记为",
        "device": "入口：没有“east”这个入口",
        "exhibitor": "展位：展商需要展位号",
        "questions": "问题：第 1 行：请以 text:、single: 或 multiple: 开头",
    },
    "en": {
        "register": (
            "Full name required",
            "Mobile phone not a phone number",
            "Email The part after",
            "tick this box to register",
        ),
        "duplicate": "already registered as person",
        "device": "gate: unknown gate 'east'",
        "exhibitor": "booth: an exhibitor needs a booth",
        "questions": "questions: line 1: start with text:, single: or multiple:",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_errors_are_in_the_console_language(staff_client, make, lang):
    said = FORM_ERRORS[lang]
    make.attendee(full_name="Lin Tao", email="lin@example.com")
    staff_client.get(f"/staff/people?lang={lang}")

    def shown(res):
        if res.status_code == 302:
            res = staff_client.get(res.headers["Location"])
        return " ".join(html.unescape(text(res.get_data(as_text=True))).split())

    res = post(staff_client, "/staff/register", full_name="", phone="abc", email="a@@b")
    assert res.status_code == 422
    page = shown(res)
    assert all(part in page for part in said["register"]), page
    res = post(
        staff_client,
        "/staff/register",
        full_name="Lin Tao",
        email="lin@example.com",
        consent_terms="on",
    )
    assert res.status_code == 409 and said["duplicate"] in shown(res)
    res = post(staff_client, "/staff/devices", role="kiosk", name="East 1", gate="east")
    assert res.status_code == 422 and said["device"] in shown(res)
    assert said["exhibitor"] in shown(
        post(staff_client, "/staff/exhibitors", name="Acme", booth="")
    )
    exhibitor = make.exhibitor()
    res = post(
        staff_client, f"/staff/exhibitors/{exhibitor}", name="Acme", booth="A1", questions="budget"
    )
    assert said["questions"] in shown(res)


def test_every_form_error_in_chinese_is_one_the_domain_gives(tmp_path, svc):
    """Each Chinese form error matches a message the domain gives today, and each message a
    console form can get has its Chinese (a reworded message fails here, not on the floor)."""
    from kiosk.attendees.fields import MAX_LEN, clean_person
    from kiosk.devices import create_device, rename_device
    from kiosk.errors import FieldErrors
    from kiosk.exhibitors import manage, questions
    from kiosk.web.console_text import FIELD_MESSAGES_ZH, Speaker

    (tmp_path / "one-way").mkdir()
    one_way = load_settings(
        tmp_path / "one-way",
        EVENT_TOML.read_text(encoding="utf-8").replace(
            'directions = ["in", "out"]', 'directions = ["in"]', 1
        ),
    )
    settings = svc.settings
    calls = [
        lambda: clean_person({"full_name": "x" * (MAX_LEN + 1)}, settings),
        lambda: clean_person({"full_name": "A", "category": "nobody"}, settings),
        lambda: clean_person({"full_name": "A", "phone": "abc"}, settings),
        lambda: clean_person({"full_name": "A", "phone": "+86 123"}, settings),
        lambda: clean_person({"full_name": ""}, settings),
        lambda: create_device(svc.store, settings, role="boss", name="x"),
        lambda: create_device(svc.store, settings, role="kiosk", name=" "),
        lambda: create_device(svc.store, settings, role="kiosk", name="x", gate="east"),
        lambda: create_device(svc.store, settings, role="exhibitor", name="x"),
        lambda: create_device(svc.store, settings, role="kiosk", name="x", exhibitor_id=1),
        lambda: create_device(svc.store, settings, role="exhibitor", name="x", exhibitor_id=999),
        lambda: create_device(svc.store, settings, role="kiosk", name="x", direction="up"),
        lambda: create_device(svc.store, settings, role="kiosk", name="x", printing="fax"),
        lambda: create_device(
            svc.store, one_way, role="kiosk", name="x", gate="north", direction="out"
        ),
        lambda: rename_device(svc.store, 1, "x" * 81, actor="t"),
        lambda: manage.create_exhibitor(svc.store, name="", booth="A1"),
        lambda: manage.create_exhibitor(svc.store, name="Acme", booth=""),
        *(
            (lambda line=line: questions.parse(line, settings.languages))
            for line in (
                "what: budget",
                "single:",
                "single: budget | one",
                "text: name | one | two",
                "text: a / b / c",
                "text: " + "x" * (questions.MAX_LABEL + 1),
                "\n".join(["text: q"] * (questions.MAX_QUESTIONS + 1)),
            )
        ),
    ]
    given = []
    for call in calls:
        with pytest.raises(FieldErrors) as refused:
            call()
        given += refused.value.fields.values()
    zh = Speaker(settings, "zh")
    for message in given:
        assert zh.field_message("any", message) != message, message
    for pattern, _ in FIELD_MESSAGES_ZH:
        assert any(pattern.fullmatch(m) for m in given), pattern.pattern


def test_every_audited_action_has_a_name_in_both_languages():
    import ast

    from conftest import ROOT
    from kiosk.web.console_text import AUDIT_ACTIONS

    audited = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None) if isinstance(node, ast.Call) else None
            if (
                getattr(called, "id", getattr(called, "attr", None)) == "audit"
                and len(node.args) > 2
            ):
                action = node.args[2]
                if isinstance(action, ast.Constant):
                    audited.add(action.value)
                else:  # the mail outbox's f"mail.{kind}s"
                    audited.update(("mail.confirmations", "mail.invitations"))
    assert "person.merge" in audited and audited <= set(AUDIT_ACTIONS)


def test_the_timeline_is_told_in_sentences(staff_client, make, svc):
    kiosk = make.device("kiosk", name="north-1", gate="north")
    person, code = make.attendee(full_name="Ada Lovelace")
    assert checkin(staff_client, kiosk, code).status_code == 201
    exhibitor = make.exhibitor(name="ACME Robotics", booth="B12")
    booth = make.device("exhibitor", exhibitor_id=exhibitor)
    lead = staff_client.post(
        "/api/v1/leads",
        json={"code": code, "client_ref": "r-1", "rating": "hot"},
        headers=auth(booth),
    )
    assert lead.status_code == 201
    post(staff_client, f"/staff/people/{person}", full_name="Ada King", company="Analytical")
    page = staff_client.get(f"/staff/people/{person}?lang=en").get_data(as_text=True)
    timeline = text(page[page.index('id="timeline"') : page.index("</ol>")])
    assert "Checked in at North 1 · north-1" in timeline
    assert "Scanned by ACME Robotics (booth B12), rated hot" in timeline
    assert "Corrected by alice: Company, Full name" in timeline
    assert "{" not in timeline and "checked_in" not in timeline
    zh = staff_client.get(f"/staff/people/{person}?lang=zh").get_data(as_text=True)
    assert "在北1门签到" in zh and "被ACME Robotics（展位 B12）扫描，评级：热" in zh


def test_destructive_forms_name_their_consequence(staff_client, make):
    make.device("kiosk", name="north-1")
    devices = staff_client.get("/staff/devices?lang=en").get_data(as_text=True)
    assert 'data-confirm="Revoke “north-1”: its token stops working' in devices
    person, _ = make.attendee()
    page = staff_client.get(f"/staff/people/{person}?lang=en").get_data(as_text=True)
    assert page.count("data-confirm=") == 2  # reprint and merge
    assert '<dialog id="confirm"' in page


def test_the_wall_is_the_dashboard_without_controls(staff_client, client):
    page = staff_client.get("/staff/wall?lang=en").get_data(as_text=True)
    assert '<main class="wall"' in page and "<nav" not in page and "<button" not in page
    assert 'id="checked_in"' in page and 'id="telemetry"' in page
    names = re.search(r'id="console-names">(.*?)</script>', page).group(1)
    assert '"north": "North 1"' in names and '"tz": "Asia/Shanghai"' in names


def test_the_wall_needs_a_staff_session(client):
    res = client.get("/staff/wall")
    assert res.status_code in (302, 303) and "/staff/sign-in" in res.headers["Location"]


def test_the_estimated_wait_grows_with_the_load():
    limits = telemetry.Thresholds(service_s=10, alert_wait_s=120, window_min=5)
    idle = telemetry.estimate(0, 2, limits)
    assert idle == {"capacity_per_min": 12.0, "load": 0.0, "wait_s": 0, "behind": False}
    busy = telemetry.estimate(9, 2, limits)  # 9 a minute for 12 a minute: rho 0.75
    assert busy["load"] == 0.75 and busy["wait_s"] == 15 and not busy["behind"]
    near = telemetry.estimate(11.9, 2, limits)
    assert near["wait_s"] >= 120 and near["behind"]
    over = telemetry.estimate(13, 2, limits)
    assert over["wait_s"] is None and over["behind"]
    # A gate without a kiosk counts as one.
    assert telemetry.estimate(3, 0, limits)["capacity_per_min"] == 6.0


def test_gate_telemetry_counts_scans_answer_times_and_kiosks(svc, make, client):
    make.device("kiosk", name="n1", gate="north")
    kiosk = make.device("kiosk", name="n2", gate="north")
    for _ in range(3):
        _, code = make.attendee()
        assert checkin(client, kiosk, code).status_code == 201
    answer_times = client.application.extensions["kiosk"].answer_times
    snap = dashboard.snapshot(svc.store.conn, svc.settings, [], answer_times=answer_times)
    north = snap["telemetry"]["gates"]["north"]
    assert north["kiosks"] == 2 and north["scans_per_min"] == 0.6
    assert north["arrivals_per_min"] == 0.6 and north["answer_ms_p50"] is not None
    assert north["answer_ms_p95"] >= north["answer_ms_p50"] and not north["behind"]
    assert snap["telemetry"]["gates"]["south"]["scans_per_min"] == 0
    # Older than the window: not counted.
    later = datetime.now(UTC) + timedelta(minutes=6)
    old = telemetry.gates(svc.store.conn, svc.settings, answer_times, now=later)
    assert old["gates"]["north"]["scans_per_min"] == 0


def test_a_gate_falls_behind_past_the_configured_wait(tmp_path):
    from conftest import Factory
    from kiosk import create_app
    from kiosk.services import open_services

    toml = (
        EVENT_TOML.read_text(encoding="utf-8") + "\n[console]\nservice_s = 120\nalert_wait_s = 60\n"
    )
    settings = load_settings(tmp_path, toml)
    app = create_app(settings, testing=True)
    services = open_services(settings)
    try:
        maker, client = Factory(services), app.test_client()
        kiosk = maker.device("kiosk", gate="south")
        _, code = maker.attendee()
        assert checkin(client, kiosk, code, gate="south").status_code == 201
        # One arrival in 5 minutes for one kiosk serving one every 2 minutes: rho 0.4, 80 s.
        south = telemetry.gates(services.store.conn, settings)["gates"]["south"]
        assert (south["load"], south["wait_s"], south["behind"]) == (0.4, 80, True)
        assert not telemetry.gates(services.store.conn, settings)["gates"]["north"]["behind"]
    finally:
        services.store.close()


@pytest.mark.parametrize(
    "table, message",
    [
        ("service_s = 0", "console.service_s: expected a positive number"),
        ('alert_wait_s = "5 min"', "console.alert_wait_s: expected a positive number"),
        ("window_min = 2.5", "console.window_min: expected a positive whole number"),
        ("wait = 3", "console.wait: unknown key"),
    ],
)
def test_a_bad_console_table_stops_the_start_naming_its_key(tmp_path, table, message):
    from kiosk import create_app

    toml = EVENT_TOML.read_text(encoding="utf-8") + f"\n[console]\n{table}\n"
    with pytest.raises(ConfigError) as err:
        create_app(load_settings(tmp_path, toml), testing=True)
    assert str(err.value) == message
