"""The suppression list: addresses of people who asked to be forgotten, never imported again.

A forgotten person is still in last week's form export; without this list the next import
would bring them back and the next run would email them. The list holds no personal data:
each entry is an HMAC-SHA256 of the address (NFC-normalised, lower-cased) under a secret
key of the workspace, so the list alone does not tell whose addresses it holds, nor can a
guessed address be checked against it without the key.

The key lives in the workspace's ``.mentorctl/suppression.key`` (0600), made on first need;
the list in the program's ``data/suppressed.json``, with a check value of the key it was made
with: a list and a key that do not belong together are refused, never passed over. Both sit in the store layer because
sign-ups (which skip such rows) and safety (which fills the list) both read it.
"""

from __future__ import annotations

import hmac
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
from mentorctl.store.workspace import MARKER_DIR

FORMAT = 1
KEY_FILE = "suppression.key"
LIST_FILE = "suppressed.json"
KEY_BYTES = 32
KEY_CHECK_INPUT = b"mentorctl suppression key check"


def canonical_address(email: str) -> str:
    """The form an address is hashed in: one spelling per address, however it was typed."""
    return addresses.spellings(email)[0]


@dataclass(frozen=True)
class SuppressionList:
    list_path: Path
    key_path: Path

    @classmethod
    def for_store(cls, store_path: Path) -> SuppressionList:
        """The list of the program whose store is ``store_path`` (``WS/PROGRAM/data/store.json``)."""
        data_dir = store_path.parent
        return cls(data_dir / LIST_FILE, data_dir.parent.parent / MARKER_DIR / KEY_FILE)

    # -- reading ---------------------------------------------------------------------------

    def _read(self) -> tuple[set[str], str | None]:
        """The list's hashes and the check value of the key they were made with (None in a
        list made before lists kept one)."""
        try:
            raw = self.list_path.read_bytes()
        except FileNotFoundError:
            return set(), None
        except OSError as exc:
            raise StoreError(
                f"cannot read the suppression list: {exc.strerror}", file=self.list_path
            ) from exc
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
            raise StoreError("the suppression list is not valid", file=self.list_path)
        return set(data["hashes"]), data.get("key_check")

    def matcher(self) -> Matcher | None:
        """What tells suppressed addresses apart, or None when nobody is suppressed."""
        hashes, check = self._read()
        if not hashes:
            return None
        return Matcher(self._verified_key(check, create=False), hashes)

    @classmethod
    def for_workspace(cls, store_path: Path) -> Matcher | None:
        """What tells apart the addresses suppressed in any program of the workspace of the
        store ``store_path``: a person forgotten before a program (a new round) was made is
        not imported into it either. Every list is checked against the workspace's key."""
        root = store_path.parent.parent.parent
        found: Matcher | None = None
        for list_path in sorted(root.glob(f"*/data/{LIST_FILE}")):
            one = cls(list_path, root / MARKER_DIR / KEY_FILE).matcher()
            if one is not None:
                found = one if found is None else Matcher(found.key, found.hashes | one.hashes)
        return found

    def _verified_key(self, check: str | None, *, create: bool) -> bytes:
        """The workspace's key, which must be the one the list was made with.

        A list whose hashes were made under another key (the key file replaced, or the program
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
        if check is not None and not hmac.compare_digest(check, key_check(key)):
            raise StoreError(
                "the suppression list was made with another key than this workspace's "
                f"{KEY_FILE}; forgotten people cannot be recognised",
                file=self.list_path,
                hint=f"restore {self.key_path} from a backup, or run the program from the "
                "workspace it was made in",
            )
        return key

    # -- changing --------------------------------------------------------------------------

    def add(self, email: str) -> bool:
        """Suppress ``email``; whether it was not suppressed before."""
        hashes, check = self._read()
        # A new key only for a new list: a list made under a key that is gone needs that key.
        key = self._verified_key(check, create=not hashes and check is None)
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
            self._save(matcher.hashes - set(matcher.digests(email)), matcher.key)
        return True

    def _save(self, hashes: set[str], key: bytes) -> None:
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
