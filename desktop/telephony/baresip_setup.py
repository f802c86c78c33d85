"""Everything baresip needs before it runs: the program, its modules, a private folder, a config.

Finding baresip (with the package to install when it is missing), the 0700 runtime folder and
0600 files for the configuration (the account, with its password, goes over the control
connection instead: see `private_ctrl`), a free control
port on 127.0.0.1, and the `config` text itself. No processes are started here.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.telephony.dialers import DialError
from desktop.telephony.sip_account import SipAccount

BARESIP_PACKAGE = "baresip-core"
INSTALL_HINT = f"sudo apt-get install {BARESIP_PACKAGE}"
# Where distributions put the modules; the first folder holding ctrl_tcp.so wins.
MODULE_DIRS = (
    "/usr/lib/baresip/modules",
    "/usr/local/lib/baresip/modules",
    "/usr/lib64/baresip/modules",
    "/opt/homebrew/lib/baresip/modules",
)
REQUIRED_MODULES = ("g711.so", "aufile.so", "account.so", "menu.so", "ctrl_tcp.so")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BaresipError(DialError):
    """baresip could not be started, or stopped answering; the message is meant for the user."""


class BaresipNotInstalled(BaresipError):
    """The `baresip` program (or its modules) is missing: say which package to install."""


def find_baresip(executable: str | None = None) -> str:
    """The path of the baresip program, or BaresipNotInstalled naming the package."""
    path = shutil.which(executable or "baresip")
    if path is None:
        raise BaresipNotInstalled(
            f"the SIP backend needs baresip, which is not installed: {INSTALL_HINT} "
            "(Manual and Hand-off dialling keep working without it)"
        )
    return path


def find_module_dir(executable: str, configured: str | None = None) -> Path:
    """The folder with baresip's modules (ctrl_tcp.so …) next to this baresip."""
    candidates = [Path(configured)] if configured else []
    prefix = Path(executable).resolve().parent.parent
    candidates += [prefix / "lib" / "baresip" / "modules", *map(Path, MODULE_DIRS)]
    candidates += sorted(Path("/usr/lib").glob("*/baresip/modules"))
    for folder in candidates:
        if (folder / "ctrl_tcp.so").exists():
            missing = [name for name in REQUIRED_MODULES if not (folder / name).exists()]
            if missing:
                raise BaresipNotInstalled(
                    f"baresip's modules {', '.join(missing)} are missing from {folder}: {INSTALL_HINT}"
                )
            return folder
    raise BaresipNotInstalled(f"baresip's ctrl_tcp module was not found: {INSTALL_HINT}")


def private_runtime_dir() -> Path:
    """A fresh 0700 folder for one baresip: under the user runtime directory, else the temp folder."""
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs warns and falls back to /tmp/runtime-UID: fine here.
        warnings.simplefilter("ignore")
        base = Path(platformdirs.user_runtime_dir("dialdesk", appauthor=False))
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        if hasattr(os, "getuid") and base.stat().st_uid != os.getuid():
            # Someone else made this folder (a shared /tmp fallback): do not put secrets under it.
            raise PermissionError(f"{base} belongs to another user")
        os.chmod(base, 0o700)
        return Path(tempfile.mkdtemp(prefix="baresip-", dir=base))
    except OSError:
        # No usable runtime directory (no session, read-only /run): mkdtemp makes a 0700 folder.
        return Path(tempfile.mkdtemp(prefix="dialdesk-baresip-"))


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, created that way (never world-readable, even briefly)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class BaresipOptions:
    """How to run baresip: program, audio devices (`module,device`) and patience."""

    executable: str | None = None
    module_dir: str | None = None
    audio_source: str = "alsa,default"
    audio_player: str = "alsa,default"
    # None: derived from the account (127.0.0.1:0 for a loopback peer, baresip's default otherwise).
    sip_listen: str | None = None
    start_timeout_s: float = 10.0
    command_timeout_s: float = 5.0
    register_timeout_s: float = 10.0
    stop_grace_s: float = 1.5

    def __post_init__(self) -> None:
        for name in ("audio_source", "audio_player", "sip_listen", "module_dir"):
            value = getattr(self, name)
            # One config line per setting: a line break here would smuggle in other settings.
            if value is not None and (_CONTROL.search(value) or not value.strip()):
                raise ValueError(f"{name} {value!r} is empty or has a control character")
        for name in ("audio_source", "audio_player"):
            if "," not in getattr(self, name):
                raise ValueError(
                    f"{name} must be MODULE,DEVICE such as alsa,default or aufile,/path/file.wav"
                )

    def modules_for_audio(self) -> list[str]:
        names = {spec.partition(",")[0] for spec in (self.audio_source, self.audio_player)}
        return sorted(f"{name}.so" for name in names if name and name != "aufile")


def render_config(options: BaresipOptions, account: SipAccount, ctrl_port: int, module_dir: Path) -> str:
    """baresip's `config` file: only the modules we use, control on 127.0.0.1 only."""
    lines = [
        "# Written by Dialdesk for one session; removed when the session ends.",
        "poll_method\t\tepoll" if hasattr(os, "uname") and os.uname().sysname == "Linux" else "",
        f"module_path\t\t{module_dir}",
        "module\t\t\tg711.so",
        "module\t\t\taufile.so",
        *(f"module\t\t\t{name}" for name in options.modules_for_audio()),
        "module_app\t\taccount.so",
        "module_app\t\tmenu.so",
        "module_app\t\tctrl_tcp.so",
        # ctrl_tcp listens on every interface unless told otherwise: anyone could dial through it.
        f"ctrl_tcp_listen\t\t127.0.0.1:{ctrl_port}",
        f"audio_source\t\t{options.audio_source}",
        f"audio_player\t\t{options.audio_player}",
        f"audio_alert\t\t{options.audio_player}",
        "audio_level\t\tno",
    ]
    listen = options.sip_listen or ("127.0.0.1:0" if account.is_loopback else None)
    if listen:
        lines.append(f"sip_listen\t\t{listen}")
    if account.is_loopback:
        # Keep media and name lookups on this machine too when the peer is local (tests, a local PBX).
        lines += ["net_interface\t\t127.0.0.1", "dns_server\t\t127.0.0.1:53"]
    return "\n".join(line for line in lines if line) + "\n"
