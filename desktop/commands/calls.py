"""`dialdesk queue` and `dialdesk record`: the calling session without the window, through the same gate."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.commands.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    CliError,
    Subparsers,
    parse_time,
    print_json,
    record_id,
    say_blocked,
    whole_number,
)
from desktop.domain.outcomes import OUTCOME_CODES

# `queue --claim`: nothing is callable now for this agent.
EXIT_NOTHING = 3

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace


def register(commands: Subparsers) -> None:
    queue = commands.add_parser("queue", help="list the next leads in the order the window offers them")
    queue.add_argument(
        "--limit",
        type=whole_number(1, 100_000, "--limit"),
        default=20,
        help="how many leads to show (default: 20)",
    )
    queue.add_argument("--json", action="store_true", help="print the leads as JSON")
    queue.add_argument(
        "--claim",
        action="store_true",
        help="team mode: take the next callable lead for the agent (--agent or $DIALDESK_AGENT) and "
        "print it; exit 3 when nothing is callable now",
    )
    queue.add_argument(
        "--hold-minutes",
        type=whole_number(1, 1440, "--hold-minutes"),
        metavar="MINUTES",
        help="how long the claim lasts if the agent never records (default: 15)",
    )
    queue.set_defaults(handler=show_queue)

    record = commands.add_parser("record", help="log a manual call and its outcome, through the dial gate")
    record.add_argument(
        "lead_id", type=record_id, metavar="LEAD_ID", help="the lead called (its id, as `queue` shows)"
    )
    record.add_argument("outcome", choices=OUTCOME_CODES, metavar="OUTCOME", help=", ".join(OUTCOME_CODES))
    record.add_argument(
        "--phone", help="the number called (E.164); default: the lead's first dialable number"
    )
    record.add_argument("--note", default="", help="a note kept with the call")
    record.add_argument("--callback", metavar="ISO8601", help="when to call back (outcome callback)")
    record.add_argument("--meeting", metavar="ISO8601", help="when the meeting is (outcome meeting)")
    record.add_argument("--where", default="", help="where the meeting is")
    record.add_argument("--ics", type=Path, metavar="FILE", help="write the meeting as an iCalendar file")
    record.add_argument("--json", action="store_true", help="print the result as one JSON object")
    record.set_defaults(handler=record_outcome)


def claim_next(workspace: Workspace, args: argparse.Namespace) -> int:
    """`queue --claim`: the lead this agent works next, claimed; exit 3 when nothing is callable."""
    agent = workspace.acting_agent()
    if agent is None:
        raise CliError("queue --claim needs an agent: --agent NAME or $DIALDESK_AGENT")
    from desktop.services.claims import DEFAULT_HOLD

    hold = DEFAULT_HOLD if args.hold_minutes is None else timedelta(minutes=args.hold_minutes)
    if not timedelta(minutes=1) <= hold <= timedelta(days=1):
        raise CliError("--hold-minutes must be between 1 and 1440")
    claim = workspace.claims.claim_next(agent, hold)
    if claim is None:
        if args.json:
            print_json(None)
        else:
            print(f"Nothing to call now for {agent}.")
        return EXIT_NOTHING
    card = workspace.leads.card(claim.lead_id)
    phone = next((p for p in card.phones if p.valid), None)
    if args.json:
        print_json(
            {
                "lead_id": claim.lead_id,
                "agent": claim.agent,
                "claimed_until": claim.until.isoformat(),
                "name": card.display_name,
                "phone": phone.e164 if phone is not None else None,
            }
        )
    else:
        number = phone.display if phone is not None else "no dialable number"
        print(f"#{claim.lead_id} {card.display_name} {number}: {claim.agent}'s until {claim.until:%H:%M}Z")
    return EXIT_OK


def show_queue(workspace: Workspace, args: argparse.Namespace) -> int:
    if args.claim:
        return claim_next(workspace, args)
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    rows = workspace.leads.queue_page(0, args.limit)
    if args.json:
        print_json(
            [
                {
                    "lead_id": row.lead_id,
                    "name": row.name,
                    "company": row.company,
                    "reason": row.bucket,
                    "due_at": row.due_at.isoformat() if row.due_at else None,
                    "attempt": min(row.attempts + 1, row.target),
                    "attempts": row.attempts,
                    "target": row.target,
                    "phone": row.phone,
                    "local_time": row.local_time,
                    "callable_at": row.callable_at.isoformat() if row.callable_at else None,
                    "waiting": row.waiting,
                }
                for row in rows
            ]
        )
        return EXIT_OK
    counts = workspace.leads.queue_counts()
    print(
        f"{counts.total:,} leads in the queue "
        f"({counts.new:,} new, {counts.due:,} due, {counts.later:,} later)"
    )
    for row in rows:
        due = f" due {row.due_at:%Y-%m-%d %H:%M}Z" if row.due_at else ""
        print(
            f"#{row.lead_id:<6} {row.name[:28]:<28} {row.phone:<18} {row.bucket:<8} "
            f"attempt {min(row.attempts + 1, row.target)} of {row.target}{due}"
        )
    return EXIT_OK


def record_outcome(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.calling import GateRefused

    # A time given with another outcome would be dropped without a word: refuse it instead.
    for option, value, outcome in (
        ("--ics", args.ics, "meeting"),
        ("--meeting", args.meeting, "meeting"),
        ("--where", args.where, "meeting"),
        ("--callback", args.callback, "callback"),
    ):
        if value and args.outcome != outcome:
            raise CliError(f"{option} goes with the {outcome} outcome")
    callback_at = parse_time(args.callback, "--callback")
    meeting_at = parse_time(args.meeting, "--meeting")
    agent = workspace.acting_agent()
    # Team mode: an outcome on a lead another agent holds is refused by the calling service itself.
    try:
        result = workspace.calling.record_outcome(
            args.lead_id,
            args.outcome,
            number=args.phone,
            note=args.note,
            callback_at=callback_at,
            meeting_at=meeting_at,
            where=args.where,
        )
    except GateRefused as refused:
        decision = refused.decision
        if args.json:
            print_json(
                {
                    "lead_id": args.lead_id,
                    "number": decision.number,
                    "allowed": False,
                    "reasons": [{"code": r.code, "detail": r.detail} for r in decision.reasons],
                    "attempt_id": refused.attempt_id,
                }
            )
        say_blocked(decision.number, decision.reasons)
        return EXIT_BLOCKED
    if agent is not None and not result.claim_ended:
        # Recorded: the lead goes back to the queue (when the outcome's commit did not end the claim
        # already: one held under another name than the call's).
        workspace.claims.release(args.lead_id, agent)
    ics = None
    if args.ics is not None and result.meeting_id is not None:
        settings = workspace.current_settings()
        ics = workspace.meetings.write_ics(
            result.meeting_id, args.ics, settings.agent_name, settings.firm_name
        )
    if args.json:
        print_json(
            {
                "ics": str(ics) if ics else None,
                "meeting_id": result.meeting_id,
                "lead_id": result.lead_id,
                "attempt_id": result.attempt_id,
                "outcome": result.outcome,
                "attempts": result.attempts,
                "status": result.status,
                "next_due_at": result.next_due_at.isoformat() if result.next_due_at else None,
                "added_to_dnc": list(result.added_to_dnc),
                "next_lead_id": result.next_lead_id,
            }
        )
    else:
        print(
            f"Recorded {result.outcome} for lead #{result.lead_id} (call #{result.attempt_id}); "
            f"attempts: {result.attempts}; status: {result.status}."
        )
    return EXIT_OK
