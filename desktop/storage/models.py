"""SQLAlchemy 2.x typed models: the call list, the call-detail record and the do-not-call lists.

Portable SQL only (SQLite now, PostgreSQL later). Times are stored as naive UTC and handed out as
aware UTC datetimes by `UtcDateTime`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: portable across SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Agent(Base):
    """A person who makes calls; each database carries its own agent's name."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Reports count this agent's calls as the calls of the agent named here (`dialdesk report agents
    # merge`, migration 0012): the calls keep their agent, the merge is in the audit log.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)


class Lead(Base):
    """A person or business on a call list, with its place in the calling sequence."""

    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="residential")
    kind_given: Mapped[bool] = mapped_column(Boolean, default=False)
    warmth: Mapped[str] = mapped_column(String(10), default="cold")
    state: Mapped[str] = mapped_column(String(50), default="")
    # The list's ZIP/postal code, its state or province and (a US ZIP) its zone: where the callee lives.
    postal_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    postal_state: Mapped[str] = mapped_column(String(8), default="", server_default="")
    postal_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    list_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    status: Mapped[str] = mapped_column(String(30), default="new")
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    identity_key: Mapped[str] = mapped_column(String(400), default="")
    # The lead's id in the CRM it came from ("Record ID" column; migration 0012): re-imports match on
    # it, the outcomes export is keyed by it. "" when the file had none.
    external_id: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    # Denormalised from attempts so the queue is an index lookup, not an aggregate.
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    contact_count: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    due_reason: Mapped[str] = mapped_column(String(20), default="new")
    last_outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # Where the callee is and which state hour rules apply ("America/New_York|FL"): leads sharing a
    # key open and close together, so the queue decides "callable now" per key, not per lead.
    hours_key: Mapped[str | None] = mapped_column(String(400), nullable=True, index=True)
    # A reason the gate refuses this lead that time alone will not lift (e.g. "dnc_national: …");
    # cleared whenever lists, registries, consent or the lead change. NULL: not known to be blocked.
    gate_block: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Team mode: the agent working this lead, until when (services/claims.py); NULL when nobody is.
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    phones: Mapped[list[Phone]] = relationship(
        back_populates="lead", order_by="Phone.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # "Next lead" is one indexed lookup per queue bucket (docs/architecture.md): due retries and
        # new leads by status, due callbacks by reason, warm leads by warmth.
        Index("ix_leads_queue", "status", "next_due_at", "id"),
        Index("ix_leads_due_reason", "due_reason", "next_due_at"),
        Index("ix_leads_warmth", "warmth", "next_due_at"),
        # Team mode: an agent's held leads and the live view's claims are index lookups among the few
        # leads held, not a scan of the list (migration 0017b).
        Index(
            "ix_leads_claims",
            "claimed_by",
            "claimed_until",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
    )


class Phone(Base):
    """One number of a lead as the user gave it, with what phonenumbers made of it."""

    __tablename__ = "phones"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(100), default="")
    raw: Mapped[str] = mapped_column(String(200), default="")
    e164: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    extension: Mapped[str | None] = mapped_column(String(20), nullable=True)
    number_type: Mapped[str] = mapped_column(String(30), default="unknown")
    region: Mapped[str | None] = mapped_column(String(5), nullable=True)
    time_zones: Mapped[str] = mapped_column(Text, default="")
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    problem: Mapped[str | None] = mapped_column(String(200), nullable=True)

    lead: Mapped[Lead] = relationship(back_populates="phones")

    @property
    def zone_list(self) -> tuple[str, ...]:
        return tuple(zone for zone in self.time_zones.split(" ") if zone)


