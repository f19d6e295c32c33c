"""Exhibitor questions: one schema whether set from the console's lines or the API, and the
booth page shows what either of them set."""

import html
import json
import re

import pytest

from conftest import BOTH_DATABASES, SCREENSHOTS, STAFF_PASSWORD, auth
from kiosk.errors import FieldErrors
from kiosk.exhibitors import questions as question_text
from kiosk.exhibitors.manage import set_questions
from kiosk.staff.accounts import create_staff
from kiosk.storage import Store
from kiosk.storage.migrations import migrate, migrations

LANGS = ("zh", "en")
LINES = (
    "single: 采购量 / Volume | 小 / small | 大 / large\n"
    "multiple: Interested in | Robots | Sensors | 500+\n"
    "text: 项目名称 / Project name"
)
API_QUESTIONS = [
    {
        "id": "budget",
        "type": "single",
        "label": {"zh": "预算", "en": "Budget"},
        "options": [
            {"id": "small", "label": {"zh": "小", "en": "Small"}},
            {"id": "large", "label": {"zh": "大", "en": "Large"}},
        ],
    },
    {"id": "products", "type": "multiple", "label": "Products", "options": ["pumps", "valves"]},
    {"id": "project", "type": "text", "label": {"zh": "项目", "en": "Project"}},
]


def console_save(staff_client, exhibitor_id, questions, name="Acme", booth="A1"):
    return staff_client.post(
        f"/staff/exhibitors/{exhibitor_id}",
        data={
            "csrf_token": staff_client.csrf,
            "name": name,
            "booth": booth,
            "questions": questions,
        },
    )


def stored(svc, exhibitor_id):
    return json.loads(
        svc.store.one(
            "SELECT questions FROM exhibitors WHERE id = :exhibitor_id",
            {"exhibitor_id": exhibitor_id},
        )[0]
    )


def flashed(staff_client, res):
    return html.unescape(staff_client.get(res.headers["Location"]).get_data(as_text=True))


@BOTH_DATABASES
def test_console_questions_are_answered_through_the_api(staff_client, client, make, svc):
    ex = make.exhibitor()
    console_save(staff_client, ex, LINES)
    questions = stored(svc, ex)
    assert questions[0] == {
        "id": "volume",
        "type": "single",
        "label": {"zh": "采购量", "en": "Volume"},
        "options": [
            {"id": "small", "label": {"zh": "小", "en": "small"}},
            {"id": "large", "label": {"zh": "大", "en": "large"}},
        ],
    }
    assert [o["id"] for o in questions[1]["options"]] == ["robots", "sensors", "500-plus"]
    assert questions[2]["id"] == "project-name"
    token = make.device("exhibitor", exhibitor_id=ex)
    me = client.get("/api/v1/exhibitor", headers=auth(token)).get_json()
    assert me["questions"] == questions
    _, code = make.attendee()
    res = client.post(
        "/api/v1/leads",
        json={
            "code": code,
            "client_ref": "c1",
            "answers": {"volume": "large", "interested-in": ["500-plus", "robots"]},
        },
        headers=auth(token),
    )
    assert res.status_code == 201, res.get_json()
    answers = {"volume": "large", "interested-in": ["robots", "500-plus"]}
    assert res.get_json()["lead"]["answers"] == answers
    assert json.loads(svc.store.one("SELECT answers FROM leads")[0]) == answers


@BOTH_DATABASES
def test_api_questions_show_in_the_console_form(staff_client, make, svc):
    ex = make.exhibitor(name="Huatai Valves", booth="B12")
    res = staff_client.put(
        f"/api/v1/exhibitors/{ex}/questions",
        json={"questions": API_QUESTIONS},
        headers=auth(make.device("staff")),
    )
    assert res.status_code == 200
    page = staff_client.get("/staff/exhibitors")
    assert page.status_code == 200
    textarea = re.search(r'<textarea name="questions"[^>]*>([^<]*)</textarea>', page.get_data(True))
    assert textarea.group(1).splitlines() == [
        "single: 预算 / Budget | 小 / Small | 大 / Large",
        "multiple: Products | pumps | valves",
        "text: 项目 / Project",
    ]
    # Saving the form unchanged keeps the questions exactly, ids and all, and logs no change.
    console_save(staff_client, ex, textarea.group(1), name="Huatai Valves", booth="B12")
    assert stored(svc, ex) == res.get_json()["questions"]
    audited = svc.store.one("SELECT count(*) FROM audit_log WHERE action = 'exhibitor.questions'")
    assert audited[0] == 1


