"""The exhibitor page in a real Chromium at phone size: pair, scan, qualify, offline, sync."""

import base64
import io
import json
import time

import pytest
import qrcode
import requests

import conftest
from conftest import SCREENSHOTS, STAFF_PASSWORD, LiveServer, wedge_scan
from kiosk.staff.accounts import create_staff

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SHOTS = SCREENSHOTS / "exhibitor"
QUESTIONS = [
    {
        "id": "budget",
        "type": "single",
        "label": {"zh": "预算", "en": "Budget"},
        "options": [
            {"id": "small", "label": {"zh": "小", "en": "Small"}},
            {"id": "large", "label": {"zh": "大", "en": "Large"}},
        ],
    },
    {
        "id": "products",
        "type": "multiple",
        "label": {"zh": "产品", "en": "Products"},
        "options": ["pumps", "valves"],
    },
    {"id": "project", "type": "text", "label": {"zh": "项目", "en": "Project"}},
]

# A camera that films a printed badge: a canvas showing the QR, offered as the video stream.
FAKE_CAMERA = """
(() => {
  delete window.BarcodeDetector;
  navigator.mediaDevices.getUserMedia = async () => {
    const img = new Image();
    img.src = window.__badgePng;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 640; canvas.height = 480;
    const ctx = canvas.getContext('2d');
    const paint = () => {
      ctx.fillStyle = '#888'; ctx.fillRect(0, 0, 640, 480);
      ctx.fillStyle = '#fff'; ctx.fillRect(170, 90, 300, 300);
      ctx.drawImage(img, 180, 100, 280, 280);
    };
    paint();
    setInterval(paint, 50);
    return canvas.captureStream(15);
  };
})();
"""


# The browser's own BarcodeDetector, as phone browsers have it (Chromium on Linux does not): this
# stand-in reads the frame it is given with the bundled jsQR, and notes that it was used.
PHONE_BARCODE_DETECTOR = """
(() => {
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
    constructor(options) { window.__detectorFormats = options.formats; }
    async detect(video) {
      window.__detectorCalls = (window.__detectorCalls || 0) + 1;
      const c = document.createElement("canvas");
      c.width = video.videoWidth; c.height = video.videoHeight;
      if (!c.width) return [];
      const ctx = c.getContext("2d");
      ctx.drawImage(video, 0, 0);
      const hit = jsQR(ctx.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
      return hit ? [{ rawValue: hit.data, format: "qr_code" }] : [];
    }
  };
})();
"""


def qr_data_url(code: str) -> str:
    buf = io.BytesIO()
    qrcode.make(code, border=2).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def shared_consent(svc, attendee_id):
    from kiosk.attendees import registry

    with svc.store.write() as conn:
        registry.record_consents(
            conn, svc.settings, attendee_id, {"share_with_exhibitors": True}, language="en"
        )


def booth(make, svc):
    from kiosk.exhibitors.manage import set_questions

    ex = make.exhibitor(name="Huatai Valves", booth="B12")
    set_questions(svc.store, ex, QUESTIONS, actor="test", languages=svc.settings.languages)
    return ex, make.device("exhibitor", name="booth-phone-1", exhibitor_id=ex)


def open_paired(browser, url, token, lang="en"):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/exhibitor/#token={token}")
    page.wait_for_selector("#view-main:not([hidden])")
    page.evaluate(f"Exhibitor.setLang('{lang}')")
    return context, page


