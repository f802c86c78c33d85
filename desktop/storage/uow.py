"""The unit of work: one session and one transaction per use case, committed or rolled back whole."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop.storage.repositories import (
    AgentRepository,
    AttemptRepository,
    AuditRepository,
    CallbackRepository,
    DncRepository,
    LeadRepository,
    SettingRepository,
)


class UnitOfWork:
    """Use as `with uow:`; changes are kept only if `commit()` is called before the block ends."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        session = self._session
        self.leads = LeadRepository(session)
        self.attempts = AttemptRepository(session)
        self.dnc = DncRepository(session)
        self.settings = SettingRepository(session)
        self.agents = AgentRepository(session)
        self.callbacks = CallbackRepository(session)
        self.audit = AuditRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves loaded objects
        # readable, so a service may return what it read.
        self.session.close()
        self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UnitOfWorkFactory:
    """Makes units of work on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)
