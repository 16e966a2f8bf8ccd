"""Matching: scoring mentee-mentor pairs, candidate lists, the optimal, stable and greedy
solvers and their explanations (pure: no I/O), and :mod:`.pairs`, which keeps proposals,
commits and overrides in the store.

Owns: the pairs and blocks tables' pairing rules.
May import: programs, store, and the shared modules at the top of mentorctl.
"""
