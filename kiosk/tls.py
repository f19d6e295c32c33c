"""HTTPS for phones: a local certificate authority, a server certificate, and a TLS front door.

Phone browsers open the camera only on a secure origin. The show's own CA (created once, kept
beside the database) signs a certificate for every name and LAN address of the server; staff install
the CA root on the booth phones once (docs/tls.md). Kiosks on the LAN keep using plain HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
# Apple devices refuse server certificates valid for more than 398 days.
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)


def tls_dir(settings) -> Path:
    """Where the CA and the server certificate live: beside the database."""
    return Path(settings.db_path).parent / "tls"


def ca_cert_path(settings) -> Path:
    """The CA root certificate that staff install on phones."""
    return tls_dir(settings) / "ca.pem"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ensure_ca(settings) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The show's CA, created on first use."""
    directory = tls_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{settings.event_id} kiosk"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.event_id} local CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def server_names(settings, host: str) -> tuple[list[str], list[str]]:
    """DNS names and IP addresses the certificate must cover."""
    dns = {"localhost", socket.gethostname()}
    ips = {"127.0.0.1"}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            ips.add(info[4][0])
    except OSError:
        pass
    try:
        # The address of the interface a LAN packet would leave by; nothing is sent.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            ips.add(probe.getsockname()[0])
    except OSError:
        pass
    extra = settings.extra.get("tls", {}).get("names", [])
    for name in [host, *extra]:
        if not name or name in ("0.0.0.0", "::"):
            continue
        try:
            ips.add(str(ipaddress.ip_address(name)))
        except ValueError:
            dns.add(name)
    return sorted(dns), sorted(ips)


def _covers(cert: x509.Certificate, dns: list[str], ips: list[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have_dns = set(san.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    fresh = cert.not_valid_after_utc - _now() > RENEW_BEFORE
    return fresh and set(dns) <= have_dns and set(ips) <= have_ips


def ensure_server_certificate(settings, host: str) -> tuple[str, str]:
    """A server certificate for every name of this machine, signed by the show's CA.

    Reused while it covers the current names and is not about to expire; returns the paths of
    the certificate chain and the key.
    """
    ca_cert, ca_key = ensure_ca(settings)
    directory = tls_dir(settings)
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    dns, ips = server_names(settings, host)
    if cert_path.exists() and key_path.exists():
        current = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        if _covers(current, dns, ips):
            return str(cert_path), str(key_path)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    san = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(
        serialization.Encoding.PEM
    )
    cert_path.write_bytes(chain)
    return str(cert_path), str(key_path)


class TlsFrontDoor:
    """Accepts HTTPS on one port and passes the bytes to the plain-HTTP server in this process.

    One asyncio loop in a daemon thread serves every phone connection, WebSocket upgrades
    included, so the app and its Socket.IO rooms stay one.
    """

    def __init__(
        self,
        certfile: str,
        keyfile: str,
        host: str,
        port: int,
        upstream_port: int,
        *,
        handshake_timeout: float = 60.0,
        hand_over: Callable[[socket.socket, tuple, tuple], None] | None = None,
    ):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(certfile, keyfile)
        self.host, self.port, self.upstream_port = host, port, upstream_port
        self.handshake_timeout = handshake_timeout
        # Given the worker's end of a socket pair and the phone's address, the server treats the
        # connection as one of its own (header timeout, per-address cap); otherwise the door
        # connects to upstream_port over loopback.
        self.hand_over = hand_over
        self.ready = threading.Event()

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _upstream(self, peer) -> tuple:
        if self.hand_over is None:
            return await asyncio.open_connection("127.0.0.1", self.upstream_port)
        ours, theirs = socket.socketpair()
        try:
            reader, writer = await asyncio.open_unix_connection(sock=ours)
        except OSError:
            theirs.close()
            raise
        self.hand_over(theirs, tuple(peer or ("", 0))[:2], (self.host, self.port))
        return reader, writer

    async def _handle(self, client_reader, client_writer) -> None:
        try:
            up_reader, up_writer = await self._upstream(client_writer.get_extra_info("peername"))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, up_writer), self._pipe(up_reader, client_writer)
        )

    async def _serve(self) -> None:
        server = await asyncio.start_server(
            self._handle,
            self.host,
            self.port,
            ssl=self.context,
            ssl_handshake_timeout=self.handshake_timeout,
            reuse_address=True,
        )
        self.ready.set()
        async with server:
            await server.serve_forever()

    def start(self) -> None:
        """Serve in a daemon thread."""
        thread = threading.Thread(
            target=asyncio.run, args=(self._serve(),), name="tls-front-door", daemon=True
        )
        thread.start()
