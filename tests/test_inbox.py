"""Reading replies from Maildir, mbox and a real IMAP server (Dovecot): bytes, no side effects,
--move-to, and one-line errors that carry no password, address or message content."""

from __future__ import annotations

import email
import io
import mailbox
import os
import re
import signal
import stat
import time
import tracemalloc
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_server import DovecotServer, dovecot_fixture, free_port  # noqa: F401  (fixture)

from mentorctl.errors import ConfigError, InputError, MentorctlError, UsageError
from mentorctl.mail import bounded
from mentorctl.mail import imap as imap_source
from mentorctl.mail.inbox import open_source
from mentorctl.mail.source import read_incoming

PASSWORD_ENV = "MENTORCTL_IMAP_PASSWORD"


def reply(n: int, *, body: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Person {n} <person{n}@example.org>"
    msg["To"] = "mentoring@example.org"
    msg["Subject"] = f"Re: Week 3 check-in ({n})"
    msg["Message-ID"] = f"<reply-{n}@example.org>"
    msg.set_content(body or f"Reply number {n}.\nWe met on Tuesday.\n")
    return msg.as_bytes()


def one_line(exc: pytest.ExceptionInfo[MentorctlError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and "\n" not in (exc.value.hint or "")
    assert "example.org" not in text and "Reply number" not in text  # no addresses or content
    return text


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- Maildir -------------------------------------------------------------------------------


@pytest.fixture
def maildir(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    sent = {box.add(reply(n)): reply(n) for n in range(4)}
    # One message already read in a mail client: it lives in cur/ with flags.
    key = sorted(sent)[1]
    msg = box.get_message(key)
    msg.set_subdir("cur")
    msg.set_flags("S")
    box[key] = msg
    sent[key] = box.get_bytes(key)
    box.close()
    return tmp_path / "Maildir", sent


def test_maildir_reads_every_message_lazily_and_changes_nothing(maildir, monkeypatch) -> None:
    path, sent = maildir
    before = snapshot(path)
    reads: list[Path] = []
    original = Path.open

    def counting(self: Path, *args, **kwargs):
        reads.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    with open_source(str(path)) as inbox:
        assert inbox.kind == "maildir"
        stream = inbox.messages()
        first = next(stream)
        assert len(reads) == 1  # one message read so far, not the folder
        got = [first, *stream]
    monkeypatch.undo()
    assert [m.key for m in got] == sorted(sent)
    assert {m.key: m.raw for m in got} == sent
    assert snapshot(path) == before
    assert len(os.listdir(path / "new")) == 3


def test_maildir_move_to_moves_exactly_those_keys(maildir) -> None:
    path, sent = maildir
    keys = sorted(sent)
    with open_source(str(path)) as inbox:
        assert inbox.move([keys[0], keys[1], "no-such-key"], "Done") == 2
        assert {m.key for m in inbox.messages()} == {keys[2], keys[3]}
    done = path / ".Done"
    assert (done / "maildirfolder").exists()
    moved = mailbox.Maildir(done, create=False)
    assert {k: moved.get_bytes(k) for k in moved.iterkeys()} == {k: sent[k] for k in keys[:2]}
    # The read message kept its place in cur/ and its flags.
    assert [name.split(":")[0] for name in os.listdir(done / "cur")] == [keys[1]]
    assert os.listdir(done / "cur")[0].endswith(":2,S")


def test_maildir_subfolder_moves_to_a_sibling_folder(tmp_path: Path) -> None:
    root = mailbox.Maildir(tmp_path / "Maildir", create=True)
    replies = root.add_folder("Replies")
    key = replies.add(reply(1))
    with open_source(str(tmp_path / "Maildir" / ".Replies")) as inbox:
        assert inbox.move([key], "Done") == 1
    assert root.get_folder("Done").get_bytes(key) == reply(1)
    assert not (tmp_path / "Maildir" / ".Replies" / ".Done").exists()


@pytest.mark.parametrize("folder", ["", "../elsewhere", ".hidden", "a/b", "bad*"])
def test_maildir_refuses_folder_names_that_escape(maildir, folder: str) -> None:
    path, _sent = maildir
    with open_source(str(path)) as inbox, pytest.raises(UsageError) as exc:
        inbox.move([], folder)
    assert "as a mail folder name" in one_line(exc)


def test_a_missing_path_or_a_plain_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        open_source(str(tmp_path / "nowhere"))
    assert one_line(exc) == f"{tmp_path / 'nowhere'}: the reply source does not exist"
    (tmp_path / "plain").mkdir()
    with pytest.raises(InputError) as exc:
        open_source(str(tmp_path / "plain"))
    assert "not a Maildir folder" in one_line(exc)


# --- mbox ----------------------------------------------------------------------------------


@pytest.fixture
def mbox(tmp_path: Path) -> tuple[Path, list[bytes]]:
    path = tmp_path / "replies.mbox"
    box = mailbox.mbox(path)
    sent = [reply(n) for n in range(5)]
    for raw in sent:
        box.add(raw)
    box.close()
    return path, sent


def test_mbox_reads_every_message_lazily_and_changes_nothing(mbox, monkeypatch) -> None:
    path, sent = mbox
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    reads: list[object] = []
    original = mailbox.mbox.get_file

    def counting(self, key, *args, **kwargs):
        reads.append(key)
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(mailbox.mbox, "get_file", counting)
    with open_source(str(path)) as inbox:
        assert inbox.kind == "mbox"
        stream = inbox.messages()
        first = next(stream)
        assert reads == [0]
        got = [first, *stream]
    assert [m.raw for m in got] == sent
    assert [m.key for m in got] == ["0", "1", "2", "3", "4"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(os.listdir(path.parent)) == ["replies.mbox"]  # no lock or temp files left


def test_mbox_move_to_appends_to_a_sibling_file_and_removes(mbox) -> None:
    path, sent = mbox
    with open_source(str(path)) as inbox:
        keys = [m.key for m in inbox.messages()]
        assert inbox.move([keys[0], keys[3]], "Done") == 2
        assert [m.raw for m in inbox.messages()] == [sent[1], sent[2], sent[4]]
    done = path.parent / "Done"
    assert stat.S_IMODE(done.stat().st_mode) == 0o600
    assert [m.raw for m in open_source(str(done)).messages()] == [sent[0], sent[3]]
    # A second move appends after what is there.
    with open_source(str(path)) as inbox:
        list(inbox.messages())
        assert inbox.move(["0"], "Done") == 1
    assert [m.raw for m in open_source(str(done)).messages()] == [sent[0], sent[3], sent[1]]
    assert sorted(os.listdir(path.parent)) == ["Done", "replies.mbox"]


def test_mbox_changed_since_read_moves_nothing(mbox) -> None:
    path, _sent = mbox
    with open_source(str(path)) as inbox:
        list(inbox.messages())
        other = mailbox.mbox(path)  # another mail program deletes the first message
        other.lock()
        other.remove(0)
        other.flush()
        other.close()
        changed = path.read_bytes()
        with pytest.raises(InputError) as exc:
            inbox.move(["1"], "Done")
    assert "the mbox file changed since it was read; nothing was moved" in one_line(exc)
    assert path.read_bytes() == changed
    assert not (path.parent / "Done").exists()


def test_mbox_keys_must_come_from_reading_it(mbox) -> None:
    path, _sent = mbox
    with open_source(str(path)) as inbox, pytest.raises(UsageError) as exc:
        inbox.move(["0"], "Done")
    assert "keys read from the same open mbox" in one_line(exc)


def test_a_file_that_is_not_an_mbox_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("\n\nDear team,\nFrom the start...\n")
    with pytest.raises(InputError) as exc:
        open_source(str(notes))
    assert (
        one_line(exc) == f'{notes}: not an mbox file (its first line does not start with "From ")'
    )
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"\n")
    assert list(open_source(str(empty)).messages()) == []


# --- IMAP ----------------------------------------------------------------------------------


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def fill(server: DovecotServer, user: str, messages: list[tuple[bytes, str]]) -> None:
    client = server.connect(user)
    for raw, flags in messages:
        assert client.append("INBOX", flags or None, None, raw)[0] == "OK"
    client.logout()


def folder_state(server: DovecotServer, user: str, folder: str) -> dict[int, tuple[bytes, str]]:
    """UID -> (message, flags), read without changing anything."""
    client = server.connect(user)
    typ, _ = client.select(f'"{imap_source.imap_utf7(folder)}"', readonly=True)
    assert typ == "OK", folder
    state: dict[int, tuple[bytes, str]] = {}
    _typ, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0])[1])
            flags = re.search(rb"FLAGS \(([^)]*)\)", item[0])[1].decode()
            state[uid] = (item[1], " ".join(sorted(flags.replace("\\Recent", "").split())))
    client.logout()
    return state


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> str:
    user = dovecot.new_user()
    fill(dovecot, user, [(reply(1), ""), (reply(2), r"(\Seen)"), (reply(3), ""), (reply(4), "")])
    return user


def open_imap(server: DovecotServer, user: str, folder: str = "INBOX", **kwargs):
    kwargs.setdefault("environ", {PASSWORD_ENV: server.password})
    kwargs.setdefault("cafile", server.cafile)
    return open_source(server.url(user, folder), **kwargs)


def test_imap_reads_every_message_in_batches_and_marks_nothing_seen(
    dovecot, imap_user, monkeypatch
) -> None:
    before = folder_state(dovecot, imap_user, "INBOX")
    monkeypatch.setattr(imap_source, "FETCH_COUNT", 3)
    with open_imap(dovecot, imap_user) as inbox:
        assert inbox.kind == "imap"
        fetches: list[tuple] = []
        original = inbox._imap.uid

        def recording(command, *args):
            fetches.append(args)
            return original(command, *args)

        monkeypatch.setattr(inbox._imap, "uid", recording)
        stream = inbox.messages()
        first = next(stream)
        assert [a[0] for a in fetches] == ["1:*", "1:3"]  # sizes, then one batch only
        got = [first, *stream]
        assert [a[0] for a in fetches] == ["1:*", "1:3", "4"]
    assert [m.key for m in got] == ["1", "2", "3", "4"]
    assert [m.raw for m in got] == [crlf(reply(n)) for n in (1, 2, 3, 4)]
    after = folder_state(dovecot, imap_user, "INBOX")
    assert after == before
    assert [flags for _raw, flags in after.values()] == ["", "\\Seen", "", ""]


def test_imap_a_large_message_is_fetched_a_piece_at_a_time(dovecot, monkeypatch) -> None:
    user = dovecot.new_user()
    big = crlf(_with_attachment(3 * 1024 * 1024))
    fill(dovecot, user, [(reply(1), ""), (big, ""), (reply(3), "")])
    monkeypatch.setattr(imap_source, "FETCH_BYTES", 100_000)
    monkeypatch.setattr(imap_source, "PIECE", 64 * 1024)
    with open_imap(dovecot, user) as inbox:
        stream = inbox.messages()
        got = [next(stream)]
        tracemalloc.start()
        got.append(next(stream))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        got += list(stream)
    assert [m.key for m in got] == ["1", "2", "3"]
    whole = read_incoming("2", io.BytesIO(big))
    assert (got[1].raw, got[1].size, got[1].fingerprint) == (
        whole.raw,
        len(big),
        bounded.fingerprint_of(big),
    )
    assert [got[0].raw, got[2].raw] == [crlf(reply(1)), crlf(reply(3))]
    assert peak < 1024 * 1024  # pieces of 64 KB, never the 4 MB message


def test_imap_move_to_moves_exactly_those_uids(dovecot, imap_user) -> None:
    with open_imap(dovecot, imap_user) as inbox:
        assert "MOVE" in inbox._caps
        assert inbox.move(["1", "3", "99"], "Done") == 2
        assert [m.key for m in inbox.messages()] == ["2", "4"]
    done = folder_state(dovecot, imap_user, "Done")
    assert [raw for raw, _flags in done.values()] == [crlf(reply(1)), crlf(reply(3))]
    assert [flags for _raw, flags in done.values()] == ["", ""]  # moved, still unread
    assert sorted(folder_state(dovecot, imap_user, "INBOX")) == [2, 4]


@pytest.mark.parametrize("without", [{"MOVE"}, {"MOVE", "UIDPLUS"}])
def test_imap_move_without_move_copies_and_expunges(dovecot, imap_user, without) -> None:
    client = dovecot.connect(imap_user)  # the user deleted message 4 in a client, unexpunged
    client.select("INBOX")
    client.uid("STORE", "4", "+FLAGS", r"(\Deleted)")
    client.logout()
    with open_imap(dovecot, imap_user) as inbox:
        inbox._caps -= without
        assert inbox.move(["2"], "Réponses") == 1
    moved = folder_state(dovecot, imap_user, "Réponses")
    assert [raw for raw, _flags in moved.values()] == [crlf(reply(2))]
    left = sorted(folder_state(dovecot, imap_user, "INBOX"))
    # UID EXPUNGE (UIDPLUS) leaves the user's own deleted message alone; plain EXPUNGE cannot.
    assert left == ([1, 3, 4] if "UIDPLUS" not in without else [1, 3])


def test_imap_empty_folder_and_moving_into_itself(dovecot, imap_user) -> None:
    client = dovecot.connect(imap_user)
    client.create("Empty")
    client.logout()
    with open_imap(dovecot, imap_user, "Empty") as inbox:
        assert list(inbox.messages()) == []
    with open_imap(dovecot, imap_user) as inbox, pytest.raises(UsageError) as exc:
        inbox.move(["1"], "inbox")
    assert one_line(exc) == "cannot move messages into the folder they are read from"


def test_imap_wrong_password_is_one_line_without_the_password(dovecot, imap_user) -> None:
    user = f"{imap_user}@example.org"
    with pytest.raises(ConfigError) as exc:
        open_imap(dovecot, user, environ={PASSWORD_ENV: "not-the-Secret-42"})
    text = one_line(exc)
    assert text == f"the IMAP server localhost:{dovecot.port} refused the login"
    assert "not-the-Secret-42" not in text + exc.value.hint


def test_imap_certificate_that_does_not_verify(dovecot, imap_user) -> None:
    with pytest.raises(ConfigError) as exc:
        open_imap(dovecot, imap_user, cafile=None)
    text = one_line(exc)
    assert text.startswith(
        f"the certificate of the IMAP server localhost:{dovecot.port} does not verify"
    )
    assert "--cafile FILE" in exc.value.hint
    # The right CA but the wrong name: the host name is checked too.
    url = f"imaps://{imap_user}@127.0.0.1:{dovecot.port}/INBOX"
    with pytest.raises(ConfigError) as exc:
        open_source(url, cafile=dovecot.cafile, environ={PASSWORD_ENV: dovecot.password})
    assert "does not verify" in one_line(exc) and "127.0.0.1" in str(exc.value)


def test_imap_missing_folder(dovecot, imap_user) -> None:
    with pytest.raises(InputError) as exc:
        open_imap(dovecot, imap_user, "Nope")
    assert one_line(exc) == f"the IMAP folder 'Nope' does not exist on localhost:{dovecot.port}"


def test_imap_password_is_asked_for_when_not_in_the_environment(dovecot, imap_user) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return dovecot.password

    with open_imap(dovecot, imap_user, environ={}, ask=ask) as inbox:
        assert len(list(inbox.messages())) == 4
    assert prompts == [f"IMAP password for {imap_user} at localhost:{dovecot.port}: "]


def test_no_imap_password_names_the_variable() -> None:
    with pytest.raises(ConfigError) as exc:
        open_source("imaps://someone@localhost/INBOX", environ={})
    assert one_line(exc) == f"no IMAP password: the environment variable {PASSWORD_ENV} is not set"


def test_imap_connection_refused() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(InputError) as exc:
        open_source(f"imaps://someone@127.0.0.1:{port}/INBOX", environ={PASSWORD_ENV: "x"})
    assert (
        one_line(exc) == f"cannot connect to the IMAP server 127.0.0.1:{port} (connection refused)"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("imap://someone@localhost/INBOX", "plain imap:// is refused"),
        ("imaps://someone:hunter2@localhost/INBOX", "password must not be written in SOURCE"),
        ("imaps://localhost/INBOX", "needs a user and a host"),
        ("imaps://someone@localhost:99999/INBOX", "port in the IMAP SOURCE is not a number"),
        ("pop3://someone@localhost/", "cannot read replies from a pop3:// source"),
    ],
)
def test_malformed_sources_are_refused(source: str, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        open_source(source, environ={PASSWORD_ENV: "x"})
    assert message in one_line(exc)
    assert "hunter2" not in str(exc.value) + (exc.value.hint or "")


def test_uid_sets_and_folder_names() -> None:
    assert imap_source.uid_set([9, 1, 2, 3, 7, 10, 2]) == "1:3,7,9:10"
    assert imap_source.imap_utf7("Réponses & co") == "R&AOk-ponses &- co"


# --- reading within bounds -----------------------------------------------------------------


def _with_attachment(size: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "ann@example.org"
    msg["Message-ID"] = "<r1@example.net>"
    msg.set_content("1. yes\n2. 4\n")
    msg.add_alternative("<p>1. yes</p>", subtype="html")
    msg.add_attachment(b"\xff" * size, maintype="image", subtype="jpeg", filename="a.jpg")
    inner = EmailMessage()
    inner["Message-ID"] = "<original@example.org>"
    inner.set_content("the original, with its own attachment\n" * 100)
    msg.add_attachment(inner)
    return msg.as_bytes()


def _nested(depth: int) -> bytes:
    head = b"From: a@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n"
    body = b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i)
        for i in range(1, depth)
    )
    body += b"--b%d\nContent-Type: text/plain\n\n1. yes\n" % (depth - 1)
    body += b"".join(b"--b%d--\n" % i for i in range(depth - 1, -1, -1))
    return head + body


