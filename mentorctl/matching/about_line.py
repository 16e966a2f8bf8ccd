"""The line a shortlist shows about a mentor: what they wrote about themselves, scrubbed (pure).

Strangers read it, so every clause that may give the person away or say what is theirs alone
is left out: their surname or organisation (also run into another word: "acmecorp"), an email
or web address (also spelled out: "ann at acme dot com", "ann(at)acme(dot)com"), a handle or a
social network, a phone number, a street address or postcode, and anything about health,
family, religion or sexuality (a short list of words in English, French, Spanish, German and
Portuguese).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# What a mentor wrote about themselves, cut to one line of about this many characters.
ABOUT_LIMIT = 160
# Fewer words than this left (of three letters or more, their first name aside): the line
# says nothing, and is left out.
ABOUT_MIN_WORDS = 3

# What gives a person away in what they wrote: an address, a web address, a handle, a phone.
_TLD = (
    r"com|org|net|io|dev|co|uk|de|fr|es|pt|br|me|info|biz|app|edu|gov|eu|us|ca|au|in|mx|nl|ch"
    r"|at|be|se|no|dk|fi|it|pl|ie|nz|ly|gl|to|tv|xyz"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = (
    r"(?:https?://|www\.)\S+"
    rf"|\b(?:[\w-]+\.)+(?:{_TLD})\b(?:/\S*)?"
    r"|\b(?:[\w-]+\.)+[a-z]{2,}/\S*"
)
# Addresses spelled out so that a machine would not see them: "ann at acme dot com",
# "ann(at)acme(dot)com", "ann [at] acme [dot] org", "ana arroba acme punto es".
_AT = r"(?:\s*[\[({<]\s*(?:at|arroba)\s*[\])}>]\s*|\s+(?:at|arroba)\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punto|point|ponto|punkt)\s*[\])}>]\s*|\s+(?:dot|punto|point|ponto|punkt)\s+)"
_SPELLED = (
    rf"[\w.+-]+{_AT}[\w-]+(?:(?:{_DOT}|\.)[\w-]+)+"
    rf"|[\w-]+(?:{_DOT}[\w-]+)*{_DOT}(?:{_TLD})\b"
    r"|[\[({<]\s*(?:at|dot|arroba)\s*[\])}>]"
)
# A handle: "@ann", "@ acme", or a word run into another with an underscore ("annlee_data").
_HANDLE = r"(?<![\w.])@\s*\w+|\b[^\W_]+_\w+"
_CONTACT = re.compile(rf"{_EMAIL}|{_URL}|{_SPELLED}|{_HANDLE}", re.IGNORECASE)
# A run of digits that may be a phone number: "+44 7700 900123", "555-123-4567"; not a year
# or a span of years ("2010-2020").
_PHONE = re.compile(r"(?<![\w+])[+(]?\d[\d\s().\-/]{5,}\d")
PHONE_DIGITS = 9  # at least this many digits, or 7 after a "+"
# A street address, with the town after it: "12 Baker Street, London", "5 rue de la Paix",
# "Calle Mayor 3", "Hauptstraße 5", "Rua Augusta, 27"; and postcodes: "SW1A 1AA", "75011
# Paris", "NY 10001", "1000-001 Lisboa", "H2X 1Y4".
_STREETS = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|close|court|ct|place|pl"
    "|square|sq|terrace|crescent|grove|gardens|row|parade|highway|hwy"
)
# French and the like put the number first ("5 rue de la Paix"); the others after the name,
# which is written with a capital ("Calle Mayor 3", "Via Roma 5", "Rua Augusta, 27").
_VIAS_AFTER_NUMBER = "rue|avenue|av|boulevard|bd|chemin|allée|allee|impasse|quai"
_VIAS = (
    "Rue|Avenue|Av|Boulevard|Chemin|Place|Calle|Avenida|Avda|Paseo|Plaza|Camino|Carrer|Rua"
    "|Travessa|Largo|Praça|Estrada|Via|Viale|Piazza|Corso"
)
_PARTICLES = r"(?:(?:de|del|la|da|do|dos|das|di|della|des|du)\s+)*"
_GERMAN = r"[A-ZÄÖÜ]\w*(?:straße|strasse|str\.|weg|platz|gasse|allee)"
_TOWN = r"(?:,?\s+[A-ZÀ-Þ][\w'-]*)?(?:,\s*[A-ZÀ-Þ][\w'-]*)?"
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[A-ZÀ-Þ][\w'.-]*\s+){{1,3}}(?i:{_STREETS})\b\.?{_TOWN}"
    rf"|(?i:\b\d{{1,5}}[a-z]?,?\s+(?:{_VIAS_AFTER_NUMBER})\b)(?:\s+[\w'-]+){{0,4}}{_TOWN}"
    rf"|\b(?:{_VIAS})\s+{_PARTICLES}[A-ZÀ-Þ][\w'-]*(?:\s+[\w'-]+){{0,3}}?,?\s+"
    rf"(?:n\.?º?\s*)?\d{{1,5}}\b{_TOWN}"
    rf"|\b{_GERMAN},?\s*\d{{1,4}}[a-z]?\b{_TOWN}"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
    r"|\b\d{4}-\d{3}\s+[A-ZÀ-Þ]\w+"
    r"|\b(?:[A-Z]-)?\d{5}\s+[A-ZÀ-Þ][a-zà-ÿ]+"
)
# A clause naming a social network or a messenger, where people are found by name.
_SOCIAL = re.compile(
    r"\b(?:twitter|tweet\w*|instagram|insta|linkedin|telegram|tiktok|github|gitlab|facebook"
    r"|mastodon|bluesky|bsky|whatsapp|snapchat|discord|youtube|skype|wechat|substack"
    r"|x\.com|threads\.net)\b"
    r"|\b(?:on|my|via|at)\s+(?:signal|x|threads|ig|fb|medium)\b(?!\s+\w)"
    r"|\b(?:signal|x|threads|ig|fb)\s*(?::|is\b|handle|id\b|@)",
    re.IGNORECASE,
)
# A label for a way to reach someone: "Email:", "Signal:", "find me on Telegram:".
_LABEL = re.compile(
    r"\b(?:e-?mail|mail|phone|tel|mobile|cell|web|website|site|blog|handle|contact|dm|reach"
    r"|find|courriel|correo|telefone|telefono|telephone|contacto)\b",
    re.IGNORECASE,
)
# Words about health, family, religion or sexuality (folded, accents dropped): a clause with
# one of them is left out. A word ending in "*" also matches the words it begins.
_SENSITIVE = """
health healthy ill illness sick sickness disease diagnos* disab* disorder adhd autis*
asperger* dyslex* dyspra* neurodiver* bipolar depress* anxiety anxious panic ocd ptsd trauma*
burnout cancer chemo* tumor tumour therapy therapist mental medication epilep* diabet* chronic
migraine* deaf wheelchair hiv sober sobriety addict* alcoholi* rehab surgery
pregnan* miscarriage ivf fertility infertil* maternity paternity divorc* separated widow*
bereave* grief grieving married marriage husband wife spouse kids children child sons
daughter* twins baby babies mum mom mummy mommy mother father dad daddy parents
parenting grandchild* grandmother grandfather stepson stepdaughter caregiver carer
religio* faith church mosque synagogue temple pray* god jesus christ christian*
catholic* protestant* evangelical muslim* islam* jewish jew judaism hindu* buddhis* sikh*
bible quran torah atheist agnostic gay lesbian* bisexual* queer lgbt* homosexu* asexual
pansexual transgender trans nonbinary sexuality sexual
sante malad* handicap* enceinte grossesse veuf veuve religieu* chretien* juif juive
catholique musulman* lesbienne tdah therapie enfant enfants mari epouse maman papa fils
salud enferm* discapacidad embarazada embarazo viud* cristian* judio judia catolic*
lesbiana depresion terapia hijo hijos hija hijas esposo esposa marido madre padre
gesundheit krank* diagnose behinder* schwanger* geschieden scheidung verwitwet witwe*
christlich judisch katholisch evangelisch schwul lesbisch krebs adhs mutter
vater ehemann ehefrau sohn tochter
saude doenc* doente diagnostic* deficiencia gravida gravidez viuv* crista cristao judeu
lesbica cancro depressao filho filhos filha filhas mae pai
"""
_SENSITIVE_WORDS = frozenset(w for w in _SENSITIVE.split() if not w.endswith("*"))
_SENSITIVE_STEMS = tuple(w[:-1] for w in _SENSITIVE.split() if w.endswith("*"))
# A clause: what lies between these marks (the marks stay with the clause before them).
_CLAUSE_END = re.compile(r"[.!?;,:]+(?:\s+|$)|\s+[-\u2013\u2014]+\s+|[()\[\]]")
# Words of an organisation's name that say nothing about which one it is.
_ORG_FORMS = (
    "ltd llc inc gmbh sa ag plc co corp corporation company limited group holding holdings bv "
    "nv srl sarl sas spa oy ab as kg ug ev e.v llp lp pty pvt the of and und et y de la le les "
    "el los das der die du des"
)
ORG_FORMS = frozenset(_ORG_FORMS.split())
# A private word this long or longer is found inside other words too ("acme" in "acmecorp").
RUN_TOGETHER = 4


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> set[str]:
    """The words of ``text``, folded, each also without its digits ("Lee42": lee42, lee)."""
    return {_fold(w) for w in re.findall(r"[^\W_]+|[^\W\d_]+", text)} | {
        _fold(w) for w in re.findall(r"[^\W\d_]+", text)
    }


def _first(person: Mapping[str, Any]) -> str:
    name = str(person.get("name") or "")
    return str(person.get("first_name") or "") or (name.split() or [""])[0]


def _private_words(person: Mapping[str, Any]) -> set[str]:
    """The person's surname and their organisation's significant words, folded."""
    private = _words(str(person.get("name") or "")) - _words(_first(person))
    private |= _words(str(person.get("last_name") or ""))
    private |= _words(str(person.get("organisation") or "")) - ORG_FORMS
    return {w for w in private if len(w) > 1}


def _contacts(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds an email or web address (also spelled out), a handle, a phone
    number or a street address."""
    spans = [(m.start(), m.end()) for m in _CONTACT.finditer(text)]
    spans += [(m.start(), m.end()) for m in _ADDRESS.finditer(text)]
    for found in _PHONE.finditer(text):
        digits = sum(c.isdigit() for c in found.group())
        if digits >= PHONE_DIGITS or (found.group().startswith("+") and digits >= 7):
            spans.append((found.start(), found.end()))
    return spans