def test_console_text_round_trips_through_the_schema():
    questions = question_text.parse(LINES, LANGS)
    assert question_text.render(questions, LANGS) == LINES
    assert question_text.clean_questions(questions, LANGS) == questions
    # A language a label lacks shows the text of the show's first language it has.
    assert question_text.render(
        question_text.parse("text: 采购量 / Volume", LANGS), ("en", "fr")
    ) == ("text: Volume")
    # In a show of one language a text is never split; ' / ' is refused rather than kept, so
    # that adding a language later cannot change what a saved text means.
    assert question_text.parse("text: B2B/B2C", ("en",))[0]["label"] == {"en": "B2B/B2C"}
    with pytest.raises(FieldErrors, match="line 1"):
        question_text.parse("text: B2B / B2C", ("en",))


def test_ids_survive_edits_so_answers_keep_their_meaning():
    first = question_text.parse(LINES, LANGS)
    edited = question_text.parse(
        "text: 项目名称 / Project title\n"  # moved up, English reworded
        "single: 采购量 / Volume | 大 / large | 中 / medium | 小 / small\n"
        "single: Volume | a | b\n"  # a new question whose slug is taken
        "multiple: Interested in | Robots | Sensors | 500+",
        LANGS,
        previous=first,
    )
    assert [q["id"] for q in edited] == ["project-name", "volume", "volume-2", "interested-in"]
    assert [o["id"] for o in edited[1]["options"]] == ["large", "medium", "small"]
    # A question whose type changes is a new question: old answers do not fit it.
    retyped = question_text.parse(
        "multiple: 采购量 / Volume | 小 / small | 大 / large", LANGS, first
    )
    assert retyped[0]["id"] == "volume-2"


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "single: 采购量 / Volume / Menge | a | b",
            "line 1: '采购量 / Volume / Menge' needs one text",
        ),
        ("choice: Q | a | b", "line 1: start with text:"),
        ("single: Q | only", "line 1: a choice needs 2 to 20 options"),
        ("text: Q | a", "line 1: a text question has no options"),
        ("single: | a | b", "line 1: the question is missing"),
        ("text: " + "x" * 201, "line 1: each text 1 to 200 characters"),
    ],
)
def test_console_lines_refused_naming_the_line(staff_client, make, svc, line, message):
    ex = make.exhibitor()
    staff_client.get("/staff/people?lang=en")  # the domain's own words
    console_save(staff_client, ex, "text: Kept")
    res = console_save(staff_client, ex, "text: Kept\n" + line, booth="B2")
    assert message.replace("line 1", "line 2") in flashed(staff_client, res)
    assert [q["label"]["en"] for q in stored(svc, ex)] == ["Kept"]
    # Nothing of the form is saved when its questions are refused.
    assert svc.store.one("SELECT booth FROM exhibitors WHERE id = :ex", {"ex": ex})[0] == "A1"


def test_api_refuses_what_the_console_could_not_show(client, make):
    ex, staff = make.exhibitor(), make.device("staff")
    for label in ("Budget | timeline", "Budget / timeline", "two\nlines", {"en": ""}, ""):
        res = client.put(
            f"/api/v1/exhibitors/{ex}/questions",
            json={"questions": [{"id": "b", "type": "text", "label": label}]},
            headers=auth(staff),
        )
        assert res.status_code == 422 and "questions[0].label" in res.get_json()["fields"]
    res = client.put(
        f"/api/v1/exhibitors/{ex}/questions",
        json={"questions": [{"id": "b", "type": "single", "label": "B", "options": ["x", "x"]}]},
        headers=auth(staff),
    )
    assert "questions[0].options[1]" in res.get_json()["fields"]


@BOTH_DATABASES
def test_unknown_exhibitor_is_404_from_the_api_and_a_message_in_the_console(
    client, staff_client, make
):
    res = client.put(
        "/api/v1/exhibitors/999/questions",
        json={"questions": []},
        headers=auth(make.device("staff")),
    )
    assert res.status_code == 404
    assert res.get_json() == {"error": "not_found", "message": "no exhibitor 999"}
    staff_client.get("/staff/people?lang=en")
    assert "no exhibitor 999" in flashed(staff_client, console_save(staff_client, 999, ""))


@BOTH_DATABASES
def test_set_questions_is_one_audited_change(make, svc):
    ex = make.exhibitor()
    set_questions(svc.store, ex, API_QUESTIONS, actor="staff:alice", languages=LANGS)
    set_questions(svc.store, ex, API_QUESTIONS, actor="staff:alice", languages=LANGS)
    rows = svc.store.query(
        "SELECT actor, target, after FROM audit_log WHERE action = :action",
        {"action": "exhibitor.questions"},
    )
    assert [(r["actor"], r["target"]) for r in rows] == [("staff:alice", f"exhibitor:{ex}")]
    assert json.loads(rows[0]["after"])["questions"] == stored(svc, ex)