def test_a_message_without_attachments_is_read_byte_for_byte() -> None:
    msg = EmailMessage()
    msg["From"] = "ann@example.org"
    msg.set_content("1. yes\n")
    msg.add_alternative("<p>1. yes</p>", subtype="html")
    for raw in (msg.as_bytes(), _nested(bounded.MAX_DEPTH), b"no headers at all\n", b""):
        incoming = read_incoming("k", io.BytesIO(raw))
        assert (incoming.raw, incoming.size, incoming.unreadable) == (raw, len(raw), "")
        assert incoming.fingerprint == bounded.fingerprint_of(raw)


def test_attachments_are_passed_over_and_the_text_kept() -> None:
    raw = _with_attachment(2 * 1024 * 1024)
    incoming = read_incoming("k", io.BytesIO(raw))
    assert incoming.size == len(raw) and incoming.fingerprint == bounded.fingerprint_of(raw)
    assert len(incoming.raw) < 3000
    msg = email.message_from_bytes(incoming.raw, policy=policy.default)
    assert msg.get_body(("plain",)).get_content() == "1. yes\n2. 4\n"
    kinds = [part.get_content_type() for part in msg.walk()]
    assert kinds[-3:] == ["image/jpeg", "message/rfc822", "text/plain"]
    attached = list(msg.iter_attachments())
    assert attached[0].get_payload() == ""  # left out, never decoded
    inner = attached[1].get_payload(0)  # its headers only
    assert (inner["Message-ID"], inner.get_content()) == ("<original@example.org>", "")


