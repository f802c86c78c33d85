"""WAV files made fit for a phone call: 8 kHz, mono, 16-bit, cached by content.

baresip's `aufile` source plays a WAV as it is, and a PCMU/PCMA call carries 8 kHz mono, so every
message is converted once: with `sox` when it is installed (better filtering), otherwise in pure
Python (`wave` + area-averaging/linear resampling; no `audioop`, which Python 3.13 removed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

import platformdirs

PHONE_RATE = 8000
SOX_PACKAGE = "sox"
# Part of the cache key: bump it when the conversion changes so old copies are not reused.
_CONVERSION_VERSION = b"phone-wav-1"


class AudioError(Exception):
    """A file that cannot be read or converted; the message names the file."""


def default_cache_dir() -> Path:
    """The user's voicemail cache, owner-only: messages can name the people being called."""
    path = Path(platformdirs.user_cache_dir("dialdesk", appauthor=False)) / "voicemail"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def is_phone_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as wav:
            return (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (PHONE_RATE, 1, 2)
    except (OSError, EOFError, wave.Error):
        return False


def prepare_for_phone(source: str | Path, cache_dir: str | Path | None = None, use_sox: bool = True) -> Path:
    """An 8 kHz mono 16-bit copy of the WAV `source`, made once and reused (keyed by its content)."""
    src = Path(source)
    try:
        content = src.read_bytes()
    except OSError as error:
        raise AudioError(f"cannot read the message {src}: {error.strerror or error}") from None
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(_CONVERSION_VERSION + content).hexdigest()[:24]
    target = folder / f"{digest}.wav"
    if target.exists() and is_phone_wav(target):
        return target
    fd, tmp_name = tempfile.mkstemp(prefix=".convert-", suffix=".wav", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        sox = shutil.which("sox") if use_sox else None
        if sox is not None:
            _convert_with_sox(sox, src, tmp)
        else:
            convert_wav(src, tmp)
        if not is_phone_wav(tmp):
            raise AudioError(f"converting {src} did not give an 8 kHz mono 16-bit WAV")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _convert_with_sox(sox: str, src: Path, dst: Path) -> None:
    command = [sox, "-V1", str(src), "-r", str(PHONE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
    try:
        result = subprocess.run(
            [*command, str(dst)], capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        raise AudioError(f"sox took too long converting {src}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise AudioError(f"sox could not convert {src}: {detail[-1] if detail else 'unknown error'}")


def _read_mono(src: Path) -> tuple[list[float], int]:
    """The samples of a PCM WAV mixed down to one channel, as floats in [-1, 1], and the rate."""
    try:
        with wave.open(str(src), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as error:
        raise AudioError(f"{src} is not a PCM WAV file: {error}") from None
    if width == 1:
        samples = [(b - 128) / 128.0 for b in raw]
    elif width == 3:
        samples = [
            int.from_bytes(raw[i : i + 3], "little", signed=True) / 8388608.0 for i in range(0, len(raw), 3)
        ]
    elif width in (2, 4):
        values = array("h" if width == 2 else "i")
        values.frombytes(raw[: len(raw) - len(raw) % width])
        if sys.byteorder == "big":
            values.byteswap()
        scale = float(1 << (8 * width - 1))
        samples = [v / scale for v in values]
    else:
        raise AudioError(f"{src}: {8 * width}-bit samples are not supported")
    if channels > 1:
        samples = [sum(samples[i : i + channels]) / channels for i in range(0, len(samples), channels)]
    return samples, rate


def resample(samples: list[float], rate: int, target: int = PHONE_RATE) -> list[float]:
    """Change the sample rate: area averaging when going down (a cheap anti-alias), linear when up."""
    if rate == target or not samples:
        return list(samples)
    count = max(1, round(len(samples) * target / rate))
    step = rate / target
    out: list[float] = []
    if step > 1:
        for index in range(count):
            start, end = int(index * step), max(int((index + 1) * step), int(index * step) + 1)
            window = samples[start : min(end, len(samples))] or samples[-1:]
            out.append(sum(window) / len(window))
        return out
    last = len(samples) - 1
    for index in range(count):
        position = index * step
        left = min(int(position), last)
        right = min(left + 1, last)
        fraction = position - left
        out.append(samples[left] * (1.0 - fraction) + samples[right] * fraction)
    return out


def convert_wav(src: str | Path, dst: str | Path) -> Path:
    """Pure-Python conversion of a PCM WAV to 8 kHz mono 16-bit (no sox needed)."""
    samples, rate = _read_mono(Path(src))
    converted = resample(samples, rate)
    pcm = array("h", (max(-32768, min(32767, round(s * 32767))) for s in converted))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PHONE_RATE)
        out.writeframes(pcm.tobytes())
    return Path(dst)


def silence_wav(seconds: float, cache_dir: str | Path | None = None) -> Path:
    """A phone-ready WAV of silence (what a call sends before a voicemail plays), cached by length."""
    whole = max(1, int(round(seconds)))
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"silence-{whole}s.wav"
    if target.exists() and is_phone_wav(target):
        return target
    fd, tmp_name = tempfile.mkstemp(prefix=".silence-", suffix=".wav", dir=folder)
    os.close(fd)
    try:
        with wave.open(tmp_name, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(PHONE_RATE)
            out.writeframes(bytes(2 * PHONE_RATE * whole))
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return target
