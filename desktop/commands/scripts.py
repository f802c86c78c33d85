"""`dialdesk scripts list|validate|import|export|rehearse|assign|versions|approve|answers`: call scripts
without the window.

`validate` exits 0 for a usable file (warnings go to stderr) and 2 with one `FILE:LINE: field:
message` line per error on stderr. `import` stores the script in the database (see
desktop/services/scripts.py for why), `export` writes its exact text back out.
"""

from __future__ import annotations

import argparse
import sys
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.common import EXIT_ERROR, EXIT_OK, CliError, Subparsers, print_json, record_id

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

WARMTHS = ("cold", "warm")


def register(commands: Subparsers) -> None:
    scripts = commands.add_parser("scripts", help="soft-selling call scripts: list, check, import, rehearse")
    actions = scripts.add_subparsers(dest="scripts_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the scripts available (shipped and imported)")
    listing.add_argument("--json", action="store_true", help="print the scripts as JSON")
    listing.set_defaults(handler=list_scripts)

    validate = actions.add_parser("validate", help="check a script file; errors name the line and field")
    validate.add_argument("file", type=Path, help="the script file (YAML)")
    validate.set_defaults(handler=validate_file)

    importing = actions.add_parser("import", help="check a script file and store it in the database")
    importing.add_argument("file", type=Path, help="the script file (YAML)")
    importing.set_defaults(handler=import_file)

    export = actions.add_parser("export", help="write a script's file text, to edit and import again")
    export.add_argument("name", help="the script's name (see `scripts list`)")
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="the file to write")
    export.set_defaults(handler=export_script)

    rehearse = actions.add_parser("rehearse", help="read a script aloud into a WAV file")
    rehearse.add_argument("name", help="the script's name (see `scripts list`)")
    rehearse.add_argument(
        "--lead", type=record_id, metavar="ID", help="fill in this lead (default: sample values)"
    )
    rehearse.add_argument("--out", type=Path, required=True, metavar="FILE.wav", help="the WAV file to write")
    rehearse.set_defaults(handler=rehearse_script)

    assign = actions.add_parser("assign", help="use a script for a call list, a lead, a warmth or by default")
    assign.add_argument("name", help="the script's name (see `scripts list`)")
    target = assign.add_mutually_exclusive_group(required=True)
    target.add_argument("--list", dest="list_name", metavar="LIST", help="for the leads of this call list")
    target.add_argument("--lead", type=record_id, metavar="ID", help="for this one lead")
    target.add_argument("--warmth", choices=WARMTHS, help="for leads of this warmth: " + ", ".join(WARMTHS))
    target.add_argument("--default", action="store_true", help="for leads with no other assignment")
    assign.add_argument("--remove", action="store_true", help="remove the assignment instead")
    assign.set_defaults(handler=assign_script)

    versions = actions.add_parser("versions", help="a script's numbered versions and their approvals")
    versions.add_argument("name", help="the script's name (see `scripts list`)")
    versions.add_argument("--json", action="store_true", help="print the versions as JSON")
    versions.set_defaults(handler=show_versions)

    approve = actions.add_parser("approve", help="record a principal's approval of one script version")
    approve.add_argument("name", help="the script's name (see `scripts list`)")
    approve.add_argument(
        "--version",
        type=_version_number,
        required=True,
        metavar="N",
        help="the version approved (see `scripts versions`)",
    )
    approve.add_argument("--by", required=True, metavar="NAME", help="the principal who approves")
    approve.add_argument("--note", default="", help="what the principal checked or asks")
    approve.set_defaults(handler=approve_version)

    answers = actions.add_parser("answers", help="the script answers saved for leads")
    answers.add_argument("--lead", type=record_id, metavar="ID", help="one lead (default: all)")
    answers.add_argument("--json", action="store_true", help="print the answers as JSON")
    answers.set_defaults(handler=show_answers)