def test_questions_saved_by_the_old_console_heal_on_migration(tmp_path):
    store = Store(tmp_path / "old.db")
    migrations.apply(store.db, stop_before="i9_question_schema")
    old = [
        {"id": "q1", "type": "single", "text": "Budget this year?", "options": ["<10k", ">10k"]},
        {"id": "q2", "type": "text", "text": "Size / scope"},
    ]
    api = [{"id": "b", "type": "text", "label": {"zh": "预算", "en": "Budget"}}]
    with store.write() as conn:
        for name, questions in (("Old", old), ("Api", api)):
            conn.execute(
                "INSERT INTO exhibitors (name, booth, questions, created_at)"
                " VALUES (:name, 'A1', :questions, '2026-05-01T00:00:00.000Z')",
                {"name": name, "questions": json.dumps(questions)},
            )
    assert "i9_question_schema" in migrate(store)
    rows = {r["name"]: json.loads(r["questions"]) for r in store.query("SELECT * FROM exhibitors")}
    assert rows["Api"] == api
    assert rows["Old"] == [
        {
            "id": "q1",
            "type": "single",
            "label": {"zh": "Budget this year?", "en": "Budget this year?"},
            "options": [
                {"id": "o1", "label": {"zh": "<10k", "en": "<10k"}},
                {"id": "o2", "label": {"zh": ">10k", "en": ">10k"}},
            ],
        },
        {"id": "q2", "type": "text", "label": {"zh": "Size/scope", "en": "Size/scope"}},
    ]
    assert question_text.clean_questions(rows["Old"], LANGS) == rows["Old"]
    lines = question_text.render(rows["Old"], LANGS)
    assert question_text.parse(lines, LANGS, previous=rows["Old"]) == rows["Old"]
    store.close()


# The booth page in Chromium ----------------------------------------------------------------------

SHOTS = SCREENSHOTS / "questions"


@pytest.mark.browser
@pytest.mark.parametrize("writer", ["console", "api"])
def test_booth_page_shows_questions_from_either_writer(browser, live_server, make, svc, writer):
    from test_exhibitor_page import open_paired

    from conftest import wedge_scan

    ex = make.exhibitor(name="Huatai Valves", booth="B12")
    token = make.device("exhibitor", name="booth-phone-1", exhibitor_id=ex)
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    staff = browser.new_context(viewport={"width": 1920, "height": 1080})
    console = staff.new_page()
    console.set_default_timeout(10_000)
    console.goto(live_server.url + "/staff/exhibitors")
    console.fill("input[name=name]", "alice")
    console.fill("input[name=password]", STAFF_PASSWORD)
    console.click("#sign-in")
    console.wait_for_url(re.compile(r"/staff/exhibitors$"))
    if writer == "console":
        console.fill(f"form[action$='/exhibitors/{ex}'] textarea[name=questions]", LINES)
        console.click(f"form[action$='/exhibitors/{ex}'] button")
        console.wait_for_selector("text=Saved.")
        expected = {
            "zh": [("采购量", ["小", "大"]), ("Interested in", ["Robots", "Sensors", "500+"])],
            "en": [
                ("Volume", ["small", "large"]),
                ("Interested in", ["Robots", "Sensors", "500+"]),
            ],
        }
        texts = {"zh": "项目名称", "en": "Project name"}
    else:
        res = console.request.put(
            f"{live_server.url}/api/v1/exhibitors/{ex}/questions",
            data=json.dumps({"questions": API_QUESTIONS}),
            headers={**auth(make.device("staff")), "Content-Type": "application/json"},
        )
        assert res.status == 200
        console.reload()
        expected = {
            "zh": [("预算", ["小", "大"]), ("Products", ["pumps", "valves"])],
            "en": [("Budget", ["Small", "Large"]), ("Products", ["pumps", "valves"])],
        }
        texts = {"zh": "项目", "en": "Project"}
    form_text = console.input_value(f"form[action$='/exhibitors/{ex}'] textarea[name=questions]")
    assert form_text == question_text.render(stored(svc, ex), LANGS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=SHOTS / f"console-exhibitors-{writer}.png", full_page=True)
    staff.close()

    _, code = make.attendee(full_name="Wang Fang", company="Sino Pumps")
    for lang in ("zh", "en"):
        context, page = open_paired(browser, live_server.url, token, lang)
        wedge_scan(page, code)
        page.wait_for_selector(".feedback.ok")
        choices = page.eval_on_selector_all(
            "#questions fieldset.question:not([data-type=text])",
            """sets => sets.map(fs => [fs.querySelector('legend').textContent,
                 [...fs.querySelectorAll('.chip span')].map(s => s.textContent)])""",
        )
        assert [(q, opts) for q, opts in choices] == expected[lang]
        assert page.inner_text("#questions fieldset[data-type=text] legend") == texts[lang]
        filters = page.eval_on_selector_all(
            "#filter-question option[data-q]", "os => os.map(o => o.textContent)"
        )
        assert filters == [q for q, _ in expected[lang]] + [texts[lang]]
        page.locator("#questions").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"booth-{writer}-{lang}.png", full_page=True)
        context.close()
