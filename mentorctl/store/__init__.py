"""The store: one TinyDB database per program behind one class (:mod:`.db`), its named
schema migrations, and the workspace's folders and files.

Owns: the store file, its lock and backups; finding workspaces and programs on disk.
May import: the shared modules at the top of mentorctl.
"""
