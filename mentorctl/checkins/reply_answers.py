"""Place the lines of an email reply on the check-in questions they answer.

``read_answers(text, questions)`` takes the person's text (as :func:`reply_text.reply_text`
returns it) and the week's questions in the order the email numbered them. A line is placed:

1. by its number: "1. yes", "1) Yes!", "2 - 4", "3: we met twice", "Q2: 4", "#2 4"; a line
   "1. yes 2. 4 3. met for coffee" is read as its numbered parts when each yes/no and 1-5
   part is that value alone;
2. by the question text written before the answer: "Did you meet? Yes" (the text may be
   shortened; the "(yes / no)" and "(1-5)" hints are ignored), or by a label that names the question ("Met: yes", "Progress: 4/5", "Notes - ..."; without
   a colon only a value alone: "Progress 4.");
3. by the quoted question line just above it (a bottom-posted reply, where ``reply_text``
   keeps that quoted line, starting with ">");
4. otherwise in question order: the next question not answered yet.

A text answer goes on over the following lines (blank lines too) until a numbered line, a
question, a quoted line, or a short value that fits the next open yes/no or scale question.
A value that does not fit its question's kind is not guessed: its line goes to ``unread``,
as does a line that says more than its value ("Yes, we met on Tuesday": the "yes" is taken
and the whole line is kept). ``unread`` keeps the person's lines verbatim; a greeting on the
first line ("Hi Sam,") is dropped. Quoted lines never reach ``unread``: they are not the
person's words.

Pure: no I/O, stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol

from mentorctl.checkins.reply_values import clean_text, read_value

KINDS = ("yes_no", "scale", "text")
NOT_A_VALUE = {
    "yes_no": "not a yes or no answer",
    "scale": "not a number from 1 to 5",
    "text": "empty",
}
TWICE = "answered more than once; the first answer is kept"


class QuestionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # yes_no | scale | text
    text: str = ""


@dataclass
class ReadReply:
    answers: dict[str, str | int] = field(default_factory=dict)
    unread: str = ""
    # key -> why a line meant for that question was not taken (its line is in ``unread``)
    problems: dict[str, str] = field(default_factory=dict)


# "Q2: 4", "question 2 - 4", "#2 4" (a bare space is enough after "Q" or "#"), "1. yes",
# "1) Yes!", "2 - 4", "3: we met". A lone "4." is a value, not a number, hence the (?=\S).
_NUMBERED = re.compile(
    r"^(?:(?:q|question)\s*(?P<q>\d{1,2})|#\s*(?P<h>\d{1,2}))\s*(?:[.):\-–—]\s*|\s)(?P<qr>\S.*)$"
    r"|^(?P<n>\d{1,2})(?:[.)](?!\d)|:|\s+[-–—]|[-–—]\s)\s*(?P<nr>\S.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[-*•·]\s+|\*\*|__)")
_HINT = re.compile(r"\(\s*(?:yes\s*/\s*no|1\s*[-–]\s*5)\s*\)", re.IGNORECASE)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hiya|good (?:morning|afternoon|evening)|hallo|bonjour|salut|hola|"
    r"buenos días|ciao|olá|привет|здравствуйте)\b[^.?!]{0,40}[,!.:]?$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[^\W_]+")
# "Met: yes", "Progress: 4/5", "Notes - ...": a label of up to three words, then the answer.
_LABELLED = re.compile(r"^([^\W\d_]+(?:[ '-][^\W\d_]+){0,2})\s*(?:[:：=]|\s[-–—])\s*(\S.*)$")
# "Progress 4.", "Met yes": a one-word label, then a value alone.
_LABEL_SPACE = re.compile(r"^([^\W\d_]+)\s+(\S.*)$")
# "1. yes 2. 4 3. met for coffee": the numbers of several answers on one line.
_INLINE_NUMBER = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s+")
# A numbered question line of the email, as it stands in an unquoted original.
_QUESTION_NUMBER = re.compile(r"^\s*(?:\*\*)?(\d{1,2})[.)]\s+(\S.*)$")
_HINT_END = re.compile(r"^[\s?:.)]*(?:\([^()]{1,30}\))?[\s?:.]*")


def _norm_words(text: str) -> list[str]:
    return _WORDS.findall(_HINT.sub(" ", text).casefold())


def _question_words(question: QuestionLike) -> list[str]:
    return list(_text_words(question.text))


@lru_cache(maxsize=512)
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(_norm_words(text.split("?")[0]))


def _match_question(
    text: str, questions: Sequence[QuestionLike]
) -> tuple[QuestionLike, str] | None:
    """The question whose text ``text`` starts with, and what follows it (the answer).

    The person's copy may be shortened ("Did you meet?") or retyped, so a question matches
    when the words before the "?" (or ":") are mostly its own words, in order.
    """
    cut = re.search(r"\?|:\s", text)
    if cut is None:
        head, rest = text, ""
    else:
        head, rest = text[: cut.start()], text[cut.end() :]
    words = _norm_words(head)
    if len(words) < 2:
        return None
    scored = []
    for question in questions:
        own = _question_words(question)
        if not own:
            continue
        covered = SequenceMatcher(None, words, own, autojunk=False)
        same = sum(block.size for block in covered.get_matching_blocks())
        # Most of what the person wrote is the question's, and it is not a mere two words of
        # a long sentence that happens to share "you" and "this".
        if same / len(words) >= 0.75 and same >= min(3, len(own)):
            scored.append((same / len(own) + same / len(words), question))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    rest = _HINT.sub("", rest).strip().lstrip(":-–— ").strip()
    return scored[0][1], rest


@lru_cache(maxsize=256)
def _label_words(text: str, key: str) -> tuple[str, ...]:
    return (*_norm_words(text.split("?")[0]), *key.casefold().replace("_", " ").split())


def _label_matches(label: str, question: QuestionLike) -> bool:
    """Whether every word of ``label`` is the question's key or one of its words (a shared
    start of four letters is enough: "Meeting" for "meet", "Notes" for "note")."""
    own = _label_words(question.text, question.key)
    for word in _norm_words(label):
        if word in own:
            continue
        if len(word) < 4 or not any(len(q) >= 4 and q[:4] == word[:4] for q in own):
            return False
    return True


def _labelled(
    line: str, questions: Sequence[QuestionLike]
) -> tuple[QuestionLike, str, bool] | None:
    """(question, answer, whether a colon set it off) for "Met: yes" or "Progress 4."."""
    for pattern, colon in ((_LABELLED, True), (_LABEL_SPACE, False)):
        found = pattern.match(line)
        if found is None:
            continue
        label, rest = found.group(1), found.group(2)
        if not any(len(w) >= 3 for w in _norm_words(label)):
            continue
        matching = [q for q in questions if _label_matches(label, q)]
        if len(matching) != 1:
            continue
        question = matching[0]
        if not colon:
            read = read_value(question.kind, rest) if question.kind != "text" else None
            if read is None or read[1]:
                continue
        return question, rest, colon
    return None


def _split_numbered(line: str, questions: Sequence[QuestionLike]) -> list[str] | None:
    """ "1. yes 2. 4 3. met for coffee" as its numbered parts, or None. Only when the numbers
    run 1, 2, 3... from the line's start and each yes/no and 1-5 part is that value alone."""
    marks = list(_INLINE_NUMBER.finditer(line))
    if len(marks) < 2 or marks[0].start() != 0 or len(marks) > len(questions):
        return None
    if [int(mark.group(1)) for mark in marks] != list(range(1, len(marks) + 1)):
        return None
    parts = []
    for at, mark in enumerate(marks):
        end = marks[at + 1].start() if at + 1 < len(marks) else len(line)
        value = line[mark.end() : end].strip()
        kind = questions[at].kind
        if kind != "text":
            read = read_value(kind, value)
            if read is None or read[1]:
                return None
        parts.append(f"{at + 1}. {value}")
    return parts


