"""The comments of a generated program.yaml: what each section does and which values it takes,
and the optional keys a template leaves out (shown commented, so that every key the validator
accepts can be found in the file)."""

from __future__ import annotations

SECTIONS = {
    "template": "The built-in template this program was made from (for reference only).",
    "language": "The language of this file's texts and of messages/ (a BCP 47 tag: en, fr,\n"
    "pt-BR...). Each translations/<tag>.yaml with messages/<tag>/ offers one more: a person\n"
    "whose sign-up answer 'language' names it gets their messages in it.",
    "labels": "How messages name the sign-up fields that matching criteria use.",
    "title": "A short title for the kind of program (for reference only).",
    "description": "What the program is about; messages can quote it.",
    "duration_weeks": "How many weeks the program runs: one guide step per week (1-52);\n"
    "it must equal the number of steps under guide.",
    "sender": "Who messages come from. Set your own address before 'introduce --send':\n"
    "example.org addresses are placeholders and are refused when sending.\n"
    "name: the display name; email: the From address; reply_to (optional): where replies go.",
    "smtp": "How messages are delivered with --send (without it they go to outbox/ as .eml).\n"
    "security: starttls, ssl or none; the password is read from the environment variable\n"
    "named by password_env, never from this file; rate_per_minute limits the pace.",
    "signup": "How the sign-up form's export is read by import-signups.\n"
    "min_age: 18 or more; require_age: true|false (reject rows without an age);\n"
    "default_capacity: mentees per mentor when the form does not ask (1-100);\n"
    "date_order: DMY or MDY (how 03/04/1990 is read); topics: the goals and expertise\n"
    "the form offers (imports warn about answers that are not among them);\n"
    "fields: field -> the form's column headers, first match wins (a field that is not a\n"
    "person field becomes an extra answer that matching can use);\n"
    "role_answers (optional): answers that mean mentor, mentee or both.",
    "matching": "How pair proposes pairs. min_score: 0-1, no pair scores below it.\n"
    "criteria: each has a kind (topics, languages, timezone or extra) and a weight;\n"
    "timezone takes max_hours (1-24); extra takes field (a name under signup.fields),\n"
    "mode (same, overlap or distance) and, for distance, scale; name is optional.\n"
    "rules: shared_language and different_organisation, true or false.",
    "guide": "One step per week, numbered 1, 2, 3...: title, together (what to do together)\n"
    "and prompt (a question to reflect on).",
    "checkin": "The weekly check-in. questions: key (lowercase), text, kind (yes_no, scale\n"
    "or text); fit_question: asked in week 1 ('no' ends the pair as not a fit);\n"
    "circle_fit_question: the same question in a circle's week 1 (format: circles);\n"
    "quiet_after_weeks: weeks without an answer before a pair counts as quiet (1 or more);\n"
    "a pair completes when it answered in that many last weeks of the program, else lapses.\n"
    "first_week_with_introduction: true lets week 1 come on the introduction's day.",
    "messages": "The message templates in messages/ (Jinja). Each: file, subject, and\n"
    "optionally html (an HTML part) and mode: together (one email to both) or separate.",
}

# Optional keys a template leaves out, shown commented after the first line of a section
# (None: top level) that starts with the given text.
AFTER = [
    (
        None,
        "language:",
        [
            "# labels:                  # how messages name the fields of matching criteria",
            "#   industry: sector",
        ],
    ),
    (
        None,
        "duration_weeks:",
        [
            "# start_date: the first day of week 1 for pairs introduced before it, written",
            "# YYYY-MM-DD (quoted or not), e.g.:",
            "# start_date: 2026-09-07",
            "# format: pairs              # or circles: one mentor with a few mentees who meet",
            "# circles:                   # only with format: circles",
            "#   size: [3, 5]             # smallest and largest number of mentees (2-12)",
            "#   hours: [8, 21]           # waking hours, local time; a common hour is needed",
            "#   hours_field: availability  # a signup field with people's own hours (optional)",
            "#   topic_weight: 0.05       # score points per two co-members sharing a topic",
            "#   time_limit: 45           # seconds the solver may take",
            "#   co_mentors: false        # true: a mentor without a circle may co-mentor one",
            "#   consent_field: circle_ok # a signup field: only a yes places a mentee in a circle",
            "# fairness:                  # match rate, score and days waited per group",
            "#   by: language             # a signup field: language, timezone, organisation...",
            "#   min_ratio: 0.8           # optional: no group's match rate below 80% of the best",
        ],
    ),
    ("sender", "  email:", ["  # reply_to: mentoring-replies@your-domain.example"]),
    (
        "signup",
        "  date_order:",
        [
            "  # role_answers:            # answers of the form's role question that mean:",
            '  #   mentor: ["I can help"]',
            '  #   mentee: ["I need help"]',
            '  #   both: ["Both"]',
        ],
    ),
    (
        "checkin",
        "  quiet_after_weeks:",
        ["  # first_week_with_introduction: false"],
    ),
    (
        "matching",
        "  criteria:",
        [
            "    # - {kind: extra, name: experience, field: years, mode: distance, scale: 10,"
            " weight: 1}",
            "    #   (distance: answers scale apart or more score 0)",
        ],
    ),
]


def annotate(text: str) -> str:
    """``text`` (a program.yaml from a template) with each top-level section commented."""
    out: list[str] = []
    done: set[int] = set()
    section: str | None = None
    for line in text.splitlines():
        key = line.split(":", 1)[0] if line and not line.startswith((" ", "#", "-")) else None
        if key is not None:
            section = key
            if key in SECTIONS:
                if out and out[-1].strip():
                    out.append("")
                out += ["# " + part for part in SECTIONS[key].splitlines()]
        out.append(line)
        for n, (within, start, extra) in enumerate(AFTER):
            if n in done or not line.startswith(start):
                continue
            if within is not None and within != section:
                continue
            out += extra
            done.add(n)
    return "\n".join(out) + "\n"
