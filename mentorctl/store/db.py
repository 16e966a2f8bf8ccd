"""The store: one TinyDB database per program, kept safe across processes.

TinyDB's own JSON storage rewrites the file in place on every operation and takes no
lock, so two mentorctl processes (an admin at the terminal and a cron job) could
corrupt it. This module is the only one that imports tinydb, and it changes that:

- the file is read once when a command opens the store; every TinyDB operation then
  works on memory, and the command's changes are written once, at ``commit()``;
- a write replaces the file atomically (temp file, fsync, rename), so readers never see a
  half-written store and a killed writer leaves the old one intact;
- a writing command holds an exclusive lock for its whole duration; a second writer waits
  up to ``MENTORCTL_LOCK_TIMEOUT`` seconds and then fails with :class:`StoreLockedError`;
- the store and its lock file are created with mode 0600 inside a 0700 directory;
- the data carries a schema version, and older stores are migrated on open
  (see :mod:`mentorctl.store.migrations`);
- what is read is checked, every record's fields included, before any command uses it
  (see :mod:`mentorctl.store.loading` and :mod:`mentorctl.store.records`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mentorctl.errors import StoreError, StoreLockedError
from mentorctl.fileio import (
    PRIVATE_FILE_MODE,
    atomic_write_bytes,
    atomic_write_chunks,
    ensure_private_dir,
    remove_stale_temp_files,
)
from mentorctl.gcpause import paused_gc
from mentorctl.store import loading, migrations, records

if TYPE_CHECKING:
    from tinydb.table import Table

DEFAULT_LOCK_TIMEOUT = 10.0
KEEP_BACKUPS = 10
LOCK_POLL_SECONDS = 0.05
# Documents serialised at a time when writing: pieces of a few MB, written while the next is made.
DOCUMENTS_PER_PIECE = 10_000


@dataclass
class SerialisedDocuments:
    """Documents with consecutive ids as the store writes them: JSON, in pieces.

    A bulk import reads part of a file in a forked process. When the table they go into is
    empty, that process can give its documents their ids and serialise them itself; keeping
    them as JSON until the store is written spares decoding them only to encode them again.
    """

    first_id: int
    count: int
    # Each the members of a JSON object, without its braces (views of another process's
    # result, or bytes).
    pieces: list[bytes | memoryview]

    def decode(self) -> dict[str, dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for piece in self.pieces:
            docs.update(orjson.loads(b"{" + piece + b"}"))
        return docs


def serialise_documents(docs: list[dict[str, Any]], first_id: int) -> SerialisedDocuments:
    """``docs`` under ids from ``first_id`` on, serialised as :meth:`Store.commit` would."""
    pieces: list[bytes | memoryview] = []
    for start in range(0, len(docs), DOCUMENTS_PER_PIECE):
        chunk = docs[start : start + DOCUMENTS_PER_PIECE]
        numbered = {str(first_id + start + n): doc for n, doc in enumerate(chunk)}
        pieces.append(memoryview(orjson.dumps(numbered))[1:-1])  # a view: no copy
    return SerialisedDocuments(first_id, len(docs), pieces)


class _MemoryStorage:
    """TinyDB storage holding the whole database in memory between open and commit.

    TinyDB's tables only ever call ``read`` and ``write`` on their storage, so this needs no
    base class, and a command that never queries a table (an import) never loads TinyDB.

    The file is read on first use, not on open, so a command that turns out to have nothing
    to change never pays for loading a large store. ``read`` hands TinyDB the live dict (no
    copy): copying 100,000 documents per operation is what makes the default storage slow.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self.writable = writable
        self._data: migrations.Tables | None = None
        self.migrated: list[str] = []
        self.dirty = False
        # Tables whose first documents are still the JSON another process made of them.
        self.serialised: dict[str, SerialisedDocuments] = {}

    @property
    def data(self) -> migrations.Tables:
        if self._data is None:
            data, identity = loading.load(self.path)
            if identity is not None and identity == loading.checked_identity(self.path):
                self._data = data  # the file mentorctl itself wrote or checked last
                return data
            loading.check_tables(self.path, data)
            if migrations.pending(data):
                try:
                    self.migrated = migrations.migrate(data)
                except (TypeError, ValueError, AttributeError, KeyError) as exc:
                    raise StoreError(
                        f"the store cannot be brought to schema version "
                        f"{migrations.SCHEMA_VERSION}: a record holds a value of the wrong type",
                        file=self.path,
                        hint="restore it from a backup in data/backups/",
                    ) from exc
                self.dirty = True
            loading.check_records(self.path, data)
            if records.raise_counters(data):
                self.dirty = True
            if identity is not None and self.writable and not self.dirty:
                loading.record_checked(self.path, identity)  # under the lock: no other writer now
            self._data = data
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def read(self) -> dict[str, dict[str, Any]]:
        for table in list(self.serialised):
            self.documents(table)
        return self.data

    def documents(self, table: str) -> dict[str, dict[str, Any]]:
        docs = self.data.get(table, {})
        sent = self.serialised.pop(table, None)
        if sent is not None:
            decoded = sent.decode()
            decoded.update(docs)
            docs = self.data[table] = decoded
        return docs

    def next_doc_id(self, table: str) -> int:
        docs = self.data.get(table, {})
        sent = self.serialised.get(table)
        last = sent.first_id + sent.count - 1 if sent is not None else 0
        return max(last, max(map(int, docs), default=0)) + 1

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self.dirty = True


