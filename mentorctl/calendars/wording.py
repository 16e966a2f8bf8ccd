"""The words of a meeting in the languages mentorctl ships (en, fr, es, de, pt): a weekly
time as each language says it ("le mardi de 18:00 à 18:45", "dienstags von 18:00 bis 18:45
Uhr"), and the invitation's summary and description. Another language reads English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

SHIPPED = ("en", "fr", "es", "de", "pt")

# "on Tuesdays" as a habit, Monday first
_ON_DAYS = {
    "en": ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"),
    "fr": ("le lundi", "le mardi", "le mercredi", "le jeudi", "le vendredi", "le samedi",
           "le dimanche"),
    "es": ("los lunes", "los martes", "los miércoles", "los jueves", "los viernes",
           "los sábados", "los domingos"),
    "de": ("montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags",
           "sonntags"),
    "pt": ("às segundas-feiras", "às terças-feiras", "às quartas-feiras", "às quintas-feiras",
           "às sextas-feiras", "aos sábados", "aos domingos"),
}  # fmt: skip
_SPAN = {
    "en": "{start}-{end}",
    "fr": "de {start} à {end}",
    "es": "de {start} a {end}",
    "de": "von {start} bis {end} Uhr",
    "pt": "das {start} às {end}",
}
_FROM = {
    "en": "from {day}: {span}",
    "fr": "à partir du {day}, {span}",
    "es": "a partir del {day}, {span}",
    "de": "ab dem {day} {span}",
    "pt": "a partir de {day}, {span}",
}
_ASIDE = {"fr": " ; "}
_NAMED = {
    "fr": "{name} : {text}"
}  # a person's time in the description  # what separates the zone from the weeks the clock moves
_SUMMARY = {
    "en": "{program}: {together}",
    "fr": "{program} : {together}",
    "es": "{program}: {together}",
    "de": "{program}: {together}",
    "pt": "{program}: {together}",
}
_DESCRIPTION = {
    "en": (
        "Your weekly {program} conversation, {together}: one a week for the {weeks} weeks of "
        "the program. The weekly emails suggest what to talk about.\n\n"
        "The time on each of your clocks: {times}.\n\n"
        "Accept if it suits you, or propose another time: the organisers see your answer. "
        "Change it between yourselves whenever you like."
    ),
    "fr": (
        "Votre rendez-vous de la semaine ({program}), {together} : un par semaine pendant "
        "les {weeks} semaines du programme. Les e-mails de chaque semaine proposent de quoi "
        "parler.\n\n"
        "L'heure sur l'horloge de chacun : {times}.\n\n"
        "Acceptez si cela vous convient, ou proposez un autre horaire : les organisateurs "
        "voient votre réponse. Libre à vous de le changer entre vous quand vous le souhaitez."
    ),
    "es": (
        "Su conversación semanal de {program}, {together}: una por semana durante las "
        "{weeks} semanas del programa. Los correos de cada semana sugieren de qué hablar.\n\n"
        "La hora en el reloj de cada quien: {times}.\n\n"
        "Acepten si les viene bien, o propongan otro horario: el equipo organizador ve su "
        "respuesta. Pueden cambiarlo entre ustedes cuando quieran."
    ),
    "de": (
        "Euer wöchentliches Gespräch bei {program}, {together}: eines pro Woche, "
        "{weeks} Wochen lang. Die wöchentlichen E-Mails schlagen Themen vor.\n\n"
        "Die Uhrzeit bei jeder und jedem von euch: {times}.\n\n"
        "Nehmt an, wenn es passt, oder schlagt eine andere Zeit vor: Das Organisationsteam "
        "sieht eure Antwort. Untereinander könnt ihr den Termin jederzeit verschieben."
    ),
    "pt": (
        "A conversa semanal de vocês no {program}, {together}: uma por semana durante as "
        "{weeks} semanas do programa. Os e-mails semanais sugerem sobre o que conversar.\n\n"
        "O horário no relógio de cada um: {times}.\n\n"
        "Aceitem se for bom para vocês, ou proponham outro horário: a organização vê a "
        "resposta. Vocês podem combinar outro horário entre si quando quiserem."
    ),
}


def shipped(language: str | None) -> str:
    """The shipped language whose words serve ``language`` ("pt-BR": pt); English else."""
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    return base if base in SHIPPED else "en"


def on_days(weekday: int, language: str) -> str:
    """ "Tuesdays", "le mardi", "dienstags"..."""
    return _ON_DAYS[shipped(language)][weekday]


def span(start: str, end: str, language: str) -> str:
    return _SPAN[shipped(language)].format(start=start, end=end)


def day(when: dt.date, language: str) -> str:
    """A day of the year without its year: "30 March", "30 mars", "30. März"."""
    from babel.dates import format_skeleton

    lang = shipped(language)
    if lang == "en":
        return f"{when.day} {when:%B}"
    return str(format_skeleton("MMMMd", when, locale=lang))


def from_day(when: dt.date, text: str, language: str) -> str:
    return _FROM[shipped(language)].format(day=day(when, language), span=text)


def aside(zone: str, moves: Sequence[str], language: str) -> str:
    """What follows a time in brackets: the zone, then the weeks the clock moves
    ("America/New_York; from 10 March: 13:00-13:45")."""
    return _ASIDE.get(shipped(language), "; ").join([zone, *moves])


def named(name: str, text: str, language: str) -> str:
    """ "Ann: Tuesdays 18:00-18:45 (Europe/Berlin)", "Inès : le mardi de 13:00 à 13:45 (...)"."""
    return _NAMED.get(shipped(language), "{name}: {text}").format(name=name, text=text)


def together(names: Sequence[str], language: str) -> str:
    """ "Ann and Jia", "Ann et Jia", "Ann, Bo und Jia"."""
    from babel.lists import format_list

    return str(format_list(list(names), locale=shipped(language))) if names else ""


def summary(program: str, names: Sequence[str], language: str) -> str:
    return _SUMMARY[shipped(language)].format(program=program, together=together(names, language))


def description(
    program: str, names: Sequence[str], weeks: int, times: Sequence[str], language: str
) -> str:
    """The invitation's description; ``times`` one "Ann: le mardi de 18:00 à 18:45
    (Europe/Paris)" per person."""
    return _DESCRIPTION[shipped(language)].format(
        program=program,
        together=together(names, language),
        weeks=weeks,
        times="; ".join(times),
    )


