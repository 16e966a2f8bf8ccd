"""The store: one TinyDB database per program behind one class (:mod:`.db`), its named
schema migrations, the checks of what it holds (:mod:`.records`), the one spelling of an
address (:mod:`.addresses`), and the workspace's folders and files.

Owns: the store file, its lock and backups; finding workspaces and programs on disk; the
suppression list of forgotten people (:mod:`.suppression`) and the manifest of files written
outside the store (:mod:`.manifest`).
May import: the shared modules at the top of mentorctl.
"""
