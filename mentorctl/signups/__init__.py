"""Sign-ups: reading form exports (CSV of any form service), mapping their columns to
fields, cleaning each person's answers, and merging people into the store.

Owns: the people table and the import index beside the store.
May import: programs, store, and the shared modules at the top of mentorctl.
"""