def test_pair_scan_qualify_and_camera(browser, live_server, make, svc):
    ex, token = booth(make, svc)
    wang, wang_code = make.attendee(full_name="Wang Fang", company="Sino Pumps", job_title="Buyer")
    shared_consent(svc, wang)
    _, shy_code = make.attendee(full_name="Private Person", company="Quiet GmbH", country="DE")

    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/exhibitor/")
    page.wait_for_selector("#view-pair:not([hidden])")
    page.fill("#pair-token", "kt_wrong")
    page.click("#pair-form button")
    page.wait_for_selector("#pair-error:not([hidden])")
    page.fill("#pair-token", token)
    page.click("#pair-form button")
    page.wait_for_selector("#view-main:not([hidden])")
    assert "Huatai Valves" in page.inner_text("#booth-name")
    page.click(".lang[data-lang=en]")

    wedge_scan(page, wang_code)
    page.wait_for_selector(".feedback.ok")
    assert "Wang Fang" in page.inner_text("#feedback")
    assert "Sino Pumps" in page.inner_text("#feedback")
    page.click(".chip.hot")
    page.fill("textarea[name=notes]", "Needs 200 valves for Line 3")
    page.click("[data-qid=budget] .chip:has-text('Large')")
    page.click("[data-qid=products] .chip:has-text('pumps')")
    page.click("[data-qid=products] .chip:has-text('valves')")
    page.fill("[data-qid=project] input", "Line 3")
    page.click("#follow-ups .chip:has-text('Quote')")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "exhibitor-lead-en.png", full_page=True)
    page.click("#editor button.primary")
    page.wait_for_function("document.getElementById('pending').dataset.count === '0'")
    # The edit reaches the server once the outbox is empty; give a loaded machine a moment.
    deadline = time.monotonic() + 10
    while True:
        lead = svc.store.one("SELECT * FROM leads WHERE attendee_id = :wang", {"wang": wang})
        if (lead is not None and lead["rating"] == "hot") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lead["rating"] == "hot" and lead["notes"] == "Needs 200 valves for Line 3"
    assert json.loads(lead["answers"]) == {
        "budget": "large",
        "products": ["pumps", "valves"],
        "project": "Line 3",
    }
    assert json.loads(lead["follow_up"]) == ["quote"]

    # The camera path: a QR shown to the (fake) camera, decoded by the bundled jsQR.
    page.evaluate("code => { window.__badgePng = code; }", qr_data_url(shy_code))
    page.evaluate(FAKE_CAMERA)
    page.click("#btn-camera")
    page.wait_for_selector(".feedback.ok:has-text('Quiet GmbH')")
    text = page.inner_text("#feedback")
    assert "Private Person" not in text
    page.screenshot(path=SHOTS / "exhibitor-no-consent-en.png", full_page=True)
    # The visitor agrees on the spot; their name appears.
    page.click("#btn-consent")
    page.screenshot(path=SHOTS / "exhibitor-consent-en.png")
    page.click("#consent-agree")
    page.wait_for_selector("#ed-title:has-text('Private Person')")

    page.evaluate("Exhibitor.setLang('zh')")
    page.click(".tab[data-tab=list]")
    page.wait_for_selector("#lead-list li >> nth=1")
    page.screenshot(path=SHOTS / "exhibitor-list-zh.png", full_page=True)
    page.select_option("select[name=rating]", "hot")
    page.wait_for_function("document.querySelectorAll('#lead-list li').length === 1")
    page.select_option("select[name=rating]", "")
    page.select_option("#filter-question", "budget")
    page.fill("input[name=answer]", "large")
    page.wait_for_function("document.querySelectorAll('#lead-list li').length === 1")
    with page.expect_download() as dl:
        page.click("#dl-csv")
    assert dl.value.suggested_filename == "leads.csv"
    data = dl.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Wang Fang" in data.decode("utf-8-sig")
    # A second phone of the same booth scans: the first phone's list follows live.
    page.fill("input[name=answer]", "")
    page.select_option("#filter-question", "")
    page.wait_for_function("document.querySelectorAll('#lead-list li').length === 2")
    _, third_code = make.attendee(company="Third Party Ltd")
    second_phone = make.device("exhibitor", name="booth-phone-2", exhibitor_id=ex)
    requests.post(
        f"{live_server.url}/api/v1/leads",
        json={"code": third_code, "client_ref": "p2"},
        headers={"Authorization": f"Bearer {second_phone}"},
        timeout=5,
    )
    page.wait_for_selector("#lead-list li:has-text('Third Party Ltd')")
    page.click("#lead-list li:has-text('Wang Fang')")
    page.wait_for_selector("#editor:not([hidden])")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "exhibitor-lead-zh.png", full_page=True)
    context.close()
    assert svc.store.one("SELECT count(*) FROM leads WHERE exhibitor_id = :ex", {"ex": ex})[0] == 3

    # Staff watch lead counts per exhibitor live on the console dashboard.
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = desk.new_page()
    staff_page.goto(f"{live_server.url}/staff/live")
    staff_page.fill("input[name=name]", "alice")
    staff_page.fill("input[name=password]", STAFF_PASSWORD)
    staff_page.click("#sign-in")
    row = staff_page.wait_for_selector("#booths tr:has-text('Huatai Valves')", timeout=10_000)
    assert row.inner_text().split("\t") == ["Huatai Valves", "B12", "3", "1"]
    desk.close()


