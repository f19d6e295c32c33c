"""Business cards at the booth: POST /api/v1/cards, a card made a lead, kept to its booth,
carried in the downloads and CRM exports, erased on request."""

from __future__ import annotations

import csv
import io
import json

from card_photos import SMITH, ZHAO, blank_image, card_image

from conftest import BOTH_DATABASES, auth


def post_card(client, token, *images: bytes, **form):
    """POST /api/v1/cards as a phone sends it (the body built in memory: the test client would
    leave a temporary file open for a large one)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(form)
    for i, data in enumerate(images):
        values.add("image", FileStorage(io.BytesIO(data), filename=f"side{i}.png"))
    boundary, body = encode_multipart(values)
    return client.post(
        "/api/v1/cards",
        data=body,
        headers=auth(token),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def card_lead(client, token, card_id: int, ref: str = "c1", **extra):
    return client.post(
        "/api/v1/leads", json={"card_id": card_id, "client_ref": ref, **extra}, headers=auth(token)
    )


def test_a_card_is_read_kept_with_its_booth_and_becomes_a_contact_only_lead(client, make, svc):
    ex = make.exhibitor(name="Huatai Valves", booth="B12")
    token = make.device("exhibitor", exhibitor_id=ex)
    front = card_image(ZHAO)
    res = post_card(client, token, front, client_ref="photo-1", taken_at="2026-11-24T02:00:00Z")
    assert res.status_code == 201, res.get_json()
    card = res.get_json()["card"]
    assert card["fields"]["full_name"] == "赵敏"
    assert card["fields"]["company"] == "杭州海川科技有限公司"
    assert card["fields"]["emails"] == ["zhaomin@haichuan.cn"]
    assert card["fields"]["phones"] == [{"number": "+8613912345678", "type": "mobile"}]
    assert "赵敏" in card["lines"] and card["attendee_id"] is None
    # The photo comes back to its booth exactly as taken.
    image = client.get(card["images"][0], headers=auth(token))
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == front
    assert image.headers["Cache-Control"] == "private, no-store"
    # The same photo sent again (a lost answer) is the same card, not read twice.
    again = post_card(client, token, front, client_ref="photo-1")
    assert again.status_code == 200 and again.get_json()["card"]["id"] == card["id"]
    assert svc.store.one("SELECT count(*) FROM cards")[0] == 1

    # Staff correct the title and add an office number, then rate it.
    fields = {
        **card["fields"],
        "job_title": "销售副总监",
        "phones": [*card["fields"]["phones"], {"number": "0571 8888 6666", "type": "office"}],
    }
    res = card_lead(client, token, card["id"], fields=fields, rating="hot", notes="样品")
    assert res.status_code == 201, res.get_json()
    lead = res.get_json()["lead"]
    assert lead["source"] == "business_card" and lead["contact_only"] is True
    assert lead["visitor"]["id"] is None and lead["visitor"]["full_name"] == "赵敏"
    assert lead["visitor"]["job_title"] == "销售副总监"
    assert lead["visitor"]["phone"] == "+8613912345678"
    assert lead["card"]["fields"]["phones"][1] == {"number": "+8657188886666", "type": "office"}
    assert lead["first_scanned_at"] == "2026-11-24T02:00:00.000Z"  # when the photo was taken
    assert card_lead(client, token, card["id"]).status_code == 200  # the same client_ref: once
    logged = svc.store.query("SELECT type, data FROM interactions ORDER BY id")
    assert [r["type"] for r in logged] == ["card_read", "lead_captured"]
    assert json.loads(logged[1]["data"])["source"] == "business_card"
    assert "赵敏" not in "".join(r["data"] for r in logged)  # no personal data in the log

    # The booth's downloads carry it, marked.
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/leads.csv", headers=auth(token)).data.decode("utf-8-sig")
            )
        )
    )
    assert rows[0]["full_name"] == "赵敏" and rows[0]["source"] == "business_card"
    assert rows[0]["contact_only"] == "yes" and "+8657188886666 (office)" in rows[0]["card_phones"]
    vcf = client.get("/api/v1/leads.vcf", headers=auth(token)).get_data(as_text=True)
    assert "FN:赵敏" in vcf and "TEL;VALUE=uri;TYPE=work:tel:+8657188886666" in vcf
    assert "CATEGORIES:business_card,contact_only" in vcf


def test_bad_photos_are_refused_with_a_reason_and_nothing_is_kept(client, make, svc):
    token = make.device("exhibitor")
    too_big = card_image(SMITH, fmt="PNG") + b"\0" * (10 * 1024 * 1024)
    cases = [
        (post_card(client, token), "image", "required"),
        (post_card(client, token, b""), "image", "empty"),
        (post_card(client, token, b"%PDF-1.4 not a photo"), "image", "not a JPEG or PNG"),
        (post_card(client, token, too_big), "image", "larger than 10 MB"),
        (post_card(client, token, b"\x89PNG\r\n\x1a\n broken"), "image", "not a JPEG or PNG"),
        (post_card(client, token, blank_image()), "image", "no text"),
        (post_card(client, token, blank_image(), *[blank_image()] * 2), "image", "at most two"),
        (post_card(client, token, blank_image(), taken_at="yesterday"), "taken_at", "ISO 8601"),
    ]
    for res, field, words in cases:
        body = res.get_json()
        assert res.status_code == 422, body
        assert words in body["fields"][field], body
    assert client.post("/api/v1/cards", json={}, headers=auth(token)).status_code == 422
    # Far past two photos' worth: refused before it is read, still a 422 naming the photo.
    huge = b"\xff\xd8\xff" + b"\0" * (21 * 1024 * 1024)
    res = post_card(client, token, huge)
    assert res.status_code == 422 and "10 MB" in res.get_json()["fields"]["image"]
    for table in ("cards", "card_images", "leads"):
        assert svc.store.one(f"SELECT count(*) FROM {table}")[0] == 0
    assert svc.store.one("SELECT count(*) FROM interactions")[0] == 0
    # Only an exhibitor device reads cards.
    for role in ("kiosk", "staff"):
        assert post_card(client, make.device(role), card_image(SMITH)).status_code == 403
    assert post_card(client, "kt_wrong", card_image(SMITH)).status_code == 401


def test_another_booth_never_sees_the_card_or_its_photo(client, make, svc):
    mine = make.device("exhibitor", exhibitor_id=make.exhibitor(name="A", booth="A1"))
    theirs = make.device("exhibitor", exhibitor_id=make.exhibitor(name="B", booth="B1"))
    card = post_card(client, mine, card_image(SMITH), card_image(ZHAO)).get_json()["card"]
    assert len(card["images"]) == 2
    assert client.get(f"/api/v1/cards/{card['id']}/image?side=back", headers=auth(mine)).data
    # To the other booth the card does not exist: the same answer as for no card at all.
    missing = client.get("/api/v1/cards/999999", headers=auth(theirs))
    for path in (
        f"/api/v1/cards/{card['id']}",
        f"/api/v1/cards/{card['id']}/image",
        f"/api/v1/cards/{card['id']}/image?side=back",
    ):
        res = client.get(path, headers=auth(theirs))
        assert res.status_code == 404 and res.get_json()["error"] == missing.get_json()["error"]
    res = card_lead(client, theirs, card["id"], rating="hot")
    assert res.status_code == 404 and res.get_json()["error"] == "no_such_card"
    assert card_lead(client, theirs, 999999).get_json()["error"] == "no_such_card"
    assert svc.store.one("SELECT count(*) FROM leads")[0] == 0
    # Staff see no photo either: a card is an invitation to that exhibitor only.
    staff = make.device("staff")
    assert client.get(f"/api/v1/cards/{card['id']}/image", headers=auth(staff)).status_code == 403
    assert card_lead(client, mine, card["id"]).status_code == 201
    assert client.get("/api/v1/leads", headers=auth(theirs)).get_json()["leads"] == []
    # Staff see that the booth has a lead from a card, and its company, not the rest of it.
    seen = client.get("/api/v1/leads", headers=auth(staff)).get_json()["leads"]
    assert len(seen) == 1 and seen[0]["card"] is None and seen[0]["contact_only"] is True
    assert seen[0]["visitor"]["company"] == card["fields"]["company"]
    for secret in (card["fields"]["full_name"], *card["fields"]["emails"]):
        assert secret and secret not in json.dumps(seen, ensure_ascii=False)
    # Bad requests about a card name the field.
    bad = card_lead(client, mine, card["id"], ref="c2", fields={"emails": ["not-an-email"]})
    assert bad.status_code == 422 and "fields.emails[0]" in bad.get_json()["fields"]
    both = client.post(
        "/api/v1/leads",
        json={"card_id": card["id"], "code": "X", "client_ref": "c3"},
        headers=auth(mine),
    )
    assert both.status_code == 422 and "card_id" in both.get_json()["fields"]
    side = client.get(f"/api/v1/cards/{card['id']}/image?side=left", headers=auth(mine))
    assert side.status_code == 422


def test_a_registered_visitors_card_is_the_same_one_lead_as_their_badge(client, make, svc):
    ex = make.exhibitor()
    token = make.device("exhibitor", exhibitor_id=ex)
    visitor, code = make.attendee(
        full_name="John Smith", company="Northwind", email="John.Smith@northwind.co.uk"
    )
    card = post_card(client, token, card_image(SMITH)).get_json()["card"]
    assert card["attendee_id"] == visitor
    res = card_lead(client, token, card["id"], rating="warm")
    assert res.status_code == 201
    lead = res.get_json()["lead"]
    assert lead["visitor"]["id"] == visitor and lead["contact_only"] is False
    assert lead["source"] == "business_card"
    # The visitor did not share their registration's details, but handed over the card.
    assert lead["visitor"]["contact_shared"] is True and lead["visitor"]["from_card"] is True
    assert lead["visitor"]["phone"] == "+447911123456"
    # Their badge scanned later at the same booth: the same lead, scanned twice.
    scan = client.post(
        "/api/v1/leads", json={"code": code, "client_ref": "b1"}, headers=auth(token)
    )
    assert scan.status_code == 200 and scan.get_json()["lead"]["id"] == lead["id"]
    assert scan.get_json()["lead"]["scans"] == 2
    assert svc.store.one("SELECT count(*) FROM leads")[0] == 1
    logged = svc.store.query(
        "SELECT attendee_id FROM interactions WHERE type = 'lead_captured' ORDER BY id"
    )
    assert [r["attendee_id"] for r in logged] == [visitor, visitor]
    # A second card of an unregistered person with the same e-mail joins its contact lead.
    other = card_image(["Mary Major", "Contoso GmbH", "mary@contoso.de"])
    first = post_card(client, token, other).get_json()["card"]
    second = post_card(client, token, other).get_json()["card"]
    assert card_lead(client, token, first["id"], ref="m1").status_code == 201
    assert card_lead(client, token, second["id"], ref="m2").status_code == 200
    assert svc.store.one("SELECT count(*) FROM leads WHERE attendee_id IS NULL")[0] == 1


@BOTH_DATABASES
def test_card_leads_reach_the_crm_export_and_erasure_removes_the_photo(
    client, make, svc, runner, tmp_path
):
    ex = make.exhibitor(name="Huatai", booth="B12")
    token = make.device("exhibitor", exhibitor_id=ex)
    visitor, _ = make.attendee(full_name="赵敏", phone="+8613912345678", email="zm@example.com")
    stranger = post_card(client, token, card_image(SMITH)).get_json()["card"]
    known = post_card(client, token, card_image(ZHAO)).get_json()["card"]
    assert known["attendee_id"] == visitor
    card_lead(client, token, stranger["id"], ref="s", rating="hot")
    card_lead(client, token, known["id"], ref="k")

    out = tmp_path / "csv"
    assert runner.invoke("export", "--format", "csv", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((out / "leads.csv").read_text(encoding="utf-8"))))
    contact = next(r for r in rows if r["attendee_id"] == "")
    assert contact["source"] == "business_card" and contact["contact_shared"] == "true"
    assert json.loads(contact["card_contact"])["emails"] == ["john.smith@northwind.co.uk"]
    people = (out / "people.csv").read_text(encoding="utf-8")
    assert "John Smith" not in people  # a card is no registration: not the organiser's contact
    vcards = tmp_path / "vcard"
    assert runner.invoke("export", "--format", "vcard", "--out", str(vcards)).exit_code == 0
    text = next((vcards / "vcard").glob(f"{ex}-*.vcf")).read_text(encoding="utf-8")
    assert "FN:John Smith" in text and "CATEGORIES:business_card,contact_only,hot" in text
    hubspot = tmp_path / "hubspot"
    assert runner.invoke("export", "--format", "hubspot", "--out", str(hubspot)).exit_code == 0
    assert "northwind" not in (hubspot / "hubspot_contacts.csv").read_text(encoding="utf-8")

    # The registered visitor asks to be erased: their card's photo and fields go too.
    assert runner.invoke("erase", str(visitor)).exit_code == 0
    assert client.get(known["images"][0], headers=auth(token)).status_code == 404
    row = svc.store.one("SELECT * FROM cards WHERE id = :id", {"id": known["id"]})
    assert row["fields"] == "{}" and row["lines"] == "[]" and row["erased_at"]
    assert (
        svc.store.one("SELECT count(*) FROM card_images WHERE card_id = :id", {"id": known["id"]})[
            0
        ]
        == 0
    )
    dump = json.dumps([tuple(r) for r in svc.store.query("SELECT * FROM leads")])
    assert "赵敏" not in dump and "13912345678" not in dump
    # The unregistered card holder asks too, by e-mail: the lead keeps only its rating.
    result = runner.invoke("erase", "--contact", "John.Smith@northwind.co.uk")
    assert result.exit_code == 0 and "1 business card(s) erased" in result.output
    assert svc.store.one("SELECT count(*) FROM card_images")[0] == 0
    lead = svc.store.one("SELECT * FROM leads WHERE attendee_id IS NULL")
    assert lead["rating"] == "hot" and lead["contact"] == "{}"
    audit = svc.store.one("SELECT * FROM audit_log WHERE action = 'card.erase'")
    assert "northwind" not in (audit["target"] + audit["after"]).lower()
    assert runner.invoke("erase", "--contact", "nobody@example.com").exit_code != 0


def test_upgrading_a_show_keeps_every_lead_and_scan(tmp_path):
    from kiosk.storage import Store
    from kiosk.storage.migrations import migrate, migrations

    store = Store(tmp_path / "old.db")
    migrations.apply(store.db, stop_before="i14_business_cards")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO exhibitors (id, name, booth, created_at) VALUES (1, 'A', 'A1', 't')"
        )
        conn.execute(
            "INSERT INTO attendees (id, full_name, category, source, created_at, updated_at)"
            " VALUES (7, 'Li Lei', 'visitor', 'test', 't', 't')"
        )
        conn.execute(
            "INSERT INTO devices (id, name, role, token_hash, exhibitor_id, created_at)"
            " VALUES (3, 'phone', 'exhibitor', 'h', 1, 't')"
        )
        conn.execute(
            "INSERT INTO leads (id, exhibitor_id, attendee_id, first_scanned_at, last_scanned_at,"
            " rating, device_id, updated_at) VALUES (5, 1, 7, 't1', 't2', 'hot', 3, 't2')"
        )
        conn.execute(
            "INSERT INTO lead_scans (device_id, client_ref, lead_id, scanned_at)"
            " VALUES (3, 'r1', 5, 't1')"
        )
    assert migrate(store)[0] == "i14_business_cards"  # later migrations follow it
    lead = store.one("SELECT * FROM leads WHERE id = 5")
    assert (lead["attendee_id"], lead["rating"], lead["source"]) == (7, "hot", "badge_scan")
    assert store.one("SELECT lead_id FROM lead_scans")["lead_id"] == 5
    assert store.one("PRAGMA foreign_keys")[0] == 1
    assert store.query("PRAGMA foreign_key_check") == []
    store.close()
