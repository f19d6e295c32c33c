"""GET /api/v1/attendees?q=: names (also pinyin), email, phone, company for staff; a kiosk finds
by name, whole e-mail or whole phone number and sees names only."""

import pytest

from conftest import BOTH_DATABASES, auth


@pytest.fixture
def people(make):
    return {
        "zhangwei": make.attendee(
            full_name="张伟", company="华为技术", email="zw@example.com", phone="13912345678"
        )[0],
        "zhangweiming": make.attendee(full_name="张伟明", company="美的集团")[0],
        "shan": make.attendee(full_name="单雄信", company="瓦岗")[0],
        "anna": make.attendee(
            full_name="Anna Müller",
            company="Bosch Rexroth",
            email="anna.mueller@example.de",
            phone="+4915123456789",
        )[0],
    }


def names(client, token, q):
    res = client.get("/api/v1/attendees", query_string={"q": q}, headers=auth(token))
    assert res.status_code == 200
    return [a["full_name"] for a in res.get_json()["attendees"]]


@pytest.mark.parametrize(
    "q",
    ["张伟", "zhangwei", "zhang wei", "Zhāng Wěi", "zhang1 wei3", "ZHANGWEI", "zw", "wei zhang"],
)
def test_chinese_name_by_characters_or_pinyin(client, make, people, q):
    found = names(client, make.device(), q)
    assert found[0] == "张伟", found


@BOTH_DATABASES
def test_exact_match_ranks_before_longer_names(client, make, people):
    assert names(client, make.device(), "zhangwei")[:2] == ["张伟", "张伟明"]


def test_surname_special_reading(client, make, people):
    assert names(client, make.device(), "shanxiongxin") == ["单雄信"]


@BOTH_DATABASES
def test_latin_name_without_accents_email_phone_company(client, make, people):
    token = make.device("staff")
    assert names(client, token, "anna muller") == ["Anna Müller"]
    assert names(client, token, "anna.mueller@example.de") == ["Anna Müller"]
    assert names(client, token, "151 2345 6789") == ["Anna Müller"]
    assert names(client, token, "139 1234 5678") == ["张伟"]
    assert names(client, token, "bosch") == ["Anna Müller"]
    assert names(client, token, "6789") == ["Anna Müller"]


@BOTH_DATABASES
def test_a_kiosk_finds_by_name_whole_email_or_whole_phone_only(client, make, people):
    token = make.device()
    assert names(client, token, "muller") == ["Anna Müller"]
    assert names(client, token, "Anna.Mueller@Example.de") == ["Anna Müller"]
    assert names(client, token, "+49 151 2345 6789") == ["Anna Müller"]
    assert names(client, token, "139 1234 5678") == ["张伟"]
    for fragment in ["bosch", "华为", "mueller", "example", "2345", "5678", "anna.mueller@"]:
        assert names(client, token, fragment) == [], fragment


@BOTH_DATABASES
def test_kiosk_sees_names_only_staff_the_record(client, make, people):
    kiosk = client.get("/api/v1/attendees?q=zhangwei", headers=auth(make.device())).get_json()
    assert kiosk["attendees"][0] == {"id": people["zhangwei"], "full_name": "张伟"}
    assert all(set(p) == {"id", "full_name"} for p in kiosk["attendees"])
    staff = client.get("/api/v1/attendees?q=zhangwei", headers=auth(make.device("staff")))
    assert staff.get_json()["attendees"][0]["email"] == "zw@example.com"


@BOTH_DATABASES
def test_short_or_odd_queries_return_nothing_not_errors(client, make, people):
    token = make.device()
    for q in ["", "z", "%", "_", "'; DROP TABLE attendees; --", "\\"]:
        assert names(client, token, q) == []
    assert client.get("/api/v1/attendees?q=" + "x" * 300, headers=auth(token)).status_code == 422


@BOTH_DATABASES
def test_at_most_twenty_for_staff_five_for_a_kiosk(client, make):
    for i in range(25):
        make.attendee(full_name=f"王芳{i}")
    assert len(names(client, make.device("staff"), "wangfang")) == 20
    assert len(names(client, make.device(), "wangfang")) == 5
