"""A built-in template in the language ``init-program --language`` chose.

A built-in template is written in English (``program.yaml``, ``messages/``) and translated
(``translations/<tag>.yaml``, ``messages/<tag>/``). The new program's program.yaml is the
template's, with every text people read (title, description, topics, guide, check-in
questions, subjects) in the chosen language and its comments and settings kept as they are;
``messages/`` holds that language's templates. Every other language of the template becomes
a translation of the program, so that people who asked for it get their messages in it.

Everything is checked before a file is written: a translation missing a week, a question, a
subject or a message template stops ``init-program`` with the file and what is missing.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mentorctl.errors import ConfigError, UsageError
from mentorctl.programs.schema import Invalid
from mentorctl.programs.translations import (
    TRANSLATIONS_DIR,
    check_tag,
    parse_translation,
    texts_of,
)
from mentorctl.programs.yamlfile import load_yaml

PROGRAM_FILE = "program.yaml"
MESSAGES_DIR = "messages"
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):")
_SUBJECT = re.compile(r'subject:\s*"(?:[^"\\]|\\.)*"')
_KIND = re.compile(r"^  ([a-z_]+):\s*\{")


def built_in_languages(source: Path) -> list[str]:
    """The languages a built-in template is written in: English, then its translations."""
    folder = source / TRANSLATIONS_DIR
    found = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    return ["en", *found]


def _scalar(value: str) -> str:
    """One line of text as a YAML scalar, quoted only where YAML needs it."""
    dumped = yaml.safe_dump([value], allow_unicode=True, width=10**6, default_style=None)
    return dumped.strip()[2:]


def _folded(key: str, value: str, indent: int) -> list[str]:
    pad = " " * indent
    # ASCII spaces only: a no-break space (French "mot : mot") stays where it is
    words = " ".join(w for w in re.split(r"[ \t\r\n]+", value) if w)
    lines = textwrap.wrap(words, 76 - indent - 2, break_long_words=False, break_on_hyphens=False)
    return [f"{pad}{key}: >-", *(f"{pad}  {line}" for line in lines)]


def _blocks(text: str) -> list[tuple[str | None, list[str]]]:
    """The top-level sections of a YAML text, each with its lines (comments go with the next)."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    pending: list[str] = []
    for line in text.splitlines():
        match = _TOP_KEY.match(line)
        if match:
            blocks.append((match.group(1), [*pending, line]))
            pending = []
        elif line.startswith("#") or not line.strip():
            pending.append(line)
        else:
            blocks[-1][1].extend([*pending, line])
            pending = []
    blocks[-1][1].extend(pending)
    return blocks


def _guide(steps: list[dict[str, Any]]) -> list[str]:
    out = ["guide:"]
    for step in steps:
        out.append(f"  - week: {step['week']}")
        out.append(f"    title: {_scalar(step['title'])}")
        out += _folded("together", step["together"], 4)
        out += _folded("prompt", step["prompt"], 4)
    return out


def _checkin(lines: list[str], texts: dict[str, Any]) -> list[str]:
    """The checkin section with each question's text and the fit question translated."""
    out: list[str] = []
    key = None
    for line in lines:
        if m := re.match(r"^    - key:\s*(\S+)", line):
            key = m.group(1)
        elif (m := re.match(r"^      text:", line)) and key is not None:
            line = f"      text: {_scalar(texts['questions'][key])}"
        elif line.startswith("  fit_question:"):
            line = f"  fit_question: {_scalar(texts['fit_question'])}"
        elif line.startswith("  circle_fit_question:") and texts.get("circle_fit_question"):
            line = f"  circle_fit_question: {_scalar(texts['circle_fit_question'])}"
        out.append(line)
    return out


def _messages(lines: list[str], subjects: dict[str, str]) -> list[str]:
    out = []
    for line in lines:
        if (m := _KIND.match(line)) and m.group(1) in subjects:
            new = "subject: " + json.dumps(subjects[m.group(1)], ensure_ascii=False)
            line = _SUBJECT.sub(lambda _m, new=new: new, line)
        out.append(line)
    return out


def _signup(lines: list[str], topics: list[str] | None) -> list[str]:
    if topics is None:
        return lines
    out: list[str] = []
    within = False
    for line in lines:
        if line.startswith("  topics:"):
            within = True
            out.append(line)
            out += [f"    - {_scalar(t)}" for t in topics]
            continue
        if within and line.startswith("    - "):
            continue
        within = within and line.startswith("    ")
        out.append(line)
    return out


