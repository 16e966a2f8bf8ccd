"""How fast mentorctl's SMTP sender takes messages over a plain connection with its standby
process (mentorctl/mail/standby.py), against the standard library's own client on the same
local server (aiosmtpd), in the same run. Writing a message's final "." on its own must not
wait for the server to acknowledge the rest of the data (Nagle's algorithm against a delayed
acknowledgement: some 40 ms a message on Linux).

Usage: python benchmarks/bench_delivery_pace.py [--messages 50] [--target 5] [--json]
Prints both paces and their ratio; exits 1 when the ratio is over the target.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import socket
import sys
import tempfile
import time
from email.headerregistry import Address
from pathlib import Path

from aiosmtpd.controller import Controller

from mentorctl.mail import delivery


class _Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def _data(n: int) -> bytes:
    return f"Message-ID: <w{n}.token@example.org>\r\nSubject: Week 1\r\n\r\nHello\r\n".encode()


def stdlib_pace(port: int, count: int) -> float:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("team@example.org", ["ana@example.org"], _data(0))
        start = time.perf_counter()
        for n in range(1, count):
            smtp.sendmail("team@example.org", ["ana@example.org"], _data(n))
        return time.perf_counter() - start


def mentorctl_pace(port: int, count: int, data_dir: Path) -> float:
    settings = delivery.SmtpSettings("127.0.0.1", port, "none", "", "X", 1_000_000)
    sender = delivery.SmtpSender(settings, None)
    sender.open()
    journal = delivery.Journal(data_dir)
    journal.ready()
    team = Address(addr_spec="team@example.org")
    people = {"P1": Address(addr_spec="ana@example.org")}
    try:
        start = 0.0
        for n in range(count):
            if n == 1:
                start = time.perf_counter()
            data = _data(100 + n)
            delivery.deliver(sender, team, people, data, lambda d=data: d, journal=journal,
                             key=f"M1-weekly-w{n:02d}", at="2026-03-02T09:00:00+00:00")  # fmt: skip
        return time.perf_counter() - start
    finally:
        sender.close()
        journal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--target", type=float, default=5.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with socket.socket() as probe:  # a free port: aiosmtpd's controller needs one named
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        base = stdlib_pace(port, args.messages)
        with tempfile.TemporaryDirectory() as folder:
            ours = mentorctl_pace(port, args.messages, Path(folder))
    finally:
        controller.stop()
    ratio = ours / base if base else float("inf")
    if args.json:
        print(json.dumps({"smtplib_s": base, "mentorctl_s": ours, "ratio": ratio,
                          "target": args.target, "ok": ratio <= args.target}))  # fmt: skip
        return 0 if ratio <= args.target else 1
    print(f"smtplib: {base * 1000:.1f} ms for {args.messages - 1} messages")
    print(f"mentorctl (plain connection, standby): {ours * 1000:.1f} ms")
    print(
        f"ratio: {ratio:.2f}x (target {args.target:g}x): {'ok' if ratio <= args.target else 'MISSED'}"
    )
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
