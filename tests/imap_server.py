"""A real IMAP server for tests: Debian's Dovecot on 127.0.0.1, imaps only, self-signed.

``dovecot`` is a module-scoped fixture (import it into a test module) that yields a
:class:`DovecotServer`; ``running_dovecot()`` is the same as a context manager. The server
runs in the foreground (``dovecot -c FILE -F``) from a private folder holding its config,
certificate, sockets, state and mail, and is stopped by killing that one process.

Any user name logs in with :attr:`DovecotServer.password` (static passdb) and gets its own
Maildir, so tests isolate themselves by asking :meth:`DovecotServer.new_user` for a fresh
name instead of restarting the server. Connect to ``localhost``: the certificate's CN.

When ``dovecot`` or ``openssl`` is missing, or the server does not come up, the fixture
skips the tests with the reason (``-ra`` prints it in the summary); it never fails them.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

READY_TIMEOUT = 10.0
HOST = "localhost"  # the certificate's CN; the server listens on 127.0.0.1

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = mentorctl-test
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {mail_group}
first_valid_uid = 1
first_valid_gid = 1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain
# Tests log in wrongly on purpose: no 2 s delay per failure, no growing per-IP penalty.
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%n
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%n
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


@dataclass
class DovecotServer:
    """A running Dovecot: where it listens and how to reach a user's mail."""

    root: Path
    port: int
    password: str = "test-secret"
    host: str = HOST
    _users: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def cafile(self) -> Path:
        return self.root / "cert.pem"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def new_user(self) -> str:
        """A user name no test has used yet: an empty mailbox of its own."""
        return f"user{next(self._users)}"

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user

    def url(self, user: str, folder: str = "INBOX") -> str:
        return f"imaps://{user}@{self.host}:{self.port}/{folder}"

    def connect(self, user: str) -> imaplib.IMAP4_SSL:
        """A logged-in client that trusts the server's certificate."""
        context = ssl.create_default_context(cafile=str(self.cafile))
        imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=10)
        imap.login(user, self.password)
        return imap


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accounts() -> tuple[str, str, str, str]:
    """(login user, internal user, mail user, mail group) for this machine."""
    if os.geteuid() != 0:
        # Unprivileged Dovecot cannot switch users: everything runs as us.
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return me, me, me, group
    for name in ("dovenull", "dovecot"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            pytest.skip(f"Dovecot IMAP tests skipped: no '{name}' system user")
    # Login processes refuse to run as root and mail must belong to a non-root uid.
    return "dovenull", "dovecot", "dovecot", "dovecot"


def _log_tail(root: Path) -> str:
    """The last error Dovecot wrote: config errors go to stderr, later ones to the log."""
    lines: list[str] = []
    for name in ("stderr.log", "dovecot.log"):
        with contextlib.suppress(OSError):
            lines += (root / name).read_text(errors="replace").splitlines()
    errors = [line for line in lines if "Fatal" in line or "Error" in line]
    return (errors or lines or ["nothing logged"])[-1][:200]


def _wait_ready(proc: subprocess.Popen[bytes], port: int, cafile: Path) -> bool:
    """True once an IMAP greeting arrives over verified TLS: an open port is not enough."""
    context = ssl.create_default_context(cafile=str(cafile))
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imaplib.IMAP4_SSL(HOST, port, ssl_context=context, timeout=1).logout()
            return True
        time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()  # the master stops its own children on SIGTERM
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def running_dovecot() -> Iterator[DovecotServer]:
    """Start Dovecot for the duration of the block, or ``pytest.skip`` with the reason."""
    dovecot = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/sbin/dovecot") if os.access(p, os.X_OK)), None
    )
    openssl = shutil.which("openssl")
    if not dovecot or not openssl:
        missing = "dovecot" if not dovecot else "openssl"
        pytest.skip(
            f"Dovecot IMAP tests skipped: {missing} is not installed (apt-get install dovecot-imapd)"
        )
    login_user, internal_user, mail_user, mail_group = _accounts()
    # Not tmp_path: pytest's base folder is 0700 and root's, and Dovecot's mail processes run
    # as the dovecot user, which must traverse every parent of the mail folder.
    root = Path(tempfile.mkdtemp(prefix="mentorctl-dovecot-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        root.chmod(0o755)
        key, cert = root / "key.pem", root / "cert.pem"
        made = subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "2",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            capture_output=True,
            timeout=60,
        )
        if made.returncode != 0:
            pytest.skip("Dovecot IMAP tests skipped: openssl could not make a certificate")
        mail = root / "mail"
        mail.mkdir()
        (root / "home").mkdir()
        for folder in (mail, root / "home"):
            shutil.chown(folder, mail_user, mail_group)
        for _attempt in range(3):  # a port picked as free can be taken before Dovecot binds it
            port = free_port()
            config = root / "dovecot.conf"
            config.write_text(
                _CONFIG.format(
                    root=root,
                    port=port,
                    password=DovecotServer.password,
                    login_user=login_user,
                    internal_user=internal_user,
                    mail_user=mail_user,
                    mail_group=mail_group,
                )
            )
            with (root / "stderr.log").open("wb") as stderr:
                proc = subprocess.Popen(
                    [dovecot, "-c", str(config), "-F"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            if _wait_ready(proc, port, cert):
                break
            exited = proc.poll() is not None
            _stop(proc)
            proc = None
            reason = (
                "dovecot exited at start" if exited else f"no answer within {READY_TIMEOUT:g} s"
            )
            reason += f" ({_log_tail(root)})"
            if "in use" not in reason:
                break
        if proc is None:
            pytest.skip(f"Dovecot IMAP tests skipped: {reason}")
        yield DovecotServer(root=root, port=port)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module", name="dovecot")
def dovecot_fixture() -> Iterator[DovecotServer]:
    """One Dovecot per test module; tests use :meth:`DovecotServer.new_user` to stay apart."""
    with running_dovecot() as server:
        yield server
