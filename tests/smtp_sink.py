"""A tiny real SMTP server for the LoketMail tests (Tests/LoketMailTests/SMTPServerProcess.swift).

It listens on 127.0.0.1 on a free port, prints `PORT <n>` on one line once it accepts
connections, and saves each accepted message in DIR as `<n>.eml` (the DATA bytes exactly as
received, after dot-unstuffing) beside `<n>.json` (`{"from": ..., "to": [...]}`). It stops on
SIGTERM or when its standard input closes, so a test that dies does not leave it running.

    smtp_sink.py --dir DIR [--port N] [--starttls CERT KEY | --implicit-tls CERT KEY]
                 [--require-auth USER PASS [--auth-mechanism PLAIN|LOGIN]]
                 [--reject-rcpt CODE] [--reject-data CODE] [--verbose]
    smtp_sink.py --dir DIR --mute                accepts connections and never answers
    smtp_sink.py --write-self-signed CERT KEY    (a certificate for 127.0.0.1 and localhost)

Built on aiosmtpd's SMTP protocol with a plain asyncio server rather than its Controller,
because the Controller cannot listen on port 0 (it connects back to the configured port).
"""
import argparse
import asyncio
import datetime
import json
import logging
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# The answer text each rejecting code carries, so a test can look for it in the thrown error.
ANSWERS = {
    "421": "421 4.3.2 Service shutting down, try later",
    "450": "450 4.2.1 Mailbox busy, try later",
    "451": "451 4.3.0 Local error in processing, try later",
    "452": "452 4.3.1 Insufficient system storage",
    "550": "550 5.1.1 Mailbox unavailable: no such user here",
    "552": "552 5.3.4 Message size exceeds fixed limit",
    "553": "553 5.1.3 Mailbox name not allowed",
    "554": "554 5.7.1 Transaction failed: message refused as spam",
}


def answer(code):
    return ANSWERS.get(code, f"{code} Refused by the test server")


class Sink:
    """Saves messages; answers RCPT and DATA with a configured code when asked to."""

    def __init__(self, folder, reject_rcpt, reject_data):
        self.folder = folder
        self.reject_rcpt = reject_rcpt
        self.reject_data = reject_data
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return answer(self.reject_rcpt)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data:
            return answer(self.reject_data)
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        with open(base + ".json.tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        # The .json appears last, so a reader that sees it sees the whole message.
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Message accepted for delivery"


def write_self_signed(cert_path, key_path):
    """A self-signed certificate (also its own CA) for 127.0.0.1 and localhost, valid one day."""
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loket test SMTP server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    with open(key_path, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def serve(args):
    loop = asyncio.get_running_loop()
    sink = Sink(args.dir, args.reject_rcpt, args.reject_data)
    options = {}
    if args.starttls:
        options["tls_context"] = tls_context(*args.starttls)
    if args.require_auth:
        user, password = (s.encode() for s in args.require_auth)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data == (user, password)
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
        if args.auth_mechanism:
            options["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m != args.auth_mechanism]
    implicit = tls_context(*args.implicit_tls) if args.implicit_tls else None

    if args.mute:
        factory = asyncio.Protocol  # keeps each connection open and says nothing
    else:
        def factory():
            return SMTP(sink, hostname="sink.test", loop=loop, **options)
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port, ssl=implicit, reuse_address=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: os.read(sys.stdin.fileno(), 4096) or stop.set())
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()


def main():
    parser = argparse.ArgumentParser(description="A test SMTP server that saves what it accepts.")
    parser.add_argument("--dir", help="folder for the accepted messages")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS")
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"), help="TLS from the first byte")
    parser.add_argument("--require-auth", nargs=2, metavar=("USER", "PASS"), help="AUTH, after STARTTLS")
    parser.add_argument("--auth-mechanism", choices=["PLAIN", "LOGIN"], help="offer only this one")
    parser.add_argument("--reject-rcpt", metavar="CODE", help="answer every RCPT TO with CODE")
    parser.add_argument("--reject-data", metavar="CODE", help="answer the end of DATA with CODE")
    parser.add_argument("--mute", action="store_true", help="accept connections, never answer")
    parser.add_argument("--verbose", action="store_true", help="log sessions and their errors on stderr")
    parser.add_argument("--write-self-signed", nargs=2, metavar=("CERT", "KEY"),
                        help="write a certificate for 127.0.0.1 and exit")
    args = parser.parse_args()
    if args.write_self_signed:
        write_self_signed(*args.write_self_signed)
        return
    if not args.dir:
        parser.error("--dir is required")
    if not args.verbose:
        # Failed handshakes and refused logins are what the tests provoke: no tracebacks for them.
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
