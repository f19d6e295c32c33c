"""HTTPS for phones: the local CA, the server certificate, and HTTPS beside plain HTTP."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509

from conftest import ROOT, auth, free_port
from kiosk.tls import ca_path, ensure_server_certificate


def test_certificate_names_this_machine_and_is_kept(settings):
    certfile, keyfile = ensure_server_certificate(settings, "127.0.0.1")
    cert = x509.load_pem_x509_certificate(Path(certfile).read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(i) for i in san.get_values_for_type(x509.IPAddress)}
    ca = x509.load_pem_x509_certificate(ca_path(settings).read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.issuer == ca.subject
    assert oct(os.stat(keyfile).st_mode & 0o777) == "0o600"
    before = Path(certfile).read_bytes()
    assert ensure_server_certificate(settings, "127.0.0.1") == (certfile, keyfile)
    assert Path(certfile).read_bytes() == before
    # A new address the certificate does not name yet: renewed, same CA.
    ensure_server_certificate(settings, "127.0.0.2")
    renewed = x509.load_pem_x509_certificate(Path(certfile).read_bytes())
    san = renewed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "127.0.0.2" in {str(i) for i in san.get_values_for_type(x509.IPAddress)}
    assert x509.load_pem_x509_certificate(ca_path(settings).read_bytes()) == ca


@pytest.fixture
def tls_server(settings):
    port, http_port = free_port(), free_port()
    log_path = settings.db_path.with_name("tls-server.log")
    argv = [
        sys.executable,
        "-m",
        "kiosk",
        "serve",
        "--tls",
        "--port",
        str(port),
        "--http-port",
        str(http_port),
        "--db",
        str(settings.db_path),
        "--config",
        str(settings.config_path),
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        ca = str(ca_path(settings))
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                if requests.get(f"https://127.0.0.1:{port}/healthz", verify=ca, timeout=1).ok:
                    break
            except (requests.ConnectionError, OSError):
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield port, http_port, ca
        proc.terminate()
        proc.wait(10)


def test_https_verified_against_the_ca_and_plain_http_beside_it(tls_server, make):
    port, http_port, ca = tls_server
    for host in ("127.0.0.1", "localhost"):
        assert requests.get(f"https://{host}:{port}/healthz", verify=ca, timeout=5).ok
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"https://127.0.0.1:{port}/healthz", timeout=5)
    # Staff download the root for the phones from the server itself.
    root = requests.get(f"https://127.0.0.1:{port}/ca.crt", verify=ca, timeout=5)
    assert root.content == Path(ca).read_bytes()
    assert root.headers["Content-Type"] == "application/x-x509-ca-cert"
    # LAN kiosks keep plain HTTP on the other port: the same server and database.
    _, code = make.attendee()
    token = make.device("exhibitor")
    res = requests.post(
        f"http://127.0.0.1:{http_port}/api/v1/leads",
        headers=auth(token),
        json={"code": code, "client_ref": "plain-1"},
        timeout=5,
    )
    assert res.status_code == 201
    res = requests.post(
        f"https://127.0.0.1:{port}/api/v1/leads",
        headers=auth(token),
        json={"code": code, "client_ref": "plain-1"},
        verify=ca,
        timeout=5,
    )
    assert res.status_code == 200 and res.json()["duplicate"] is True
