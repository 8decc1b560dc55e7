"""A local stand-in for CloudFormation's pre-signed ResponseURL: an HTTPS server on 127.0.0.1 that records
every response a custom resource PUTs. crhelper only speaks HTTPS, so the server has a self-signed
certificate, and `SSL_CERT_FILE` points clients at it."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOCALHOST = "127.0.0.1"


class ResponseRecorder:
    def __init__(self, url: str, ca_file: Path) -> None:
        self.url = url
        self.ca_file = ca_file
        self.responses: list[dict[str, Any]] = []
        self._arrived = threading.Condition()

    def record(self, response: dict[str, Any]) -> None:
        with self._arrived:
            self.responses.append(response)
            self._arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The responses so far, once `count` have arrived or `timeout` seconds have passed."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.responses) >= count, timeout)
            return list(self.responses)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOCALHOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOCALHOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@contextmanager
def response_server(directory: Path) -> Iterator[ResponseRecorder]:
    cert_file, key_file = self_signed_certificate(directory)
    recorder: ResponseRecorder

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            recorder.record({"path": self.path, **json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: pytest shows what the tests assert."""

    server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    recorder = ResponseRecorder(f"https://{LOCALHOST}:{server.server_address[1]}/cfn-response", cert_file)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
