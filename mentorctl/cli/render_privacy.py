"""How ``forget`` and ``export-person`` show what they did, program by program."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.cli import output

if TYPE_CHECKING:
    from mentorctl.safety.privacy import ForgetResult
    from mentorctl.safety.workspace_people import WorkspaceForget


def forget_everywhere_result(done: WorkspaceForget, as_json: bool) -> None:
    """One section per program: what was erased there, or that it did not hold the person
    (the workspace's suppression list keeps them out of it too), or why it failed (on
    stderr)."""
    if as_json:
        programs = []
        for o in done.outcomes:
            entry: dict[str, Any] = {"program": o.program, "erased": o.result is not None}
            if o.result is not None:
                entry.update(_forget_data(o.result))
                entry.pop("dry_run")
            elif o.error is not None:
                entry.update(error=o.error, exit_code=o.exit_code)
            else:
                entry["suppressed"] = o.suppressed
            programs.append(entry)
        output.emit_json({"programs": programs, "dry_run": done.dry_run})
        return
    for o in done.outcomes:
        if o.error is not None:
            output.error(
                f"{o.program}: {o.error}",
                "once it is fixed, run forget again with their address (an id names them in "
                "one program only, and that one may have erased them already)",
            )
        elif o.result is not None:
            output.info(f"In {o.program}:")
            forget_result(o.result, False)
        else:
            verb = "would go" if done.dry_run else "goes"
            what = "their address" if o.suppressed else "nothing"
            output.info(
                f"In {o.program}: not there; {what} {verb} on the workspace's suppression list, "
                "so no import brings them in"
            )


def _forget_data(done: ForgetResult) -> dict[str, Any]:
    return {
        "person": done.person,
        "removed": done.removed,
        "anonymised": done.anonymised,
        "redacted": done.redacted,
        "ended_pairs": done.ended_pairs,
        "circles": list(done.circles),
        "outbox_files": done.outbox_files,
        "backups_scrubbed": done.backups_scrubbed,
        "files": done.files,
        "files_removed": done.files_removed,
        "dry_run": done.dry_run,
    }


def forget_result(done: ForgetResult, as_json: bool) -> None:
    if as_json:
        output.emit_json(_forget_data(done))
        return
    rows = [[table, count] for table, count in sorted(done.removed.items())]
    rows.append(["outbox files", done.outbox_files])
    rows.append(["backups deleted", done.backups_scrubbed])
    rows += [[f"{table} (anonymous trace)", n] for table, n in sorted(done.anonymised.items())]
    rows += [[f"{table} (redacted)", n] for table, n in sorted(done.redacted.items())]
    verb = "Would erase" if done.dry_run else "Erased"
    output.table(f"{verb} {done.person}", ["What", "Removed"], rows)
    if done.ended_pairs:
        output.info(
            f"Ended pair(s): {', '.join(done.ended_pairs)}; they remain as anonymous counts."
        )
    for line in done.circles:
        output.info(f"{line[0].upper()}{line[1:]}.")
    if done.files:
        if done.files_removed:
            title = "Would delete these files" if done.dry_run else "Deleted these files"
        else:
            title = "Files mentorctl wrote earlier that may still hold them"
        output.table(title, ["File"], [[path] for path in done.files])
        if not done.files_removed:
            output.warn(
                f"{len(done.files)} file(s) mentorctl wrote earlier may still hold "
                f"{done.person}; delete them by hand ('forget --remove-files' deletes such "
                "files with the person)"
            )


def lift_result(lifted: bool, dry_run: bool, as_json: bool) -> None:
    if as_json:
        output.emit_json({"lifted": lifted, "dry_run": dry_run})
        return
    if not lifted:
        output.info("That address is not on the suppression list; nothing to lift.")
    elif dry_run:
        output.info("Would lift the suppression: that address could be imported again.")
    else:
        output.info("Lifted: the next import takes that address in again.")


def person_export(data: dict[str, Any], out: Path | None, *data_dirs: Path) -> None:
    """Print the export, or write it to ``out`` and note the file in each program's
    ``data_dirs`` (so that forgetting the person there finds it)."""
    if out is None:
        output.emit_json(data)
        return
    import json

    from mentorctl.errors import UsageError
    from mentorctl.fileio import atomic_write_text
    from mentorctl.store import manifest

    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    for data_dir in data_dirs:
        manifest.record(data_dir, out, "export-person")
    output.note(f"Wrote {out} (readable by you only).")
