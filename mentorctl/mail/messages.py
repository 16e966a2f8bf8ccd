"""Rendering a pair's messages with Jinja and building them as real emails.

Templates are the program's own files (``messages/*.j2``, copied from the built-in template
at init and free to edit) and the ``subject`` strings in ``program.yaml``. They render with
``StrictUndefined``: a template naming a variable that does not exist fails, naming the
template file and line, and since a run renders every message before it writes or sends
any, nothing goes out. HTML templates (``*.html.j2``) are autoescaped.

Sign-up data is data: values reach the template as plain strings, lists and dicts and are
printed as written. Jinja renders in one pass, so a name such as ``{{ 7*7 }}`` stays exactly
that. Templates belong to the admin and are trusted; data never becomes template source.

What a template sees: ``language`` (the message's language tag, which the ``date``,
``weekday``, ``time``, ``number`` and ``and_list`` filters and the ``plural`` helper of
:mod:`mentorctl.mail.locale` follow), ``program`` {name, slug, title, description, duration_weeks, sender
{name, email}}, ``mentee`` and ``mentor`` {id, name, first_name, email, role, goals,
expertise, languages, timezone, organisation, bio, extra}, ``recipient`` (the person the
message is for in ``mode: separate``, else None), ``partner`` (the other person of the pair
when there is a ``recipient``, else None), ``nudge`` (True in the weekly message of a quiet
pair), ``pair`` {id, score, reasons,
shared_topics, start_date, first_week_on (the start when it is after the day the message is
made, else None)}, ``week`` (0 in the introduction), ``weeks_left``, ``step`` (the
week's guide step; None in the introduction), ``next_step``, ``questions`` [{key, text,
kind}], ``fit_question`` (week 1's weekly message only, else None) and ``meeting`` (the
introduction's proposed weekly time on each person's clock, recipient first, see
:func:`mentorctl.calendars.for_program.local_times`; None in other messages and when no
time falls in both people's days).

Headers, building an email and checking it: :mod:`mentorctl.mail.headers`. Every message
sent to one person has the organisers as Reply-To (``sender.reply_to``, else the sender), so
that a reply, even a reply-all, reaches only them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ConfigError
from mentorctl.mail import reasons
from mentorctl.mail.headers import (
    MessageRefused,
    Rendered,
    UnusableAddress,
    address_domain,
    ascii_address,
    ascii_only,
    build_checked,
    build_email,
    checked_address,
    header_text,
    make_address,
    message_id,
    message_token,
    pair_token,
    preview_text,
    sender_addresses,
    verify_email,
)

if TYPE_CHECKING:
    import jinja2

    from mentorctl.programs.program import Program

KINDS = ("intro", "weekly", "nudge", "wrapup", "lapsed", "ended", "waiting", "paused", "shortlist",
         "circle_intro", "circle_left", "circle_away", "circle_closed", "circle_farewell",
         "circle_handover", "mentor_ask", "circle_weekly", "circle_wrapup",
         "circle_lapsed")  # fmt: skip
# Kinds added after the first programs were made: a program.yaml or messages/ folder
# without them uses the built-in default template shipped in this package.
DEFAULT_MESSAGES_DIR = Path(__file__).with_name("default_messages")
FIT_KEY = "fit"
HTML_SUFFIXES = (".html.j2", ".htm.j2", ".html", ".htm")


# -- context ------------------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def person_context(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A person as templates see them: every key present, so StrictUndefined catches typos only."""
    name = str(doc.get("name") or "")
    return {
        "id": doc.get("id"),
        "name": name,
        "first_name": str(doc.get("first_name") or first_name(name)),
        "email": doc.get("email") or "",
        "role": doc.get("role"),
        "goals": list(doc.get("goals") or ()),
        "expertise": list(doc.get("expertise") or ()),
        "languages": list(doc.get("languages") or ()),
        "timezone": doc.get("timezone"),
        "organisation": doc.get("organisation"),
        "bio": doc.get("bio"),
        "extra": dict(doc.get("extra") or {}),
    }


def shared_topics(mentee: Mapping[str, Any], mentor: Mapping[str, Any]) -> list[str]:
    """The mentee's goals that the mentor offers, in the mentee's order."""
    offered = {str(t).casefold() for t in mentor.get("expertise") or ()}
    return [t for t in mentee.get("goals") or () if str(t).casefold() in offered]


def program_context(program: Program) -> dict[str, Any]:
    data = program.data
    return {
        "name": data["name"],
        "slug": data["slug"],
        "title": data.get("title"),
        "description": data["description"],
        "duration_weeks": data["duration_weeks"],
        "sender": {"name": data["sender"]["name"], "email": data["sender"]["email"]},
    }


