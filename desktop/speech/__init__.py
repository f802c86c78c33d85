"""Speech and message audio: render voicemail text to WAV, and make any WAV playable into a call.

No Qt and no database here; everything runs synchronously, so the GUI calls it off its thread.
"""

from desktop.speech.phone_audio import PHONE_RATE, AudioError, prepare_for_phone, silence_wav
from desktop.speech.tts import SpeechError, fill_template, render_wav

__all__ = [
    "PHONE_RATE",
    "AudioError",
    "SpeechError",
    "fill_template",
    "prepare_for_phone",
    "render_wav",
    "silence_wav",
]
