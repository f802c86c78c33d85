"""Rehearsal: a script read aloud into a real WAV through pyttsx3 and espeak-ng."""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

import pytest

from desktop.services.scripts import ScriptService, script_service_for, voice_for_language
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace
from desktop.storage.models import Lead
from tests.conftest import require_tool


@pytest.fixture
def scripts(workspace: Workspace) -> ScriptService:
    require_tool("espeak-ng", "espeak-ng")
    workspace.save_settings(Settings(agent_name="Alex Morgan", firm_name="Harbor Advisors"))
    return script_service_for(workspace)


def wav_facts(path: Path) -> tuple[int, int, float, float]:
    """(channels, bytes per sample, seconds, RMS on a 0..1 scale) of a 16-bit PCM WAV."""
    header = path.read_bytes()[:12]
    assert header[:4] == b"RIFF" and header[8:12] == b"WAVE", "not a RIFF/WAVE file"
    with wave.open(str(path), "rb") as wav:
        channels, width, rate, frames = (
            wav.getnchannels(),
            wav.getsampwidth(),
            wav.getframerate(),
            wav.getnframes(),
        )
        samples = array("h")
        samples.frombytes(wav.readframes(frames))
    rms = math.sqrt(sum(s * s for s in samples[::7]) / max(1, len(samples[::7]))) / 32768
    return channels, width, frames / rate, rms


def test_rehearsal_reads_the_script_with_the_leads_fields(
    workspace: Workspace, scripts: ScriptService
) -> None:
    with workspace.uow() as uow:
        lead = Lead(first_name="Maria", last_name="Lopez", company="Lopez Dental Group", kind="business")
        uow.session.add(lead)
        uow.commit()
    text = scripts.rehearsal_text("advice-first-401k", lead.id)
    assert "Hi, this is Alex Morgan with Harbor Advisors. Am I speaking with Maria Lopez?" in text
    assert "«" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["question-led-discovery", "advice-first-401k-ru"])
def test_rehearsal_renders_a_real_wav(scripts: ScriptService, tmp_path: Path, name: str) -> None:
    out = scripts.rehearse(name, tmp_path / f"{name}.wav")
    channels, width, seconds, rms = wav_facts(out)
    assert (channels, width) == (1, 2), "mono 16-bit"
    assert rms > 0.01, f"silence (RMS {rms:.4f})"
    words = len(scripts.rehearsal_text(name).split())
    assert 0.2 <= seconds / words <= 1.0, f"{seconds:.1f} s for {words} words"


def test_each_language_has_its_own_voice(scripts: ScriptService) -> None:
    english, russian = voice_for_language("en"), voice_for_language("ru")
    assert english and russian and english != russian
