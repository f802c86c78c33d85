"""Typed settings stored in the database: dialling backend, attempt target, region, agent and firm."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from desktop.domain.leads import DEFAULT_ATTEMPT_TARGET

if TYPE_CHECKING:  # the quick `dialdesk check` reads settings without the ORM
    from desktop.storage.uow import UnitOfWorkFactory

BACKENDS = ("manual", "handoff_tel", "handoff_sip", "sip")
BACKEND_LABELS = {
    "manual": "Manual (dial on your desk phone; Dialdesk times the call)",
    "handoff_tel": "Hand-off: open tel: links with the system's phone app",
    "handoff_sip": "Hand-off: open sip: links with the system's softphone",
    "sip": "Built-in softphone (SIP, through baresip)",
}


@dataclass
class Settings:
    """Everything the user can set; defaults are what a new user gets."""

    backend: str = "manual"
    attempt_target: int = DEFAULT_ATTEMPT_TARGET
    default_region: str = "US"
    agent_name: str = ""
    firm_name: str = ""
    sip_domain: str = ""

    def validate(self) -> list[str]:
        problems = []
        if self.backend not in BACKENDS:
            problems.append(f"unknown dialling backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if not 1 <= self.attempt_target <= 100:
            problems.append("the attempt target must be between 1 and 100")
        if len(self.default_region) != 2 or not self.default_region.isalpha():
            problems.append("the default region must be a two-letter country code such as US")
        return problems


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    return str(value) if value is not None else default


def settings_from(stored: dict[str, Any]) -> Settings:
    """`Settings` from the stored rows (decoded JSON by key); a missing or unusable value is the default."""
    defaults = Settings()
    values = {
        field.name: _coerce(field.name, stored.get(field.name), getattr(defaults, field.name))
        if field.name in stored
        else getattr(defaults, field.name)
        for field in fields(Settings)
    }
    return Settings(**values)


class SettingsService:
    """Reads and writes `Settings` as one object."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def load(self) -> Settings:
        with self._uow_factory() as uow:
            stored = uow.settings.all()
        return settings_from(stored)

    def save(self, settings: Settings) -> None:
        problems = settings.validate()
        if problems:
            raise ValueError("; ".join(problems))
        with self._uow_factory() as uow:
            for key, value in asdict(settings).items():
                uow.settings.set(key, value)
            uow.commit()
