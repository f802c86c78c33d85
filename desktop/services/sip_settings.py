"""The built-in softphone's settings: SIP account, caller ID, ring and pause times, audio devices, the
voicemail message and the power-dial countdown.

Everything but the password is stored in the settings table under `sip.*` keys. The password goes
to the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) through the `keyring`
package and never into the database or a log; when no keyring works (a headless server) it is kept
in memory for this session only, and `SecretStore.problem()` says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from desktop.domain.phones import parse_phone
from desktop.storage.uow import UnitOfWorkFactory
from desktop.telephony.baresip_setup import BaresipError, find_baresip, find_module_dir
from desktop.telephony.call_states import DEFAULT_RING_TIMEOUT_S, MIN_RING_TIMEOUT_S
from desktop.telephony.sip_account import SipAccount, SipAccountError, parse_sip_account
from desktop.telephony.sip_events import DEFAULT_EXTENSION_PAUSE_S

KEY_PREFIX = "sip."
KEYRING_SERVICE = "dialdesk-sip"
DEFAULT_COUNTDOWN_S = 3
MAX_RING_TIME_S = 120
# The settings' floor is the dialer's: a shorter ring gives people no time to answer.
MIN_RING_TIME_S = MIN_RING_TIMEOUT_S
MAX_EXTENSION_PAUSE_S = 30.0
# Display names go between double quotes in the From header; these would end or break it.
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\"\\<>]")
_HOSTPORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:\d{1,5})?$")


class SipSettingsError(ValueError):
    """The SIP settings cannot be used; the message says what to fix (never shows the password)."""


@dataclass
class SipSettings:
    """What the user sets for the built-in softphone (the password is not here: see SecretStore)."""

    address: str = ""  # user@host[:port], the account's address of record
    registrar: str = ""  # host[:port]; empty: do not register (a trunk that authenticates per call)
    outbound_proxy: str = ""  # host[:port]; empty: send requests to the address's host
    auth_user: str = ""  # the user name for authentication when it differs from the address's user
    caller_id_name: str = ""
    caller_id_number: str = ""
    ring_time_s: int = int(DEFAULT_RING_TIMEOUT_S)
    extension_pause_s: float = DEFAULT_EXTENSION_PAUSE_S
    audio_source: str = "alsa,default"
    audio_player: str = "alsa,default"
    voicemail_file: str = ""  # a WAV file, converted for the phone when used
    voicemail_text: str = ""  # or a template spoken with the lead's fields: {first_name}, {company} …
    power_countdown_s: int = DEFAULT_COUNTDOWN_S

    @property
    def secret_key(self) -> str:
        """The keyring user name the password is stored under: the address."""
        return self.address.strip().lower()

    def validate(self, complete: bool) -> list[str]:
        """Problems with these settings; `complete` also asks for what a call needs (backend is SIP)."""
        problems: list[str] = []
        if self.ring_time_s < MIN_RING_TIMEOUT_S:
            problems.append(
                f"the ring time must be at least {MIN_RING_TIMEOUT_S:g} seconds so people have time to answer"
            )
        elif self.ring_time_s > MAX_RING_TIME_S:
            problems.append(f"the ring time must be at most {MAX_RING_TIME_S} seconds")
        if not 0 <= self.extension_pause_s <= MAX_EXTENSION_PAUSE_S:
            problems.append(f"the extension pause must be between 0 and {MAX_EXTENSION_PAUSE_S:g} seconds")
        if not 1 <= self.power_countdown_s <= 60:
            problems.append("the power-dial countdown must be between 1 and 60 seconds")
        for label, value in (("microphone", self.audio_source), ("speaker", self.audio_player)):
            if "," not in value or re.search(r"[\x00-\x1f\x7f]", value):
                problems.append(f"the {label} must be MODULE,DEVICE such as alsa,default or pulse,")
        if _BAD_NAME.search(self.caller_id_name):
            problems.append("the caller ID name cannot contain quotes, backslashes, '<' or '>'")
        if self.caller_id_number.strip() and not parse_phone(self.caller_id_number).valid:
            problems.append(f"the caller ID number {self.caller_id_number!r} is not a valid phone number")
        for label, value in (("registrar", self.registrar), ("outbound proxy", self.outbound_proxy)):
            if value.strip() and not _HOSTPORT.match(_strip_scheme(value)):
                problems.append(f"the {label} must be a host name or address, optionally with :port")
        if self.address.strip():
            try:
                _parse_address(self.address)
            except SipAccountError as error:
                problems.append(str(error))
        if complete:
            if not self.address.strip():
                problems.append("the softphone needs a SIP address (user@host)")
            # Telemarketing rules (FTC TSR 16 CFR 310.4(a)(8)) require transmitting a name and number.
            if not self.caller_id_name.strip():
                problems.append("the softphone needs a caller ID name (the law requires sending it)")
            if not self.caller_id_number.strip():
                problems.append("the softphone needs a caller ID number (the law requires sending it)")
        return problems


def _strip_scheme(value: str) -> str:
    text = value.strip()
    return text[4:] if text.lower().startswith("sip:") else text


def _parse_address(address: str) -> SipAccount:
    text = _strip_scheme(address)
    if ";" in text or "<" in text:
        raise SipAccountError("write the SIP address as user@host or user@host:port, without parameters")
    return parse_sip_account("sip:" + text)


def build_account(settings: SipSettings, password: str) -> SipAccount:
    """The SipAccount baresip will use. SipSettingsError when something a call needs is missing."""
    problems = settings.validate(complete=True)
    if problems:
        raise SipSettingsError("; ".join(problems))
    parsed = _parse_address(settings.address)
    registrar = _strip_scheme(settings.registrar)
    proxy = _strip_scheme(settings.outbound_proxy)
    # baresip registers at the address's host; a registrar elsewhere is reached as the outbound proxy.
    if not proxy and registrar and registrar.lower() != parsed.hostport.lower():
        proxy = registrar
    extra = (("outbound", f"sip:{proxy}"),) if proxy else ()
    if any(c in password for c in ';<>"') or re.search(r"[\x00-\x1f\x7f]", password):
        raise SipSettingsError("the SIP password contains ';', quotes, '<', '>' or a control character")
    account = replace(
        parsed,
        password=password,
        auth_user=settings.auth_user.strip() or None,
        regint=None if registrar else 0,
        extra_params=extra,
        display_name=settings.caller_id_name.strip(),
    )
    return with_caller_id(account, settings.caller_id_number)


def with_caller_id(account: SipAccount, number: str) -> SipAccount:
    """The account whose calls show `number` to the callee.

    baresip 1.0 sends the account's address of record as the From header and cannot add a header of
    our own (no P-Asserted-Identity: its `uaaddheader` command came in 2.0), so the number goes in the
    From URI's user part, and the account's own user name authenticates (auth_user). An account that
    does not register (a trunk that authenticates per call) becomes that account; a registering
    extension keeps registering itself and places its calls through a non-registering twin whose user
    is the number (SipAccount.dialling_account). Whether the callee sees it is the PBX's choice: some
    replace From with the extension's configured caller ID.
    """
    e164 = parse_phone(number).e164 if number.strip() else None
    if e164 is None:
        return account
    if account.registers:
        return replace(account, caller_id_user=e164)
    return replace(account, user=e164, auth_user=account.auth_user or account.user)


def softphone_problem(executable: str | None = None) -> str | None:
    """Why the built-in softphone cannot run here (baresip missing, with the package), or None."""
    try:
        find_module_dir(find_baresip(executable))
    except BaresipError as error:
        return str(error)
    return None


class SecretStore:
    """The SIP password in the OS keyring; in memory for this session when no keyring works."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self.service = service
        self._session: dict[str, str] = {}
        self.last_error = ""

    def backend_problem(self) -> str | None:
        """Why no keyring can be used on this machine at all, or None."""
        try:
            import keyring
            from keyring.backends import fail, null
        except ImportError:
            return "the keyring package is not installed (pip install keyring)"
        if isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring):
            return "no system keyring is available (install and unlock GNOME Keyring or KWallet)"
        return None

    def problem(self) -> str | None:
        """Why the password is not safe in a keyring (no keyring, or it refused), or None."""
        return self.backend_problem() or self.last_error or None

    def get(self, key: str) -> str:
        if not key:
            return ""
        if key in self._session:
            return self._session[key]
        if self.backend_problem() is not None:
            return ""
        try:
            import keyring

            value = keyring.get_password(self.service, key)
        except Exception as error:  # noqa: BLE001 - any keyring failure means "no stored password"
            self.last_error = _keyring_error(error)
            return ""
        return value or ""

    def set(self, key: str, password: str) -> bool:
        """Store the password; True when it went to the keyring, False when only kept for this session."""
        if not key:
            return False
        if self.backend_problem() is None:
            try:
                import keyring

                if password:
                    keyring.set_password(self.service, key, password)
                else:
                    self._delete(key)
                self._session.pop(key, None)
                self.last_error = ""
                return True
            except Exception as error:  # noqa: BLE001 - a locked or broken keyring must not lose the password
                self.last_error = _keyring_error(error)
        if password:
            self._session[key] = password
        else:
            self._session.pop(key, None)
        return False

    def _delete(self, key: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(self.service, key)
        except PasswordDeleteError:
            pass

    def has(self, key: str) -> bool:
        return bool(self.get(key))

    def move(self, old: str, new: str) -> None:
        """The address changed: keep its password under the new address."""
        if old == new or not old or not new:
            return
        password = self.get(old)
        if password and not self.get(new):
            self.set(new, password)
            self.set(old, "")


def _keyring_error(error: Exception) -> str:
    # The message of a keyring error never holds the password; keep it short for the status line.
    return f"the keyring refused: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return bool(value)
    try:
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError):
        return default
    return str(value) if value is not None else default


