"""The words and patterns :mod:`.mentor_words` reads a mentor's answer with: yes and no,
everyone and no one, choices among mentees, list markers, idioms, in English, German, French,
Spanish and Portuguese (pure data)."""

from __future__ import annotations

import re

SENTENCE = re.compile(r"\n|(?<!\d)[.!?;]+(?=\s|$)|[!?;]+")
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[,:=\-\u2013\u2014()]")
ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th|º|ª|er|e|\.)?$")
PUNCT = frozenset(",:=-\u2013\u2014()")
# A quoted line of the ask's list ("> 1. Ana, who would like..."): a reply typed under it
# answers for that mentee.
QUOTED_ITEM = re.compile(r"\s*(?:>\s*)+(\d{1,2})[.)]\s")


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "erste": 1, "ersten": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3,
    "premier": 1, "première": 1, "deuxième": 2, "troisième": 3,
    "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3, "tercera": 3,
    "primeiro": 1, "primeira": 1, "terceiro": 3, "terceira": 3,
}  # fmt: skip
ALL = word_set(
    "all both everyone everybody anyone any them alle allen beide beiden tous toutes todos todas "
    "ambos ambas"
)
ALL_PAIRS = frozenset(
    {("les", "deux"), ("los", "dos"), ("las", "dos"), ("os", "dois"), ("as", "duas")}
)
NONE = word_set(
    "none neither nobody keine keinen keinem aucun aucune ninguno ninguna nenhum nenhuma"
)
UNITS = word_set(
    "h hr hrs hour hours min mins minute minutes week weeks day days time times month months "
    "am pm x stunden stunde wochen woche tage heures heure semaines jours horas hora semanas "
    "días dias veces vezes"
)
POSITIVE = word_set(
    "ok okay fine happy happily glad gladly love delighted accept accepted agree willing keen take "
    "taking mentor gern gerne nehme übernehme volontiers prends accepte acepto encantado "
    "encantada tomo aceito claro plaisir gusto"
)
NEGATIVE = word_set(
    "not can't cannot won't unable decline declining pass don't couldn't wouldn't "
    "nicht kein pas impossible"
)
NEG_BACKWARD = frozenset({"nicht", "pas"})  # "Ana nehme ich nicht", "je ne la prends pas"
UNSURE_WORDS = word_set(
    "maybe perhaps unsure possibly might vielleicht eventuell peut-être peut quizás quizá "
    "talvez tal forse"
)
FILLER_AFTER_NO = word_set("worries worry doubt")
# Phrases built of a negation that say yes: "can't wait", "don't mind", "no objection".
YES_IDIOMS = tuple(
    tuple(phrase.split())
    for phrase in (
        "can't wait", "cannot wait", "can not wait", "couldn't wait", "don't mind",
        "do not mind", "wouldn't mind", "would not mind", "no objection", "no objections",
        "no problem", "no problems", "not a problem", "not an issue", "no issue",
        "can't say no", "cannot say no", "couldn't say no", "can't refuse", "cannot refuse",
        "no conflict", "no conflicts",
    )
)  # fmt: skip
# A "no" before these is a no ("no time for Ben"); "is not", "has no" before others describe
# ("Ben has no experience"), and a "no" before a word of NOT_ANSWERS says nothing.
CAPACITY = word_set(
    "time capacity room space bandwidth availability slot slots place places spot spots "
    "longer chance"
)
DESCRIBING = word_set("is was are were seems seem sounds looks has have had with does")
NOT_ANSWERS = word_set("rush hurry pressure experience idea clue background need")
# How far a negation reaches to the verb it negates ("won't be able to take").
NEG_REACH = 6
# A choice among several ("only one", "either but not both"): no mentee's answer is clear.
CHOICE = tuple(
    tuple(phrase.split())
    for phrase in (
        "only one", "only 1", "just one", "just 1", "one of them", "1 of them", "not both",
        "either", "one or the other", "nur einen", "nur eine", "nur einer", "un seul",
        "une seule", "solo uno", "solo una", "sólo uno", "sólo una", "só um", "só uma",
        "apenas um", "apenas uma",
    )
)  # fmt: skip
ONLY = word_set("only just nur seulement solo sólo só apenas")
COUNTS = {
    "one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5,
    "zwei": 2, "drei": 3, "deux": 2, "trois": 3, "dos": 2, "tres": 3, "dois": 2, "duas": 2,
    "três": 3,
}  # fmt: skip
# "all but Cleo", "all except the fourth": that mentee has the other answer.
BUT = tuple(
    tuple(phrase.split())
    for phrase in (
        "but", "except", "except for", "excepting", "apart from", "other than", "save",
        "bis auf", "außer", "ausser", "sauf", "excepto", "menos", "salvo", "exceto",
    )
)  # fmt: skip
BUT_FILLER = word_set("good fine ok okay great")
# Talking about a mentee is not taking them ("Happy to talk about Ben by phone").
TALK = word_set("talk chat discuss speak call phone")
SURE_ADVERBS = word_set("so too very quite entirely really 100 totally")
ONE = word_set("one 1 einen eine einer un une uno una um uma")
EVERY = word_set("both all beide beiden alle tous toutes ambos ambas todos todas")
# "N)" anywhere, or "N." opening a line, starts an item of a list ("1) no 2) yes").
MARKER_PAREN = re.compile(r"(?<![\w(])\d{1,2}\)")
MARKER_DOT = re.compile(r"(?<![\w.])\d{1,2}\.(?=\s)")
# Words that open a new clause: a yes or no across one (or a comma) is further away.
CLAUSE = word_set("but however aber sondern mais pero mas")
CLAUSE_WORDS = 3
# Words that are yes or no in one language and something else in another: read only next
# to a mentee ("1 si 2 no", "Ana: da").
AMBIGUOUS = word_set("si da ne ya nu jo ei n y так")
