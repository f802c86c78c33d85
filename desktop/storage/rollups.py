"""Report summaries: the `report_*` tables that hold the call record summed per hour, day and lead.

SQLite triggers (migration 0007) keep the summaries equal to `attempts` row by row. What they sum
depends on the outcome rules (what counts as an attempt, as a contact), which the user can change,
so the rules they were built with are stored beside them (`report_rollup_rules`): when those differ
from the rules a report uses, `ensure_current()` rebuilds every summary from the calls in one pass
per table. Bulk loads (merges, benchmark seeding) drop the triggers and rebuild once at the end
(`summaries_deferred()`), which costs a fraction of a trigger per row.

Only on SQLite, and only while all the triggers are in place; elsewhere reports read the calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on use: the quick `dialdesk check` reads TRIGGERS and rule_flags only
    from sqlalchemy import Connection

# code -> (counts as an attempt, counts as a contact)
RuleFlags = Mapping[str, tuple[bool, bool]]

TRIGGERS = (
    "report_attempt_added",
    "report_attempt_changed",
    "report_attempt_removed",
    "report_attempt_undone",
    "report_lead_rekeyed",
)
# Calls that count in reports (migration 0012): neither a correction record (outcome `undone`) nor a
# call such a record undoes. `{a}` is the alias of attempts; the same test as
# reports_queries.standing_calls().
_STANDS = (
    "{a}.outcome IS NOT 'undone' AND {a}.id NOT IN"
    " (SELECT corrects_id FROM attempts WHERE corrects_id IS NOT NULL AND outcome = 'undone')"
)
# Seconds from which a connect is a conversation (reports_figures.CONVERSATION_MIN_S; the triggers
# of migration 0007 carry the same number, and a test keeps the three equal).
LONG_CALL_S = 60.0
SUMMARY_TABLES = (
    "report_hours",
    "report_days",
    "report_hour_totals",
    "report_zone_hours",
    "report_blocked",
    "report_lead_stats",
)

# The reason codes of a decision record, as reports_figures.reason_codes() reads them: the codes of
# the objects in its "reasons" array (or of a bare array), non-empty text, each once.
_REASONS_ARRAY = """CASE WHEN json_valid(a.reasons) THEN CASE json_type(a.reasons)
    WHEN 'array' THEN a.reasons
    WHEN 'object' THEN CASE json_type(a.reasons, '$.reasons')
      WHEN 'array' THEN json_extract(a.reasons, '$.reasons') END
  END END"""

_REBUILD = {
    "report_hours": f"""INSERT INTO report_hours
    (hour, agent_id, allowed, outcome, calls, seconds, long_calls)
  SELECT substr(started_at, 1, 13), coalesce(agent_id, 0), allowed, coalesce(outcome, ''), count(*),
    coalesce(sum(duration_s), 0), coalesce(sum(duration_s >= {LONG_CALL_S}), 0)
  FROM attempts a WHERE {_STANDS.format(a="a")} GROUP BY 1, 2, 3, 4""",
    "report_days": """INSERT INTO report_days (day, agent_id, allowed, outcome, calls, seconds, long_calls)
  SELECT substr(hour, 1, 10), agent_id, allowed, outcome, sum(calls), sum(seconds), sum(long_calls)
  FROM report_hours GROUP BY 1, 2, 3, 4""",
    "report_hour_totals": """INSERT INTO report_hour_totals
    (hour, agent_id, calls, dials, connects, conversations, meetings, call_s, talk_s)
  SELECT h.hour, h.agent_id, sum(h.calls), sum(h.allowed * h.calls), sum(coalesce(r.contact, 0) * h.calls),
    sum(coalesce(r.contact, 0) * h.long_calls), sum((h.outcome = 'meeting') * h.calls),
    sum(h.allowed * h.seconds), sum(coalesce(r.contact, 0) * h.seconds)
  FROM report_hours h LEFT JOIN report_rollup_rules r ON r.code = h.outcome
  GROUP BY h.hour, h.agent_id""",
    "report_zone_hours": f"""INSERT INTO report_zone_hours (hour, hours_key, agent_id, dials, connects)
  SELECT substr(a.started_at, 1, 13), coalesce(l.hours_key, ''), coalesce(a.agent_id, 0), count(*),
    coalesce(sum(r.contact), 0)
  FROM attempts a LEFT JOIN leads l ON l.id = a.lead_id LEFT JOIN report_rollup_rules r ON r.code = a.outcome
  WHERE a.allowed AND {_STANDS.format(a="a")} GROUP BY 1, 2, 3""",
    "report_blocked": f"""INSERT INTO report_blocked (hour, agent_id, reason, calls)
  SELECT substr(a.started_at, 1, 13), coalesce(a.agent_id, 0), coalesce(c.code, 'unknown'), count(*)
  FROM attempts a LEFT JOIN (
    SELECT DISTINCT a.id AS attempt_id, json_extract(j.value, '$.code') AS code
    FROM attempts a, json_each({_REASONS_ARRAY}) j
    WHERE NOT a.allowed AND j.type = 'object' AND json_type(j.value, '$.code') = 'text'
      AND json_extract(j.value, '$.code') <> ''
  ) c ON c.attempt_id = a.id
  WHERE NOT a.allowed AND {_STANDS.format(a="a")} GROUP BY 1, 2, 3""",
    "report_lead_stats": f"""INSERT INTO report_lead_stats
    (lead_id, calls, attempts, to_contact, connects, meetings, talk_s)
  SELECT s.lead_id, s.calls, s.attempts,
    CASE WHEN s.first_contact IS NULL THEN 0 ELSE (
      SELECT count(*) FROM attempts e JOIN report_rollup_rules er ON er.code = e.outcome
      WHERE e.lead_id = s.lead_id AND e.allowed AND er.counted AND e.started_at <= s.first_contact
        AND {_STANDS.format(a="e")}
    ) END,
    s.connects, s.meetings, s.talk_s
  FROM (
    SELECT a.lead_id AS lead_id, count(a.outcome) AS calls, coalesce(sum(r.counted), 0) AS attempts,
      min(CASE WHEN r.contact THEN a.started_at END) AS first_contact,
      coalesce(sum(r.contact), 0) AS connects, coalesce(sum(a.outcome = 'meeting'), 0) AS meetings,
      coalesce(sum(CASE WHEN r.contact THEN a.duration_s END), 0) AS talk_s
    FROM attempts a LEFT JOIN report_rollup_rules r ON r.code = a.outcome
    WHERE a.lead_id IS NOT NULL AND a.allowed AND {_STANDS.format(a="a")}
    GROUP BY a.lead_id
  ) s""",
}


def rule_flags(rules: Iterable[object]) -> dict[str, tuple[bool, bool]]:
    """{code: (counts as attempt, counts as contact)} of outcome rules (domain.outcomes.OutcomeRule)."""
    return {
        str(rule.code): (bool(rule.counts_as_attempt), bool(rule.counts_as_contact))  # type: ignore[attr-defined]
        for rule in rules
    }


def supported(connection: Connection) -> bool:
    """True when the summaries are kept here: SQLite, with every trigger in place."""
    if connection.dialect.name != "sqlite":
        return False
    return set(_triggers(connection)) == set(TRIGGERS)


def _triggers(connection: Connection) -> dict[str, str]:
    """The summaries' triggers in the database, by name, with the SQL that created them."""
    markers = ", ".join("?" * len(TRIGGERS))
    rows = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({markers})", tuple(TRIGGERS)
    )
    return {str(name): str(sql) for name, sql in rows}


