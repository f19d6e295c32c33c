"""The entrance kiosk in Chromium keeps admitting with the server stopped, and syncs when it is back."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

import conftest
from conftest import EVENT_TOML, STAFF_PASSWORD, Factory, LiveServer, load_settings, walk_up_steps
from kiosk.attendees import desk
from kiosk.services import open_services

pytestmark = pytest.mark.browser

WELCOME = {"zh": "欢迎，{name}！", "en": "Welcome, {name}!"}
FORGED = "K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB"
SYNC_MS = 60_000  # a loaded machine may take long to start the server again
ALL_BUT_MEDIA = '["visitor", "trade", "buyer", "exhibitor", "vip", "staff"]'


@pytest.fixture
def show(tmp_path):
    """The demo show with the north gate closed to media today, and its services."""
    today = datetime.now(load_settings(tmp_path).timezone).date().isoformat()
    rule = f'\n[[gates.north.rules]]\ndays = ["{today}"]\ncategories = {ALL_BUT_MEDIA}\n'
    settings = load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + rule)
    svc = open_services(settings)
    yield settings, svc, Factory(svc)
    svc.store.close()


class Server:
    """`kiosk serve` that can be stopped and started again on the same port."""

    def __init__(self, settings, monkeypatch):
        self.settings = settings
        self.monkeypatch = monkeypatch
        self.live = LiveServer(settings)
        self.port, self.url = self.live.port, self.live.url

    def stop(self):
        """Gone at once, as when the laptop is unplugged."""
        self.live.proc.kill()
        self.live.proc.wait(10)
        self.live.log.close()

    def start(self):
        with self.monkeypatch.context() as patch:
            patch.setattr(conftest, "free_port", lambda: self.port)
            self.live = LiveServer(self.settings)

    def close(self):
        if self.live.proc.poll() is None:
            self.stop()


@pytest.fixture
def server(show, monkeypatch):
    running = Server(show[0], monkeypatch)
    yield running
    running.close()


def open_kiosk(browser, server, token, badges: int):
    """A paired kiosk holding an offline set of `badges` entries, its page kept by its worker."""
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.goto(f"{server.url}/kiosk#token={token}")
    page.wait_for_selector("body[data-screen=idle]")
    page.wait_for_function(f"window.KioskOffline.state().size === {badges}")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return context, page


def scan(page, code):
    """A keyboard-wedge burst: every key of the code, then Enter, as the page's keydown events.

    Sent within one task of the page, so that a loaded test machine cannot stretch the gaps
    between keys past what the page takes for a scanner (page.keyboard sends one at a time).
    """
    page.evaluate(
        """(code) => {
            const target = document.activeElement || document.body;
            for (const key of [...code, "Enter"]) {
                target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
            }
        }""",
        code,
    )


def result(page, kind: str, title: str):
    """Wait for a result screen of this kind and title."""
    page.wait_for_function(
        "([kind, title]) => document.body.dataset.screen === 'result'"
        " && document.querySelector('#screen-result').dataset.kind === kind"
        " && document.querySelector('#result-title').textContent === title",
        arg=[kind, title],
    )


def test_an_outage_at_the_entrance(browser, server, show):
    """Stop the server: 20 welcomes in each visitor's language and the right refusals; reload;
    start it: 20 check-ins at their own time, none twice; the badge one visitor also showed at
    a second offline kiosk is one conflict on the console."""
    settings, svc, make = show
    people = []
    for i in range(20):
        lang = ("zh", "en")[i % 2]
        name = f"访客{i}" if lang == "zh" else f"Visitor {i}"
        attendee_id, code = make.attendee(full_name=name, language=lang)
        people.append((attendee_id, code, name, lang))
    media_id, media = make.attendee(
        full_name="Press Person", category="media", company="Daily News", language="en"
    )
    revoked_id, revoked = make.attendee(full_name="Old Badge", language="en")
    desk.reprint(svc.store, svc.keys, revoked_id, actor="staff:test", device_id=None)
    north_ctx, page = open_kiosk(browser, server, make.device("kiosk", name="north-1"), 23)
    south_ctx, south = open_kiosk(
        browser, server, make.device("kiosk", name="south-1", gate="south"), 23
    )

    server.stop()
    page.wait_for_selector("body[data-network=offline]")
    assert page.is_visible("#offline-state")
    moments = {}
    for attendee_id, code, name, lang in people:
        before = time.time()
        scan(page, code)
        result(page, "ok", WELCOME[lang].format(name=name))
        moments[attendee_id] = (before, time.time())
    page.click(".lang[data-lang=en]")
    scan(page, FORGED)
    result(page, "bad", "This code is not valid")
    scan(page, revoked)
    result(page, "bad", "This badge was replaced")
    scan(page, media)
    result(page, "bad", "Not allowed today")
    # Admitted once here: a second entry at this kiosk is refused.
    scan(page, people[1][1])
    result(page, "warn", "Already checked in")
    # The first visitor's badge is let in at the south gate too, where nobody can know.
    twice_id, twice_code, twice_name, twice_lang = people[0]
    south.wait_for_selector("body[data-network=offline]")
    scan(south, twice_code)
    result(south, "ok", WELCOME[twice_lang].format(name=twice_name))
    moments[twice_id] = (moments[twice_id][0], time.time())
    # A walk-up without the server: kept on the kiosk, the visitor sent to the desk.
    south.click("#btn-register")
    south.wait_for_selector("#reg-form")
    walk_up_steps(south, full_name="Walk Up", email="walk.up@example.com")
    south.click("#reg-submit")
    south.wait_for_function(
        "document.querySelector('#result-title').textContent === '请到登记台领取胸卡'"
    )

    page.reload()
    page.wait_for_selector("body[data-screen=idle]")
    page.wait_for_function("window.KioskOffline.state().queue === 20")
    scan(page, people[3][1])
    result(page, "warn", "Already checked in")
    checked_in = "SELECT count(*) AS n FROM interactions WHERE type = 'checked_in'"
    assert svc.store.one(checked_in)["n"] == 0

    server.start()
    page.wait_for_selector("body[data-network=online]", timeout=SYNC_MS)
    for kiosk in (page, south):
        kiosk.wait_for_function(
            "window.KioskOffline.state().queue + window.KioskOffline.state().walkups === 0",
            timeout=SYNC_MS,
        )
    walkup = svc.store.one("SELECT * FROM attendees WHERE email_key = 'walk.up@example.com'")
    assert (walkup["full_name"], walkup["source"]) == ("Walk Up", "walk-up")
    assert svc.store.one("SELECT * FROM badges WHERE attendee_id = :id", {"id": walkup["id"]})
    rows = svc.store.query(
        "SELECT attendee_id, at, place FROM interactions WHERE type = 'checked_in' ORDER BY id"
    )
    assert sorted(r["attendee_id"] for r in rows) == sorted(moments)  # 20, none twice
    for row in rows:
        at = datetime.fromisoformat(row["at"].replace("Z", "+00:00")).timestamp()
        before, after = moments[row["attendee_id"]]
        assert before - 0.01 <= at <= after + 0.01
    north_rows = [r["attendee_id"] for r in rows if r["place"] == "north"]
    assert north_rows == [p[0] for p in people if p[0] in north_rows]  # in the order they came
    # Refusals stay on the kiosk; only the second admission of one badge is refused on sync.
    refused = svc.store.query("SELECT * FROM interactions WHERE type = 'checkin_refused'")
    assert [r["attendee_id"] for r in refused] == [twice_id]
    assert media_id not in {r["attendee_id"] for r in rows}
    standing = next(r["place"] for r in rows if r["attendee_id"] == twice_id)

    from kiosk.staff.accounts import create_staff

    create_staff(svc.store, "alice", STAFF_PASSWORD)
    console = north_ctx.new_page()
    console.goto(f"{server.url}/staff/offline")
    console.fill("input[name=name]", "alice")
    console.fill("input[name=password]", STAFF_PASSWORD)
    console.click("#sign-in")
    console.goto(f"{server.url}/staff/offline")
    conflicts = console.locator("#conflicts tbody tr[data-attendee]")
    assert conflicts.count() == 1
    text = conflicts.inner_text()
    other = "south" if standing == "north" else "north"
    where = settings.gates[other].name["en"]
    assert conflicts.get_attribute("data-reason") == "already_checked_in"
    assert twice_name in text and f"{where} · {other}-1" in text and "already checked in" in text
    assert console.locator("#kiosks tr[data-kiosk=north-1][data-state=online]").count() == 1
    north_ctx.close()
    south_ctx.close()
