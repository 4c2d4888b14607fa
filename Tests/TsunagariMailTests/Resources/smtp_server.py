#!/usr/bin/env python3
"""A real SMTP server on a free loopback port for the mail client's tests.

Started by the Swift tests as a subprocess; every mode binds 127.0.0.1 port 0 and, once it
listens, writes the port number to --ready-file. Modes:

  plain        aiosmtpd, no TLS, no AUTH: accepts every message.
  starttls     aiosmtpd requiring STARTTLS (a self-signed certificate generated with openssl into
               --cert-dir) and AUTH (PLAIN and LOGIN, or LOGIN alone with --login-only) before MAIL.
  tls          aiosmtpd behind implicit TLS (port 465 style) with the same certificate and AUTH.
  no-starttls  aiosmtpd that offers no STARTTLS.
  no-ehlo      aiosmtpd that answers EHLO with 502, so the client must fall back to HELO.
  bounce       aiosmtpd that rejects recipients whose local part is "nouser" (550 5.1.1) or
               "busy" (451 4.3.0), accepting the others.
  drop         a bare asyncio server that greets and closes the connection after the command
               named by --drop-after (ehlo, data: the DATA command, content: the message's final dot).
  silent       a bare asyncio server that accepts connections and never says anything
               (--greet: greets, then never answers a command); each connection adds a line to
               --mail-dir/connections.log.

Each message accepted is written to --mail-dir as N.eml (the content as received, after the
server removed dot-stuffing) and then N.json: the envelope, the TLS and AUTH state of the
session, and the message as Python's email package reads it (an independent MIME decoder).
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
from email import policy
from email.parser import BytesParser

import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd warns about AUTH without STARTTLS in the implicit-TLS mode (where all is encrypted anyway).
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")


def write_atomically(path, data):
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def describe(raw):
    """The message as an independent MIME parser sees it."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    def header(name):
        value = message[name]
        return None if value is None else str(value)

    def addresses(name):
        value = message[name]
        return [] if value is None else [[a.display_name, a.addr_spec] for a in value.addresses]

    date = message["date"]
    return {
        "subject": header("subject"),
        "from_addresses": addresses("from"),
        "to_addresses": addresses("to"),
        "date": header("date"),
        "date_parsed": date.datetime.isoformat() if date is not None and date.datetime else None,
        "message_id": header("message-id"),
        "mime_version": header("mime-version"),
        "content_type": message.get_content_type(),
        "parts": parts,
        "defects": [repr(d) for d in message.defects]
        + [repr(d) for part in message.walk() for d in part.defects],
    }


class Recorder:
    def __init__(self, mail_dir, mode):
        self.mail_dir = mail_dir
        self.mode = mode
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if self.mode == "bounce" and local == "nouser":
            return "550 5.1.1 No such user"
        if self.mode == "bounce" and local == "busy":
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.mail_dir, str(self.count))
        raw = envelope.original_content
        write_atomically(base + ".eml", raw)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # STARTTLS sets session.ssl; implicit TLS shows only on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "parsed": describe(raw),
        }
        write_atomically(base + ".json", json.dumps(record, ensure_ascii=False, indent=1).encode())
        return "250 2.0.0 Message accepted for delivery"


class Authenticator:
    def __init__(self, username, password):
        self.username = username.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd itself answers a failure with 535 5.7.8.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class NoEHLO(SMTP):
    async def smtp_EHLO(self, hostname):
        await self.push("502 5.5.1 EHLO not implemented here")


def make_certificate(cert_dir, name):
    cert = os.path.join(cert_dir, "cert.pem")
    key = os.path.join(cert_dir, "key.pem")
    san = f"subjectAltName=DNS:{name}" + (",IP:127.0.0.1" if name == "localhost" else "")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", f"/CN={name}", "-addext", san,
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def drop_server(reader, writer, after):
    writer.write(b"220 drop.test ESMTP\r\n")
    await writer.drain()
    in_data = False
    while True:
        line = await reader.readline()
        if not line:
            break
        if in_data:
            if line == b".\r\n":
                break  # "content": close instead of answering the final dot
            continue
        verb = line.split(b" ", 1)[0].strip().upper()
        if verb in (b"EHLO", b"HELO"):
            if after == "ehlo":
                break
            writer.write(b"250-drop.test\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            if after == "data":
                break
            writer.write(b"354 go ahead\r\n")
            in_data = True
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def silent_server(reader, writer, greet, mail_dir):
    if mail_dir:
        with open(os.path.join(mail_dir, "connections.log"), "a") as log:
            log.write("connected\n")
    if greet:
        writer.write(b"220 silent.test ESMTP\r\n")
        await writer.drain()
    # Never answer; just keep the connection open until the client goes away.
    while await reader.read(4096):
        pass
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=[
        "plain", "starttls", "tls", "no-starttls", "no-ehlo", "bounce", "drop", "silent"])
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--mail-dir")
    parser.add_argument("--cert-dir")
    parser.add_argument("--cert-name", default="localhost")
    parser.add_argument("--username", default="recruiter@example.test")
    parser.add_argument("--password", default="correct horse")
    parser.add_argument("--login-only", action="store_true")
    parser.add_argument("--drop-after", choices=["ehlo", "data", "content"], default="ehlo")
    parser.add_argument("--greet", action="store_true")
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    server_ssl = None
    if args.mode == "drop":
        factory = lambda: asyncio.StreamReaderProtocol(  # noqa: E731
            asyncio.StreamReader(), lambda r, w: drop_server(r, w, args.drop_after))
    elif args.mode == "silent":
        factory = lambda: asyncio.StreamReaderProtocol(  # noqa: E731
            asyncio.StreamReader(), lambda r, w: silent_server(r, w, args.greet, args.mail_dir))
    else:
        recorder = Recorder(args.mail_dir, args.mode)
        options = {"hostname": "mail.test", "ident": "Tsunagari test SMTP"}
        smtp_class = SMTP
        if args.mode in ("starttls", "tls"):
            context = make_certificate(args.cert_dir, args.cert_name)
            options.update(
                auth_required=True,
                # aiosmtpd counts only STARTTLS as TLS; under implicit TLS every byte is encrypted anyway.
                auth_require_tls=args.mode == "starttls",
                authenticator=Authenticator(args.username, args.password),
                auth_exclude_mechanism=["PLAIN"] if args.login_only else [],
            )
            if args.mode == "starttls":
                options.update(tls_context=context, require_starttls=True)
            else:
                server_ssl = context
        elif args.mode == "no-ehlo":
            smtp_class = NoEHLO
        factory = lambda: smtp_class(recorder, **options)  # noqa: E731

    server = await loop.create_server(factory, host="127.0.0.1", port=0, ssl=server_ssl)
    port = server.sockets[0].getsockname()[1]
    write_atomically(args.ready_file, str(port).encode())
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    # A parent may start this with signals blocked; let SIGTERM and SIGINT stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
