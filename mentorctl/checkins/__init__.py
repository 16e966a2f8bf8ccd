"""Check-ins: the program's weeks (:mod:`.schedule`), planning and recording a run of
introductions and weekly messages, and the answers people give (by hand, imported, or
emailed back: :mod:`.replies`).

Owns: the messages, answers and replies tables, and pairs' weekly status.
May import: calendars, mail, matching, programs, signups, store, and the shared modules at the top of mentorctl.
"""