def _lock_timeout() -> float:
    raw = os.environ.get("MENTORCTL_LOCK_TIMEOUT")
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        return max(0.0, float(raw))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


class Store:
    """A program's store, opened for reading or for one writing command.

    Use :meth:`reading` or :meth:`writing` as context managers. Inside ``writing``, changes
    reach the disk only when the block ends without an exception (or ``commit`` is called),
    and never at all when ``dry_run`` is set.
    """

    def __init__(self, path: Path, *, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._storage = _MemoryStorage(path, writable=writable)
        self.backup = False

    @property
    def migrated(self) -> list[str]:
        """The migrations applied on loading (loading first if needed)."""
        _ = self._storage.data
        return self._storage.migrated

    def identity(self) -> tuple[int, int, int] | None:
        """What identifies this version of the store file: a commit always changes it.

        Derived files (such as an import's row index) record it to know whether they still
        describe the store, without loading the store to find out.
        """
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def reading(cls, path: Path) -> Iterator[Store]:
        """Open the store read-only; no lock is needed since writers replace the file atomically."""
        if not path.exists():
            raise StoreError("no store here yet", file=path, hint="run 'mentorctl init-program'")
        yield cls(path, writable=False)

    @classmethod
    @contextlib.contextmanager
    def writing(
        cls, path: Path, *, dry_run: bool = False, create: bool = False, backup: bool = False
    ) -> Iterator[Store]:
        """Open the store for one command's writes, holding the lock until the block ends.

        With ``backup`` (destructive commands), the version being replaced is first copied to
        ``backups/`` beside the store; the newest :data:`KEEP_BACKUPS` copies are kept.
        """
        if not create and not path.exists():
            raise StoreError("no store here yet", file=path, hint="run 'mentorctl init-program'")
        ensure_private_dir(path.parent)
        with _exclusive_lock(path.with_name(path.name + ".lock")):
            remove_stale_temp_files(path)
            store = cls(path, writable=True)
            store.backup = backup
            if create and not path.exists():
                store._storage.dirty = True
            yield store
            if not dry_run:
                store.commit()

    # -- tables ----------------------------------------------------------------------------

    def table(self, name: str) -> Table:
        from tinydb.table import Table

        # A new Table each time: TinyDB caches the next document id per instance, which
        # insert_many would otherwise leave stale.
        return Table(self._storage, name, cache_size=0)  # type: ignore[arg-type]

    # TinyDB's bulk calls copy every document and rebuild the whole table twice per call; for
    # an import of 100,000 people that costs more than the rest of the work. These work on
    # the live documents instead: read them freely, change them only through these methods.

    def documents(self, table: str) -> dict[str, dict[str, Any]]:
        """The live documents of ``table`` by document id (as stored: a string)."""
        return self._storage.documents(table)

    def index(self, table: str, field: str) -> dict[Any, tuple[int, dict[str, Any]]]:
        """``{value of field: (doc_id, document)}`` over a whole table."""
        return {doc.get(field): (int(i), doc) for i, doc in self.documents(table).items()}

    def insert_many(self, table: str, docs: list[dict[str, Any]]) -> list[int]:
        """Append ``docs`` (which the store then owns) under new document ids, in one pass."""
        start = self._storage.next_doc_id(table)
        raw = self._storage.data.setdefault(table, {})
        ids = list(range(start, start + len(docs)))
        raw.update(zip(map(str, ids), docs, strict=True))
        self._storage.dirty = True
        return ids

    def next_doc_id(self, table: str) -> int:
        """The id the next document of ``table`` will get (for :func:`serialise_documents`)."""
        return self._storage.next_doc_id(table)

    def insert_serialised(self, table: str, docs: SerialisedDocuments) -> None:
        """Put documents serialised elsewhere into ``table``, empty until now, as they are."""
        if self._storage.data.get(table) or table in self._storage.serialised:
            raise ValueError(f"table '{table}' is not empty")
        if docs.first_id != self._storage.next_doc_id(table):
            raise ValueError(f"documents for '{table}' start at the wrong id")
        self._storage.data.setdefault(table, {})
        self._storage.serialised[table] = docs
        self._storage.dirty = True

    def update_many(self, table: str, changes: dict[int, dict[str, Any]]) -> None:
        """Apply ``{doc_id: {field: value}}`` to existing documents, in one pass."""
        if not changes:
            return
        raw = self._storage.documents(table)
        for doc_id, fields in changes.items():
            raw[str(doc_id)].update(fields)
        self._storage.dirty = True

    @property
    def meta(self) -> dict[str, Any]:
        return self._storage.data[migrations.META_TABLE][migrations.META_ID]

    def set_meta(self, name: str, value: Any) -> None:
        """Record ``value`` as the store's fact ``name``; written with the next commit."""
        if self.meta.get(name) != value:
            self.meta[name] = value
            self._storage.dirty = True

    @property
    def schema_version(self) -> int:
        return int(self.meta["schema_version"])

    def next_id(self, counter: str, prefix: str) -> str:
        """A new id such as ``P17``; ids are never reused, even after a person is forgotten."""
        return self.next_ids(counter, prefix, 1)[0]

    def next_ids(self, counter: str, prefix: str, count: int) -> list[str]:
        """``count`` new ids in one step, for bulk inserts."""
        first = self.take_numbers(counter, count)
        return [prefix + str(n) for n in range(first, first + count)]

    def next_number(self, counter: str) -> int:
        """The number the next id of ``counter`` will have; nothing is taken."""
        return int(self.meta.get("counters", {}).get(counter, 0)) + 1

    def take_numbers(self, counter: str, count: int) -> int:
        """Take ``count`` numbers of ``counter`` in one step; the first of them."""
        first = self.next_number(counter)
        self.meta.setdefault("counters", {})[counter] = first + count - 1
        self._storage.dirty = True
        return first

    @property
    def dirty(self) -> bool:
        return self._storage.dirty

    # -- writing ---------------------------------------------------------------------------

    def commit(self) -> bool:
        """Write all changes in one atomic replace; return whether anything was written."""
        if not self.writable:
            raise StoreError("the store was opened read-only", file=self.path)
        if not self._storage.dirty:
            return False
        try:
            if self.backup:
                self._back_up()
                self.backup = False  # one copy per command, of the version it started from
            with paused_gc():
                pieces = _serialised(self._storage.data, self._storage.serialised)
                atomic_write_chunks(self.path, pieces, PRIVATE_FILE_MODE)
        except OSError as exc:
            raise StoreError(f"cannot write the store: {exc.strerror}", file=self.path) from exc
        self._storage.dirty = False
        with contextlib.suppress(OSError):
            loading.record_checked(self.path, loading.identity_of(os.stat(self.path)))
        return True

    def _back_up(self) -> None:
        if not self.path.exists():
            return
        folder = self.path.parent / "backups"
        ensure_private_dir(folder)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time_ns() % 10**9:09d}"
        atomic_write_bytes(
            folder / f"store-{stamp}.json", self.path.read_bytes(), PRIVATE_FILE_MODE
        )
        for old in sorted(folder.glob("store-*.json"))[:-KEEP_BACKUPS]:
            old.unlink()