def in_language(text: str, tag: str, texts: dict[str, Any]) -> str:
    """An English template's program.yaml ``text`` with its texts in ``texts`` (a translation
    file's) and ``language: tag``; every other line kept."""
    out: list[str] = []
    for key, lines in _blocks(text):
        if not texts:
            pass  # the template's own language: only the language line is added
        elif key == "title" and texts.get("title"):
            lines = [*lines[:-1], f"title: {_scalar(texts['title'])}"]
        elif key == "description":
            head = [ln for ln in lines if ln.startswith("#")]
            lines = [*head, *_folded("description", texts["description"], 0)]
        elif key == "guide":
            lines = _guide(texts["guide"])
        elif key == "checkin":
            lines = _checkin(lines, texts["checkin"])
        elif key == "messages":
            lines = _messages(lines, texts["subjects"])
        elif key == "signup":
            lines = _signup(lines, texts.get("topics"))
        elif key == "sender" and texts.get("sender_name"):
            name = f"  name: {_scalar(texts['sender_name'])}"
            lines = [name if ln.startswith("  name:") else ln for ln in lines]
        out += lines
        if key == "template":
            out.append(f"language: {tag}")
    if texts.get("labels"):
        out.append("labels:")
        out += [f"  {k}: {_scalar(v)}" for k, v in texts["labels"].items()]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Choice:
    """A built-in template (``source``) in the language ``tag`` (written with the template's
    ``built_in`` language: ``pt`` for ``pt-BR``)."""

    source: Path
    tag: str
    built_in: str

    @classmethod
    def of(cls, source: Path, language: str) -> Choice:
        try:
            tag = check_tag(language, [])
        except Invalid as exc:
            raise UsageError(f"--language: {exc.message}") from None
        have = built_in_languages(source)
        base = tag.split("-")[0]
        for candidate in (tag, base):
            if candidate in have:
                return cls(source, tag, candidate)
        raise UsageError(
            f"--language {tag}: the template '{source.name}' is not written in it",
            hint=f"choose one of {', '.join(have)}, or create the program in one of them "
            "and translate program.yaml and messages/ (set language: in program.yaml)",
        )

    def _translation(self, lang: str) -> tuple[Path, str]:
        file = self.source / TRANSLATIONS_DIR / f"{lang}.yaml"
        return file, file.read_text("utf-8")

    def program_text(self) -> str:
        english = (self.source / PROGRAM_FILE).read_text("utf-8")
        if self.built_in == "en":
            return in_language(english, self.tag, {})
        file, text = self._translation(self.built_in)
        data = _english_data(english, self.source)
        return in_language(english, self.tag, parse_translation(text, file, data))

    def files(self, data: dict[str, Any]) -> dict[str, str]:
        """The program's files other than program.yaml (path relative to its folder -> text):
        its messages, and every other language's translation file and messages."""
        english = (self.source / PROGRAM_FILE).read_text("utf-8")
        files: dict[str, str] = {}
        for lang in built_in_languages(self.source):
            if lang == self.built_in:
                target = MESSAGES_DIR
            else:
                target = f"{MESSAGES_DIR}/{lang}"
                if lang == "en":
                    texts = texts_of(_english_data(english, self.source))
                else:
                    file, text = self._translation(lang)
                    texts = parse_translation(text, file, data)
                files[f"{TRANSLATIONS_DIR}/{lang}.yaml"] = _translation_text(lang, texts)
            folder = self.source / MESSAGES_DIR / ("" if lang == "en" else lang)
            found = {p.name: p.read_text("utf-8") for p in sorted(folder.iterdir()) if p.is_file()}
            for kind, settings in data["messages"].items():
                for name in (settings["file"], settings.get("html")):
                    if name and name not in found and not _shipped(lang, name):
                        raise ConfigError(
                            f"the {lang} messages have no template '{name}' ({kind})",
                            file=folder,
                        )
            for name, content in found.items():
                files[f"{target}/{name}"] = content
        return files


def _shipped(lang: str, name: str) -> bool:
    """Whether mentorctl ships a default of template ``name`` for ``lang`` (a kind added after
    the built-in templates were written falls back on it: mentorctl/mail/default_messages)."""
    shipped = Path(__file__).parents[1] / "mail" / "default_messages"
    return (shipped / ("" if lang == "en" else lang) / name).is_file()


def _english_data(text: str, source: Path) -> dict[str, Any]:
    from mentorctl.programs.program import parse_program

    with_identity = "name: x\nslug: x\n" + text
    return parse_program(with_identity, source / "program.yaml.in").data


def _translation_text(lang: str, texts: dict[str, Any]) -> str:
    """A translation file: the texts people who asked for ``lang`` read, as YAML."""
    from babel import Locale

    name = Locale.parse(lang, sep="-").get_display_name("en") or lang
    lines = [
        f"# The program's texts in {name} ({lang}), for the people who asked for",
        "# it on the sign-up form; its message templates are in messages/" + lang + "/.",
        "# Every key must be here: a missing week, question or subject is refused.",
    ]
    if texts.get("title"):
        lines.append(f"title: {_scalar(texts['title'])}")
    lines += _folded("description", texts["description"], 0)
    if texts.get("topics"):
        lines.append("topics:")
        lines += [f"  - {_scalar(t)}" for t in texts["topics"]]
    lines += _guide(texts["guide"])
    lines.append("checkin:")
    lines.append("  questions:")
    lines += [f"    {k}: {_scalar(v)}" for k, v in texts["checkin"]["questions"].items()]
    lines.append(f"  fit_question: {_scalar(texts['checkin']['fit_question'])}")
    if texts["checkin"].get("circle_fit_question"):
        circle_fit = texts["checkin"]["circle_fit_question"]
        lines.append(f"  circle_fit_question: {_scalar(circle_fit)}")
    lines.append("subjects:")
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in texts["subjects"].items()]
    if texts.get("labels"):
        lines.append("labels:")
        lines += [f"  {k}: {_scalar(v)}" for k, v in texts["labels"].items()]
    if texts.get("sender_name"):
        lines.append(f"sender_name: {_scalar(texts['sender_name'])}")
    out = "\n".join(lines) + "\n"
    load_yaml(out, Path(f"{lang}.yaml"))  # what is written must read back
    return out
