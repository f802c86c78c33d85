"""Script versions and approvals: every saved text of a script is a numbered, immutable version, and a
principal approves versions; in firm mode only approved versions may be used on a call.

A version is found by its script name and the SHA-256 of its text: saving the same text again makes
no new version, and the shipped scripts become versions the first time they are looked at (an app
update that changes one makes its next version). The tables refuse updates and deletes themselves
(migration 0014's triggers).

Every version saved and every approval is written to the history (`history_hook.record_history`, the
place where the tamper-evident event history is to be wired).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.script_checks import missing_disclosures
from desktop.domain.script_format import check_script
from desktop.services.clock import Clock
from desktop.services.history_hook import SCRIPT_VERSION_APPROVED, SCRIPT_VERSION_SAVED, record_history
from desktop.storage.locks import hold_write_lock
from desktop.storage.models import ScriptApproval, ScriptVersion
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

MAX_APPROVER_CHARS = 200
MAX_NOTE_CHARS = 2000


class ScriptVersionError(Exception):
    """A version or approval request that cannot be done; the message is meant for the user."""


class ScriptNotApproved(ScriptVersionError):
    """Firm mode is on and the script version in force has no approval: no call may use it."""


@dataclass(frozen=True)
class Approval:
    """One principal's approval of a version."""

    approved_by: str
    approved_at: datetime
    note: str


@dataclass(frozen=True)
class VersionInfo:
    """A saved version of a script, with its approvals (oldest first)."""

    id: int
    script_name: str
    version: int
    content_sha256: str
    saved_at: datetime
    saved_by: str
    approvals: tuple[Approval, ...]

    @property
    def approved(self) -> bool:
        return bool(self.approvals)


