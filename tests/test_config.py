"""The show configuration is validated at start with a message naming the bad key."""

import pytest

from conftest import EVENT_TOML, load_settings
from kiosk import config
from kiosk.config import ConfigError


def test_demo_show_matches_the_contract(settings):
    assert set(settings.gates) == {"north", "south"}
    assert set(settings.categories) == {
        "visitor",
        "trade",
        "buyer",
        "exhibitor",
        "media",
        "vip",
        "staff",
    }
    assert set(settings.sessions) == {"forum-1", "forum-2"}
    assert settings.languages == ("zh", "en")
    assert settings.consents["terms"].required
    assert not settings.consents["share_with_exhibitors"].required
    for gate in settings.gates.values():
        assert gate.directions == ("in", "out")
        assert gate.name["zh"] and gate.name["en"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "event.timezone"),
        ('color = "#2E7D32"', 'color = "green"', "categories.visitor.color"),
        (
            'directions = ["in", "out"]\nreentry = true\n\n[gates.south]',
            'directions = ["in", "sideways"]\nreentry = true\n\n[gates.south]',
            "gates.north.directions",
        ),
        ("capacity = 200", "capacity = -5", "sessions.forum-1.capacity"),
        ('default_region = "CN"', "default_region = 12", "event.default_region"),
        ('default_region = "CN"', 'default_region = "China"', "event.default_region"),
        ('gate = "north"', 'gate = "west"', "kiosks.north-1.gate"),
        ('name = { zh = "北1门", en = "North 1" }', 'name = { zh = "北1门" }', "gates.north.name"),
    ],
)
def test_bad_value_names_the_key(tmp_path, old, new, key):
    text = EVENT_TOML.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, text.replace(old, new, 1))
    assert str(err.value).startswith(key)


def test_missing_file_and_broken_toml_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml", tmp_path / "k.db")
    bad = tmp_path / "bad.toml"
    bad.write_text("[event\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        config.load(bad, tmp_path / "k.db")


def test_environment_names_the_files(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(EVENT_TOML))
    monkeypatch.setenv("KIOSK_DB", str(tmp_path / "env.db"))
    settings = config.load()
    assert settings.db_path == tmp_path / "env.db"
    assert settings.config_path == EVENT_TOML


@pytest.mark.parametrize(
    ("addition", "key"),
    [
        ("\n[stafff]\nmax_failures = 3\n", "stafff"),
        ("\n[staff]\nmax_failure = 3\n", "staff.max_failure"),
        ('\n[kiosks.east-1]\ngate = "north"\nprinterr = "x"\n', "kiosks.east-1.printerr"),
        ('\n[[gates.south.rules]]\nopen = "08:30"\n', "gates.south.rules[0].open"),
    ],
)
def test_a_misspelt_key_stops_the_start_naming_it(tmp_path, addition, key):
    text = EVENT_TOML.read_text(encoding="utf-8") + addition
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, text)
    assert str(err.value) == f"{key}: unknown key"


@pytest.mark.parametrize(
    ("addition", "key"),
    [
        ('[live]\nmessage_queue = "http://redis:6379"', "live.message_queue"),
        ("[live]\nmessage_queue = 6379", "live.message_queue"),
        ('[server]\nproxies = "10.0.0.10"', "server.proxies"),
        ('[server]\nproxies = ["nginx.local"]', "server.proxies"),
    ],
)
def test_bad_scale_out_settings_name_the_key(tmp_path, addition, key):
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + "\n" + addition + "\n")
    assert str(err.value).startswith(key)


def test_the_message_queue_comes_from_the_configuration_or_the_environment(tmp_path, monkeypatch):
    assert load_settings(tmp_path).message_queue == ""  # one node, nothing shared
    queue = "redis://10.0.0.20:6379/0"
    toml = EVENT_TOML.read_text(encoding="utf-8") + f'\n[live]\nmessage_queue = "{queue}"\n'
    assert load_settings(tmp_path, toml).message_queue == queue
    monkeypatch.setenv("KIOSK_MESSAGE_QUEUE", "redis://other:6379/1")
    assert load_settings(tmp_path, toml).message_queue == "redis://other:6379/1"
