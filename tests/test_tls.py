"""`kiosk serve --tls`: HTTPS verified against the show's own CA, plain HTTP alongside."""

import ssl
import subprocess
import sys
import time
from pathlib import Path

import requests
import socketio as sio_client
from cryptography import x509

from conftest import ROOT, auth, free_port
from kiosk import tls


def test_server_certificate_covers_local_names_and_is_reused(settings):
    cert_path, key_path = tls.ensure_server_certificate(settings, "192.168.50.7")
    cert = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())[0]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    assert {"127.0.0.1", "192.168.50.7"} <= ips
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 398
    assert oct(tls.tls_dir(settings).joinpath("ca-key.pem").stat().st_mode)[-3:] == "600"
    again, _ = tls.ensure_server_certificate(settings, "192.168.50.7")
    assert Path(again).read_bytes() == Path(cert_path).read_bytes()
    tls.ensure_server_certificate(settings, "10.1.2.3")  # a new address: a new certificate
    renewed = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())[0]
    assert renewed.serial_number != cert.serial_number


def test_https_and_http_serve_the_same_app(settings, make):
    token = make.device("staff")
    port, tls_port = free_port(), free_port()
    log = open(settings.db_path.with_name("tls-server.log"), "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--port", str(port), "--tls"]
        + ["--tls-port", str(tls_port), "--db", str(settings.db_path)]
        + ["--config", str(settings.config_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    ca = str(tls.ca_cert_path(settings))
    https = f"https://127.0.0.1:{tls_port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{https}/healthz", verify=ca, timeout=5).ok:
                    break
            except (requests.RequestException, FileNotFoundError, OSError):
                time.sleep(0.1)
        me = requests.get(f"{https}/api/v1/me", headers=auth(token), verify=ca, timeout=5)
        assert me.status_code == 200 and me.json()["device"]["role"] == "staff"
        plain = requests.get(f"http://127.0.0.1:{port}/api/v1/me", headers=auth(token), timeout=5)
        assert plain.status_code == 200
        # Without the CA the certificate is not trusted: phones must install the root.
        try:
            requests.get(f"{https}/healthz", timeout=5)
            raise AssertionError("an unknown CA was trusted")
        except requests.exceptions.SSLError:
            pass
        root = requests.get(f"http://127.0.0.1:{port}/ca.pem", timeout=5)
        assert root.content == Path(ca).read_bytes()
        # Socket.IO over WebSocket through HTTPS reaches the same rooms.
        http_session = requests.Session()
        http_session.verify = ca
        client = sio_client.Client(http_session=http_session)
        stats = []
        client.on("stats", stats.append, namespace="/live")
        client.connect(https, namespaces=["/live"], auth={"token": token}, transports=["websocket"])
        for _ in range(50):
            if stats:
                break
            time.sleep(0.1)
        client.disconnect()
        assert stats and "checked_in" in stats[0]
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_tls_context_rejects_old_protocols(settings):
    cert, key = tls.ensure_server_certificate(settings, "127.0.0.1")
    door = tls.TlsFrontDoor(cert, key, "127.0.0.1", 0, upstream_port=1)
    assert door.context.minimum_version >= ssl.TLSVersion.TLSv1_2
