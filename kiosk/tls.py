"""HTTPS for phones: a local certificate authority and a server certificate it signs.

A phone browser opens its camera only on a secure origin. The show's own CA root is installed
once on each booth phone (docs/exhibitor-leads.md); the server certificate names localhost,
127.0.0.1, this machine's name and LAN addresses, and is renewed when one of those changes.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.config import Settings

CA_DAYS = 3650
SERVER_DAYS = 397  # the longest validity Apple devices accept for a server certificate
RENEW_BEFORE = timedelta(days=30)


def tls_dir(settings: Settings) -> Path:
    """Where the show keeps its CA and server certificate (beside the database)."""
    return Path(settings.db_path).with_name("tls")


def ca_path(settings: Settings) -> Path:
    """The CA root certificate staff install on phones."""
    return tls_dir(settings) / "ca.crt"


def machine_names(host: str = "") -> tuple[list[str], list[str]]:
    """DNS names and IP addresses this server is reached by: localhost, its name, LAN addresses."""
    names = {"localhost"}
    ips = {"127.0.0.1", "::1"}
    hostname = socket.gethostname()
    if hostname:
        names.add(hostname)
    try:
        for info in socket.getaddrinfo(hostname, None):
            ips.add(info[4][0].split("%")[0])
    except OSError:
        pass
    extra = [host] if host and host not in ("0.0.0.0", "::") else []
    extra += [n.strip() for n in os.environ.get("KIOSK_TLS_NAMES", "").split(",") if n.strip()]
    for item in extra:
        try:
            ips.add(str(ipaddress.ip_address(item)))
        except ValueError:
            names.add(item)
    return sorted(names), sorted(ips)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ensure_ca(directory: Path, show_name: str):
    cert_file, key_file = directory / "ca.crt", directory / "ca.key"
    if cert_file.exists() and key_file.exists():
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if cert.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC):
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, show_name[:64] or "Trade show"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{show_name[:40]} local CA"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_file, _key_pem(key))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _covers(cert: x509.Certificate, ca: x509.Certificate, names, ips) -> bool:
    if cert.issuer != ca.subject or cert.not_valid_after_utc - RENEW_BEFORE < datetime.now(UTC):
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    have_names = set(san.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return set(names) <= have_names and set(ips) <= have_ips


def ensure_server_certificate(settings: Settings, host: str = "") -> tuple[str, str]:
    """The server certificate and key files, (re)made when missing, expiring or not naming us."""
    directory = tls_dir(settings)
    show_name = settings.event_name.get("en") or next(iter(settings.event_name.values()), "")
    ca_cert, ca_key = _ensure_ca(directory, show_name)
    cert_file, key_file = directory / "server.crt", directory / "server.key"
    names, ips = machine_names(host)
    if cert_file.exists() and key_file.exists():
        current = x509.load_pem_x509_certificate(cert_file.read_bytes())
        if _covers(current, ca_cert, names, ips):
            return str(cert_file), str(key_file)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_file, _key_pem(key))
    cert_file.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    return str(cert_file), str(key_file)


class PlainRelay:
    """Plain HTTP for LAN kiosks beside HTTPS: each connection is piped to the TLS port.

    One server process keeps Socket.IO in one place, so the kiosks' plain port is a byte relay
    into the same server rather than a second server.
    """

    def __init__(self, host: str, port: int, tls_port: int, cafile: str):
        self.target = ("127.0.0.1" if host in ("0.0.0.0", "") else host, tls_port)
        self.context = ssl.create_default_context(cafile=cafile)
        self.context.check_hostname = False  # the server is ourselves, reached by address
        self.listener = socket.create_server((host, port), reuse_port=False)

    def start(self) -> None:
        """Accept connections in a daemon thread."""
        threading.Thread(target=self._accept, daemon=True, name="plain-relay").start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = self.context.wrap_socket(socket.create_connection(self.target, timeout=10))
            upstream.settimeout(None)
        except OSError:
            client.close()
            return

        def copy(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        back = threading.Thread(target=copy, args=(upstream, client), daemon=True)
        back.start()
        copy(client, upstream)
        back.join()
        client.close()
        upstream.close()
