"""Meetings in calendars: a weekly time that suits every attendee, the iCalendar invitation
for it, the program's calendar of weekly steps, and reading attendees' answers to it.

Owns: nothing in the store; it builds and reads calendar data from plain values.
May import: programs, and the shared modules at the top of mentorctl.
"""
