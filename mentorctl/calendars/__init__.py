"""Meetings in calendars: a weekly time that suits every attendee, the iCalendar invitation
for it, the program's calendar of weekly steps, and reading attendees' answers to it.

Owns: nothing in the store; it only reads (``for_program`` opens a program and its store to
feed the pure builders).
May import: programs, report, store, and the shared modules at the top of mentorctl.
"""
