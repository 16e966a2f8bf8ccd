"""The catalogue of built-in program templates, and init-program.

A built-in template is a folder under ``templates/`` (shipped inside the package as
``mentorctl/templates``) holding a ``program.yaml`` without name and slug, in English, and the
message templates in ``messages/``; its other languages are ``translations/<tag>.yaml`` and
``messages/<tag>/``. ``init-program`` copies them into the workspace for the admin to edit:
the chosen language becomes program.yaml and ``messages/``, every other one a translation
(see :mod:`.localise`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from mentorctl.errors import ConfigError, UsageError
from mentorctl.fileio import (
    SHARED_DIR_MODE,
    atomic_write_bytes,
    atomic_write_text,
    ensure_dir,
    ensure_private_dir,
    fsync_dir,
)
from mentorctl.programs.program import parse_program
from mentorctl.programs.yamlfile import load_yaml
from mentorctl.store.workspace import PROGRAM_FILE, SLUG_PATTERN, Workspace, slugify

# -- the catalogue of built-in templates --------------------------------------------------


def templates_root() -> Path:
    """Where the built-in templates are: inside the installed package, or in a source checkout."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the built-in program templates are missing from this installation")


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    title: str
    description: str
    duration_weeks: int
    topics: list[str]
    path: Path


def list_templates() -> list[TemplateInfo]:
    root = templates_root()
    found = []
    for folder in sorted(p for p in root.iterdir() if (p / PROGRAM_FILE).is_file()):
        file = folder / PROGRAM_FILE
        data = load_yaml(file.read_text(encoding="utf-8"), file)
        found.append(
            TemplateInfo(
                key=folder.name,
                title=str(data.get("title") or folder.name),
                description=" ".join(str(data.get("description", "")).split()),
                duration_weeks=int(data.get("duration_weeks", 0)),
                topics=list(data.get("signup", {}).get("topics", [])),
                path=folder,
            )
        )
    return found


def template_folder(key: str) -> Path:
    keys = [t.key for t in list_templates()]
    if key not in keys:
        raise UsageError(
            f"no built-in template '{key}'",
            hint="choose one of: " + ", ".join(keys) + " (see --list-templates)",
        )
    return templates_root() / key


# -- init-program -------------------------------------------------------------------------


@dataclass
class InitResult:
    workspace: Path
    slug: str
    name: str
    template: str
    created: list[str]
    overwritten: list[str]
    kept: list[str]
    dry_run: bool


def clean_name(name: str) -> str:
    """A program name on one line without control characters: it goes into program.yaml's
    header comment, where a line break would end the comment and start settings."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in name)
    return " ".join(printable.split())


def _program_text(name: str, slug: str, template_text: str, today: dt.date) -> str:
    header = (
        f"# {name}: mentorship program settings, created {today.isoformat()} by mentorctl.\n"
        "# Edit freely; mentorctl checks this file each time it runs and names any mistake.\n"
    )
    body_lines = template_text.splitlines()
    while body_lines and body_lines[0].startswith("#"):
        body_lines.pop(0)
    from mentorctl.programs.comments import annotate

    identity = yaml.safe_dump({"name": name, "slug": slug}, sort_keys=False, allow_unicode=True)
    identity = (
        "# name: the program's name in messages and reports; slug: its folder's name (must\n"
        "# equal the folder).\n" + identity
    )
    return header + identity + annotate("\n".join(body_lines).lstrip("\n"))


def init_program(
    name: str,
    template: str,
    *,
    root: Path,
    slug: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    today: dt.date,
    language: str = "en",
) -> InitResult:
    """Create (or with ``force`` re-create) a program in the workspace at ``root``.

    With ``force`` the program.yaml and message templates are replaced, but the store of
    people and pairs is kept: an admin's data is never deleted by re-initialising.
    """
    from mentorctl.store.db import Store

    name = clean_name(name)
    if not name:
        raise UsageError("the program name is empty")
    slug = slug or slugify(name)
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise UsageError(
            f"'{slug}' is not a usable program slug",
            hint="use lowercase letters, digits and hyphens, e.g. --slug career-2026",
        )
    source = template_folder(template)
    workspace = Workspace(root.resolve())
    paths = workspace.paths(slug)
    exists = paths.program_file.exists()
    if exists and not force:
        raise UsageError(
            f"a program '{slug}' already exists at {paths.dir}",
            hint="choose another name or --slug; --force replaces its program.yaml and "
            "message templates and keeps its data",
        )
    from mentorctl.programs import localise

    chosen = localise.Choice.of(source, language)
    text = _program_text(name.strip(), slug, chosen.program_text(), today)
    program = parse_program(text, paths.program_file)  # a broken template fails here
    files = chosen.files(program.data)  # program-relative path -> text, each checked

    created: list[str] = []
    overwritten: list[str] = []
    kept: list[str] = []

    def record(path: Path) -> None:
        rel = str(path.relative_to(workspace.root))
        (overwritten if path.exists() else created).append(rel)

    record(paths.program_file)
    for rel in files:
        record(paths.dir / rel)
    store_rel = str(paths.store_path.relative_to(workspace.root))
    (kept if paths.store_path.exists() else created).append(store_rel)

    if not dry_run:
        workspace.ensure_marker()
        ensure_dir(paths.messages_dir, SHARED_DIR_MODE)
        atomic_write_text(paths.program_file, text, mode=0o644)
        folders = set()
        for rel, content in files.items():
            dest = paths.dir / rel
            if dest.parent not in folders:
                ensure_dir(dest.parent, SHARED_DIR_MODE)
                folders.add(dest.parent)
            # Copies of shipped files, whole or not at all, without one fsync each (some fifty
            # files): a power cut in the next seconds may lose one, and --force makes it again.
            atomic_write_bytes(dest, content.encode("utf-8"), mode=0o644, durable=False)
        for folder in folders:
            fsync_dir(folder)
        ensure_private_dir(paths.data_dir)
        with Store.writing(paths.store_path, create=True) as store:
            store.meta.setdefault("program", slug)
            store.meta.setdefault("created", today.isoformat())
    return InitResult(
        workspace=workspace.root,
        slug=slug,
        name=name.strip(),
        template=template,
        created=created,
        overwritten=overwritten,
        kept=kept,
        dry_run=dry_run,
    )
