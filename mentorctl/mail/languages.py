"""Each person's messages in their own language: templates and variables per language.

A program offers its own language (program.yaml, ``messages/``) and each language it has a
translation for (``translations/<tag>.yaml``, ``messages/<tag>/``; see
:mod:`mentorctl.programs.translations`). A message to one person is in their language (see
:func:`mentorctl.mail.locale.person_language`); a message to both people of a pair is in
theirs when they share it, and an introduction to two people of different languages is made
as one message each (:func:`intro_mode`), so that nobody reads the other's language.

Templates of a translation are looked up in ``messages/<tag>/``, then (for the kinds added
after the first programs) in the defaults shipped with mentorctl for that language; a file
missing from both is an error before anything is sent, never an English email.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.mail import locale, messages
from mentorctl.programs.program import Program
from mentorctl.programs.schema import Invalid
from mentorctl.programs.translations import (
    TRANSLATIONS_DIR,
    check_tag,
    load_languages,
    topic_names,
    translated,
)

if TYPE_CHECKING:
    from mentorctl.mail.headers import Rendered


def default_folders(tag: str, *, own: bool) -> tuple[Path, ...]:
    """The shipped default templates a language falls back on: its own folder (and its base
    language's: ``pt`` for ``pt-BR``), then English for the program's own language only
    (a program older than these kinds)."""
    root = messages.DEFAULT_MESSAGES_DIR
    tags = [tag]
    base = locale.base_language(tag)
    if base != tag:
        tags.append(base)
    found = [root / t for t in tags if t != "en" and (root / t).is_dir()]
    if own or base == "en":
        found.append(root)
    return tuple(found)


class Localised:
    """The templates and context makers of every language a program offers."""

    def __init__(self, program: Program, messages_dir: Path) -> None:
        languages = load_languages(program.path, program.data)
        self.own = languages.own
        self.offered = languages.offered
        labels = dict(program.data.get("labels") or {})
        self.templates = {
            self.own: messages.Templates(
                program, messages_dir, fallbacks=default_folders(self.own, own=True)
            )
        }
        self.contexts = {self.own: messages.ContextMaker(program, self.own, labels=labels)}
        for tag, texts in languages.texts.items():
            version = Program(path=program.path, data=translated(program.data, texts))
            self.templates[tag] = messages.Templates(
                version,
                messages_dir / tag,
                fallbacks=default_folders(tag, own=False),
                settings_file=program.dir / "translations" / f"{tag}.yaml",
            )
            self.contexts[tag] = messages.ContextMaker(
                version, tag, topic_names(program.data, texts), labels=version.data["labels"]
            )

    def language_of(self, person: Mapping[str, Any] | None) -> str:
        if person is None:
            return self.own
        return locale.person_language(person, self.offered, self.own)

    def pair_language(self, *people: Mapping[str, Any] | None) -> str:
        """The language of a message to these people: theirs if they share one, else the
        program's."""
        found = {self.language_of(p) for p in people if p is not None}
        return found.pop() if len(found) == 1 else self.own


class Templates:
    """:class:`mentorctl.mail.messages.Templates` over every offered language: a message is
    rendered with the templates of its context's ``language``."""

    def __init__(self, program: Program, messages_dir: Path) -> None:
        self.localised = Localised(program, messages_dir)
        self.contexts = ContextMaker(self.localised)

    def mode(self, kind: str) -> str:
        return self.localised.templates[self.localised.own].mode(kind)

    def check(self, kinds: tuple[str, ...] = messages.KINDS, *, every: bool = False) -> None:
        """Compile the program's own templates of ``kinds`` (with ``every``, each offered
        language's). A translation's are compiled when a message first needs them, which is
        still before a run writes or sends anything: it renders every message first."""
        chosen = self.localised.templates
        for tag, templates in chosen.items():
            if every or tag == self.localised.own:
                templates.check(kinds)

    def render(self, kind: str, context: dict[str, Any], *, pair_id: str) -> Rendered:
        chosen = self.localised.templates[context.get("language") or self.localised.own]
        return chosen.render(kind, context, pair_id=pair_id)


class ContextMaker:
    """:class:`mentorctl.mail.messages.ContextMaker` choosing each message's language: the
    recipient's, else the language both people share, else the program's."""

    def __init__(self, localised: Localised) -> None:
        self.localised = localised

    def make(self, **kwargs: Any) -> dict[str, Any]:
        loc = self.localised
        recipient = kwargs.get("recipient")
        if recipient is not None:
            tag = loc.language_of(recipient)
        else:
            tag = loc.pair_language(kwargs.get("mentee"), kwargs.get("mentor"))
        return loc.contexts[tag].make(**kwargs)

    def waiting(self, recipient: dict[str, Any]) -> dict[str, Any]:
        loc = self.localised
        return loc.contexts[loc.language_of(recipient)].waiting(recipient)


def intro_mode(
    program: Program, people: Mapping[str, Any], pair: Mapping[str, Any], mode: str
) -> str:
    """The introduction's mode for a pair: ``separate`` when its two people read different
    languages (each gets their own, in their language), else program.yaml's ``mode``."""
    if mode == "separate":
        return mode
    own = str(program.data.get("language") or "en")
    offered = offered_languages(program.dir / TRANSLATIONS_DIR, own)
    if len(offered) == 1:
        return mode
    tags = {
        locale.person_language(people.get(p) or {}, offered, own)
        for p in (pair.get("mentee"), pair.get("mentor"))
    }
    return "separate" if len(tags) > 1 else mode


def offered_languages(folder: Path, own: str) -> tuple[str, ...]:
    """The program's language and those of its translation files (by name: each file is
    read and checked when its messages are rendered)."""
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return (own,)
    return _offered(folder, stamp, own)


@lru_cache(maxsize=64)
def _offered(folder: Path, stamp: int, own: str) -> tuple[str, ...]:
    tags = []
    for file in sorted(folder.glob("*.yaml")):
        try:
            tags.append(check_tag(file.stem, []))
        except Invalid:
            continue  # named by the error when the program's messages are rendered
    return (own, *sorted(set(tags) - {own}))
