"""The suppression list: addresses of people who asked to be forgotten, never imported again.

A forgotten person is still in last week's form export; without this list the next import
would bring them back and the next run would email them. The list holds no personal data:
each entry is an HMAC-SHA256 of the address (NFC-normalised, lower-cased) under a secret
key of the workspace, so the list alone does not tell whose addresses it holds, nor can a
guessed address be checked against it without the key.

Somebody forgotten is forgotten by the whole workspace: the list is the workspace's, in
``.mentorctl/suppressed.json`` (0600, written atomically under its own lock), and every
import of every program, a program made after the forget included, reads it. The key lives
beside it in ``.mentorctl/suppression.key`` (0600), made on first need; the list keeps a
check value of the key it was made with: a list and a key that do not belong together are
refused, never passed over.

Older workspaces kept a list per program (``PROGRAM/data/suppressed.json``). Those are still
read (an address on any of them is suppressed), and the first write of the workspace's list
moves their entries into it and removes them. Both sit in the store layer because sign-ups
(which skip such rows) and safety (which fills the list) both read it.
"""

from __future__ import annotations

import hmac
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import orjson

from mentorctl.errors import StoreError
from mentorctl.fileio import (
    atomic_write_bytes,
    ensure_private_dir,
    publish_key,
)
from mentorctl.store import addresses
from mentorctl.store.db import _exclusive_lock as exclusive_lock
from mentorctl.store.workspace import MARKER_DIR

FORMAT = 1
KEY_FILE = "suppression.key"
LIST_FILE = "suppressed.json"
KEY_BYTES = 32
KEY_CHECK_INPUT = b"mentorctl suppression key check"
# The store's fact naming the key a program's forgets were listed under.
STORE_META = "suppression_key_check"


def canonical_address(email: str) -> str:
    """The form an address is hashed in: one spelling per address, however it was typed."""
    return addresses.spellings(email)[0]


