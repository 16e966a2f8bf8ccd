"""The dated history of a program, and what it says as of a day.

Owns the person's dated entries (:mod:`.events`); may import only the standard library and
:mod:`mentorctl.errors`: every layer above reads history through it.
"""