class ContextMaker:
    """Builds each message's template variables; the parts shared by all pairs are made once.

    ``language`` is the messages' language (a tag: the ``language`` variable the date and
    plural filters read); ``topics`` names the program's topics in it (see
    :mod:`mentorctl.mail.languages`)."""

    def __init__(
        self,
        program: Program,
        language: str | None = None,
        topics: dict[str, str] | None = None,
        *,
        labels: dict[str, str] | None = None,
    ) -> None:
        self.language = language or str(program.data.get("language") or "en")
        self.version = program  # the program in this language (a translation's texts)
        self.topics = topics or {}
        self.labels = labels if labels is not None else dict(program.data.get("labels") or {})
        self.program = program_context(program)
        self.duration = int(program.data["duration_weeks"])
        self.steps = [dict(s) for s in program.data["guide"]]
        checkin = program.data["checkin"]
        self.questions = [
            {"key": q["key"], "text": q["text"], "kind": q["kind"]} for q in checkin["questions"]
        ]
        self.fit_question = checkin["fit_question"]

    def step(self, week: int) -> dict[str, Any] | None:
        return self.steps[week - 1] if 1 <= week <= self.duration else None

    def make(
        self,
        *,
        kind: str,
        week: int,
        pair: Mapping[str, Any],
        start: dt.date | None,
        mentee: dict[str, Any],
        mentor: dict[str, Any],
        recipient: dict[str, Any] | None,
        nudge: bool = False,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        step = None if kind == "intro" else self.step(week)
        if self.topics:
            mentee, mentor = self._topics(mentee), self._topics(mentor)
            if recipient is not None:
                recipient = mentee if recipient.get("id") == mentee.get("id") else mentor
        partner = None
        if recipient is not None:
            partner = mentor if recipient.get("id") == mentee.get("id") else mentee
        meeting = None
        first_day = start or today
        if kind == "intro" and first_day is not None:
            meeting = self.meeting([mentee, mentor], first_day, recipient)
        return {
            "language": self.language,
            "program": self.program,
            "mentee": mentee,
            "mentor": mentor,
            "recipient": recipient,
            "partner": partner,
            "nudge": nudge,
            "pair": {
                "id": pair.get("id"),
                "score": pair.get("score"),
                "reasons": reasons.friendly(
                    pair.get("reasons") or (), self.language, self.topics, self.labels
                ),
                "shared_topics": shared_topics(mentee, mentor),
                "start_date": start,
                # a start the admin set after the day the message is made: a date the
                # introduction can promise (else week 1 comes with the next run)
                "first_week_on": start if start and today and start > today else None,
            },
            "week": week,
            "weeks_left": max(0, self.duration - week),
            "step": step,
            "next_step": self.step(week + 1),
            "questions": self.questions,
            "fit_question": self.fit_question if kind == "weekly" and week == 1 else None,
            "meeting": meeting,
        }

    def meeting(
        self, people: list[dict[str, Any]], start: dt.date, recipient: dict[str, Any] | None
    ) -> list[dict[str, Any]] | None:
        """The weekly time proposed to ``people`` on each one's clock, in this language, the
        recipient first and marked ``you``; None when no time falls in all their days."""
        from mentorctl.calendars import for_program

        times = for_program.local_times(self.version, people, start, language=self.language)
        if times is None:
            return None
        firsts = {p.get("id"): p["first_name"] for p in people}
        mine = recipient.get("id") if recipient is not None else None
        out = [dict(t, first_name=firsts.get(t["id"]) or t["name"], you=t["id"] == mine)
               for t in times]  # fmt: skip
        return sorted(out, key=lambda t: not t["you"])

    def waiting(self, recipient: dict[str, Any]) -> dict[str, Any]:
        """A ``waiting`` notice's variables: a mentee not paired yet, so no partner or pair."""
        recipient = self._topics(recipient) if self.topics else recipient
        return {
            "language": self.language,
            "program": self.program,
            "mentee": recipient,
            "mentor": None,
            "recipient": recipient,
            "partner": None,
            "nudge": False,
            "pair": None,
            "week": 0,
            "weeks_left": self.duration,
            "step": None,
            "next_step": self.step(1),
            "questions": self.questions,
            "fit_question": None,
            "meeting": None,
        }

    def _topics(self, person: dict[str, Any]) -> dict[str, Any]:
        """A person with their goals and expertise named in the messages' language."""
        names = self.topics
        return {
            **person,
            "goals": [names.get(str(t).casefold(), t) for t in person["goals"]],
            "expertise": [names.get(str(t).casefold(), t) for t in person["expertise"]],
        }


# -- templates ----------------------------------------------------------------------------


class Templates:
    """The program's message templates, compiled once per run."""

    def __init__(
        self,
        program: Program,
        messages_dir: Path,
        *,
        fallbacks: tuple[Path, ...] = (DEFAULT_MESSAGES_DIR,),
        settings_file: Path | None = None,
    ) -> None:
        import jinja2

        from mentorctl.mail import locale

        self.dir = messages_dir
        # where the subjects are written: program.yaml, or a translation file
        self.settings_file = settings_file or messages_dir.parent / "program.yaml"
        from jinja2.sandbox import SandboxedEnvironment

        # Templates are trusted, but a sandbox costs nothing and keeps a template line from
        # reaching Python's internals (``cycler.__init__.__globals__.os``).
        self.env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(
                [
                    _contained_loader(messages_dir),
                    *(jinja2.FileSystemLoader(str(folder)) for folder in fallbacks),
                ]
            ),
            undefined=jinja2.StrictUndefined,
            autoescape=lambda name: bool(name) and name.endswith(HTML_SUFFIXES),
            auto_reload=False,
            keep_trailing_newline=True,
        )
        locale.install(self.env)
        self.settings = program.data["messages"]
        self._compiled: dict[str, tuple[Any, Any, Any]] = {}

    def mode(self, kind: str) -> str:
        return str(self.settings[kind]["mode"])

    def _load(self, kind: str) -> tuple[Any, Any, Any]:
        found = self._compiled.get(kind)
        if found is None:
            settings = self.settings[kind]
            subject = self._compile_subject(kind, settings["subject"])
            body = self._get(settings["file"], f"messages.{kind}.file")
            html = (
                self._get(settings["html"], f"messages.{kind}.html")
                if settings.get("html")
                else None
            )
            found = self._compiled[kind] = (subject, body, html)
        return found

    def check(self, kinds: tuple[str, ...] = KINDS) -> None:
        """Compile the templates of ``kinds``, so a syntax error stops a run before it starts."""
        for kind in kinds:
            self._load(kind)

    def _get(self, name: str, setting: str) -> jinja2.Template:
        import jinja2

        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound:
            raise ConfigError(
                f"{setting}: no template '{name}' in {self.dir}",
                file=self.settings_file,
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"template syntax error: {exc.message}", file=f"{self.dir / name}:{exc.lineno}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"cannot read the template: {reason}", file=self.dir / name) from None

    def _compile_subject(self, kind: str, source: str) -> jinja2.Template:
        import jinja2

        try:
            return self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"messages.{kind}.subject: template syntax error: {exc.message}",
                file=self.settings_file,
            ) from None

    def render(self, kind: str, context: dict[str, Any], *, pair_id: str) -> Rendered:
        subject, body, html = self._load(kind)
        settings = self.settings[kind]
        where = ""
        try:
            where = f"messages.{kind}.subject"
            subject_text = subject.render(context)
            where = settings["file"]
            text = body.render(context)
            html_text = None
            if html is not None:
                where = settings["html"]
                html_text = html.render(context)
        except Exception as exc:
            raise _render_error(exc, where, self.dir, kind, pair_id) from None
        return Rendered(header_text(subject_text), text, html_text)


