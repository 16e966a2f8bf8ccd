"""Check-in replies as mail clients write them, each with the answers and unread text expected.

Built with the stdlib ``email`` package: Gmail (text + HTML, or HTML only), Outlook desktop
and web, Apple Mail, Thunderbird; top-posted and bottom-posted; quoted-printable, base64 and
8bit bodies; several charsets. All names and addresses are made up.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import escape

from mentorctl.checkins.reply_text import Question

MET = Question("met", "yes_no", "Did you meet or talk this week?")
PROGRESS = Question(
    "progress", "scale", "How much progress did you make towards the career goal this week?"
)
NOTE = Question("note", "text", "Anything you would like the organisers to know?")
FIT = Question("fit", "yes_no", "Is this match working for you so far?")
FEEDBACK = Question(
    "feedback",
    "text",
    "What was the most valuable thing you took from this mentorship into your work, and what "
    "should we change for next time?",
)
WEEK2 = (MET, PROGRESS, NOTE)
WEEK1 = (MET, PROGRESS, NOTE, FIT)
WRAPUP = (FEEDBACK,)

ORGANISERS = "Career Circle <organisers@example.org>"
PERSON = "Anna Example <anna@example.com>"

QUESTION_LINES = {
    "met": ["  1. Did you meet or talk this week? (yes / no)"],
    "progress": [
        "  2. How much progress did you make towards the career goal this",
        "     week? (1-5)",
    ],
    "note": ["  3. Anything you would like the organisers to know?"],
    "fit": ["  4. Is this match working for you so far? (yes / no)"],
}


def original(week1: bool = False) -> list[str]:
    """The weekly email as sent (text part), line by line."""
    keys = ["met", "progress", "note", *(["fit"] if week1 else [])]
    lines = [
        "Hello Anna and Ben,",
        "",
        "It's week 2 of 10 in Career Circle.",
        "",
        "This week: Mapping your strengths",
        "",
        "Your weekly check-in",
        "Please each reply to this email with your answers. It takes a minute,",
        "your replies come only to the organisers, and they help us support you.",
    ]
    for key in keys:
        lines += QUESTION_LINES[key]
    lines += ["", "Warm wishes,", "Career Circle"]
    return lines


def quoted(lines: list[str], mark: str = "> ") -> str:
    return "\n".join((mark + line).rstrip() for line in lines)


def html_of(lines: list[str]) -> str:
    return "".join(f"<div>{escape(line) if line else '<br>'}</div>" for line in lines)


GMAIL_ATTR = "On Mon, 2 Mar 2026 at 09:00, Career Circle <organisers@example.org> wrote:"
GMAIL_ATTR_WRAPPED = (
    "On Mon, 2 Mar 2026 at 09:00, Career Circle Organisers <\norganisers@example.org> wrote:"
)
APPLE_ATTR = "On 2 Mar 2026, at 09:00, Career Circle <organisers@example.org> wrote:"
THUNDERBIRD_ATTR = "On 02/03/2026 09:00, Career Circle wrote:"
OUTLOOK_HEADER = (
    "From: Career Circle <organisers@example.org>\n"
    "Sent: Monday, March 2, 2026 9:00 AM\n"
    "To: Anna Example <anna@example.com>\n"
    "Subject: Career Circle, week 2: Mapping your strengths"
)


def message(
    plain: str | None = None,
    html: str | None = None,
    *,
    cte: str = "quoted-printable",
    charset: str = "utf-8",
    html_cte: str = "quoted-printable",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = PERSON
    msg["To"] = ORGANISERS
    msg["Subject"] = "Re: Career Circle, week 2: Mapping your strengths"
    if plain is not None:
        msg.set_content(plain, charset=charset, cte=cte)
        if html is not None:
            msg.add_alternative(html, subtype="html", cte=html_cte)
    elif html is not None:
        msg.set_content(html, subtype="html", charset=charset, cte=html_cte)
    return msg


def gmail_html(new: str, quoted_lines: list[str]) -> str:
    return (
        f'<div dir="ltr">{new}</div><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">{escape(GMAIL_ATTR)}<br></div><blockquote class="gmail_quote" '
        f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
        f'padding-left:1ex">{html_of(quoted_lines)}</blockquote></div>'
    )


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], EmailMessage]
    questions: tuple[Question, ...]
    answers: dict[str, str | int]
    unread: str = ""
    problems: dict[str, str] = field(default_factory=dict)


def _interleaved(answers: dict[str, list[str]], week1: bool = False) -> str:
    """The whole email quoted, with the person's lines after the questions in ``answers``."""
    out: list[str] = []
    keys = ["met", "progress", "note", *(["fit"] if week1 else [])]
    body = original(week1)
    tail_at = len(body) - 3
    out += [quoted([line]) for line in body[:9]]
    for key in keys:
        out += [quoted([line]) for line in QUESTION_LINES[key]]
        if key in answers:
            out += ["", *answers[key], ""]
    out += [quoted([line]) for line in body[tail_at:]]
    return "\n".join(out)


