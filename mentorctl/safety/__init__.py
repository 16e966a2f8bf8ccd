"""Safety and privacy: blocks, concerns, forgetting a person and exporting what is held on them.

Owns: the blocks and concerns tables, and erasing a person everywhere.
May import: matching, signups, store, and the shared modules at the top of mentorctl.
"""
