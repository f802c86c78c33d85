"""Typed settings stored in the database: dialling backend, attempt target, region, agent and firm."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from desktop.domain.leads import DEFAULT_ATTEMPT_TARGET
from desktop.domain.phones import known_region, parse_phone
from desktop.services.clock import Clock, system_clock

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
    # Years every record is kept before `db purge` may delete it (FINRA 4511 / SEC 17a-4: six).
    retention_years: int = 6
    # What an opening must disclose (FINRA Rule 3230): the firm's address or a number to call back.
    firm_address: str = ""
    callback_number: str = ""
    # The number shown to the callee (16 CFR 310.4(a)(8)); SIP calls send it, every call records it.
    caller_id: str = ""
    # Firm mode: only principal-approved script versions on calls; a SIP call needs a caller ID.
    firm_mode: bool = False

    def validate(self) -> list[str]:
        problems = []
        for label, value in (("caller ID", self.caller_id), ("callback number", self.callback_number)):
            problem = dialable_problem(value, self.default_region) if value.strip() else None
            if problem is not None:
                problems.append(f"the {label} {value!r} {problem}")
        for label, value in (("firm name", self.firm_name), ("firm address", self.firm_address)):
            if any(ord(c) < 32 for c in value) or len(value) > 300:
                problems.append(f"the {label} must be one line of at most 300 characters")
        if self.backend not in BACKENDS:
            problems.append(f"unknown dialling backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if not 1 <= self.attempt_target <= 100:
            problems.append("the attempt target must be between 1 and 100")
        if len(self.default_region) != 2 or not known_region(self.default_region):
            problems.append("the default region must be a two-letter country code such as US")
        if not 5 <= self.retention_years <= 100:
            problems.append("records are kept between 5 and 100 years (retention_years)")
        return problems


def dialable_problem(number: str, region: str = "US") -> str | None:
    """Why `number` cannot be called back (a caller ID or callback number), or None when it can."""
    parsed = parse_phone(number, region if len(region) == 2 else "US")
    if not parsed.dialable or parsed.e164 is None:
        return f"is not a dialable phone number ({parsed.problem or 'not valid'})"
    if parsed.extension:
        return "has an extension: a caller ID or callback number must reach someone without one"
    if parsed.number_type in ("premium_rate", "shared_cost"):
        return f"is a {parsed.number_type.replace('_', '-')} number: calling it back must not cost the callee"
    return None


def caller_id_e164(number: str, region: str = "US") -> str:
    """The caller ID in E.164 (+12125550100), as sent and recorded; "" when none is set or usable."""
    if not number.strip() or dialable_problem(number, region) is not None:
        return ""
    return parse_phone(number, region if len(region) == 2 else "US").e164 or ""


_TRUE = ("1", "on", "yes", "true")
_FALSE = ("0", "off", "no", "false", "")


def parse_switch(value: object) -> bool:
    """A yes/no setting from stored JSON or typed text: on/off, yes/no, true/false, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not on or off")


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        try:
            return parse_switch(value)
        except ValueError:
            return default
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
    """Reads and writes `Settings` as one object; a change of caller ID or firm mode goes to the history."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock = system_clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def load(self) -> Settings:
        with self._uow_factory() as uow:
            stored = uow.settings.all()
        return settings_from(stored)

    def save(self, settings: Settings) -> None:
        problems = settings.validate()
        if problems:
            raise ValueError("; ".join(problems))
        # Imported here: the quick `dialdesk check` reads settings without the ORM the history needs.
        from desktop.services.history_hook import CALLER_ID_CHANGED, FIRM_MODE_CHANGED, record_history

        before = self.load()
        with self._uow_factory() as uow:
            for key, value in asdict(settings).items():
                uow.settings.set(key, value)
            if before.caller_id != settings.caller_id:
                record_history(
                    uow,
                    CALLER_ID_CHANGED,
                    {"from": before.caller_id, "to": settings.caller_id},
                    self._clock(),
                )
            if before.firm_mode != settings.firm_mode:
                record_history(uow, FIRM_MODE_CHANGED, {"firm_mode": settings.firm_mode}, self._clock())
            uow.commit()