def _sensitive(word: str) -> bool:
    return word in _SENSITIVE_WORDS or word.startswith(_SENSITIVE_STEMS)


def _is_private(clause: str, private: set[str], first: list[str]) -> bool:
    if "@" in clause or _contacts(clause) or _SOCIAL.search(clause):
        return True
    words = _words(clause)
    if words & private or any(_sensitive(w) for w in words):
        return True
    for word in words:
        for mine in private:
            # "acmecorp", "leesmith"; a short surname only where run into the first name.
            if mine in word and (
                len(mine) >= RUN_TOGETHER
                or any(f + mine in word or mine + f in word for f in first)
            ):
                return True
    return False


def _tidy(text: str) -> str:
    """Marks left alone by the clauses taken out: "Ann (. I run" -> "Ann. I run"."""
    text = re.sub(r"[(\[]\s*[)\]]", "", text)
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    if text.count("[") != text.count("]"):
        text = text.replace("[", "").replace("]", "")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"[,;:]+(?=[.!?])", "", text)
    text = re.sub(r"([.!?])[.,;:]+", r"\1", text)
    text = text.lstrip(" .,;:!?-\u2013\u2014")
    return text.rstrip(" ,;:-\u2013\u2014")


def about_line(person: Mapping[str, Any], limit: int = ABOUT_LIMIT) -> str:
    """One line a person wrote about themselves (their ``bio``) for people they have not met:
    its first line without each clause that names their surname or their organisation (its
    significant words: "Google" of "Google LLC"; also run into another word), holds an email
    or web address (also spelled out), a handle, a social network, a phone number or a street
    address, or speaks of health, family, religion or sexuality; a clause ending in ":" goes
    with the one it introduces. Cut at a sentence or word near ``limit``; empty when it says
    too little (fewer than ``ABOUT_MIN_WORDS`` words of three letters or more are left)."""
    text = str(person.get("bio") or "").strip()
    text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    private = _private_words(person)
    first = [w for w in (_fold(w) for w in re.findall(r"[^\W\d_]+", _first(person))) if w]
    # Contacts first, so that the dots of an address do not cut it into clauses.
    spans = _contacts(text)
    kept: list[str] = []
    start = 0
    dropped_label = False
    for end_mark in [*_CLAUSE_END.finditer(text), None]:
        end = len(text) if end_mark is None else end_mark.end()
        if end_mark is not None and any(a < end_mark.start() < b for a, b in spans):
            continue  # a mark inside an address
        clause = text[start:end]
        if clause and (
            dropped_label
            or _is_private(clause, private, first)
            or any(a < end and b > start for a, b in spans)
        ):
            if kept and kept[-1].rstrip().endswith(":"):
                kept.pop()  # "Email:" without what followed
            # "Signal: annl": what a dropped label introduces goes with it.
            dropped_label = (
                not dropped_label
                and clause.rstrip().endswith(":")
                and bool(_LABEL.search(_fold(clause)) or _SOCIAL.search(clause))
            )
        elif clause:
            kept.append(clause)
            dropped_label = False
        start = end
    text = _tidy("".join(kept).strip())
    said = [w for w in re.findall(r"[^\W_]+", text) if len(w) > 2 and _fold(w) not in first]
    if len(said) < ABOUT_MIN_WORDS:
        return ""
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence >= limit // 2:
        return cut[: sentence + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + "…"


__all__ = ["ABOUT_LIMIT", "ORG_FORMS", "about_line"]
