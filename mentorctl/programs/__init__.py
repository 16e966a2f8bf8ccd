"""Programs: the catalogue of built-in templates, program.yaml's validation, and init-program.

Owns: what a program is (:class:`.program.Program`) and the YAML validator it uses.
May import: store, and the shared modules at the top of mentorctl.
"""
