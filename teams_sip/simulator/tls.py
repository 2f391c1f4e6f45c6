"""Certificates made at start-up: a throw-away CA, a server certificate for loopback, and the
app registration's client certificate. Clients trust the simulator through the CA file only."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_NO_ENCRYPTION = serialization.NoEncryption()


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path
    server_cert: Path
    server_key: Path
    app_cert: Path
    app_key: Path
    app_thumbprint: str  # SHA-1, upper-case hex, as the Entra portal shows it
    app_public_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _NO_ENCRYPTION)


def make_tls_files(folder: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> TlsFiles:
    """Writes CA, server and app credentials as PEM files into `folder` (a fresh temp dir)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("teams-sip simulator CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    app_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    app_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("teams-sip app"))
        .issuer_name(_name("teams-sip app"))
        .public_key(app_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .sign(app_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = TlsFiles(
        ca_bundle=folder / "ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server-key.pem",
        app_cert=folder / "app-cert.pem",
        app_key=folder / "app-key.pem",
        app_thumbprint=hashlib.sha1(app_cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper(),  # noqa: S324
        app_public_pem=app_cert.public_bytes(pem),
    )
    files.ca_bundle.write_bytes(ca_cert.public_bytes(pem))
    files.server_cert.write_bytes(server_cert.public_bytes(pem))
    files.server_key.write_bytes(_key_pem(server_key))
    files.app_cert.write_bytes(app_cert.public_bytes(pem))
    files.app_key.write_bytes(_key_pem(app_key))
    for private in (files.server_key, files.app_key):
        private.chmod(0o600)
    return files


def thumbprints(cert_pem: bytes) -> tuple[str, str]:
    """(SHA-1, SHA-256) of a certificate, lower-case hex: what x5t and x5t#S256 carry."""
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest(), hashlib.sha256(der).hexdigest()  # noqa: S324