CASES: list[Case] = [
    Case(
        "gmail_top_numbered",
        lambda: message(
            "1. Yes\n2. 4\n3. We met twice and worked on my CV.\n\n"
            f"{GMAIL_ATTR_WRAPPED}\n\n{quoted(original())}\n",
            gmail_html("<div>1. Yes</div><div>2. 4</div><div>3. We met twice</div>", original()),
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "We met twice and worked on my CV."},
    ),
    Case(
        "gmail_top_unnumbered_week1",
        lambda: message(
            f"Yes\n4\nAll good, thanks for checking in\nYes\n\n{GMAIL_ATTR}\n\n"
            f"{quoted(original(True))}\n"
        ),
        WEEK1,
        {"met": "yes", "progress": 4, "note": "All good, thanks for checking in", "fit": "yes"},
    ),
    Case(
        "gmail_bottom_interleaved",
        lambda: message(
            f"{GMAIL_ATTR}\n\n"
            + _interleaved({"met": ["Yes!"], "progress": ["3"], "note": ["Ben is great."]})
        ),
        WEEK2,
        {"met": "yes", "progress": 3, "note": "Ben is great."},
    ),
    Case(
        "gmail_bottom_interleaved_skips_one",
        lambda: message(
            f"{GMAIL_ATTR}\n\n"
            + _interleaved({"met": ["no"], "fit": ["yeah"]}, week1=True)
            + "\n\n-- \nAnna Example\nSenior Analyst, Example Ltd\n"
        ),
        WEEK1,
        {"met": "no", "fit": "yes"},
    ),
    Case(
        "gmail_html_only_top",
        lambda: message(
            html=gmail_html(
                "<div>1) Yes!</div><div>2) 5</div><div>3) Great session on interviews "
                "&#127881;</div>",
                original(),
            ),
            html_cte="base64",
        ),
        WEEK2,
        {"met": "yes", "progress": 5, "note": "Great session on interviews 🎉"},
    ),
    Case(
        "gmail_html_only_interleaved",
        lambda: message(
            html=(
                '<div dir="ltr">Answers below!</div><br><div class="gmail_quote">'
                f'<div class="gmail_attr">{escape(GMAIL_ATTR)}</div>'
                f'<blockquote class="gmail_quote">{html_of(original()[:10])}</blockquote>'
                "<div>yep</div>"
                f'<blockquote class="gmail_quote">{html_of(original()[10:12])}</blockquote>'
                "<div>4 out of 5</div>"
                f'<blockquote class="gmail_quote">{html_of(original()[12:])}</blockquote></div>'
            )
        ),
        WEEK2,
        {"met": "yes", "progress": 4},
        "Answers below!",
    ),
    Case(
        "gmail_html_ordered_list",
        lambda: message(
            html=gmail_html(
                "<ol><li>Yes</li><li>2</li><li>Ben was ill, we talked by phone.</li></ol>",
                original(),
            )
        ),
        WEEK2,
        {"met": "yes", "progress": 2, "note": "Ben was ill, we talked by phone."},
    ),
    Case(
        "outlook_desktop_top",
        lambda: message(
            "1) Yes!\n2) 3\n3) Busy week at work, but we kept our call.\n\n"
            "This email and any attachments are confidential and intended solely for the\n"
            "addressee. If you have received it in error, please delete it.\n\n"
            f"{OUTLOOK_HEADER}\n\n" + "\n".join(original()) + "\n"
        ),
        WEEK2,
        {"met": "yes", "progress": 3, "note": "Busy week at work, but we kept our call."},
    ),
    Case(
        "outlook_desktop_html_only",
        lambda: message(
            html=(
                '<html><head><style>p.MsoNormal{margin:0}</style></head><body lang="EN-GB">'
                '<div class="WordSection1"><p class="MsoNormal">1. yes<o:p></o:p></p>'
                '<p class="MsoNormal">2. 4/5<o:p></o:p></p>'
                '<p class="MsoNormal">3. Tr&egrave;s bien, merci<o:p></o:p></p>'
                '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
                '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm">'
                '<p class="MsoNormal"><b>From:</b> Career Circle &lt;organisers@example.org&gt;'
                "<br><b>Sent:</b> Monday, March 2, 2026 9:00 AM</p></div>"
                f"{html_of(original())}</div></body></html>"
            ),
            charset="windows-1252",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "Très bien, merci"},
    ),
    Case(
        "outlook_web_top_underscores",
        lambda: message(
            "Yes\n5\nWe’re making real progress on the CV – thank you!\n\n"
            "________________________________\n"
            f"{OUTLOOK_HEADER}\n\n" + "\n".join(original()) + "\n"
        ),
        WEEK2,
        {"met": "yes", "progress": 5, "note": "We’re making real progress on the CV – thank you!"},
    ),
    Case(
        "outlook_web_html_only",
        lambda: message(
            html=(
                '<div style="font-family:Aptos">Q1: no</div><div>Q2: 1</div>'
                "<div>Q3: Ben cancelled twice.</div><div>Can you help?</div>"
                '<div id="appendonsend"></div><hr style="display:inline-block;width:98%">'
                '<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Career Circle<br>'
                "<b>Sent:</b> 02 March 2026 09:00</div>"
                f"<div>{html_of(original())}</div>"
            )
        ),
        WEEK2,
        {"met": "no", "progress": 1, "note": "Ben cancelled twice.\nCan you help?"},
    ),
    Case(
        "outlook_original_message",
        lambda: message(
            "#1 yes\n#2 4\n#3 Fine.\n\n-----Original Message-----\n"
            f"{OUTLOOK_HEADER}\n\n" + "\n".join(original()),
            cte="base64",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "Fine."},
    ),
    Case(
        "outlook_german_header",
        lambda: message(
            "1. Ja\n2. 3\n3. Alles gut, wir haben uns zweimal getroffen.\n\n"
            "Von: Career Circle <organisers@example.org>\nGesendet: Montag, 2. März 2026 09:00\n"
            "An: Anna Example\nBetreff: Career Circle\n\n" + "\n".join(original()),
            charset="iso-8859-1",
        ),
        WEEK2,
        {"met": "yes", "progress": 3, "note": "Alles gut, wir haben uns zweimal getroffen."},
    ),
    Case(
        "apple_mail_top_iphone",
        lambda: message(
            "Yep\n4/5\nWe talked about interview prep 🎉\n\nSent from my iPhone\n\n"
            f"> {APPLE_ATTR}\n> \n{quoted(original())}\n",
            cte="8bit",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "We talked about interview prep 🎉"},
    ),
    Case(
        "apple_mail_html_only",
        lambda: message(
            html=(
                '<html><body dir="auto"><div dir="ltr">1. Nope</div><div dir="ltr">2. 2</div>'
                '<div dir="ltr">3. Не смогли встретиться, Бен был в отпуске.</div>'
                '<div dir="ltr"><br>Sent from my iPhone</div><div dir="ltr"><br>'
                f'<blockquote type="cite">{escape(APPLE_ATTR)}<br><br>'
                f"{html_of(original())}</blockquote></div></body></html>"
            ),
            html_cte="base64",
        ),
        WEEK2,
        {"met": "no", "progress": 2, "note": "Не смогли встретиться, Бен был в отпуске."},
    ),
    Case(
        "thunderbird_bottom_plain",
        lambda: message(
            f"{THUNDERBIRD_ATTR}\n"
            + _interleaved(
                {"met": ["yes"], "progress": ["four"], "note": ["We met twice.", "Going well."]}
            ),
            cte="7bit",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "We met twice.\nGoing well."},
    ),
    Case(
        "thunderbird_html_top",
        lambda: message(
            html=(
                "<html><body><p>1 - yes<br>2 - 3<br>3 - nothing to add</p>"
                '<div class="moz-cite-prefix">On 02/03/2026 09:00, Career Circle wrote:<br></div>'
                f'<blockquote type="cite" cite="mid:x@example.org">{html_of(original())}'
                '</blockquote><div class="moz-signature">-- <br>Anna</div></body></html>'
            )
        ),
        WEEK2,
        {"met": "yes", "progress": 3, "note": "nothing to add"},
    ),
    Case(
        "gmail_french",
        lambda: message(
            "1. Oui\n2. 4 sur 5\n3. Nous nous sommes vus deux fois, très utile.\n\n"
            "Le lun. 2 mars 2026 à 09:00, Career Circle <organisers@example.org> a écrit :\n\n"
            f"{quoted(original())}\n",
            cte="base64",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "Nous nous sommes vus deux fois, très utile."},
    ),
    Case(
        "gmail_german_wrapped",
        lambda: message(
            "ja\n3\nBen hat mir sehr geholfen.\n\nAm Mo., 2. März 2026 um 09:00 Uhr schrieb "
            "Career Circle <\norganisers@example.org>:\n\n" + quoted(original()),
            charset="iso-8859-1",
        ),
        WEEK2,
        {"met": "yes", "progress": 3, "note": "Ben hat mir sehr geholfen."},
    ),
    Case(
        "gmail_spanish",
        lambda: message(
            "Sí\ncinco\n¡Todo genial!\n\nEl lun, 2 mar 2026 a las 9:00, Career Circle (<"
            "organisers@example.org>) escribió:\n\n" + quoted(original()),
            cte="base64",
        ),
        WEEK2,
        {"met": "yes", "progress": 5, "note": "¡Todo genial!"},
    ),
    Case(
        "cyrillic_koi8",
        lambda: message(
            "1. да\n2. 4\n3. Всё хорошо, спасибо за программу.\n\n"
            f"{GMAIL_ATTR}\n\n{quoted(original())}",
            charset="koi8-r",
            cte="base64",
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "Всё хорошо, спасибо за программу."},
    ),
    Case(
        "question_text_echo",
        lambda: message(
            "Did you meet? Yes\nHow much progress? 4 out of 5\n"
            "Anything you would like the organisers to know? Not really, all fine.\n\n"
            f"{GMAIL_ATTR}\n\n{quoted(original())}"
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "Not really, all fine."},
    ),
    Case(
        "copied_questions_answer_below",
        lambda: message(
            "1. Did you meet or talk this week? (yes / no)\nNo\n"
            "2. How much progress did you make towards the career goal this week? (1-5)\n2\n"
            "4. Is this match working for you so far? (yes / no)\nnot really\n\n"
            f"{GMAIL_ATTR}\n\n{quoted(original(True))}"
        ),
        WEEK1,
        {"met": "no", "progress": 2, "fit": "no"},
    ),
    Case(
        "numbered_variants_multiline",
        lambda: message(
            "Hi Sam,\n\nQ1: yep\n#2 4\n3 - we met twice, once online.\n\n"
            "Ben suggested a course I will start next month.\n\nThanks,\nAnna\n\n"
            f"{GMAIL_ATTR}\n\n{quoted(original())}"
        ),
        WEEK2,
        {
            "met": "yes",
            "progress": 4,
            "note": "we met twice, once online.\n\nBen suggested a course I will start next month.",
        },
    ),
    Case(
        "values_that_do_not_fit",
        lambda: message(
            f"1. maybe\n2. 7\n3. Ben moved house.\n\n{GMAIL_ATTR}\n\n{quoted(original())}"
        ),
        WEEK2,
        {"note": "Ben moved house."},
        "1. maybe\n2. 7",
        {"met": "not a yes or no answer", "progress": "not a number from 1 to 5"},
    ),
    Case(
        "value_with_more_words",
        lambda: message(
            "Sorry for the late reply, I was away.\n\n1. Yes, we met on Tuesday at the café\n"
            f"2. 3.5\n3. ok\n\n{GMAIL_ATTR}\n\n{quoted(original())}"
        ),
        WEEK2,
        {"met": "yes", "note": "ok"},
        "Sorry for the late reply, I was away.\n\n1. Yes, we met on Tuesday at the café\n2. 3.5",
        {"progress": "not a number from 1 to 5"},
    ),
    Case(
        "bottom_posted_after_whole_quote",
        lambda: message(f"{GMAIL_ATTR}\n{quoted(original())}\n\nyes\n4\nfine\n"),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "fine"},
    ),
    Case(
        "wrapup_feedback_paragraphs",
        lambda: message(
            "The mock interviews, by far. I used them in a real interview last week.\n\n"
            "Next time: a shared calendar would help.\n\nMany thanks,\nAnna\n\n"
            f"{GMAIL_ATTR}\n\n> Congratulations!\n"
        ),
        WRAPUP,
        {
            "feedback": "The mock interviews, by far. I used them in a real interview last week."
            "\n\nNext time: a shared calendar would help."
        },
    ),
    Case(
        "apple_mail_bottom_interleaved_emoji",
        lambda: message(
            f"> {APPLE_ATTR}\n> \n"
            + _interleaved({"met": ["Yes 👍"], "progress": ["5/5 🚀"], "note": ["Merci ☺️"]}),
            cte="quoted-printable",
        ),
        WEEK2,
        {"met": "yes", "progress": 5, "note": "Merci ☺️"},
    ),
    Case(
        "outlook_mac_bold_header",
        lambda: message(
            "no\n2\nWe had to reschedule.\n\n*From:* Career Circle <organisers@example.org>\n"
            "*Date:* Monday, 2 March 2026 at 09:00\n*To:* Anna Example\n\n" + "\n".join(original())
        ),
        WEEK2,
        {"met": "no", "progress": 2, "note": "We had to reschedule."},
    ),
    Case(
        "ps_continues_the_note",
        lambda: message(
            f"1. yes\n2. 4\n3. all good\nP.S. Ben says hi\n\n{GMAIL_ATTR}\n{quoted(original())}"
        ),
        WEEK2,
        {"met": "yes", "progress": 4, "note": "all good\nP.S. Ben says hi"},
    ),
    Case(
        "empty_reply",
        lambda: message(f"{GMAIL_ATTR}\n\n{quoted(original())}\n"),
        WEEK2,
        {},
    ),
    Case(
        "with_small_attachment",
        lambda: _with_attachment(
            message("1. no\n2. 1\n3. See my notes attached.\n\nSent from Outlook for iOS"),
            b"%PDF-1.4 not really a pdf",
        ),
        WEEK2,
        {"met": "no", "progress": 1, "note": "See my notes attached."},
    ),
]


