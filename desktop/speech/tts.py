"""Text to speech with pyttsx3 (espeak-ng on Linux): voicemail messages from a template text.

`render_wav()` blocks for as long as the speech engine needs (a second or a few): call it off the
GUI thread. Renders are serialised because pyttsx3 shares one engine per process.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import string
import threading
import time
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ESPEAK_PACKAGE = "espeak-ng"
_render_lock = threading.Lock()
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SpeechError(Exception):
    """The message could not be rendered; the message says what to install or fix."""


def fill_template(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` fields of a message template; a field without a value is an error naming it."""
    missing = sorted({name for name in _FIELD.findall(template) if not str(values.get(name, "")).strip()})
    if missing:
        raise SpeechError(f"the message template needs a value for: {', '.join(missing)}")
    formatter = string.Formatter()
    try:
        return formatter.vformat(template, (), dict(values))
    except (ValueError, IndexError, KeyError) as error:
        raise SpeechError(f"the message template is not valid: {error}") from None


def _engine() -> Any:
    try:
        import pyttsx3
    except ImportError:
        raise SpeechError("speech needs the pyttsx3 package: pip install pyttsx3") from None
    try:
        return pyttsx3.init()
    except (RuntimeError, OSError, ImportError) as error:
        raise SpeechError(
            f"no speech engine available ({error}); on Debian/Ubuntu: sudo apt-get install {ESPEAK_PACKAGE}"
        ) from None


def _wait_for_wav(path: Path, timeout: float) -> bool:
    """True once `path` is a whole WAV with audio in it (its size has stopped changing)."""
    deadline = time.monotonic() + timeout
    last_size = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 44 and size == last_size:
            try:
                with wave.open(str(path), "rb") as wav:
                    if wav.getnframes() > 0:
                        return True
            except (OSError, EOFError, wave.Error):
                pass
        last_size = size
        time.sleep(0.05)
    return False


def render_wav(text: str, out_path: str | Path, *, rate: int | None = None, voice: str | None = None) -> Path:
    """Speak `text` into the WAV file `out_path` (replaced whole, never half-written); returns the path.

    Synchronous. The WAV is whatever the engine makes (espeak-ng: 22,050 Hz mono 16-bit); pass it
    to `prepare_for_phone()` before playing it into a call.
    """
    words = " ".join(text.split())
    if not words:
        raise SpeechError("the voicemail message is empty")
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part.wav")
    with _render_lock:
        engine = _engine()
        if rate is not None:
            engine.setProperty("rate", int(rate))
        if voice is not None:
            engine.setProperty("voice", voice)
        try:
            # The espeak driver prints "Audio saved to …"; stdout may be the CLI's JSON stream.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(words, str(partial))
                engine.runAndWait()
                # pyttsx3's espeak driver can return from runAndWait before its synthesis callback
                # has written the file: wait for the file rather than trust the return.
                written = _wait_for_wav(partial, timeout=5.0 + len(words) / 10)
        except Exception as error:  # noqa: BLE001 - any engine failure becomes one clear error
            partial.unlink(missing_ok=True)
            raise SpeechError(f"the speech engine failed: {error}") from None
    if not written:
        partial.unlink(missing_ok=True)
        raise SpeechError("the speech engine did not write a WAV file")
    # The text may name the callee: the audio is as private as the database.
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    return target