def inline_answers(
    original: Sequence[str],
    questions: Sequence[QuestionLike],
    ends: Callable[[str], bool] = lambda line: False,
) -> list[str]:
    """Answers typed into an unquoted original under (or after) its numbered questions, as
    "2. 4" lines; the original's own lines never come out.

    A question is found by its number and its words, in order, over the lines it is wrapped
    on; what follows its last word (and its "(1-5)" hint) on that line, and the lines right
    under it up to a blank line, the next question or a line ``ends`` says closes the
    email ("Warm wishes,": text made from HTML has no blank lines), are the person's.
    """
    out: list[str] = []
    index = 0
    while index < len(original):
        found = _QUESTION_NUMBER.match(original[index])
        number = int(found.group(1)) if found else 0
        if not 1 <= number <= len(questions) or found is None:
            index += 1
            continue
        own = _question_words(questions[number - 1])
        at, line, rest = 0, found.group(2), ""
        while own and index < len(original):
            for word in _WORDS.finditer(line):
                if at < len(own) and word.group().casefold() == own[at]:
                    at += 1
                    if at == len(own):
                        rest = line[word.end() :]
                        break
                else:
                    at = -1
                    break
            if at in (-1, len(own)):
                break
            index += 1
            line = original[index] if index < len(original) else ""
            if not line.strip() or _QUESTION_NUMBER.match(line):
                at = -1
                break
        index += 1
        if at != len(own):
            continue
        typed = [rest[_HINT_END.match(rest).end() :].strip()]  # type: ignore[union-attr]
        while index < len(original) and original[index].strip():
            if _QUESTION_NUMBER.match(original[index]) or ends(original[index].strip()):
                break
            typed.append(original[index].strip())
            index += 1
        typed = [line for line in typed if line]
        if typed:
            out += [f"{number}. {typed[0]}", *typed[1:]]
    return out