def _with_attachment(msg: EmailMessage, data: bytes, name: str = "notes.pdf") -> EmailMessage:
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg


def with_big_attachment(size: int = 50 * 1024 * 1024) -> EmailMessage:
    """A reply with a ``size``-byte attachment, encoded the cheap way (C base64, not per line)."""
    msg = message("1. yes\n2. 5\n3. Photos from our meeting attached.")
    msg.make_mixed()
    part = EmailMessage()
    part["Content-Type"] = "image/jpeg"
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = 'attachment; filename="meeting.jpg"'
    part.set_payload(base64.encodebytes(b"\xff\xd8\xff" + bytes(size - 3)).decode("ascii"))
    msg.attach(part)
    return msg


# -- written by machines: never answers ------------------------------------------------------
#
# Each builder takes the Message-ID of the message it answers (or returns) and the address
# of the person it came from (or that failed), and writes what the system named writes.

REPORTER = "mx.example.com"


def _auto(
    address: str,
    to_id: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Anna Example <{address}>"
    msg["To"] = ORGANISERS
    msg["Subject"] = subject
    digest = hashlib.sha256(f"{subject}|{to_id}|{headers}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<auto.{digest}@mail.example.net>"
    msg["In-Reply-To"] = to_id
    msg["References"] = to_id
    msg["Date"] = "Tue, 10 Mar 2026 09:00:00 +0000"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


LEAVE = "I am on leave until 20 March with no access to email. For urgent matters call 555-0100."
WEEK2_SUBJECT = "Career Circle, week 2: Mapping your strengths"


def _oof_subject(prefix: str) -> Callable[[str, str], EmailMessage]:
    """An out-of-office reply told only by its subject (no header says so)."""
    return lambda address, to_id: _auto(address, to_id, f"{prefix} {WEEK2_SUBJECT}", LEAVE)


def _raw(text: str) -> EmailMessage:
    from email import message_from_bytes, policy

    data = text.replace("\n", "\r\n").encode("utf-8")
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _mdn(address: str, to_id: str) -> EmailMessage:
    """A read receipt as Thunderbird sends it (RFC 8098)."""
    return _raw(
        f"""From: Anna Example <{address}>
To: {ORGANISERS}
Subject: Read: {WEEK2_SUBJECT}
Message-ID: <mdn-1@mail.example.net>
In-Reply-To: {to_id}
References: {to_id}
Date: Tue, 10 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type="disposition-notification";
 boundary="mdn-boundary"

--mdn-boundary
Content-Type: text/plain; charset=UTF-8

This is a Return Receipt for the mail that you sent to Anna. Yes, it was read.

--mdn-boundary
Content-Type: message/disposition-notification

Reporting-UA: {REPORTER}; Thunderbird
Final-Recipient: rfc822;{address}
Original-Message-ID: {to_id}
Disposition: manual-action/MDN-sent-manually; displayed

--mdn-boundary--
"""
    )


def _dsn(
    address: str,
    to_id: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    returned: bool = True,
) -> EmailMessage:
    """A delivery status notification as Postfix writes it (RFC 3464): no In-Reply-To; the
    message that bounced is named by its returned headers."""
    subject = "Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail"
    original = "" if returned else f"Original-Message-ID: {to_id}\n"
    headers = (
        "Content-Description: Undelivered Message Headers\n"
        "Content-Type: text/rfc822-headers\n\n"
        "From: Career Circle <organisers@example.org>\n"
        f"To: Anna <{address}>\nSubject: {WEEK2_SUBJECT}\nMessage-ID: {to_id}\n"
        if returned
        else "Content-Type: text/plain\n\nThe message's headers are not returned.\n"
    )
    return _raw(
        f"""From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: organisers@example.org
Subject: {subject}
Message-ID: <dsn-{status}-{action}-{hashlib.sha256((address + to_id).encode()).hexdigest()[:8]}@mx.example.com>
Auto-Submitted: auto-replied
Date: Tue, 10 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="dsn-boundary"

--dsn-boundary
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.com.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--dsn-boundary
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; {REPORTER}
{original}Arrival-Date: Mon, 9 Mar 2026 09:00:01 +0000

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{address}>: Recipient address rejected

--dsn-boundary
{headers}
--dsn-boundary--
"""
    )


def _qmail(address: str, to_id: str) -> EmailMessage:
    """A bounce in qmail's own shape (QSBMF): no delivery-status part at all."""
    msg = EmailMessage()
    msg["From"] = "MAILER-DAEMON@mx.example.com"
    msg["To"] = "organisers@example.org"
    msg["Subject"] = "failure notice"
    msg["Message-ID"] = "<qmail-1@mx.example.com>"
    msg.set_content(
        "Hi. This is the qmail-send program at mx.example.com.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{address}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"From: Career Circle <organisers@example.org>\nTo: <{address}>\n"
        f"Subject: {WEEK2_SUBJECT}\nMessage-ID: {to_id}\n\nHello Anna,\n"
    )
    return msg


@dataclass(frozen=True)
class Machine:
    name: str
    kind: str  # auto_reply | receipt | bounce
    build: Callable[[str, str], EmailMessage]  # (the person's address, Message-ID it names)
    permanent: bool | None = None  # a bounce: fails for good (None: not a failure)


MACHINE: list[Machine] = [
    Machine(
        "gmail_vacation",
        "auto_reply",
        lambda a, i: _auto(a, i, "Out of office", LEAVE, {"Auto-Submitted": "auto-replied"}),
    ),
    Machine(
        "exchange_oof",
        "auto_reply",
        lambda a, i: _auto(
            a,
            i,
            f"Automatic reply: {WEEK2_SUBJECT}",
            LEAVE,
            {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        ),
    ),
    Machine(
        "sieve_vacation_with_params",
        "auto_reply",
        lambda a, i: _auto(
            a, i, f"Re: {WEEK2_SUBJECT}", LEAVE, {"Auto-Submitted": "Auto-Replied (vacation)"}
        ),
    ),
    Machine(
        "x_autoreply",
        "auto_reply",
        lambda a, i: _auto(a, i, f"Re: {WEEK2_SUBJECT}", LEAVE, {"X-Autoreply": "yes"}),
    ),
    Machine(
        "x_autorespond",
        "auto_reply",
        lambda a, i: _auto(a, i, f"Re: {WEEK2_SUBJECT}", LEAVE, {"X-Autorespond": "Away"}),
    ),
    *(
        Machine(
            f"precedence_{value}",
            "auto_reply",
            lambda a, i, value=value: _auto(
                a, i, f"Re: {WEEK2_SUBJECT}", LEAVE, {"Precedence": value}
            ),
        )
        for value in ("auto_reply", "bulk", "junk", "list")
    ),
    *(
        Machine(f"subject_{lang}", "auto_reply", _oof_subject(prefix))
        for lang, prefix in (
            ("en", "Out of Office:"),
            ("en_autoreply", "Out of Office AutoReply:"),
            ("fr", "Réponse automatique :"),
            ("fr_absence", "Absence du bureau :"),
            ("de", "Abwesenheitsnotiz:"),
            ("de_antwort", "Automatische Antwort:"),
            ("es", "Respuesta automática:"),
            ("es_no_accent", "RESPUESTA AUTOMATICA:"),
            ("pt", "Resposta automática:"),
            ("it", "Risposta automatica:"),
            ("nl", "Automatisch antwoord:"),
            ("nl_afwezig", "[Afwezig]"),
        )
    ),
    Machine("thunderbird_mdn", "receipt", _mdn),
    Machine("postfix_dsn_5xx", "bounce", _dsn, permanent=True),
    Machine(
        "dsn_gave_up_4xx",
        "bounce",
        lambda a, i: _dsn(a, i, status="4.4.7"),
        permanent=False,
    ),
    Machine(
        "dsn_original_message_id_only",
        "bounce",
        lambda a, i: _dsn(a, i, returned=False),
        permanent=True,
    ),
    Machine("dsn_delayed", "bounce", lambda a, i: _dsn(a, i, status="4.4.1", action="delayed")),
    Machine("qmail_bounce", "bounce", _qmail, permanent=True),
]

# Replies by people that mention being away, or begin like one: answers all the same.
STILL_ANSWERS: list[tuple[str, Callable[[], EmailMessage]]] = [
    (
        "mentions_out_of_office",
        lambda: _auto(
            "anna@example.com",
            "<x@y>",
            f"Re: {WEEK2_SUBJECT}",
            "1. no\n2. 2\n3. I was out of office all week, back now.",
        ),
    ),
    (
        "subject_out_of_office_hours",
        lambda: _auto(
            "anna@example.com",
            "<x@y>",
            "Out of office hours we met twice",
            "1. yes\n2. 4\n3. great",
        ),
    ),
    (
        "auto_submitted_no",
        lambda: _auto(
            "anna@example.com",
            "<x@y>",
            f"Re: {WEEK2_SUBJECT}",
            "1. yes\n2. 4\n3. ok",
            {"Auto-Submitted": "no"},
        ),
    ),
]
