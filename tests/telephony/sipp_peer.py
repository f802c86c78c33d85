"""A real SIP peer for tests: sipp running one of our scenarios on 127.0.0.1, plus an RTP counter.

The scenarios' SDP sends the media to `[rtpport]`, a UDP socket of the test (`RtpCounter`): what
arrives there is the audio (payload type 0) and touch tones (101) baresip really sent. Every
process is started in its own process group and killed by group in `stop()`, so nothing outlives
the test. Shared by tests/telephony and tests/integration/test_sip_*.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import wave
from array import array
from collections import Counter
from math import sin, tau
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
DIAL_NUMBER = "+12125550134"  # New York, valid for the gate; 555-01XX is reserved for fiction
SIP_USER = "alice"
SIP_PASSWORD = "s3cret-Pass"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def owns_udp_port(pid: int, port: int) -> bool:
    """Whether process `pid` holds a UDP socket bound to 127.0.0.1:`port` (Linux /proc)."""
    try:
        inodes = {
            os.readlink(f"/proc/{pid}/fd/{fd}")[len("socket:[") : -1]
            for fd in os.listdir(f"/proc/{pid}/fd")
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")
        }
        table = Path("/proc/net/udp").read_text().splitlines()[1:]
    except OSError:
        return False
    wanted = f"0100007F:{port:04X}"
    return any(row.split()[1] == wanted and row.split()[9] in inodes for row in table)


class RtpCounter:
    """A UDP socket on 127.0.0.1 counting the RTP packets it receives, by payload type."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.by_type: Counter[int] = Counter()
        self.dtmf_events: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rtp-counter", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, _addr = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            payload_type = data[1] & 0x7F
            self.by_type[payload_type] += 1
            # RFC 4733: the first payload byte is the event (0-9 digits, 10 '*', 11 '#').
            if (
                payload_type == 101
                and len(data) >= 16
                and (not self.dtmf_events or data[12] != self.dtmf_events[-1])
            ):
                self.dtmf_events.append(data[12])

    @property
    def audio_packets(self) -> int:
        return self.by_type[0] + self.by_type[8]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        self.sock.close()


class SippPeer:
    """sipp as a UAS on 127.0.0.1 running one scenario of tests/telephony/scenarios."""

    # A port chosen free can be taken by another process before sipp binds it: start again on new ports.
    START_TRIES = 5

    def __init__(self, scenario: str, workdir: Path, sipp: str = "sipp") -> None:
        self.scenario = SCENARIOS / scenario
        self.workdir = workdir
        self.rtp = RtpCounter()
        self.messages = workdir / f"{self.scenario.stem}-messages.log"
        self.errors = workdir / f"{self.scenario.stem}-errors.log"
        for _ in range(self.START_TRIES):
            self.port = free_udp_port()
            self.proc = self._start(sipp)
            if self._wait_until_listening():
                return
            self.stop_process()
        self.rtp.close()
        raise RuntimeError(f"sipp could not listen after {self.START_TRIES} tries: {self.error_text()}")

    def _start(self, sipp: str) -> subprocess.Popen[bytes]:
        command = [
            sipp,
            "-sf", str(self.scenario),
            "-i", "127.0.0.1",
            "-p", str(self.port),
            "-mi", "127.0.0.1",
            "-mp", str(free_udp_port()),
            # sipp's remote-control socket listens on every interface unless told otherwise.
            "-ci", "127.0.0.1",
            "-cp", str(free_udp_port()),
            "-nostdin",
            "-key", "rtpport", str(self.rtp.port),
            "-key", "auth_user", SIP_USER,
            "-key", "auth_pass", SIP_PASSWORD,
            "-trace_msg", "-message_file", str(self.messages),
            "-trace_err", "-error_file", str(self.errors),
        ]  # fmt: skip
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.workdir,
            start_new_session=True,
        )

    def _wait_until_listening(self) -> bool:
        """True once sipp itself holds its SIP port; False when it stopped (a port was taken) or the
        port is held by another process."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if owns_udp_port(self.proc.pid, self.port):
                return True
            time.sleep(0.02)
        return False

    @property
    def account(self) -> str:
        """An account on this peer that does not register."""
        return f"sip:{SIP_USER}@127.0.0.1:{self.port};auth_pass={SIP_PASSWORD};regint=0"

    @property
    def registering_account(self) -> str:
        return f"sip:{SIP_USER}@127.0.0.1:{self.port};auth_pass={SIP_PASSWORD};regint=600"

    def sip_log(self) -> str:
        return self.messages.read_text(errors="replace") if self.messages.exists() else ""

    def error_text(self) -> str:
        return self.errors.read_text(errors="replace") if self.errors.exists() else ""

    def requests(self) -> list[str]:
        """The first lines of the SIP messages sipp received or sent, in order."""
        lines = self.sip_log().splitlines()
        starts = ("INVITE ", "ACK ", "BYE ", "CANCEL ", "REGISTER ", "SIP/2.0 ")
        return [line.strip() for line in lines if line.strip().startswith(starts)]

    def stop(self) -> None:
        self.stop_process()
        self.rtp.close()

    def stop_process(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=2)


def tone_wav(path: Path, seconds: float, rate: int = 22050, freq: float = 440.0) -> Path:
    """A mono 16-bit sine WAV (at a rate a phone does not use, so it must be converted)."""
    count = int(seconds * rate)
    samples = array("h", (int(12000 * sin(tau * freq * i / rate)) for i in range(count)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def wait_for(predicate: object, timeout: float, interval: float = 0.05) -> bool:
    check = predicate if callable(predicate) else (lambda: predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())
