"""How mail clients mark the original message in a reply, in the languages people write in.

The tables here are the words clients write; the functions say whether a line (or two or
three lines joined, as clients wrap them) is one of these marks. Used by
:mod:`mentorctl.checkins.reply_text`.

- ``is_reply_header(text)``: the line a client writes above the quoted original, in any of its
  forms: "On <date>, <name> <address> wrote:" and its translations, with the verb anywhere
  near the end ("Am ... schrieb NAME <x>:", "NAME <x> ezt írta (időpont: ...):", "... 写道" and a full-width colon,
  "Wiadomość napisana przez NAME <x> w dniu ...:"), name- or address-first forms ("x@y
  wrote:", "NAME schrieb am ...:"), without the closing colon or between Zoho's dashes
  ("---- On ... wrote ----"), and the forms with no verb at all that Gmail writes in Russian,
  Japanese or Hebrew and some phones write everywhere: a date, then the address, then a colon
  (``30.09.2017, 18.30, "John" <x>:``). A header names an address, or a date or time.
- ``header_label(line)``: "first" or "next" for a line of Outlook's header block ("From:",
  "Sent:", "To:", "Subject:" and their translations, ``**De :**`` as some clients turn bold
  labels into text, a webmail's "Message du :"), None for any other line.
- ``is_separator(line)``: "-----Original Message-----", "-------- Message d'origine --------",
  "-----Original-Nachricht-----", a rule of underscores (Outlook's, or the "__" some put above
  a footer).
- ``split_glued(line)``: a separator glued to the label after it ("-----Ursprüngliche
  Nachricht-----Von: ...") as two lines.
- ``is_device_line(line)``: "Sent from my iPhone", "Von meinem iPhone gesendet", "Lähetetty
  iPhonesta", "Get Outlook for Android", "Wysłane z iPhone'a" and the like: a short line naming
  both the sending and a device or mail app, so that "Sent from my desk, ..." stays.

Every function looks at one bounded stretch of text (a line longer than ``MAX_HEADER`` is
never a header), so reading a reply stays linear in its length. Pure: no I/O, stdlib only.
"""

from __future__ import annotations

import re

MAX_HEADER = 500

# Clients strip or insert these around names and addresses in right-to-left languages.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")