def _version_number(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number (1, 2, …)")
    return int(text)


def _service(workspace: Workspace) -> Any:
    """The workspace's script service, or one built on its database when the workspace has none."""
    existing = getattr(workspace, "scripts", None)
    if existing is not None:
        return existing
    from desktop.services.scripts import script_service_for

    return script_service_for(workspace)


def _user_error(error: Exception) -> CliError:
    return CliError(str(error))


def list_scripts(workspace: Workspace, args: argparse.Namespace) -> int:
    infos = _service(workspace).catalog()
    if args.json:
        print_json(
            [
                {
                    "name": info.name,
                    "title": info.title,
                    "language": info.language,
                    "audience": info.audience,
                    "origin": info.origin,
                    "translation_of": info.translation_of,
                    "replaces_shipped": info.replaces_shipped,
                    "file": info.file,
                }
                for info in infos
            ]
        )
        return EXIT_OK
    for info in infos:
        origin = "imported, replaces shipped" if info.replaces_shipped else info.origin
        print(f"{info.name:<34} {info.language:<3} {info.audience:<12} {origin:<10}  {info.title}")
    return EXIT_OK


def validate_file(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.scripts import ScriptError, ScriptService

    try:
        checked = ScriptService.check_file(args.file)
    except ScriptError as error:
        raise _user_error(error) from None
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.script is None:
        return EXIT_ERROR
    script = checked.script
    print(
        f"{args.file}: valid: {script.title} ({len(script.stages)} stages, {len(script.questions())} "
        f"questions, {len(script.advice)} advice cards, {len(script.objections)} objection cards)"
    )
    return EXIT_OK


def import_file(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.domain.script_format import ScriptFormatError
    from desktop.services.scripts import ScriptError

    try:
        info = _service(workspace).import_file(args.file)
    except ScriptFormatError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except ScriptError as error:
        raise _user_error(error) from None
    replaced = " (in place of the shipped script of that name)" if info.replaces_shipped else ""
    print(f"Imported '{info.name}': {info.title}{replaced}.")
    return EXIT_OK


def export_script(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.scripts import ScriptError

    try:
        out = _service(workspace).export(args.name, args.out)
    except ScriptError as error:
        raise _user_error(error) from None
    except OSError as error:
        raise CliError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"Wrote {out}.")
    return EXIT_OK


def rehearse_script(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.scripts import ScriptError

    try:
        from desktop.speech import SpeechError
    except ImportError:
        raise CliError("speech is not available in this installation (desktop.speech is missing)") from None
    service = _service(workspace)
    try:
        text = service.rehearsal_text(args.name, args.lead)
        out = service.rehearse(args.name, args.out, args.lead)
    except (ScriptError, SpeechError) as error:
        raise _user_error(error) from None
    with wave.open(str(out), "rb") as wav:
        seconds = wav.getnframes() / float(wav.getframerate() or 1)
    print(f"Wrote {out}: {len(text.split())} words, {seconds:.1f} s.")
    return EXIT_OK


def assign_script(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.scripts import ScriptError

    if args.list_name is not None:
        scope, target, what = "list", args.list_name, f"call list '{args.list_name}'"
    elif args.lead is not None:
        scope, target, what = "lead", args.lead, f"lead #{args.lead}"
    elif args.warmth is not None:
        scope, target, what = "warmth", args.warmth, f"{args.warmth} leads"
    else:
        scope, target, what = "default", "", "leads with no other assignment"
    try:
        _service(workspace).assign(scope, target, None if args.remove else args.name)
    except ScriptError as error:
        raise _user_error(error) from None
    if args.remove:
        print(f"Removed the script assignment of {what}.")
    else:
        print(f"'{args.name}' is now the script for {what}.")
    return EXIT_OK


def show_answers(workspace: Workspace, args: argparse.Namespace) -> int:
    service = _service(workspace)
    if args.lead is not None:
        grouped = {args.lead: service.answers_for_lead(args.lead)}
    else:
        grouped = service.answers_by_lead()
    if args.json:
        print_json(
            [
                {
                    "lead_id": lead_id,
                    "answers": [
                        {
                            "script": saved.script_name,
                            "question_id": saved.question_id,
                            "question": saved.question,
                            "value": saved.value,
                            "answer": saved.label,
                            "answered_at": saved.answered_at.isoformat(),
                            "agent": saved.agent,
                            "call_id": saved.attempt_id,
                        }
                        for saved in answers
                    ],
                }
                for lead_id, answers in grouped.items()
            ]
        )
        return EXIT_OK
    for lead_id, answers in grouped.items():
        print(f"Lead #{lead_id}")
        for saved in answers:
            print(
                f"  {saved.answered_at:%Y-%m-%d %H:%M}  {saved.script_name}  {saved.question}: {saved.label}"
            )
    return EXIT_OK


def show_versions(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.script_versions import ScriptVersionError

    try:
        infos, in_force_saved = workspace.script_versions.stored(args.name)
    except ScriptVersionError as error:
        raise _user_error(error) from None
    firm_mode = workspace.current_settings().firm_mode
    if args.json:
        print_json(
            [
                {
                    "script": info.script_name,
                    "version": info.version,
                    "sha256": info.content_sha256,
                    "saved_at": info.saved_at.isoformat(),
                    "saved_by": info.saved_by,
                    "approvals": [
                        {"by": a.approved_by, "at": a.approved_at.isoformat(), "note": a.note}
                        for a in info.approvals
                    ],
                    "in_force": in_force_saved and info.version == infos[-1].version,
                }
                for info in infos
            ]
        )
        return EXIT_OK
    current = infos[-1].version if in_force_saved else None  # the text in force is the latest version
    for info in infos:
        mark = "*" if info.version == current else " "
        saved = f"saved {info.saved_at:%Y-%m-%d %H:%M} UTC by {info.saved_by or '?'}"
        print(f"{mark} v{info.version:<3} {info.content_sha256[:12]}  {saved}")
        for approval in info.approvals:
            note = f": {approval.note}" if approval.note else ""
            print(
                f"        approved {approval.approved_at:%Y-%m-%d %H:%M} UTC by {approval.approved_by}{note}"
            )
        if not info.approvals:
            print("        not approved" + (" (firm mode: cannot be used on calls)" if firm_mode else ""))
    if in_force_saved:
        print("* the version in force (the script's text now)")
    else:
        # Listing writes nothing: the text becomes a version when it is first used (or approved).
        number = infos[-1].version + 1 if infos else 1
        firm = " (firm mode: cannot be used on calls until a principal approves it)" if firm_mode else ""
        print(f"  the script's text now is not saved yet: it becomes version {number} when first used{firm}")
    return EXIT_OK


def approve_version(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.script_versions import ScriptVersionError

    try:
        info = workspace.script_versions.approve(args.name, args.version, args.by, args.note)
    except ScriptVersionError as error:
        raise _user_error(error) from None
    approval = info.approvals[-1]
    print(
        f"Version {info.version} of '{info.script_name}' approved by {approval.approved_by} "
        f"on {approval.approved_at:%Y-%m-%d %H:%M} UTC."
    )
    return EXIT_OK