class Attempt(Base):
    """The call-detail record: one gate decision and, when allowed, the call and its outcome."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_attempts_lead (lead_id, started_at, …) below.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), nullable=True)
    phone_id: Mapped[int | None] = mapped_column(ForeignKey("phones.id"), nullable=True)
    number: Mapped[str] = mapped_column(String(40), default="")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    backend: Mapped[str] = mapped_column(String(20), default="manual")
    allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {code, detail}
    # Indexed by ix_attempts_report (started_at, …) below.
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # A record merged from a colleague's database: the database id (setting "database_id") and the
    # record's id where it was made; NULL for calls made here. With the agent it is the record's
    # identity, so `dialdesk merge` is idempotent (desktop/services/merge.py).
    origin_db: Mapped[str | None] = mapped_column(String(40), nullable=True)
    origin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Records are append-only (trigger attempts_append_only, migration 0010): a correction of a
    # completed call is a new record that refers to it here; the old one stays as it was.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), nullable=True)
    # The script version the agent read (migration 0014); NULL for a call made without a script.
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_versions.id"), nullable=True)
    # The number shown to the callee as caller ID (setting `caller_id`); NULL when none was set.
    caller_id: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (
        Index("ix_attempts_origin", "origin_db", "origin_id", "agent_id", unique=True),
        # Three covering indexes, one per order the reports walk (docs/reports.md); the first two also
        # serve what the single-column indexes on started_at and lead_id served before.
        Index("ix_attempts_report", "started_at", "allowed", "outcome", "duration_s", "lead_id", "agent_id"),
        Index("ix_attempts_lead", "lead_id", "started_at", "allowed", "outcome", "duration_s", "agent_id"),
        Index("ix_attempts_agent", "agent_id", "allowed", "outcome", "started_at", "duration_s", "lead_id"),
        # Only corrections (migration 0012): the undone calls reports leave out, found without a walk.
        Index(
            "ix_attempts_corrects",
            "corrects_id",
            "outcome",
            sqlite_where=text("corrects_id IS NOT NULL"),
            postgresql_where=text("corrects_id IS NOT NULL"),
        ),
    )


class Callback(Base):
    """A promised call back at a time; agent-only callbacks are offered only to their agent."""

    __tablename__ = "callbacks"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    agent_only: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Meeting(Base):
    """A meeting booked with a lead."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    where: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DncEntry(Base):
    """A number on a do-not-call list: internal (the firm's own), national, state or Canada."""

    __tablename__ = "dnc_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="internal")
    reason: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), nullable=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (UniqueConstraint("number", "source", name="uq_dnc_entries_number_source"),)


class Consent(Base):
    """Evidence that a lead agreed to be called: written consent, an inquiry or a purchase."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """A typed setting stored as JSON text under a key."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="null")


class AuditEvent(Base):
    """Changes that matter as evidence besides dials: DNC list edits, imports, settings."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")


class ImportBatch(Base):
    """One imported call-list file and what came of it."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    list_name: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class StoredScript(Base):
    """A call script the user imported, kept as the file text they wrote (comments included).

    The text is the truth: it is validated on import and parsed again on load, and exported
    unchanged, so an edit-import-export round trip loses nothing.
    """

    __tablename__ = "scripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    source_text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(500), default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScriptVersion(Base):
    """One saved text of a script, numbered per script name; never changed or deleted (triggers of 0014).

    Shipped and imported scripts alike: a script is known by its name everywhere (assignments,
    answers), so versions are too. `content_sha256` finds the version of a text without reading them all.
    """

    __tablename__ = "script_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    script_name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    saved_by: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("script_name", "version", name="uq_script_versions_number"),
        Index("ix_script_versions_content", "script_name", "content_sha256"),
    )


class ScriptApproval(Base):
    """A principal's approval of one script version: who, when, and their note. Append-only (0014)."""

    __tablename__ = "script_approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("script_versions.id"), index=True)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class ScriptAnswer(Base):
    """One answer to a script question, saved the moment it is given; a changed answer adds a row."""

    __tablename__ = "script_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    script_name: Mapped[str] = mapped_column(String(100), index=True)
    stage_id: Mapped[str] = mapped_column(String(100), default="")
    question_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="text")
    value: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True, index=True
    )

    __table_args__ = (Index("ix_script_answers_lead", "lead_id", "answered_at"),)


class ScriptAssignment(Base):
    """Which script leads get: one lead, a call list, leads of one warmth, or everyone by default."""

    __tablename__ = "script_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # lead | list | warmth | default
    target: Mapped[str] = mapped_column(String(200), default="")  # lead id, list name, warmth or ""
    # Set for lead assignments so that deleting the lead deletes its assignment.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), nullable=True)
    script_name: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("scope", "target", name="uq_script_assignments_scope_target"),)


class RegistrySnapshot(Base):
    """One import of a do-not-call registry copy: the evidence of which copy was in force when.

    Rows are never changed: the gate records the id of the snapshot in force with each decision.
    """

    __tablename__ = "registry_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)  # national | canada | state:XX
    kind: Mapped[str] = mapped_column(String(10))  # full | changes
    file_name: Mapped[str] = mapped_column(String(500), default="")
    as_of: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    slot: Mapped[int] = mapped_column(Integer, default=0)


class RegistrySource(Base):
    """A registry whose copy is loaded: where its numbers live in `registry_numbers`, and its latest copy."""

    __tablename__ = "registry_sources"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The numbers of this source are keyed slot * 10**10 + national number; a full import fills a
    # fresh slot and drops the old one, so the previous copy stays whole until the commit.
    slot: Mapped[int] = mapped_column(Integer, unique=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("registry_snapshots.id"), nullable=True)


