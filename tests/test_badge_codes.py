"""Badge codes: opaque, short, signed, versioned; forged ones refused without the database."""

import re

from kiosk.checkin import codes


def test_code_is_short_alphanumeric_and_carries_no_personal_data(svc, make):
    _, code = make.attendee(full_name="张伟", email="zhang.wei@example.com", phone="+8613912345678")
    assert len(code) <= 100
    assert re.fullmatch(r"K1-[A-Z2-7]{16}-[A-Z2-7]{16}", code)
    for fragment in ("ZHANG", "EXAMPLE", "13912345678"):
        assert fragment not in code


def test_codes_are_unique_and_verify(svc):
    issued = {codes.issue(svc.keys)[0] for _ in range(1000)}
    assert len(issued) == 1000
    assert all(codes.verify(svc.keys, c) for c in issued)


def test_any_change_breaks_the_signature(svc):
    code, code_id, _ = codes.issue(svc.keys)
    assert codes.verify(svc.keys, code) == code_id
    for i in range(3, len(code)):
        if code[i] == "-":
            continue
        tampered = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
        assert codes.verify(svc.keys, tampered) is None
    assert codes.verify(svc.keys, "K9" + code[2:]) is None  # unknown key version
    assert codes.verify(svc.keys, "") is None
    assert codes.verify(svc.keys, "x" * 500) is None


def test_a_code_has_one_spelling(svc, client, make):
    attendee_id, code = make.attendee(full_name="Anna Schmidt")
    code_id = codes.verify(svc.keys, code)
    assert code_id is not None
    # Caps lock on a wedge scanner still reads: ASCII case does not matter.
    assert codes.verify(svc.keys, code.lower()) == code_id
    assert codes.verify(svc.keys, f"  {code}\n") == code_id
    body = code[2:]  # "-<id>-<mac>" after "K1"
    other_spellings = [
        "K01" + body,
        "K001" + body,
        "K\u0661" + body,  # an Arabic-Indic one
        "K\uff11" + body,  # a full-width one
        code + "\n-",
    ]
    # Letters outside ASCII whose upper case is an ASCII letter of the code.
    with_i = next(c for c in (codes.issue(svc.keys)[0] for _ in range(500)) if "I" in c[3:])
    with_s = next(c for c in (codes.issue(svc.keys)[0] for _ in range(500)) if "S" in c[3:])
    assert codes.verify(svc.keys, with_i.lower()) and codes.verify(svc.keys, with_s.lower())
    other_spellings.append(with_i.lower().replace("i", "\u0131"))  # dotless i
    other_spellings.append(with_s.lower().replace("s", "\u017f"))  # long s
    for spelling in other_spellings:
        assert codes.verify(svc.keys, spelling) is None, spelling
    kiosk = {"Authorization": f"Bearer {make.device('kiosk')}"}
    for spelling in ("K01" + body, "K001" + body):
        res = client.post(
            "/api/v1/checkins", json={"code": spelling, "gate": "north"}, headers=kiosk
        )
        assert res.status_code == 404 and res.get_json()["reason"] == "invalid"
    res = client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=kiosk)
    assert res.status_code == 201 and res.get_json()["attendee"]["id"] == attendee_id


def test_another_shows_key_cannot_forge(svc, tmp_path):
    from kiosk import secrets

    other = tmp_path / "other.secret"
    secrets.create_if_missing(other)
    forged, _, _ = codes.issue(secrets.load(other))
    assert codes.verify(svc.keys, forged) is None


def test_keys_live_beside_the_database_not_in_the_repository(settings):
    assert settings.secret_path.parent == settings.db_path.parent
    assert settings.secret_path.stat().st_mode & 0o077 == 0


def test_rotating_the_key_keeps_printed_badges_valid_and_signs_new_ones_anew(
    runner, settings, make
):
    from conftest import Factory, auth
    from kiosk import create_app
    from kiosk.services import open_services

    _, printed = make.attendee(full_name="Before Rotation")
    result = runner.invoke("keys", "rotate")
    assert result.exit_code == 0 and "badge key version 2 is now current" in result.output
    assert settings.secret_path.stat().st_mode & 0o077 == 0

    restarted = open_services(settings)  # the server reads the key file at start
    _, fresh = Factory(restarted).attendee(full_name="After Rotation")
    assert printed.startswith("K1-") and fresh.startswith("K2-")
    assert codes.verify(restarted.keys, printed) and codes.verify(restarted.keys, fresh)
    client = create_app(settings, testing=True).test_client()
    kiosk = auth(Factory(restarted).device("kiosk"))
    for code in (printed, fresh):
        res = client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=kiosk)
        assert res.status_code == 201
