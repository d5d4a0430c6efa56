"""A real SMTP server for the tests (tests/common/smtp.rs starts it).

    python3 tests/support/smtp_server.py PORT MAILDIR [--delay-ms MS]

Listens on 127.0.0.1:PORT (aiosmtpd, no TLS, no AUTH) and stores every accepted message in the
Maildir MAILDIR. Recipients whose local part starts with "reject" are refused for good at RCPT
(550), those starting with "tempfail" for now (451), so tests can see how each is handled. With
--delay-ms, each message is stored and answered only after MS milliseconds, as a slow server
would, so a test can stop a sender mid-way.
Prints one "ready" line on stdout once it accepts connections, then runs until killed or until
its standard input closes (the test process that started it has gone, however it ended).
"""

import argparse
import asyncio
import mailbox
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir, delay):
        self.maildir = maildir
        self.delay = delay
        # Maildir.add is not meant to be called from several threads at once.
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.maildir.add(envelope.original_content or envelope.content)
        return "250 2.0.0 OK: queued"


def main():
    args = argparse.ArgumentParser()
    args.add_argument("port", type=int)
    args.add_argument("maildir")
    args.add_argument("--delay-ms", type=int, default=0)
    args = args.parse_args()
    port = args.port
    handler = Handler(mailbox.Maildir(args.maildir, create=True), args.delay_ms / 1000)
    # start() returns once the server answers on the port.
    Controller(handler, hostname="127.0.0.1", port=port).start()
    print(f"ready smtp://127.0.0.1:{port}", flush=True)
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