def test_offline_scans_survive_reload_and_sync_exactly_once(
    browser, live_server, make, svc, settings, monkeypatch
):
    ex, token = booth(make, svc)
    badges = [make.attendee(company=f"Firm {i}")[1] for i in range(20)]
    context, page = open_paired(browser, live_server.url, token)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    live_server.stop()  # the booth Wi-Fi is gone
    for code in badges:
        page.fill("#manual-code", code)
        page.press("#manual-code", "Enter")
    page.wait_for_function("document.getElementById('pending').dataset.count === '20'")
    # The last visitor is rated and annotated while still offline.
    page.click(".chip.hot")
    page.fill("textarea[name=notes]", "offline note")
    page.click("#editor button.primary")
    page.wait_for_function("document.getElementById('pending').dataset.count === '21'")
    queued = [q for q in page.evaluate("Outbox.all()") if q["kind"] == "scan"]
    assert [q["code"] for q in queued] == badges
    page.reload()  # the page itself opens from the service worker's cache
    page.wait_for_selector("#view-main:not([hidden])")
    page.wait_for_function("document.getElementById('pending').dataset.count === '21'")
    page.screenshot(path=SHOTS / "exhibitor-offline-en.png")
    # The booth's list shows what is waiting, newest first, even with the server gone.
    page.click(".tab[data-tab=list]")
    page.wait_for_function("document.querySelectorAll('#lead-list li.waiting').length === 20")
    refs = page.eval_on_selector_all("#lead-list li.waiting", "els => els.map(e => e.dataset.ref)")
    assert refs == [q["client_ref"] for q in reversed(queued)]
    assert "20 not yet synced" in page.inner_text("#list-count")
    page.screenshot(path=SHOTS / "exhibitor-offline-list-en.png")
    page.evaluate("Exhibitor.setLang('zh')")
    page.screenshot(path=SHOTS / "exhibitor-offline-list-zh.png")
    page.click(".tab[data-tab=scan]")
    page.screenshot(path=SHOTS / "exhibitor-offline-zh.png")

    monkeypatch.setattr(conftest, "free_port", lambda: live_server.port)
    server = LiveServer(settings)  # the network is back, same address
    try:
        page.wait_for_function(
            "document.getElementById('pending').dataset.count === '0'", timeout=30_000
        )
        assert (
            svc.store.one("SELECT count(*) FROM leads WHERE exhibitor_id = :ex", {"ex": ex})[0]
            == 20
        )
        page.click(".tab[data-tab=list]")
        page.wait_for_function(
            "document.querySelectorAll('#lead-list li').length === 20"
            " && !document.querySelector('#lead-list li.waiting')"
        )
        assert svc.store.one("SELECT sum(scans) FROM leads")[0] == 20
        assert svc.store.one("SELECT count(*) FROM lead_scans")[0] == 20
        logged = svc.store.query(
            "SELECT at FROM interactions WHERE type = 'lead_captured' ORDER BY id"
        )
        assert [r["at"] for r in logged] == [q["scanned_at"] for q in queued]
        last = svc.store.one(
            "SELECT l.rating, l.notes FROM leads l JOIN attendees a ON a.id = l.attendee_id"
            " WHERE a.company = 'Firm 19'"
        )
        assert (last["rating"], last["notes"]) == ("hot", "offline note")
        # Resending the whole backlog (a lost answer) changes nothing.
        for q in queued:
            page.evaluate("q => Outbox.add(q)", {k: v for k, v in q.items() if k != "key"})
        page.wait_for_function("document.getElementById('pending').dataset.count === '0'")
        assert svc.store.one("SELECT count(*) FROM lead_scans")[0] == 20
        assert (
            svc.store.one("SELECT count(*) FROM interactions WHERE type='lead_captured'")[0] == 20
        )
    finally:
        context.close()
        server.stop()


def test_the_camera_uses_the_browsers_barcode_detector_where_there_is_one(
    browser, live_server, make, svc
):
    ex, token = booth(make, svc)
    visitor, code = make.attendee(full_name="Li Na", company="Delta Motors")
    context, page = open_paired(browser, live_server.url, token)
    try:
        page.evaluate("png => { window.__badgePng = png; }", qr_data_url(code))
        page.evaluate(FAKE_CAMERA)
        page.evaluate(PHONE_BARCODE_DETECTOR)
        page.click("#btn-camera")
        page.wait_for_selector(".feedback.ok:has-text('Delta Motors')")
        assert page.evaluate("window.__detectorFormats") == ["qr_code"]
        assert page.evaluate("window.__detectorCalls") >= 1
        lead = svc.store.one(
            "SELECT * FROM leads WHERE attendee_id = :visitor", {"visitor": visitor}
        )
        assert lead["exhibitor_id"] == ex
    finally:
        context.close()
