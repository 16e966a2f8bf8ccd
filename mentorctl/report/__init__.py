"""Reports: program health figures computed from the store, and the formats that show them
(text, JSON, CSV, Markdown, self-contained HTML).

Owns: nothing in the store; it only reads.
May import: calendars, checkins, matching, programs, store, and the shared modules at the top of mentorctl.
"""