class RegistryCoverage(Base):
    """One area code a registry copy covers, with that area code's own as-of date.

    The FTC sells the National Registry per area code: a full list replaces a source's numbers only
    in the area codes it covers, and a residential call to an area code with no row here is refused.
    """

    __tablename__ = "registry_coverage"
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("registry_snapshots.id"), nullable=True)


class RegistryNumber(Base):
    """One number on one registry, as a single integer: slot * 10**10 + the 10-digit national number.

    One integer column that is the primary key makes this SQLite's rowid table (about 11 bytes a
    number on disk) and a BIGINT primary key on PostgreSQL: the registries run to 244 million rows.
    """

    __tablename__ = "registry_numbers"
    number_key: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )


# -- report summaries ------------------------------------------------------------------------------
# Kept up to date by SQLite triggers on `attempts` and `leads` (migration 0007) and rebuilt whole by
# desktop/storage/rollups.py when the outcome rules they were built with change. Reports read them
# instead of a million calls when the filters allow (docs/reports.md). Hours and days are UTC
# ("YYYY-MM-DD HH", "YYYY-MM-DD"); a missing agent is 0, a missing outcome or hours key "".


class ReportRollupRule(Base):
    """The outcome rules the summaries were built with: what counts as an attempt and as a contact."""

    __tablename__ = "report_rollup_rules"
    __table_args__ = {"sqlite_with_rowid": False}
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    counted: Mapped[bool] = mapped_column(Boolean)
    contact: Mapped[bool] = mapped_column(Boolean)


class _OutcomeSums:
    """Calls of one agent with one gate verdict and outcome, summed over a time key of the table."""

    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    allowed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(30), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    long_calls: Mapped[int] = mapped_column(Integer)  # lasting CONVERSATION_MIN_S or more


class ReportHour(_OutcomeSums, Base):
    """Calls per UTC hour, agent, gate verdict and outcome (per-outcome totals around whole days)."""

    __tablename__ = "report_hours"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)


class ReportDay(_OutcomeSums, Base):
    """The same per UTC day (per-agent and per-outcome totals of long periods)."""

    __tablename__ = "report_days"
    __table_args__ = {"sqlite_with_rowid": False}
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class ReportHourTotal(Base):
    """A report day's figures per UTC hour and agent, under the stored rules (the days of a report)."""

    __tablename__ = "report_hour_totals"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    calls: Mapped[int] = mapped_column(Integer)  # allowed or blocked
    dials: Mapped[int] = mapped_column(Integer)
    connects: Mapped[int] = mapped_column(Integer)
    conversations: Mapped[int] = mapped_column(Integer)
    meetings: Mapped[int] = mapped_column(Integer)
    call_s: Mapped[float] = mapped_column(Float)
    talk_s: Mapped[float] = mapped_column(Float)


class ReportZoneHour(Base):
    """Dials and connects per UTC hour, the lead's hours key and agent (hours of the lead's day)."""

    __tablename__ = "report_zone_hours"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    hours_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dials: Mapped[int] = mapped_column(Integer)
    connects: Mapped[int] = mapped_column(Integer)


class ReportBlocked(Base):
    """Blocked dials per UTC hour, agent and reason code ("unknown" when the record names none)."""

    __tablename__ = "report_blocked"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(String(60), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)


class ReportLeadStat(Base):
    """One lead's whole calling sequence: the per-lead figures of a report that covers all time."""

    __tablename__ = "report_lead_stats"
    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    calls: Mapped[int] = mapped_column(Integer)  # allowed calls with an outcome
    attempts: Mapped[int] = mapped_column(Integer)  # of those, the ones that count as attempts
    to_contact: Mapped[int] = mapped_column(Integer)  # attempts up to the first contact, 0 if none
    connects: Mapped[int] = mapped_column(Integer)
    meetings: Mapped[int] = mapped_column(Integer)
    talk_s: Mapped[float] = mapped_column(Float)


class ChainEvent(Base):
    """One event of the tamper-evident history (migration 0013, desktop/domain/event_chain.py).

    Written only by `desktop.storage.events.append_event` (and merge, which copies a colleague's
    events with their own chain and hashes); triggers refuse any UPDATE or DELETE.
    """

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    # Text as hashed (event_chain.event_time), not a DateTime column: the hash covers exact text.
    occurred_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_events_chain"),
        Index("ix_events_kind", "kind", "occurred_at"),
    )


class EventCheckpoint(Base):
    """Per chain, the last event verified: the check at start reads only events after it."""

    __tablename__ = "event_checkpoints"
    chain: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[str] = mapped_column(String(40))