def _storage_key(name: str) -> str:
    # The caller ID number is one setting for every backend (`caller_id`, desktop.services.settings).
    return "caller_id" if name == "caller_id_number" else KEY_PREFIX + name


class SipSettingsService:
    """Reads and writes SipSettings (database) and the password (keyring)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        secrets: SecretStore | None = None,
        on_saved: Callable[[], None] = lambda: None,
    ) -> None:
        self._uow_factory = uow_factory
        self.secrets = secrets or SecretStore()
        # The caller ID is a general setting too: whoever caches the settings hears of a save.
        self._on_saved = on_saved

    def load(self) -> SipSettings:
        defaults = SipSettings()
        with self._uow_factory() as uow:
            stored = uow.settings.all()
        values = {}
        for item in fields(SipSettings):
            key = _storage_key(item.name)
            default = getattr(defaults, item.name)
            values[item.name] = _coerce(stored[key], default) if key in stored else default
        return SipSettings(**values)

    def save(self, settings: SipSettings, password: str | None = None, complete: bool = False) -> bool:
        """Store the settings; `password` None keeps the stored one. True when the password (if any) is
        in the keyring, False when it could only be kept for this session."""
        problems = settings.validate(complete)
        if problems:
            raise SipSettingsError("; ".join(problems))
        if password is not None and (
            any(c in password for c in ';<>"') or re.search(r"[\x00-\x1f]", password)
        ):
            raise SipSettingsError("the SIP password contains ';', quotes, '<', '>' or a control character")
        previous = self.load()
        with self._uow_factory() as uow:
            for name, value in asdict(settings).items():
                uow.settings.set(_storage_key(name), value)
            uow.commit()
        self._on_saved()
        self.secrets.move(previous.secret_key, settings.secret_key)
        if password is None:
            return self.secrets.problem() is None
        return self.secrets.set(settings.secret_key, password)

    def password(self, settings: SipSettings) -> str:
        return self.secrets.get(settings.secret_key)

    def account(self, settings: SipSettings | None = None) -> SipAccount:
        chosen = settings or self.load()
        return build_account(chosen, self.password(chosen))