# The verbs of "... wrote:" (and Dutch "heeft ... het volgende geschreven", Polish Apple Mail's
# "Wiadomość napisana przez", Japanese Apple Mail's "...のメール"), by language.
_VERBS = (
    "wrote|writes|has written|"  # en
    "a écrit|écrit|"  # fr
    "schrieb|geschrieben|"  # de
    "escribió|escrevia|escreveu|va escriure|"  # es pt ca
    "ha scritto|scrisse|"  # it
    "schreef|geschreven|"  # nl
    "napisał\\(a\\)|napisał|napisała|napisana przez|pisze|"  # pl
    "skrev|skrifaði|"  # sv nb da is
    "kirjoitti|kirjutas|rakstīja|rašė|"  # fi et lv lt
    "написал\\(а\\)|написал|написала|написав\\(ла\\)|написав|написала|пише|пишет|написа|"
    "napsal\\(a\\)|napsal|napsala|napísal\\(a\\)|napísal|"  # cs sk
    "je napisao|je napisala|je napisao/la|"  # hr sr bs
    "ezt írta|írta|"  # hu
    "şunu yazdı|şunları yazdı|yazdı|"  # tr
    "έγραψε|"  # el
    "a scris|"  # ro
    "đã viết|"  # vi
    "menulis|"  # id ms
    "كتب|كتابة|"  # ar
    "כתב/ה|כתב|כתבה|"  # he
    "ने लिखा"  # hi
)
_VERB = re.compile(r"(?<!\w)(?:" + _VERBS + r")(?!\w)", re.IGNORECASE)
_VERB_AT_END = re.compile(r"(?<!\w)(?:" + _VERBS + r")$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# Scripts written without spaces: the verb is glued to what surrounds it.
_VERB_GLUED = re.compile(r"写道|寫道|のメール|님이 작성|작성|쓴 글")
# Words a header opens with, before its date: "On", "Le", "Am", "El", "Em", "Il giorno",
# "In data", "No dia", "Op", "Den", "Dne", "Dnia", "W dniu", "Στις", "Pe", "Vào", "Pada".
_LEAD = re.compile(
    r"(?:on|le|am|el|em|il giorno|il|in data|no dia|op|den|dne|dnia|w dniu|στις|pe|vào|"
    r"pada tanggal|pada|في|בתאריך|ב-|在|mon|tue|wed|thu|fri|sat|sun|пн|вт|ср|чт|пт|сб|нд|вс|"
    r"mån|tis|ons|tors|fre|lör|sön|man|tir|lør|søn|pon|wt|śr|czw|sob|niedz)\b",
    re.IGNORECASE,
)
# After a name-first header's verb: "schrieb am 2.", "wrote on 2 March", "kirjoitti 2.3.".
_VERB_THEN_DATE = re.compile(r"\s+(?:(?:am|on|le|el|em|il|op|den|dne|w dniu|dnia)\s+)?\d", re.I)
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+\.[^\W_]{2,}")
# An address in <>, () or [] at the very end, before the colon, as the verbless forms end
# ("Meeting on 2.3.2026 with ben@example.org:" is the person's).
_ADDRESS_END = re.compile(r"[<(\[][^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+\.[^\W_]{2,}[>)\]]$")
_WHEN = re.compile(
    r"\d{1,2}[:.h]\d{2}(?!\d)|\d{1,4}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}|\d{4}\s?[年년.]|"
    r"\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}\b|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,\s+\d{4}"
)
_DASHES = re.compile(r"^-{2,}\s*|\s*-{2,}$")

# Outlook's header block: the label that opens it, and those that follow.
_FIRST_LABELS = (
    "from|von|de|da|van|från|fra|frá|od|от|від|kimden|feladó|lähettäjä|saatja|nuo|no|"
    "από|差出人|发件人|寄件者|寄件人|보낸 사람|من|מאת|de la|từ|dari|afzender|message du|"
    "original message from"
)
_NEXT_LABELS = (
    "sent|date|to|cc|subject|"
    "gesendet|datum|an|betreff|"
    "envoyé|à|a|objet|copie à|cc|"
    "enviado|enviado el|fecha|para|asunto|enviada em|enviada|assunto|data|"
    "inviato|oggetto|"
    "verzonden|aan|onderwerp|"
    "skickat|till|ämne|sendt|til|emne|dato|"
    "wysłano|wysłane|do|temat|"
    "отправлено|кому|тема|дата|надіслано|"
    "odesláno|komu|předmět|odoslané|"
    "gönderildi|kime|konu|tarih|"
    "elküldve|címzett|tárgy|dátum|"
    "lähetetty|vastaanottaja|aihe|päivämäärä|"
    "στάλθηκε|προς|θέμα|ημερομηνία|"
    "送信日時|宛先|件名|日付|发送时间|发送日期|收件人|主题|日期|寄件日期|收件者|主旨|"
    "보낸 날짜|받는 사람|제목|날짜|"
    "تاريخ الإرسال|إلى|الموضوع|التاريخ|"
    "נשלח|אל|נושא|תאריך|"
    "trimis|către|subiect|"
    "đã gửi|đến|chủ đề|ngày|"
    "dikirim|kepada|subjek|perihal|tanggal"
)
_LABEL = r"^[*_]{0,2}(?:%s)[*_]{0,2}\s?[:：][*_]{0,2}(?:\s|$)"
_FIRST = re.compile(_LABEL % _FIRST_LABELS, re.IGNORECASE)
_NEXT = re.compile(_LABEL % _NEXT_LABELS, re.IGNORECASE)

_SEPARATOR = re.compile(
    r"^(?:_{2,}|-{3,}\s*[\w' ,.-]{3,40}?\s*-{3,}|={3,}\s*[\w' ,.]{3,40}?\s*={3,}|"
    r"\*{3,}\s*[\w' ,.]{3,40}?\s*\*{3,})$"
)
_GLUED = re.compile(r"^(-{3,}[^-]{3,40}-{3,}|_{10,})\s*(\S.*)$")

# "Sent from my iPhone" in many languages: a word of sending and a device or app, few words.
_SENDING = re.compile(
    r"(?<!\w)(?:sent|get outlook|download outlook|envoyé|obtenir|télécharger|gesendet|"
    r"herunterladen|enviado|descargar|obter|baixe|inviato|scarica|verstuurd|verzonden|"
    r"download|wysłane|wysłano|pobierz|skickat|sendt|hent|lähetetty|hanki|отправлено|"
    r"надіслано|odesláno|odoslané|küldve|küldés|gönderildi|στάλθηκε|נשלח|trimis|"
    r"được gửi|dikirim|أُرسلت|أرسلت|"
    r"von meinem|de mon|desde mi|do meu|da mio|vanaf mijn|från min|fra min|z mojego|"
    r"с моего|з мого)(?!\w)|送信|发自|發自|보냄|iphone-ról|'umdan|から",
    re.IGNORECASE,
)
_SENDING_AT_END = re.compile(r"(?:" + _SENDING.pattern + r")[.!]?$", re.IGNORECASE)
_DEVICE = re.compile(
    r"iphon|ipad|ipod|android|galaxy|samsung|pixel|huawei|xiaomi|honor|oneplus|motorola|"
    r"nokia|blackberry|smartphone|mobile|mobil|móvil|móvel|cellulare|handy|tablet|"
    r"outlook|yahoo|proton|gmail|aol|zoho|mail\.ru|yandex|gmx|web\.de|thunderbird|"
    r"fairemail|k-9|spark|airmail|bluemail|ios|windows|\bmail\b|téléphone|telefon|"
    r"teléfono|telefone|celular|puhelin|телефон|appareil|apparaat|enhet|urządzenia",
    re.IGNORECASE,
)


def clean(line: str) -> str:
    """A line as its marks are compared: quote marks, bidi controls and spaces aside."""
    if not line.isascii():
        line = _BIDI.sub("", line)
    return line.lstrip("> \t").strip()


def could_end_header(text: str) -> bool:
    """The cheap test every line goes through: could a header end on this line?"""
    if len(text) > MAX_HEADER:
        return False
    if text.endswith((":", "：", "-")):
        return True
    # Without its colon a header ends on its verb, and names an address or a date.
    if not text[-1].isalpha() or ("@" not in text and _DIGIT.search(text) is None):
        return False
    return _VERB_AT_END.search(text[-40:]) is not None


def could_open_header(text: str) -> bool:
    """Whether a header wrapped over lines could open with this line: a sentence of the
    person's ("Only a short chat.") cannot."""
    if len(text) > MAX_HEADER or text.endswith((".", "!", "?")):
        return False
    return bool(_LEAD.match(text)) or text[:1].isdigit() or "@" in text or "<" in text


def is_reply_header(text: str) -> bool:
    text = clean(text)
    if not 6 <= len(text) <= MAX_HEADER or not could_end_header(text):
        return False
    dashed = text.startswith("--") and text.endswith("--")
    text = _DASHES.sub("", text)  # Zoho: "---- On ... wrote ----"
    colon = text.endswith((":", "："))
    body = text[:-1].rstrip() if colon else text
    address = _ADDRESS.search(body) is not None
    when = _WHEN.search(body) is not None
    if not (address or when):
        return False
    verbs = list(_VERB.finditer(body)) or list(_VERB_GLUED.finditer(body))
    if verbs:
        verb = verbs[-1]
        after = body[verb.end() :].strip()
        if not colon and after and not dashed:
            return False  # no colon: the verb ends it, "... wrote"
        if len(after) > 150 or verb.start() > 350:
            return False
        if address:
            return True
        # No address: "On 02/03/2026 09:00, Anna wrote:", "02.03.26, Anna schrieb:",
        # "Anna schrieb am 02.03.2026:" (a name of a few words, then the verb and a date).
        if _LEAD.match(body) or body[:1].isdigit():
            return True
        before = body[: verb.start()].split()
        return 0 < len(before) <= 4 and _VERB_THEN_DATE.match(body, verb.end()) is not None
    # No verb: a date or a weekday first, then the address, then the colon.
    return colon and address and when and _ADDRESS_END.search(body) is not None


def header_label(line: str) -> str | None:
    if ":" not in line and "：" not in line:
        return None
    text = clean(line)
    if len(text) > MAX_HEADER:
        return None
    if _FIRST.match(text):
        return "first"
    if _NEXT.match(text):
        return "next"
    return None


def is_separator(line: str) -> bool:
    text = line.strip()
    return len(text) <= 100 and _SEPARATOR.match(text) is not None


def split_glued(line: str) -> list[str]:
    text = line.strip()
    if text[:1] not in ("-", "_") or len(text) > MAX_HEADER:
        return [line]
    glued = _GLUED.match(text)
    if glued is None or header_label(glued.group(2)) is None:
        return [line]
    return [glued.group(1), glued.group(2)]


def is_device_line(line: str) -> bool:
    text = line.strip()
    if not text or len(text) > 100 or len(text.split()) > 12:
        return False
    # The sending opens the line ("Sent from ...", "Von meinem ... gesendet") or closes it
    # ("iPhone-ról küldve", "iPhoneから送信"): "I sent the mail to Ben." is the person's.
    if _SENDING.match(text) is None and _SENDING_AT_END.search(text[-30:]) is None:
        return False
    return _DEVICE.search(text) is not None
