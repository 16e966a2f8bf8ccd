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

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from mentorctl.errors import UsageError

MARKER_DIR = ".mentorctl"
MARKER_FILE = "workspace.json"
WORKSPACE_FORMAT = 1
ENV_WORKSPACE = "MENTORCTL_WORKSPACE"
PROGRAM_FILE = "program.yaml"
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{0,62}"


# Letters that Unicode does not decompose into a base letter and a mark, spelt as their
# languages spell them in Latin; Cyrillic by the common (passport-style) romanisation.
_LATIN = {
    "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ђ": "dj",
}  # fmt: skip


def slugify(name: str) -> str:
    """A folder name from a program's name: "Mentorat Carrière Été 2026" ->
    ``mentorat-carriere-ete-2026``; a name with no letter we can spell becomes ``program``."""
    import unicodedata

    text = "".join(_LATIN.get(ch, ch) for ch in name.casefold())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
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
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(json.dumps({"format": WORKSPACE_FORMAT}) + "\n", encoding="utf-8")
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
