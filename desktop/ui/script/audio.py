"""Reading a stage aloud: render it to WAV with pyttsx3 off the GUI thread, then play it.

PySide6-Essentials has no QtMultimedia, so the WAV is played by the first command-line player
found (`paplay`, `pw-play`, `aplay`, sox's `play`, `ffplay`); without one the panel offers to open
the file with the desktop's own player. Renders are cached by text and voice in a user-only folder
(the text names the person being called), so reading the same stage again starts at once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from desktop.ui.common.workers import Task, run_task

IDLE = "idle"
RENDERING = "rendering"
PLAYING = "playing"
READY = "ready"  # rendered, but there is no player: the user may open the file
FAILED = "failed"

# (command, extra arguments before the file); the first one installed plays the WAV.
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()),
    ("pw-play", ()),
    ("aplay", ("-q",)),
    ("play", ("-q",)),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "quiet")),
)
POLL_MS = 200


def find_player() -> list[str] | None:
    """The command line (without the file) of an installed audio player, or None."""
    for command, arguments in PLAYERS:
        path = shutil.which(command)
        if path is not None:
            return [path, *arguments]
    return None


def default_audio_dir() -> Path:
    path = Path(platformdirs.user_cache_dir("dialdesk", appauthor=False)) / "read-aloud"
    return private_dir(path)


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def spoken_text(text: str) -> str:
    """The text as a voice should read it: the «» around a missing field would be read as symbols."""
    return "\n".join(line for line in text.replace("«", "").replace("»", "").splitlines() if line.strip())


def render(text: str, out: Path, language: str) -> Path:
    """Render `text` to `out` (blocking: run it off the GUI thread)."""
    from desktop.services.scripts import voice_for_language
    from desktop.speech import render_wav

    return render_wav(text, out, voice=voice_for_language(language))


class ReadAloud(QObject):
    """One stage read aloud at a time: render (cached), then play; `stop()` ends the playing."""

    stateChanged = Signal(str, str)  # (state, message for the user)

    def __init__(self, audio_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._audio_dir = audio_dir
        self.find_player: Callable[[], list[str] | None] = find_player
        self.state = IDLE
        self.path: Path | None = None
        self.task: Task | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._generation = 0
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.on_poll_timeout)

    @property
    def audio_dir(self) -> Path:
        if self._audio_dir is None:
            self._audio_dir = default_audio_dir()
        return private_dir(self._audio_dir)

    @audio_dir.setter
    def audio_dir(self, path: Path) -> None:
        self._audio_dir = path

    def _set(self, state: str, message: str = "") -> None:
        self.state = state
        self.stateChanged.emit(state, message)

    def speak(self, text: str, language: str) -> None:
        """Read `text` aloud: from the cache at once, else after rendering it off the GUI thread."""
        self.stop()
        words = spoken_text(text)
        if not words.strip():
            self._set(FAILED, self.tr("There is nothing to read in this stage."))
            return
        digest = hashlib.sha256(f"{language}\n{words}".encode()).hexdigest()[:20]
        target = self.audio_dir / f"stage-{digest}.wav"
        self._generation += 1
        generation = self._generation
        if target.exists() and target.stat().st_size > 44:
            self._rendered(target, generation)
            return
        self._set(RENDERING, self.tr("Rendering the stage…"))
        self.task = run_task(
            lambda _progress, _cancelled: render(words, target, language),
            on_result=lambda path: self._rendered(Path(path), generation),
            on_error=lambda error: self._failed(error, generation),
        )

    def _failed(self, error: BaseException, generation: int) -> None:
        if generation == self._generation:
            self._set(FAILED, self.tr("Could not read aloud: {error}").format(error=error))

    def _rendered(self, path: Path, generation: int) -> None:
        if generation != self._generation:
            return  # the agent moved on or pressed Stop while it rendered
        self.path = path
        player = self.find_player()
        if player is None:
            self._set(READY, self.tr("No audio player found. Open the recording to listen."))
            return
        try:
            self._process = subprocess.Popen(
                [*player, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            self._set(READY, self.tr("The audio player did not start ({error}).").format(error=error))
            return
        self._poll.start()
        self._set(PLAYING, self.tr("Playing…"))

    def on_poll_timeout(self) -> None:
        process = self._process
        if process is None or process.poll() is None:
            return
        self._process = None
        self._poll.stop()
        if process.returncode == 0:
            self._set(IDLE)
        else:  # e.g. no sound device: the file is still there to open
            name = Path(str(process.args[0])).name if isinstance(process.args, list) else "player"
            self._set(READY, self.tr("{player} could not play the recording.").format(player=name))

    def stop(self) -> None:
        """Stop playing (the player we started) and forget a render still running."""
        self._generation += 1
        self._poll.stop()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._process = None
        if self.state in (PLAYING, RENDERING):
            self._set(IDLE)

    def open_recording(self) -> bool:
        """Hand the last rendered WAV to the desktop's player."""
        if self.path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
