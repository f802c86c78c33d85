"""The programs some features need but Dialdesk does not ship: found, or what to install for what.

A .deb only recommends them and a wheel cannot install them, so the first start says, on the
welcome page, which feature needs which package instead of letting a call or a rehearsal fail later.
"""

from __future__ import annotations

import ctypes.util
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionalProgram:
    """A program a feature needs: how to find it, the Debian/Ubuntu package, the feature (for people)."""

    program: str
    package: str
    feature: str
    library: str | None = None  # a shared library that serves as well as the program (pyttsx3 loads it)


def _linux_programs() -> tuple[OptionalProgram, ...]:
    from desktop.speech.tts import ESPEAK_PACKAGE
    from desktop.telephony.baresip_setup import BARESIP_PACKAGE

    return (
        OptionalProgram("baresip", BARESIP_PACKAGE, "calls through the built-in softphone (SIP)"),
        OptionalProgram(
            "espeak-ng", ESPEAK_PACKAGE, "spoken voicemail messages and script rehearsal", library="espeak-ng"
        ),
    )


def missing_programs(
    which: Callable[[str], str | None] | None = None,
    find_library: Callable[[str], str | None] | None = None,
    platform: str | None = None,
) -> list[OptionalProgram]:
    """The optional programs not found on this machine (Linux only: elsewhere the OS provides speech)."""
    which = which or shutil.which
    find_library = find_library or ctypes.util.find_library
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return []
    return [
        program
        for program in _linux_programs()
        if which(program.program) is None
        and (program.library is None or find_library(program.library) is None)
    ]


def install_advice(missing: list[OptionalProgram]) -> str:
    """One sentence per missing program: the feature, then the command that installs it; '' if none."""
    lines = [
        f"For {program.feature}, install {program.program}: sudo apt-get install {program.package}"
        for program in missing
    ]
    if lines:
        lines.append("Everything else works without them.")
    return "\n".join(lines)