_QUOTED = re.compile(r"'([^']*)'")


def _masked(problem: str) -> str:
    """A Jinja error message with any quoted word that may be data (an address, a long or
    spaced text) replaced by ``<value>``."""

    def mask(match: re.Match[str]) -> str:
        word = match.group(1)
        if "@" in word or len(word) > 40 or not word.replace(" object", "").isidentifier():
            return "<value>"
        return match.group(0)

    return _QUOTED.sub(mask, problem)


def _contained_loader(folder: Path) -> jinja2.BaseLoader:
    """Jinja's FileSystemLoader over ``messages/``, refusing a template (or an include) that
    leads out of it through a symlink."""
    import jinja2
    from jinja2.loaders import split_template_path

    root = folder.resolve()

    class ContainedLoader(jinja2.FileSystemLoader):
        def get_source(self, environment: jinja2.Environment, template: str) -> Any:
            path = folder.joinpath(*split_template_path(template))
            if not path.resolve().is_relative_to(root):
                raise ConfigError(
                    "is a symlink to a file outside the messages folder; refused",
                    file=path,
                    hint="copy the template into the messages folder instead",
                )
            return super().get_source(environment, template)

    return ContainedLoader(str(folder))


def _render_error(exc: Exception, where: str, folder: Path, kind: str, pair_id: str) -> ConfigError:
    """A template failure as an error naming the template file and line, and the pair."""
    import jinja2

    if where.startswith("messages."):
        location: str | Path = folder.parent / "program.yaml"
        label = f"{where}: "
    else:
        path = folder / where
        line = None
        tb = exc.__traceback__
        while tb is not None:  # Jinja maps template frames back to the template's lines
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
        location = f"{path}:{line}" if line else path
        label = ""
    if isinstance(exc, ConfigError):
        return exc  # already one line naming the template (e.g. a symlink out of messages/)
    if isinstance(exc, jinja2.TemplateError):
        # Jinja's messages describe the template ("'x' is undefined"), but a key built from
        # the data ("has no attribute 'ann@example.org'") would be echoed: masked here.
        problem = _masked(exc.message or type(exc).__name__)
    else:
        problem = f"{type(exc).__name__} while rendering"
    return ConfigError(
        f"{label}{problem} (rendering the {kind} message of pair {pair_id}); nothing was sent",
        file=location,
        hint="fix the template and run the command again",
    )


__all__ = [
    "FIT_KEY",
    "KINDS",
    "ContextMaker",
    "MessageRefused",
    "Rendered",
    "Templates",
    "UnusableAddress",
    "address_domain",
    "ascii_address",
    "ascii_only",
    "build_checked",
    "build_email",
    "checked_address",
    "header_text",
    "make_address",
    "message_id",
    "message_token",
    "pair_token",
    "person_context",
    "preview_text",
    "sender_addresses",
    "verify_email",
]
