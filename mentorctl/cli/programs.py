"""The init-program command: a new program from a built-in template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, TodayOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.errors import UsageError


@app.command(
    "init-program",
    short_help="Create a program from a built-in template.",
    epilog="Example: mentorctl init-program 'Career Mentoring 2026' --template career --dir ./mentoring"
    "\n\nIn French: mentorctl init-program 'Mentorat carrière 2026' --template career --language fr",
)
def init_program_cmd(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="The program's name, e.g. 'Career Mentoring 2026'."),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template", "-t", metavar="KEY", help="Built-in template key (see --list-templates)."
        ),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            metavar="PATH",
            help="Workspace folder (default: the current workspace or folder).",
        ),
    ] = None,
    slug: Annotated[
        str | None,
        typer.Option(
            "--slug", metavar="SLUG", help="Folder name for the program (default: from NAME)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing program's settings and templates (its data is kept).",
        ),
    ] = False,
    language: Annotated[
        str,
        typer.Option(
            "--language",
            "-l",
            metavar="TAG",
            help="The program's language, a BCP 47 tag: en, fr, es, de, pt (pt-BR, fr-CA...). "
            "The template's other languages become translations for people who ask for them.",
        ),
    ] = "en",
    list_templates: Annotated[
        bool, typer.Option("--list-templates", help="List the built-in templates and exit.")
    ] = False,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a program from a built-in template, in a new or existing workspace."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import catalogue
    from mentorctl.store.workspace import Workspace

    with _errors_to_exit():
        if list_templates:
            render.templates(catalogue.list_templates(), as_json)
            return
        if name is None or template is None:
            raise UsageError("give a program NAME and --template KEY (or --list-templates)")
        root = directory
        if root is None:
            found = Workspace.search(Path.cwd())
            root = found.root if found else Path.cwd()
        result = catalogue.init_program(
            name,
            template,
            root=root,
            slug=slug,
            force=force,
            dry_run=dry_run,
            today=clock.today(today),
            language=language,
        )
        render.init_result(result, as_json)
