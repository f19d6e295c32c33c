"""Pairing an exhibitor phone: the link and QR carry the device token to the exhibitor page."""

import zxingcpp
from PIL import Image


def test_devices_pair_prints_link_and_qr(runner, tmp_path):
    ex = runner.invoke("exhibitors", "add", "--name", "Acme", "--booth", "C3")
    ex_id = ex.output.strip().splitlines()[-1]
    added = runner.invoke(
        "devices", "add", "--role", "exhibitor", "--name", "phone-1", "--exhibitor", ex_id
    )
    token = added.output.strip().splitlines()[-1]
    png = tmp_path / "pair.png"
    res = runner.invoke(
        "devices", "pair", "--token", token, "--url", "https://10.0.0.5:5443", "--qr", str(png)
    )
    assert res.exit_code == 0
    link = res.output.strip().splitlines()[-1]
    assert link == f"https://10.0.0.5:5443/exhibitor/#token={token}"
    decoded = zxingcpp.read_barcodes(Image.open(png))
    assert [d.text for d in decoded] == [link]


def test_devices_pair_refuses_unknown_token_and_bad_url(runner, make):
    token = make.device("exhibitor")
    bad = runner.invoke("devices", "pair", "--token", "kt_nope", "--url", "https://x")
    assert bad.exit_code != 0 and "unknown or revoked" in bad.output
    bad = runner.invoke("devices", "pair", "--token", token, "--url", "ftp:/x")
    assert bad.exit_code != 0 and "--url" in bad.output
