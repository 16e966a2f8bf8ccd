"""The Typer application, its ``--version`` option and the console script's entry point.

Commands are defined in the modules of :mod:`mentorctl.cli`, one per command group, each with
``@app.command()`` on this ``app``; importing :mod:`mentorctl.cli` registers them in the order
``mentorctl --help`` lists them.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
import typer.core

from mentorctl import __version__
from mentorctl.cli import output


class _Group(typer.core.TyperGroup):
    """The command group; its commands show required arguments as words (FILE, not {FILE})."""

    def get_command(self, ctx, name):  # type: ignore[no-untyped-def]
        command = super().get_command(ctx, name)
        if command is not None and not getattr(command, "_plain_usage", False):
            pieces = command.collect_usage_pieces

            def collect(ctx):  # type: ignore[no-untyped-def]
                return [
                    p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces(ctx)
                ]

            command.collect_usage_pieces = collect  # type: ignore[method-assign]
            command._plain_usage = True  # type: ignore[attr-defined]
        return command


app = typer.Typer(
    name="mentorctl",
    cls=_Group,
    help="Run guided mentorship programs from local files: sign-ups, pairing, weekly "
    "check-ins and reports.",
    no_args_is_help=True,
    # Rich help on a terminal; plain, and much faster to start, when piped.
    rich_markup_mode="rich" if output.is_terminal(sys.stdout) else None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        output.info(f"mentorctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Run guided mentorship programs from local files."""


def main() -> None:
    """The console script: run one command, then leave without freeing what it built.

    A command that loaded a large store holds a few hundred MB of Python objects, and freeing
    them one by one at exit takes a tenth of a second for nothing (mypy's ``hard_exit`` does
    the same). Every file a command writes is closed, and synced where it matters, before the
    command returns; the standard streams are flushed here.
    """
    try:
        app()
    except SystemExit as done:
        status = _exit_status(done.code)
    else:  # pragma: no cover - Typer's standalone mode always ends with SystemExit
        status = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away: what Python itself exits with then
        status = 120
    if sys.getprofile() is not None:  # under cProfile: let it write its figures at exit
        sys.exit(status)
    os._exit(status)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") prints it and exits with 1
    return 1
