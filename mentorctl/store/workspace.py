"""Finding the workspace and the files of each program in it.

A workspace is a folder holding a ``.mentorctl/`` marker and one folder per program::

    workspace/
      .mentorctl/workspace.json
      career-2026/
        program.yaml          the admin edits this
        messages/*.j2         and these
        data/store.json       personal data (0600, in a 0700 folder)
        outbox/               rendered messages

Commands find it from ``--workspace``, then ``MENTORCTL_WORKSPACE``, then the current
directory and its parents, as git finds a repository.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from mentorctl.errors import ConfigError, UsageError
from mentorctl.fileio import SHARED_DIR_MODE, atomic_write_text, ensure_dir

MARKER_DIR = ".mentorctl"
MARKER_FILE = "workspace.json"
WORKSPACE_FORMAT = 1
ENV_WORKSPACE = "MENTORCTL_WORKSPACE"
PROGRAM_FILE = "program.yaml"
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{0,62}"


def slugify(name: str) -> str:
    """A folder name from a program's name in any script: "Mentorat Carrière Été 2026" ->
    ``mentorat-carriere-ete-2026``, "Ψηφιακή Καθοδήγηση" -> ``psephiake-kathodegese``; a name
    with nothing to spell becomes ``program``. Transliterated by python-slugify (with
    text-unidecode's tables for every script)."""
    from slugify import slugify as transliterate

    slug = transliterate(name, max_length=63, word_boundary=False, lowercase=True)
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return slug[:63].rstrip("-") or "program"


@dataclass(frozen=True)
class ProgramPaths:
    slug: str
    dir: Path

    @property
    def program_file(self) -> Path:
        return self.dir / PROGRAM_FILE

    @property
    def messages_dir(self) -> Path:
        return self.dir / "messages"

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.json"

    @property
    def outbox_dir(self) -> Path:
        return self.dir / "outbox"

    def check_permissions(self) -> None:
        """Refuse a program that another local user could change, as ssh refuses such a key.

        program.yaml and the templates decide what is sent to whom and are rendered as code;
        the workspace's ``.mentorctl/`` holds the key that recognises forgotten people; a
        folder others can write to lets them swap any file in it. So the workspace folder,
        ``.mentorctl/`` and its files, the program's folder, program.yaml, every folder and
        template under ``messages/``, ``translations/``, ``data/`` and ``outbox/`` are checked. Raises
        ConfigError naming the first such path and the chmod that fixes it.
        """
        if self.dir.is_symlink():
            # Its files would be those of another workspace, read with this one's key.
            raise ConfigError(
                "is a symlink; a program's folder must be a real folder inside its workspace",
                file=self.dir,
                hint="move the folder into this workspace instead of linking it",
            )
        folders = (self.messages_dir, self.data_dir, self.outbox_dir)
        for folder in folders:
            if folder.is_symlink():
                raise ConfigError(
                    "is a symlink; mentorctl does not follow it",
                    file=folder,
                    hint="replace it with a real folder (mkdir) or remove the link",
                )
        root = self.dir.parent
        marker = root / MARKER_DIR
        candidates = [root, marker, *_entries(marker), self.dir, self.program_file, *folders]
        candidates.extend(_tree(self.messages_dir))
        translations = self.dir / "translations"  # the texts sent in each other language
        candidates.extend([translations, *_tree(translations)])
        for path in candidates:
            try:
                info = os.stat(path)
            except OSError:
                continue
            if info.st_uid not in (os.geteuid(), 0):
                raise ConfigError(
                    "belongs to another user, who can change it; mentorctl refuses to run "
                    "this program",
                    file=path,
                    hint=f"chown {os.geteuid()} '{path}'",
                )
            if _writable_by_others(info):
                fixed = stat.S_IMODE(info.st_mode) & ~0o022
                raise ConfigError(
                    "is writable by other users; mentorctl refuses to run this program",
                    file=path,
                    hint=f"chmod {fixed:o} '{path}'",
                )

    def check_output(self, out: Path) -> None:
        """Refuse ``--out`` paths that are not a regular file or a new file, or that are the
        program's own files (settings, templates, store, backups, outbox).

        Raises UsageError; writing there would replace a device, a folder or the store.
        """
        try:
            info = os.stat(out)
        except FileNotFoundError:
            if not out.parent.is_dir():
                raise UsageError(
                    f"cannot write {out}: the folder {out.parent} does not exist"
                ) from None
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror}") from None
        else:
            if stat.S_ISDIR(info.st_mode):
                raise UsageError(f"cannot write {out}: it is a folder", hint="name a file")
            if not stat.S_ISREG(info.st_mode):
                raise UsageError(
                    f"cannot write {out}: it is not a regular file",
                    hint="name a new file or an existing regular file",
                )
        target = out.resolve()
        own_file = target == self.program_file.resolve()
        own_folders = (
            self.messages_dir,
            self.data_dir,
            self.outbox_dir,
            self.dir.parent / MARKER_DIR,
        )
        inside = any(target.is_relative_to(folder.resolve()) for folder in own_folders)
        if own_file or inside:
            raise UsageError(
                f"cannot write {out}: it is one of the program's own files",
                hint="write the output outside the program's data, messages and outbox",
            )


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _tree(folder: Path) -> list[Path]:
    """Every folder and file under ``folder``, at any depth, without following links into
    other folders (a link itself is checked by what it points to)."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        here = Path(top)
        found.extend(here / name for name in sorted(dirs))
        found.extend(here / name for name in sorted(files))
    return found


def _writable_by_others(info: os.stat_result) -> bool:
    if info.st_mode & stat.S_IWOTH:
        return True
    if info.st_mode & stat.S_IWGRP:
        return not _private_group(info.st_gid, info.st_uid)
    return False


def _private_group(gid: int, uid: int) -> bool:
    """Whether ``gid`` is the owner's own group with nobody else in it (a user private group,
    which umask 002 systems give every user): group-writable then means owner-writable."""
    try:
        group = grp.getgrgid(gid)
        user = pwd.getpwuid(uid)
    except KeyError:
        return False
    return (
        user.pw_gid == gid
        and group.gr_name == user.pw_name
        and not (set(group.gr_mem) - {user.pw_name})
    )


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def marker(self) -> Path:
        return self.root / MARKER_DIR / MARKER_FILE

    @classmethod
    def find(cls, explicit: Path | None = None, start: Path | None = None) -> Workspace:
        """The workspace named by ``explicit`` or the environment, else the nearest one above ``start``."""
        named = explicit or (
            Path(os.environ[ENV_WORKSPACE]) if os.environ.get(ENV_WORKSPACE) else None
        )
        if named is not None:
            root = named.expanduser().resolve()
            if not (root / MARKER_DIR).is_dir():
                raise UsageError(
                    f"{root} is not a mentorctl workspace",
                    hint="create one with 'mentorctl init-program NAME --template KEY --dir PATH'",
                )
            return cls(root)
        found = cls.search(start or Path.cwd())
        if found is None:
            raise UsageError(
                "no mentorctl workspace in this folder or any folder above it",
                hint="run 'mentorctl init-program NAME --template KEY', or pass --workspace PATH",
            )
        return found

    @classmethod
    def search(cls, start: Path) -> Workspace | None:
        here = start.resolve()
        for folder in (here, *here.parents):
            if (folder / MARKER_DIR).is_dir():
                return cls(folder)
        return None

    def ensure_marker(self) -> bool:
        """Create the workspace marker if missing; return whether it was created."""
        if self.marker.exists():
            return False
        ensure_dir(self.marker.parent, SHARED_DIR_MODE)
        atomic_write_text(self.marker, json.dumps({"format": WORKSPACE_FORMAT}) + "\n", 0o644)
        return True

    def program_slugs(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if entry.is_dir() and (entry / PROGRAM_FILE).is_file()
        )

    def program_at(self, folder: Path, slugs: list[str] | None = None) -> str | None:
        """The program whose folder holds ``folder`` (its own folder or one inside it)."""
        inside = _inside(folder, self.root)
        if inside is None or not inside.parts:
            return None
        first = inside.parts[0]
        return first if first in (slugs if slugs is not None else self.program_slugs()) else None

    def paths(self, slug: str) -> ProgramPaths:
        return ProgramPaths(slug, self.root / slug)

    def every_program(self) -> list[str]:
        """The slugs of all the workspace's programs (``--all-programs``); a usage error when
        it has none."""
        slugs = self.program_slugs()
        if not slugs:
            raise UsageError(f"the workspace {self.root} has no program yet")
        return slugs

    def select(self, slug: str | None, cwd: Path | None = None) -> ProgramPaths:
        """The program named ``slug``; else the one whose folder holds ``cwd`` (the current
        folder); else the only one."""
        slugs = self.program_slugs()
        if slug is None:
            slug = self.program_at(cwd or Path.cwd(), slugs)
        if slug is not None:
            if slug not in slugs:
                raise UsageError(
                    f"no program '{slug}' in {self.root}",
                    hint=_choices_hint(slugs),
                )
            return self.paths(slug)
        if not slugs:
            raise UsageError(
                f"the workspace {self.root} has no program yet",
                hint="create one with 'mentorctl init-program NAME --template KEY'",
            )
        if len(slugs) > 1:
            raise UsageError(
                "this workspace holds several programs; choose one with --program",
                hint=_choices_hint(slugs),
            )
        return self.paths(slugs[0])


def _inside(folder: Path, root: Path) -> Path | None:
    try:
        return folder.resolve().relative_to(root)
    except (OSError, ValueError):
        return None


def _choices_hint(slugs: list[str]) -> str:
    if not slugs:
        return "the workspace has no program yet"
    return "choose one of: " + ", ".join(slugs)
