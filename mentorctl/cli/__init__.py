"""The command line: options in, one domain call, results out through :mod:`mentorctl.cli.output`.

Owns: the Typer app (``app``), one module per command group, the shared options, and how
results are shown (tables, JSON, exit codes); nothing else imports it. Domain modules are
imported inside each command so that ``mentorctl --help`` stays fast.
May import: calendars, checkins, mail, matching, programs, report, safety, signups, store,
and the shared modules at the top of mentorctl.
"""

from mentorctl.cli.app import app, main

# Importing a command module registers its commands; this order is the order of --help.
# isort: off
from mentorctl.cli import programs, signups, pairing, people_status  # noqa: F401
from mentorctl.cli import messages, directory, report, safety  # noqa: F401
# isort: on

__all__ = ["app", "main"]