# The one line a notice says when its message takes the weekly meeting back out of the
# recipient's calendar, or updates it without the member who left (or with its new lead).
_REMOVED = {
    "en": "The weekly meeting is removed from your calendar.",
    "fr": "Le rendez-vous hebdomadaire est retiré de votre agenda.",
    "es": "La reunión semanal se retira de tu calendario.",
    "de": "Der wöchentliche Termin wird aus deinem Kalender entfernt.",
    "pt": "O encontro semanal é retirado da sua agenda.",
}
_UPDATED = {
    "en": "The weekly meeting in your calendar is updated: {name} is no longer invited.",
    "fr": "Le rendez-vous hebdomadaire de votre agenda est mis à jour : {name} n'y est plus "
    "invité·e.",
    "es": "La reunión semanal de tu calendario se actualiza: {name} ya no está invitada/o.",
    "de": "Der wöchentliche Termin in deinem Kalender wird aktualisiert: {name} ist nicht "
    "mehr eingeladen.",
    "pt": "O encontro semanal na sua agenda é atualizado: {name} não está mais convidada/o.",
}
_UNNAMED = {
    "en": "The weekly meeting in your calendar is updated without the mentee who left.",
    "fr": "Le rendez-vous hebdomadaire de votre agenda est mis à jour sans la personne "
    "mentorée qui est partie.",
    "es": "La reunión semanal de tu calendario se actualiza sin la persona mentorizada que se fue.",
    "de": "Der wöchentliche Termin in deinem Kalender wird aktualisiert: Die Person, die "
    "gegangen ist, ist nicht mehr eingeladen.",
    "pt": "O encontro semanal na sua agenda é atualizado sem a pessoa mentorada que saiu.",
}
_RENEWED = {
    "en": "The weekly meeting in your calendar is updated with its new lead.",
    "fr": "Le rendez-vous hebdomadaire de votre agenda est mis à jour avec la personne qui "
    "l'anime désormais.",
    "es": "La reunión semanal de tu calendario se actualiza con quien la guía ahora.",
    "de": "Der wöchentliche Termin in deinem Kalender wird aktualisiert und nennt jetzt die "
    "neue Leitung.",
    "pt": "O encontro semanal na sua agenda é atualizado com quem o orienta agora.",
}


def removed(language: str) -> str:
    """ "The weekly meeting is removed from your calendar." in ``language``."""
    return _REMOVED[shipped(language)]


def updated(name: str, language: str) -> str:
    """The weekly meeting kept without ``name``, in ``language``; without naming anyone when
    ``name`` is "" (the one who left was forgotten)."""
    if not name:
        return _UNNAMED[shipped(language)]
    return _UPDATED[shipped(language)].format(name=name)


def renewed(language: str) -> str:
    """The weekly meeting kept with a new lead (never naming the one who left), in
    ``language``."""
    return _RENEWED[shipped(language)]