@dataclass
class _Reader:
    questions: Sequence[QuestionLike]
    result: ReadReply = field(default_factory=ReadReply)
    unread: list[tuple[int, str]] = field(default_factory=list)
    pending: QuestionLike | None = None  # named just above, its answer still to come
    open_text: str | None = None  # key of a text answer that goes on
    text_lines: dict[str, list[str]] = field(default_factory=dict)
    targeted: set[str] = field(default_factory=set)

    def keep(self, index: int, line: str) -> None:
        self.unread.append((index, line))

    def next_open(self) -> QuestionLike | None:
        answers = self.result.answers
        return next((q for q in self.questions if q.key not in answers), None)

    def give(self, question: QuestionLike, value_text: str, index: int, line: str, *, aimed: bool):
        """Answer ``question`` with ``value_text``; ``aimed`` when the line named it."""
        self.pending = None
        self.open_text = None
        key, answers = question.key, self.result.answers
        read = read_value(question.kind, value_text)
        if read is None:
            self.keep(index, line)
            if aimed:
                self.result.problems.setdefault(key, NOT_A_VALUE.get(question.kind, "unknown"))
            return
        value, extra = read
        if question.kind == "text":
            self.text_lines.setdefault(key, []).append(value_text)
            answers[key] = ""
            self.open_text = key
            return
        if key in answers and answers[key] != value:
            self.keep(index, line)
            self.result.problems[key] = TWICE
            return
        answers[key] = value
        self.result.problems.pop(key, None)
        if extra:
            self.keep(index, line)

    def ends_text(self, line: str) -> bool:
        """True when ``line`` is a short value for the next open yes/no or scale question."""
        following = self.next_open()
        if following is None or following.kind == "text":
            return False
        read = read_value(following.kind, line)
        return read is not None and not read[1]

    def context(self, quoted: list[str]) -> None:
        """Quoted lines above the person's own: the last question they show is answered next."""
        groups: list[list[str]] = []
        for raw in quoted:
            line = raw.lstrip("> ").strip()
            if not line:
                groups.append([])
            elif _NUMBERED.match(line) or not groups or not groups[-1]:
                groups.append([line])
            else:  # the email wraps long questions over two lines
                groups[-1].append(line)
        items = [" ".join(group) for group in groups]
        self.open_text = None
        self.pending = None
        for item in reversed(items):
            numbered = _NUMBERED.match(item)
            body = (numbered.group("qr") or numbered.group("nr")) if numbered else item
            found = _match_question(body, self.questions)
            if found is not None:
                self.pending = found[0]
                return

    def line(self, index: int, raw: str) -> None:
        line = _BULLET.sub("", raw.strip()).strip()
        numbered = _NUMBERED.match(line)
        if numbered:
            number = int(numbered.group("q") or numbered.group("h") or numbered.group("n"))
            if 1 <= number <= len(self.questions):
                body = numbered.group("qr") or numbered.group("nr")
                found = _match_question(body, self.questions)
                # The question text, when written, says more than a number that may be off.
                question, value = found or (self.questions[number - 1], body)
                self.answer_named(question, _HINT.sub("", value).strip(), index, raw)
                return
        found = _match_question(line, self.questions)
        if found is not None:
            self.answer_named(found[0], found[1], index, raw)
            return
        label = _labelled(line, self.questions)
        # "Next time: ..." inside a text answer about next time goes on with it.
        if label is not None and label[0].key != self.open_text:
            self.answer_named(label[0], label[1], index, raw)
            return
        if self.pending is not None:
            self.give(self.pending, line, index, raw, aimed=True)
        elif self.open_text is not None and not self.ends_text(line):
            self.text_lines[self.open_text].append(raw.rstrip())
        else:
            question = self.next_open()
            if question is None:
                self.open_text = None
                self.keep(index, raw)
            else:
                self.give(question, line, index, raw, aimed=False)

    def answer_named(self, question: QuestionLike, value: str, index: int, raw: str) -> None:
        self.targeted.add(question.key)
        if value:
            self.give(question, value, index, raw, aimed=True)
        else:  # the answer comes on the next line
            self.open_text = None
            self.pending = question

    def blank(self) -> None:
        if self.open_text is not None:
            self.text_lines[self.open_text].append("")

    def finish(self) -> ReadReply:
        for key, lines in self.text_lines.items():
            self.result.answers[key] = clean_text("\n".join(lines))
        if self.pending is not None and self.pending.key not in self.result.answers:
            self.result.problems.setdefault(self.pending.key, "no answer after the question")
        out: list[str] = []
        last = None
        for index, line in self.unread:
            if last is not None and index != last + 1:
                out.append("")
            out.append(line.rstrip())
            last = index
        self.result.unread = "\n".join(out).strip("\n")
        return self.result


def read_answers(text: str, questions: Sequence[QuestionLike]) -> ReadReply:
    """The answers ``text`` gives to ``questions`` (in the email's order) and what is left."""
    for question in questions:
        if question.kind not in KINDS:
            raise ValueError(f"question {question.key!r}: unknown kind {question.kind!r}")
    reader = _Reader(questions)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quoted: list[str] = []
    first = True
    for index, raw in enumerate(lines):
        if raw.lstrip().startswith(">"):
            quoted.append(raw)
            continue
        if not raw.strip():
            if not quoted:
                reader.blank()
            continue
        if quoted:
            reader.context(quoted)
            quoted = []
        if first and _GREETING.match(raw.strip()):
            first = False
            continue
        first = False
        parts = _split_numbered(raw.strip(), questions)
        for part in parts or [raw]:
            reader.line(index, part)
    return reader.finish()
