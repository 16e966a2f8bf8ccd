"""Mail: rendering messages from the program's Jinja templates, building them as emails,
and delivering them to the outbox folder or over SMTP with a journal.

Owns: the outbox folder and the SMTP journal.
May import: calendars, programs, and the shared modules at the top of mentorctl.
"""