def library_can_keep(connection: Connection) -> bool:
    """SQLite 3.24 or later (upsert) with its JSON functions: what the triggers need (migration 0007
    makes the same check before it creates them)."""
    from sqlalchemy.exc import DBAPIError

    version = str(connection.exec_driver_sql("SELECT sqlite_version()").scalar())
    if tuple(int(part) for part in version.split(".")[:2]) < (3, 24):
        return False
    try:  # a function SQLite lacks fails the statement, not the transaction
        connection.exec_driver_sql("SELECT json_valid('[]'), json_type('[]'), json_extract('{}', '$.a')")
    except DBAPIError:
        return False
    return True


def stored_rules(connection: Connection) -> dict[str, tuple[bool, bool]]:
    rows = connection.exec_driver_sql("SELECT code, counted, contact FROM report_rollup_rules")
    return {str(code): (bool(counted), bool(contact)) for code, counted, contact in rows}


def ensure_current(connection: Connection, rules: RuleFlags) -> bool:
    """Rebuild the summaries if they were built with other rules; False when they are not kept here.

    Call it inside a transaction: the rebuild writes.
    """
    if not supported(connection):
        return False
    if not library_can_keep(connection):
        # A database upgraded with a newer SQLite, opened with an older one: a trigger that cannot
        # run would refuse every call recorded, so they go, and reports read the calls.
        for name in TRIGGERS:
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        # Stale from now on: should the triggers come back, the summaries must be rebuilt first.
        connection.exec_driver_sql("DELETE FROM report_rollup_rules")
        return False
    if stored_rules(connection) != dict(rules):
        rebuild(connection, rules)
    return True


def rebuild(connection: Connection, rules: RuleFlags) -> None:
    """Every summary worked out again from the calls, with `rules` (stored with them)."""
    connection.exec_driver_sql("DELETE FROM report_rollup_rules")
    if rules:
        connection.exec_driver_sql(
            "INSERT INTO report_rollup_rules (code, counted, contact) VALUES (?, ?, ?)",
            [(code, int(counted), int(contact)) for code, (counted, contact) in rules.items()],
        )
    for table, sql in _REBUILD.items():
        connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql(sql)


def worth_deferring(new_calls: int, calls_held: int) -> bool:
    """Whether loading `new_calls` next to `calls_held` is faster with one rebuild at the end: the
    triggers cost about 40 µs a call, a rebuild about 6 µs a call held (docs/reports.md)."""
    return new_calls >= 1000 and new_calls * 7 >= calls_held


@contextmanager
def summaries_deferred(connection: Connection, rules: RuleFlags) -> Iterator[None]:
    """No trigger work for a bulk load of calls: the summaries are rebuilt once when it ends well.

    Inside the caller's transaction, like `bulk.secondary_indexes_deferred`: if the load fails and
    the caller rolls back, the triggers come back with it.
    """
    if not supported(connection):
        yield
        return
    # Python's sqlite3 opens its transaction only before a data change; DDL before one would commit
    # on its own, so a statement that changes nothing opens it first.
    connection.exec_driver_sql("DELETE FROM report_rollup_rules WHERE 0")
    saved = _triggers(connection)
    for name in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for sql in saved.values():
        connection.exec_driver_sql(sql)
    rebuild(connection, rules)