def _serialised(
    data: migrations.Tables, sent: dict[str, SerialisedDocuments]
) -> Iterator[bytes | memoryview]:
    """The JSON of the store (the same bytes as one ``orjson.dumps``), in pieces of a few MB.

    The large pieces are views, not copies, and the commas between them pieces of their own.
    """
    if not data:
        yield b"{}"
        return
    for number, (name, table) in enumerate(data.items()):
        yield (b"," if number else b"{") + orjson.dumps(name) + b":{"
        for n, piece in enumerate(_members(table, sent.get(name))):
            if n:
                yield b","
            yield piece
        yield b"}"
    yield b"}"


def _members(
    table: dict[str, dict[str, Any]], sent: SerialisedDocuments | None
) -> Iterator[bytes | memoryview]:
    """The members of a table's JSON object, in pieces; the documents sent come first (their
    ids come before those of the table's other documents)."""
    if sent is not None:
        yield from sent.pieces
    docs = iter(table.items())
    while piece := dict(itertools.islice(docs, DOCUMENTS_PER_PIECE)):
        yield memoryview(orjson.dumps(piece))[1:-1]


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` for the block.

    A lock file deleted while a writer holds it would let the next writer create and lock a
    new file at the same path while the first still runs. So the folder holding the store is
    locked too (a folder that holds the store cannot simply be deleted), and after taking the
    file's lock the path must still name the locked file, else it is locked again.
    """
    timeout = _lock_timeout()
    deadline = time.monotonic() + timeout
    dir_fd = _open_lock_file(lock_path.parent, directory=True)
    try:
        _wait_for_lock(dir_fd, lock_path, deadline, timeout)
        while True:
            fd = _open_lock_file(lock_path)
            try:
                _wait_for_lock(fd, lock_path, deadline, timeout)
                if _still_names(lock_path, fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
        try:
            yield
        finally:
            os.close(fd)  # closing a descriptor releases its flock
    finally:
        os.close(dir_fd)


def _open_lock_file(lock_path: Path, *, directory: bool = False) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY if directory else os.O_RDWR | os.O_CREAT
    try:
        return os.open(lock_path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise StoreError(
            f"cannot open the store's lock: {exc.strerror}",
            file=lock_path,
            hint="it must be a file (or folder) you can read and write",
        ) from None


def _still_names(lock_path: Path, fd: int) -> bool:
    try:
        named = os.stat(lock_path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_ino, named.st_dev) == (held.st_ino, held.st_dev)


def _wait_for_lock(fd: int, lock_path: Path, deadline: float, timeout: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise StoreError(f"cannot lock the store: {exc.strerror}", file=lock_path) from None
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"another mentorctl command is writing to this program's store "
                    f"(waited {timeout:g} s)",
                    file=lock_path.with_suffix(""),
                    hint="try again when it has finished",
                ) from exc
            time.sleep(LOCK_POLL_SECONDS)
