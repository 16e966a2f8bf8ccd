"""How each command's result is shown: the same rows feed the table and the JSON."""

from __future__ import annotations

from typing import Any

from mentorctl import output
from mentorctl.formcsv import DELIMITER_NAMES
from mentorctl.programs import InitResult, TemplateInfo
from mentorctl.signups import ImportResult


def templates(found: list[TemplateInfo], as_json: bool) -> None:
    rows = [
        {
            "key": t.key,
            "title": t.title,
            "weeks": t.duration_weeks,
            "description": t.description,
            "topics": t.topics,
        }
        for t in found
    ]
    if as_json:
        output.emit_json({"templates": rows})
        return
    output.table(
        "Built-in program templates",
        ["Key", "Title", "Weeks", "Description"],
        [[r["key"], r["title"], r["weeks"], r["description"]] for r in rows],
    )


def init_result(result: InitResult, as_json: bool) -> None:
    data = {
        "workspace": str(result.workspace),
        "program": result.slug,
        "name": result.name,
        "template": result.template,
        "created": result.created,
        "overwritten": result.overwritten,
        "kept": result.kept,
        "dry_run": result.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    verb = "Would create" if result.dry_run else "Created"
    output.info(
        f"{verb} program '{result.slug}' ({result.name}) from template '{result.template}' "
        f"in {result.workspace}"
    )
    rows = [[path, "new"] for path in result.created]
    rows += [[path, "replaced"] for path in result.overwritten]
    rows += [[path, "kept (existing data)"] for path in result.kept]
    output.table(None, ["File", "Status"], rows)
    if not result.dry_run:
        output.note(
            f"Next: edit {result.slug}/program.yaml, then "
            f"'mentorctl import-signups FILE.csv --program {result.slug}'"
        )


def import_result(result: ImportResult, as_json: bool) -> None:
    data: dict[str, Any] = {
        "file": str(result.file),
        "encoding": result.encoding,
        "delimiter": DELIMITER_NAMES.get(result.delimiter, result.delimiter),
        "rows": result.rows,
        "imported": result.imported,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "changed_fields": dict(sorted(result.changed_fields.items())),
        "mapping": [{"header": h, "field": f} for h, f in result.mapping],
        "rejects": [{"row": r.row, "field": r.field, "reason": r.reason} for r in result.rejects],
        "warnings": result.warnings,
        "rejects_file": str(result.rejects_file) if result.rejects_file else None,
        "dry_run": result.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    for warning in result.warnings:
        output.warn(warning)
    output.table(
        f"Columns of {result.file.name} ({result.encoding}, {data['delimiter']}-separated)",
        ["Header", "Field"],
        result.mapping,
    )
    if result.rejects:
        output.table(
            "Rejected rows",
            ["Row", "Field", "Reason"],
            [[r.row, r.field, r.reason] for r in result.rejects],
        )
    changed = ", ".join(f"{k} {v}" for k, v in sorted(result.changed_fields.items()))
    prefix = "Dry run, nothing written: would import" if result.dry_run else "Imported"
    output.info(
        f"{prefix} {result.imported} new, updated {result.updated}"
        + (f" ({changed})" if changed else "")
        + f", unchanged {result.unchanged}, rejected {result.rejected} of {result.rows} rows."
    )
    if result.rejects_file:
        output.note(f"Rejected rows with reasons: {result.rejects_file}")
    elif result.rejects and not result.dry_run:
        output.note("Add --write-rejects to save the rejected rows with their reasons as CSV.")