def content_hash(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()


def has_versions(uow: UnitOfWork, name: str) -> bool:
    return (
        uow.session.scalar(select(ScriptVersion.id).where(ScriptVersion.script_name == name).limit(1))
        is not None
    )


# The advisory lock (PostgreSQL) that numbers script versions one at a time ("DDSV" in ASCII).
SCRIPT_VERSION_LOCK = 0x44445356


def _latest_if_same(uow: UnitOfWork, name: str, text: str, digest: str) -> ScriptVersion | None:
    """The script's latest version when its text is `text`; None when a new version is due."""
    latest = uow.session.scalars(
        select(ScriptVersion).where(ScriptVersion.script_name == name).order_by(ScriptVersion.version.desc())
    ).first()
    if latest is not None and latest.content_sha256 == digest and latest.content == text:
        return latest
    return None


def save_version(
    uow: UnitOfWork, name: str, text: str, saved_by: str, at: datetime
) -> tuple[ScriptVersion, bool]:
    """The version of `name` whose text is `text`, made now when it is new: (version, made_now).

    Runs in the caller's unit of work (an import stores the script and its version together).
    """
    digest = content_hash(text)
    if uow.session.get_bind().dialect.name == "postgresql":
        # Every call asks; nearly always the version is there: read without the lock, so agents' calls
        # do not take turns on it (SQLite: nothing is read before its write lock, see below).
        found = _latest_if_same(uow, name, text, digest)
        if found is not None:
            return found, False
    # Agents starting their first call at once must not both number a shipped script's version 1.
    hold_write_lock(uow.session, "script_versions", SCRIPT_VERSION_LOCK)
    found = _latest_if_same(uow, name, text, digest)
    if found is not None:
        return found, False
    latest = uow.session.scalar(
        select(func.max(ScriptVersion.version)).where(ScriptVersion.script_name == name)
    )
    row = ScriptVersion(
        script_name=name,
        version=int(latest or 0) + 1,
        content=text,
        content_sha256=digest,
        saved_at=at,
        saved_by=saved_by,
    )
    uow.session.add(row)
    uow.session.flush()
    record_history(
        uow,
        SCRIPT_VERSION_SAVED,
        {"script": name, "version": row.version, "sha256": digest, "saved_by": saved_by},
        at,
    )
    return row, True


def _missing_disclosures(text: str, name: str) -> tuple[str, ...]:
    checked = check_script(text, name)
    if checked.script is None:
        return ("a script that reads without errors",)
    return missing_disclosures(checked.script)


def refusal_of(info: VersionInfo, firm_mode: bool, session: Session) -> str | None:
    """Why this version in force cannot be used on a call, read in `session`; None when it can. Firm mode
    takes a version only with an approval, and only one the history recorded (offline_scripts.py: an
    approval row added outside Dialdesk is refused here at once, and named by `audit verify`)."""
    if not firm_mode:
        return None
    if not info.approved:
        return (
            f"firm mode: version {info.version} of script {info.script_name!r} is not approved by a "
            f"principal (`dialdesk scripts approve {info.script_name} --version {info.version} --by NAME`)"
        )
    from desktop.services.offline_scripts import recorded_approvers

    approvers = [approval.approved_by for approval in info.approvals]
    if not recorded_approvers(session, info.script_name, info.version, info.content_sha256, approvers):
        return (
            f"firm mode: the approval of version {info.version} of script {info.script_name!r} is not in "
            "the history: it was added outside Dialdesk (`dialdesk audit verify` names it)"
        )
    return None


def id_for_call(info: VersionInfo, refusal: str | None) -> int:
    """The id of the version a call will use; ScriptNotApproved when `refusal` says why it cannot."""
    if refusal is not None:
        raise ScriptNotApproved(f"call refused: {refusal}")
    return info.id


class ScriptVersionService:
    """Versions and approvals of the scripts a `texts` callable returns (name -> current file text)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        texts: Callable[[], dict[str, str]],
        saved_by: Callable[[], str] = lambda: "",
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._texts = texts
        self._saved_by = saved_by

    def current(self, name: str) -> VersionInfo:
        """The version of the script's text in force now (made when that text was never saved)."""
        texts = self._texts()
        if name not in texts:
            raise ScriptVersionError(f"there is no script {name!r}; see `dialdesk scripts list`")
        with self._uow_factory() as uow:
            return self.current_in(uow, name, texts[name])

    def saved_version(self, uow: UnitOfWork, name: str, text: str) -> VersionInfo | None:
        """The script's latest version when its text is `text`, read only; None when a new version is
        due (`current_in` makes it)."""
        found = _latest_if_same(uow, name, text, content_hash(text))
        return None if found is None else self._infos(uow, [found])[0]

    def current_in(self, uow: UnitOfWork, name: str, text: str) -> VersionInfo:
        """`current` in the caller's unit of work, for the script's text in force `text` (committed
        when that text's version is made now)."""
        row, made = save_version(uow, name, text, self._saved_by() or "agent", self._clock())
        if made:
            uow.commit()
        return self._infos(uow, [row])[0]

    def sync(self) -> None:
        """Every script's text in force has its version (shipped scripts the first time they are seen)."""
        texts = self._texts()
        with self._uow_factory() as uow:
            made = [
                save_version(uow, name, text, self._saved_by() or "agent", self._clock())[1]
                for name, text in sorted(texts.items())
            ]
            if any(made):
                uow.commit()

    def versions(self, name: str) -> list[VersionInfo]:
        """The versions of a script, oldest first; the text in force has one (made now if needed)."""
        self.current(name)
        with self._uow_factory() as uow:
            rows = uow.session.scalars(
                select(ScriptVersion).where(ScriptVersion.script_name == name).order_by(ScriptVersion.version)
            ).all()
            return self._infos(uow, rows)

    def stored(self, name: str) -> tuple[list[VersionInfo], bool]:
        """The versions of a script saved so far, oldest first, and whether the text in force is the
        latest of them. Reads only (`scripts versions`): the text in force gets its version when used."""
        texts = self._texts()
        if name not in texts:
            raise ScriptVersionError(f"there is no script {name!r}; see `dialdesk scripts list`")
        with self._uow_factory() as uow:
            rows = uow.session.scalars(
                select(ScriptVersion).where(ScriptVersion.script_name == name).order_by(ScriptVersion.version)
            ).all()
            saved = bool(rows) and rows[-1].content_sha256 == content_hash(texts[name])
            return self._infos(uow, rows), saved

    def text(self, name: str, version: int) -> str:
        with self._uow_factory() as uow:
            return self._row(uow, name, version).content

    def approve(self, name: str, version: int, by: str, note: str = "") -> VersionInfo:
        """A principal approves one version: their name, now (the clock), their note. Append-only."""
        approver = " ".join(by.split())
        if not approver:
            raise ScriptVersionError("an approval needs the name of the principal who approves (--by)")
        if len(approver) > MAX_APPROVER_CHARS or len(note) > MAX_NOTE_CHARS:
            raise ScriptVersionError(
                f"the approver's name is limited to {MAX_APPROVER_CHARS} characters, "
                f"the note to {MAX_NOTE_CHARS}"
            )
        if any(ord(c) < 32 and c not in "\n\t" for c in approver + note):
            raise ScriptVersionError("the approver's name and the note cannot hold control characters")
        if name in self._texts():
            self.current(name)  # a shipped script never looked at gets its version 1 first
        now = self._clock()
        with self._uow_factory() as uow:
            row = self._row(uow, name, version)
            missing = _missing_disclosures(row.content, name)
            if missing:
                raise ScriptVersionError(
                    f"version {version} of {name!r} cannot be approved: its opening lacks what FINRA Rule "
                    f"3230 requires a caller to disclose: {'; '.join(missing)}"
                )
            uow.session.add(
                ScriptApproval(version_id=row.id, approved_by=approver, approved_at=now, note=note)
            )
            record_history(
                uow,
                SCRIPT_VERSION_APPROVED,
                {
                    "script": name,
                    "version": row.version,
                    "sha256": row.content_sha256,
                    "approved_by": approver,
                    "note": note,
                },
                now,
            )
            uow.commit()
            return self._infos(uow, [row])[0]

    def usable(self, name: str, firm_mode: bool) -> tuple[VersionInfo, str | None]:
        """The version in force and, in firm mode without an approval, why it cannot be used on a call."""
        info = self.current(name)
        with self._uow_factory() as uow:
            return info, refusal_of(info, firm_mode, uow.session)

    def version_for_call(self, name: str, firm_mode: bool) -> int:
        """The id of the version a call will use; ScriptNotApproved in firm mode without an approval."""
        return id_for_call(*self.usable(name, firm_mode))

    def _row(self, uow: UnitOfWork, name: str, version: int) -> ScriptVersion:
        row = uow.session.scalars(
            select(ScriptVersion).where(ScriptVersion.script_name == name, ScriptVersion.version == version)
        ).first()
        if row is None:
            known = uow.session.scalar(select(func.count()).where(ScriptVersion.script_name == name))
            if not known:
                raise ScriptVersionError(f"there is no script {name!r}; see `dialdesk scripts list`")
            raise ScriptVersionError(
                f"script {name!r} has no version {version}; see `dialdesk scripts versions {name}`"
            )
        return row

    @staticmethod
    def _infos(uow: UnitOfWork, rows: Iterable[ScriptVersion]) -> list[VersionInfo]:
        chosen = list(rows)
        approvals: dict[int, list[Approval]] = {}
        if chosen:
            for approval in uow.session.scalars(
                select(ScriptApproval)
                .where(ScriptApproval.version_id.in_([row.id for row in chosen]))
                .order_by(ScriptApproval.approved_at, ScriptApproval.id)
            ):
                approvals.setdefault(approval.version_id, []).append(
                    Approval(approval.approved_by, approval.approved_at, approval.note)
                )
        return [
            VersionInfo(
                id=row.id,
                script_name=row.script_name,
                version=row.version,
                content_sha256=row.content_sha256,
                saved_at=row.saved_at,
                saved_by=row.saved_by,
                approvals=tuple(approvals.get(row.id, ())),
            )
            for row in chosen
        ]