@dataclass(frozen=True)
class SuppressionList:
    list_path: Path
    key_path: Path
    # The per-program lists of older workspaces: read with this one, emptied into it on write.
    older: tuple[Path, ...] = ()

    @classmethod
    def of_workspace(cls, root: Path) -> SuppressionList:
        """The list of the workspace at ``root``, with the older per-program lists in it."""
        marker = root / MARKER_DIR
        older = tuple(sorted(root.glob(f"*/data/{LIST_FILE}")))
        return cls(marker / LIST_FILE, marker / KEY_FILE, older)

    @classmethod
    def for_store(cls, store_path: Path) -> SuppressionList:
        """The list of the workspace of the store ``store_path`` (``WS/PROGRAM/data/store.json``)."""
        return cls.of_workspace(store_path.parent.parent.parent)

    # -- reading ---------------------------------------------------------------------------

    def _read(self) -> tuple[set[str], list[tuple[Path, str | None]]]:
        """The hashes of the workspace's list and of the older lists, and for each file read
        the check value of the key it was made with (None in a list made before lists kept
        one)."""
        hashes: set[str] = set()
        checks: list[tuple[Path, str | None]] = []
        for path in (self.list_path, *self.older):
            found = _read_list(path)
            if found is not None:
                hashes |= found[0]
                checks.append((path, found[1]))
        return hashes, checks

    def matcher(self) -> Matcher | None:
        """What tells suppressed addresses apart, or None when nobody is suppressed."""
        hashes, checks = self._read()
        if not hashes:
            return None
        return Matcher(self._verified_key(checks, create=False), hashes)

    def _verified_key(self, checks: list[tuple[Path, str | None]], *, create: bool) -> bytes:
        """The workspace's key, which must be the one every list read was made with.

        A list whose hashes were made under another key (the key file replaced, or a program
        folder moved from another workspace) would recognise nobody: every forgotten person
        could be imported again. That is refused, never passed over.
        """
        key = self._key(create=create)
        if key is None:
            raise StoreError(
                "the suppression list's key is missing; forgotten people cannot be recognised",
                file=self.key_path,
                hint="restore the key from a backup of the workspace",
            )
        for path, check in checks:
            if check is not None and not hmac.compare_digest(check, key_check(key)):
                raise StoreError(
                    "the suppression list was made with another key than this workspace's "
                    f"{KEY_FILE}; forgotten people cannot be recognised",
                    file=path,
                    hint=f"restore {self.key_path} from a backup, or run the program from the "
                    "workspace it was made in",
                )
        return key

    def check_program(self, recorded: str | None, store_path: Path) -> None:
        """Refuse a program whose forgets were listed under another key than the workspace's.

        ``recorded`` is the key check value a program's store keeps once it has forgotten
        somebody (:data:`STORE_META`). A program folder copied from another workspace leaves
        that workspace's list behind: the people it forgot would be imported again.
        """
        if recorded is None:
            return
        key = self._key(create=False)
        if key is None or not hmac.compare_digest(recorded, key_check(key)):
            raise StoreError(
                "this program forgot people whose addresses are on a suppression list made "
                f"with another key than this workspace's {KEY_FILE} (or the key is missing); "
                "forgotten people cannot be recognised",
                file=store_path,
                hint=f"restore {self.key_path} from a backup, or run the program from the "
                "workspace it was made in",
            )

    def key_check(self) -> str:
        """The check value of the workspace's key (made on first need)."""
        hashes, checks = self._read()
        return key_check(self._verified_key(checks, create=not hashes and not checks))

    # -- changing --------------------------------------------------------------------------

    def add(self, email: str) -> bool:
        """Suppress ``email``; whether it was not suppressed before."""
        with self._locked():
            hashes, checks = self._read()
            # A new key only for a new list: a list made under a key that is gone needs it.
            key = self._verified_key(checks, create=not hashes and not checks)
            digest = _digest(key, email)
            if digest in hashes:
                return False
            self._save(hashes | {digest}, key)
            return True

    def contains(self, email: str) -> bool:
        matcher = self.matcher()
        return matcher is not None and matcher.suppressed(email)

    def lift(self, email: str, *, dry_run: bool = False) -> bool:
        """Let ``email`` be imported again; whether it was suppressed."""
        matcher = self.matcher()
        if matcher is None or not matcher.suppressed(email):
            return False
        if not dry_run:
            with self._locked():
                matcher = self.matcher()  # as it is now, under the lock
                if matcher is not None:
                    self._save(matcher.hashes - set(matcher.digests(email)), matcher.key)
        return True

    def _locked(self) -> AbstractContextManager[None]:
        """The list's own lock: two forgets at once (from two programs) both stay listed."""
        return exclusive_lock(self.list_path.with_name(self.list_path.name + ".lock"))

    def _save(self, hashes: set[str], key: bytes) -> None:
        """Write the workspace's list whole, then remove the older lists it now holds."""
        ensure_private_dir(self.list_path.parent)
        payload = orjson.dumps(
            {"format": FORMAT, "key_check": key_check(key), "hashes": sorted(hashes)}
        )
        try:
            atomic_write_bytes(self.list_path, payload + b"\n")
        except OSError as exc:
            raise StoreError(
                f"cannot write the suppression list: {exc.strerror}", file=self.list_path
            ) from exc
        for path in self.older:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                # Still read with the workspace's list, so nothing is lost; a lifted address
                # on it would stay suppressed, so that is said.
                raise StoreError(
                    f"cannot remove an older suppression list: {exc.strerror}", file=path
                ) from exc

    def _key(self, *, create: bool) -> bytes | None:
        try:
            key = self.key_path.read_bytes()
        except FileNotFoundError:
            if not create:
                return None
            key = self._make_key()
        except OSError as exc:
            raise StoreError(
                f"cannot read the suppression key: {exc.strerror}", file=self.key_path
            ) from exc
        if len(key) != KEY_BYTES:
            raise StoreError("the suppression key is damaged", file=self.key_path)
        return key

    def _make_key(self) -> bytes:
        """A new key, published whole: a second process making one at once uses the first's."""
        key = publish_key(self.key_path, KEY_BYTES, what="the suppression key")
        return key if key is not None else self.key_path.read_bytes()


def _read_list(path: Path) -> tuple[set[str], str | None] | None:
    """One list file's hashes and key check value; None when there is no such file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read the suppression list: {exc.strerror}", file=path) from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("hashes"), list)
        or not all(isinstance(h, str) for h in data["hashes"])
        or not isinstance(data.get("key_check", ""), str)
    ):
        raise StoreError("the suppression list is not valid", file=path)
    return set(data["hashes"]), data.get("key_check")


@dataclass(frozen=True)
class Matcher:
    key: bytes
    hashes: set[str]

    def suppressed(self, email: str) -> bool:
        return any(digest in self.hashes for digest in self.digests(email))

    def digests(self, email: str) -> list[str]:
        """The hashes ``email`` may be listed under: earlier versions hashed an
        internationalised domain as it was typed, so its ``xn--`` spelling counts too."""
        return [_hash(self.key, spelling) for spelling in addresses.spellings(email)]


def key_check(key: bytes) -> str:
    """A value that tells keys apart without telling anything of the key."""
    return hmac.digest(key, KEY_CHECK_INPUT, "sha256").hex()[:32]


def _digest(key: bytes, email: str) -> str:
    return _hash(key, canonical_address(email))


def _hash(key: bytes, spelling: str) -> str:
    # hmac.digest: the one-shot C path, several times faster than hmac.new per address.
    return hmac.digest(key, spelling.encode("utf-8"), "sha256").hex()
