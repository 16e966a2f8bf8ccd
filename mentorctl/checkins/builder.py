"""Rendering and building a run's messages: each in its recipient's language, the
introduction with the pair's invitation to a weekly meeting where a time suits both.

The invitation (:mod:`mentorctl.calendars`) is one more alternative of the introduction,
``text/calendar; method=REQUEST`` beside the text and HTML, with the pair's own UID: an
introduction sent again carries the same meeting, which calendars update rather than add.
A pair whose people share no waking hour gets its introduction without one.

A notice that people stop meeting carries the meeting's change the same way
(:mod:`mentorctl.calendars.cancel`): an ``ended`` notice, a ``circle_closed`` one and a
``circle_farewell`` (to the member who leaves) the series' CANCEL; a ``circle_left`` notice
to a circle's mentors the series again without the member who left, and a
``circle_handover`` the series again with its new lead and without the one who left; and the
templates' ``calendar_note`` says so in one line ("" when the message carries no calendar
part).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import circle_intro, circle_weekly, shortlist_context
from mentorctl.checkins.message_key import MessageIds
from mentorctl.checkins.plan import Outgoing, RunResult, State, group_of

if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.message import EmailMessage

    from mentorctl.programs.program import Program
    from mentorctl.store.workspace import ProgramPaths

FINAL = frozenset({"wrapup", "lapsed"})
# The notices that take the meeting back out of their recipient's calendar (or update it)
TAKE_BACK = frozenset(
    {"ended", "withdrawn", "circle_left", "circle_closed", "circle_farewell", "circle_handover"}
)
# The notices that send the circle's meeting again to those who go on meeting (an update)
UPDATE = frozenset({"circle_left", "circle_handover"})
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 100


# -- rendering and building ---------------------------------------------------------------


class Builder:
    """Renders and builds the messages of one run; people's contexts and addresses are made once."""

    def __init__(
        self, program: Program, paths: ProgramPaths, state: State, now: dt.datetime
    ) -> None:
        from mentorctl.mail import languages, messages

        self._m = messages
        self.templates = languages.Templates(program, paths.messages_dir)  # each person's
        self.contexts = self.templates.contexts
        self.sender, self.reply_to = messages.sender_addresses(program)
        self.domain = messages.address_domain(program.data["sender"]["email"])
        self.slug = program.slug
        self.state = state
        self.now = now
        self._people: dict[str, dict[str, Any]] = {}
        self._addresses: dict[str, Address] = {}
        self.program = program
        self.invitations: dict[str, bytes] = {}  # an introduction's key -> its invitation
        self.methods: dict[str, str] = {}  # a notice's key -> CANCEL, or REQUEST (updated)
        self.message_id = MessageIds(paths.dir.parent, self.slug, self.domain, state.messages)

    def person(self, pid: str) -> dict[str, Any]:
        found = self._people.get(pid)
        if found is None:
            found = self._people[pid] = self._m.person_context(self.state.person(pid))
        return found

    def address(self, pid: str) -> Address:
        found = self._addresses.get(pid)
        if found is None:
            doc = self.state.people[pid]
            found = self._addresses[pid] = self._m.make_address(
                doc.get("name"), doc.get("email", ""), who=f"person {pid}"
            )
        return found

    def render(self, o: Outgoing) -> None:
        pair = o.pair
        if o.kind in ("waiting", "shortlist"):  # to a mentee not paired yet
            context = self.contexts.waiting(self.person(o.part))
            if o.kind == "shortlist":
                context["mentors"] = shortlist_context.mentors(self, o, context["language"])
            o.rendered = self.templates.render(o.kind, context, pair_id=o.part)
            self.address(o.part)
            return
        if o.kind == "mentor_ask":
            from mentorctl.checkins import ask_message

            return ask_message.render(self, o)
        context = self.contexts.make(
            kind=o.kind,
            week=o.week,
            pair=pair,
            start=o.start,
            mentee=self.person(pair["mentee"]),
            mentor=self.person(pair["mentor"]),
            recipient=None if o.part == "all" else self.person(o.part),
            nudge=o.nudge,
            today=self.now.date(),
        )
        context["until"] = o.until  # a ``paused`` notice: the day the partner is back
        if o.pair.get("circle") and o.kind in circle_weekly.CONTEXT_KINDS:
            version = self.contexts.localised.contexts[context["language"]].version
            circle_fit = version.data["checkin"]["circle_fit_question"]
            circle_weekly.context(self.state, o, context, context["language"], circle_fit)
        if o.kind == circle_intro.KIND:
            maker = self.contexts.localised.contexts[context["language"]]
            recipient = context["recipient"]
            context.update(
                circle_intro.context(self.state, o, maker, self.person, recipient, self.now.date())
            )
        if o.kind in TAKE_BACK:
            context["calendar_note"] = self._take_back(o, context["language"])
        kind = circle_weekly.template(o)
        o.rendered = self.templates.render(kind, context, pair_id=pair["id"])
        for pid in o.to:
            self.address(pid)  # UnusableAddress: the caller skips this message
        if o.kind in circle_intro.INTRO_KINDS and context.get("meeting"):
            self._invite(o, context["language"])

    def build(self, o: Outgoing, *, ascii_only: bool = False) -> tuple[EmailMessage, bytes]:
        """The message and its bytes, checked (MessageRefused if they fail); ``ascii_only``:
        to the people whose address ASCII can write (a server without SMTPUTF8)."""
        assert o.rendered is not None
        to = [self.address(p) for p in o.to]
        addresses = self._m.ascii_only(self.sender, to, self.reply_to, on=ascii_only)
        what = f"the {o.kind} message of pair {o.pair['id']}"
        msg, data = self._m.build_checked(
            o.rendered, *addresses, date=self.now, msg_id=self.message_id(o), what=what
        )
        ics = self.invitations.get(o.key)
        if ics is None:
            return msg, data
        from mentorctl.calendars import invitation

        invitation.add_to(msg, ics, method=self.methods.get(o.key, "REQUEST"))
        data = msg.as_bytes()
        sender, to, reply_to = addresses
        self._m.verify_email(
            msg, data, sender=sender, to=to, reply_to=reply_to,
            subject=o.rendered.subject, what=what,
        )  # fmt: skip
        return msg, data

    def _invite(self, o: Outgoing, language: str) -> None:
        """The pair's invitation, its words in ``language``, kept for :meth:`build`; none
        when no weekly time falls in both people's days."""
        from mentorctl.calendars import for_program, slots

        pair = o.pair
        who = [pair["mentee"], pair["mentor"]]
        group_id = str(pair["id"])
        version = self.contexts.localised.contexts[language].version
        start = o.start or self.now.date()
        meeting = None
        if o.kind == circle_intro.KIND:  # the circle's one meeting, at its window, for all
            who, group_id = circle_intro.people_of(self.state, o), str(pair["circle"])
            weeks = int(version.duration_weeks)
            meeting = circle_intro.window_meeting(self.state, group_id, start, weeks)
        for pid in who:
            self.address(pid)  # the invitation names everyone: UnusableAddress skips it
        people = [self.state.person(pid) for pid in who]
        try:
            ics, _ = for_program.group_invitation(
                [for_program.attendee(p) for p in people],
                group_id=group_id,
                start=start,
                program=version,
                now=self.now,
                language=language,
                meeting=meeting,
            )
        except slots.NoCommonTime:
            return
        self.invitations[o.key] = ics

    def _take_back(self, o: Outgoing, language: str) -> str:
        """The meeting's CANCEL (or, to a circle's mentor when a member left, its update)
        for the notice ``o``, kept for :meth:`build`; returns the line that says so, "" when
        the group had no invitation (never introduced, or no time suited them)."""
        from mentorctl.calendars import cancel, for_program, wording
        from mentorctl.checkins import schedule

        pair = o.pair
        version = self.contexts.localised.contexts[language].version
        weeks = int(version.duration_weeks)
        circle = pair.get("circle")
        pairs = circle_intro.member_pairs(self.state).get(circle, [pair]) if circle else [pair]
        start = schedule.parse_day(pairs[0].get("start_date")) or self._sent_on(pairs[0])
        if start is None:
            return ""
        if circle:
            group_id = str(circle)
            everyone = circle_intro.members(self.state, group_id, pairs)
            if o.kind == "circle_farewell":  # a mentor who left is no longer among them
                everyone += [p for p in o.to if p in self.state.people and p not in everyone]
            meeting = circle_intro.window_meeting(self.state, group_id, start, weeks)
        else:
            group_id = str(pair["id"])
            everyone = [p for p in (pair["mentee"], pair["mentor"]) if p in self.state.people]
            meeting = None
        people = [self.state.person(p) for p in everyone]
        meeting = meeting or for_program.meeting_for(version, people, start)
        if meeting is None or not people:
            return ""  # no time suited them: the introduction carried no invitation
        attendees = {p["id"]: for_program.attendee(p) for p in people}
        earlier = self._versions(p["id"] for p in pairs)
        sequence = cancel.sequence_after(start, self.now, earlier)
        kept = [pid for pid in everyone if pid in self._meeting_on(pairs, circle)]
        if circle and o.kind in UPDATE and kept:
            ics = cancel.updated(
                meeting, [attendees[p] for p in kept], group_id=group_id, start=start,
                program=version, language=language, now=self.now, sequence=sequence,
            )  # fmt: skip
            method = cancel.REQUEST
            if o.kind == "circle_handover":  # never names the mentor who left
                note = wording.renewed(language)
            else:
                mentee = pair["mentee"]  # forgotten since: the line names nobody
                known = mentee in self.state.people
                leaver = self.person(mentee).get("first_name") if known else ""
                note = wording.updated(str(leaver or ""), language)
        else:
            if circle and o.kind in ("ended", "withdrawn", "circle_farewell"):  # one leaves
                told = [p for p in o.to if p in attendees]
            elif circle:  # the circle closes: all who still met
                told = [p for p in everyone if p in self._at_close(circle) or p in o.to]
            else:
                told = everyone
            ics = cancel.cancelled(
                meeting, [attendees[p] for p in told], group_id=group_id,
                names=[attendees[p].name for p in told],
                program=version, language=language, now=self.now, sequence=sequence,
            )  # fmt: skip
            method = cancel.CANCEL
            note = wording.removed(language)
        self.invitations[o.key] = ics
        self.methods[o.key] = method
        return note

    def _sent_on(self, pair: dict[str, Any]) -> dt.date | None:
        """The first day of a pair whose introduction went out but that never began (it
        reached one person only, and was released): the day the introduction was made, or
        the program's start when later, as the introduction counted it; None when none went."""
        from mentorctl.checkins import schedule

        made = [
            schedule.parse_day(str(d.get("created") or "")[:10])
            for d in self.state.by_pair.get(pair["id"], ())
            if d["kind"] in circle_intro.INTRO_KINDS
        ]
        days = [d for d in made if d is not None]
        if not days:
            return None
        first = schedule.parse_day(self.program.data.get("start_date"))
        return max(min(days), first) if first else min(days)

    def _meeting_on(self, pairs: list[dict[str, Any]], circle: Any) -> set[str]:
        """Who still meets: the people of the member pairs still holding, and a circle's
        mentors while one does."""
        from mentorctl.checkins.plan import HOLDING

        holding = [p for p in pairs if p["status"] in HOLDING]
        out = {p for pair in holding for p in (pair["mentee"], pair["mentor"])}
        if circle and holding:
            doc = circle_intro.circle_docs(self.state).get(circle) or {}
            out |= set(doc.get("mentors") or ()) - _co_left(doc)
        return out

    def _at_close(self, circle: str) -> set[str]:
        """A closed circle's mentors and the mentees still in it when it closed."""
        doc = circle_intro.circle_docs(self.state).get(circle) or {}
        out = set(doc.get("mentors") or ()) - _co_left(doc)
        for entry in doc.get("history") or ():
            if isinstance(entry, dict) and entry.get("status") == "closed":
                out |= set(entry.get("mentees") or ())
        return out

    def _versions(self, pair_ids: Any) -> list[dt.datetime]:
        """When each earlier message of the group that carried its meeting was made or
        delivered: a new version's SEQUENCE outranks them all."""
        out: list[dt.datetime] = []
        for pid in pair_ids:
            for doc in self.state.by_pair.get(pid, ()):
                if doc["kind"] not in circle_intro.INTRO_KINDS | TAKE_BACK:
                    continue
                stamps = [doc.get("created")]
                stamps += [d.get("at") for d in (doc.get("delivery") or {}).values()]
                for stamp in stamps:
                    try:
                        when = dt.datetime.fromisoformat(str(stamp))
                    except ValueError:
                        continue
                    out.append(when if when.tzinfo else when.replace(tzinfo=dt.UTC))
        return out

    def render_usable(
        self, outgoing: list[Outgoing], result: RunResult, progress: Progress | None = None
    ) -> list[Outgoing]:
        """Render every message; a pair with an unusable address is left out with a warning
        (and not introduced), and the others go on."""
        skipped: set[str] = set()
        for done, o in enumerate(outgoing, 1):
            try:
                self.render(o)
            except self._m.UnusableAddress as exc:
                whose = f"pair {o.pair['id']}" if o.pair["id"] else f"person {o.part}"
                result.warnings.append(f"{whose}: {exc.message}; its {o.kind} was skipped")
                skipped.add(group_of(o))
            _tick(progress, done, len(outgoing))
        result.introduced = [p for p in result.introduced if p not in skipped]
        return [o for o in outgoing if group_of(o) not in skipped]


def _co_left(doc: dict[str, Any]) -> set[str]:
    """The co-mentors who left a circle: no longer among those who meet."""
    return {
        str(e["co_left"])
        for e in doc.get("history") or ()
        if isinstance(e, dict) and e.get("co_left")
    }


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)