def test_a_part_over_the_part_limit_is_left_out() -> None:
    msg = EmailMessage()
    msg.set_content("x" * 70 + "\n")
    raw = msg.as_bytes().replace(b"x" * 70 + b"\n", (b"x" * 70 + b"\n") * 20_000)
    assert len(raw) > bounded.MAX_PART
    incoming = read_incoming("k", io.BytesIO(raw))
    assert not incoming.unreadable and incoming.size == len(raw)
    assert incoming.raw.endswith(b"\n\n")  # the headers and the blank line


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (_nested(bounded.MAX_DEPTH + 1), "nested too deep"),
        (_nested(1000), "nested too deep"),
        (b"Content-Type: multipart/mixed; boundary=b\n\n" + b"--b\n\nx\n" * 1001, "too many parts"),
        (b"Subject: " + b"x" * (bounded.MAX_HEADERS + 1) + b"\n\nbody\n", "headers too large"),
    ],
    ids=["depth", "deep", "parts", "headers"],
)
def test_a_message_past_a_bound_is_unreadable(raw: bytes, reason: str) -> None:
    assert read_incoming("k", io.BytesIO(raw)).unreadable == reason


def test_a_line_without_end_costs_no_more_than_a_chunk(tmp_path: Path) -> None:
    path = tmp_path / "one-line"
    with path.open("wb") as f:
        f.write(b"Content-Type: image/png\nContent-Disposition: attachment\n\n")
        f.write(b"A" * (20 * 1024 * 1024))
    with path.open("rb") as f:
        tracemalloc.start()
        incoming = read_incoming("k", f)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert incoming.size == path.stat().st_size and not incoming.unreadable
    assert peak < 2 * bounded.SMALL + 4 * bounded.CHUNK


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.close()
    huge = tmp_path / "Maildir" / "new" / "1.big"
    with huge.open("wb") as f:
        f.truncate(bounded.MAX_MESSAGE + 1)
    [incoming] = list(open_source(str(tmp_path / "Maildir")).messages())
    assert (incoming.key, incoming.unreadable, incoming.raw) == ("1.big", "too large", b"")
    mbox = tmp_path / "big.mbox"
    with mbox.open("wb") as f:
        f.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n")
        f.write((b"x" * 1023 + b"\n") * (bounded.MAX_MESSAGE // 1024 + 1))
    [incoming] = list(open_source(str(mbox)).messages())
    assert incoming.unreadable == "too large"


def test_whatever_a_reader_raises_is_unreadable_with_its_kind_only() -> None:
    with pytest.raises(bounded.Unreadable) as exc:
        bounded.guarded(int, "secret-text")
    assert exc.value.reason == "cannot be read (ValueError)"

    def deep(n: int) -> int:
        return deep(n + 1)

    with pytest.raises(bounded.Unreadable) as exc:
        bounded.guarded(deep, 0)
    assert exc.value.reason == "nested too deep"


def test_a_reader_that_runs_on_is_stopped(monkeypatch) -> None:
    monkeypatch.setattr(bounded, "MAX_SECONDS", 0.05)

    def spin() -> None:
        end = time.monotonic() + 120  # a way out if the limit failed: the test then fails
        while time.monotonic() < end:
            pass

    with pytest.raises(bounded.Unreadable) as exc:
        bounded.guarded(spin)
    assert exc.value.reason == "took too long to read"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
