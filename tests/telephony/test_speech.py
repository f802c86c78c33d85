"""Voicemail audio: templates, speech rendering (espeak-ng), conversion to 8 kHz mono and its cache."""

from __future__ import annotations

import stat
import wave
from array import array
from pathlib import Path

import pytest

from desktop.speech import AudioError, SpeechError, fill_template, prepare_for_phone, render_wav, silence_wav
from desktop.speech.phone_audio import convert_wav, is_phone_wav, resample
from tests.conftest import require_tool
from tests.telephony.sipp_peer import tone_wav


def shape(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        return rate, wav.getnchannels(), wav.getsampwidth(), wav.getnframes() / rate


def stereo_wav(path: Path, seconds: float, rate: int = 44100) -> Path:
    frames = array("h", [1000, -1000] * int(seconds * rate))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return path


def test_fill_template() -> None:
    text = fill_template(
        "Hi {first_name}, this is {agent} from {firm}.",
        {"first_name": "Maria", "agent": "Sam", "firm": "Acme"},
    )
    assert text == "Hi Maria, this is Sam from Acme."
    with pytest.raises(SpeechError, match="agent, firm"):
        fill_template("Hi {first_name}, {agent} of {firm}", {"first_name": "Maria", "agent": " "})


def test_pure_python_conversion_keeps_the_length(tmp_path: Path) -> None:
    for source in (tone_wav(tmp_path / "mono22k.wav", 1.5), stereo_wav(tmp_path / "stereo44k.wav", 1.0)):
        out = convert_wav(source, tmp_path / f"{source.stem}-8k.wav")
        rate, channels, width, seconds = shape(out)
        assert (rate, channels, width) == (8000, 1, 2)
        assert seconds == pytest.approx(shape(source)[3], abs=0.01)
    # Upsampling (a 6 kHz file) interpolates.
    assert len(resample([0.0, 1.0, 0.0], 6000, 8000)) == 4


def test_prepare_for_phone_caches_by_content(tmp_path: Path) -> None:
    source = tone_wav(tmp_path / "message.wav", 1.0)
    cache = tmp_path / "cache"
    first = prepare_for_phone(source, cache, use_sox=False)
    assert is_phone_wav(first) and first.parent == cache
    stamp = first.stat().st_mtime_ns
    assert prepare_for_phone(source, cache, use_sox=False) == first
    assert first.stat().st_mtime_ns == stamp
    # A changed message gets its own converted copy.
    changed = tone_wav(tmp_path / "message.wav", 1.2)
    assert prepare_for_phone(changed, cache, use_sox=False) != first


def test_prepare_for_phone_with_sox(tmp_path: Path) -> None:
    require_tool("sox", "sox")
    out = prepare_for_phone(stereo_wav(tmp_path / "stereo.wav", 0.8), tmp_path / "cache")
    assert shape(out)[:3] == (8000, 1, 2)
    assert shape(out)[3] == pytest.approx(0.8, abs=0.02)


def test_unreadable_messages_are_named(tmp_path: Path) -> None:
    bogus = tmp_path / "not-audio.wav"
    bogus.write_bytes(b"RIFF nonsense")
    with pytest.raises(AudioError, match="not-audio.wav"):
        prepare_for_phone(bogus, tmp_path / "cache", use_sox=False)
    with pytest.raises(AudioError, match="missing.wav"):
        prepare_for_phone(tmp_path / "missing.wav", tmp_path / "cache")


def test_silence(tmp_path: Path) -> None:
    path = silence_wav(3, tmp_path)
    assert shape(path) == (8000, 1, 2, 3.0)
    assert silence_wav(3, tmp_path) == path


def test_render_wav_with_espeak(tmp_path: Path) -> None:
    require_tool("espeak-ng", "espeak-ng")
    out = render_wav(
        "Hello, this is Sam from Dialdesk. Please call me back.", tmp_path / "vm" / "message.wav"
    )
    rate, channels, width, seconds = shape(out)
    assert channels == 1 and width == 2 and seconds > 1.0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # the text may name the callee
    phone = prepare_for_phone(out, tmp_path / "cache")
    assert shape(phone)[:3] == (8000, 1, 2)
    assert not list(out.parent.glob(".*part*"))
    with pytest.raises(SpeechError, match="empty"):
        render_wav("   ", tmp_path / "empty.wav")
