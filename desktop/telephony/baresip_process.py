"""baresip as a child process: its start, its control connection, its end.

`BaresipProcess` writes a private configuration folder (0700, files 0600; see `baresip_setup`)
with no account in it, starts `baresip -f DIR` in its own process group as a child that dies with
Dialdesk, connects to its `ctrl_tcp` module on 127.0.0.1, closes that port to everyone else and
only then gives baresip the account with its password (`private_ctrl`); the folder is removed as
soon as baresip has read it. One reader thread hands every parsed message on. Commands wait for
their answer with a timeout, so a wedged baresip never hangs
the caller. When the connection drops without `stop()` having been asked for, `on_down` is called
once with the reason (exit code included): that is how a crashed or killed baresip is noticed.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from desktop.telephony.baresip_setup import (
    BaresipError,
    BaresipOptions,
    find_baresip,
    find_module_dir,
    free_loopback_port,
    private_runtime_dir,
    render_config,
    write_private,
)
from desktop.telephony.ctrl_protocol import (
    CtrlEvent,
    CtrlResponse,
    NetstringDecoder,
    ProtocolError,
    encode_command,
    parse_message,
)
from desktop.telephony.private_ctrl import ControlPortError, close_port_to_others, spawn_tied_child
from desktop.telephony.sip_account import SipAccount

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LINE_BREAK = re.compile(rb"[\r\n]+")
_STATUS_LINE = re.compile(r"\[\d+:\d\d:\d\d\]\s*audio=\S*\s*\(bit/s\)\s*")


class BaresipProcess:
    """One running baresip with its own configuration folder and one control connection."""

    def __init__(
        self,
        account: SipAccount,
        options: BaresipOptions,
        on_event: Callable[[CtrlEvent], None],
        on_down: Callable[[str], None],
    ) -> None:
        self._account = account
        self._options = options
        self._on_event = on_event
        self._on_down = on_down
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._dir: Path | None = None
        self._send_lock = threading.Lock()
        self._pending: dict[str, tuple[threading.Event, list[CtrlResponse]]] = {}
        self._pending_lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._output: deque[str] = deque(maxlen=60)
        self._stopping = False
        self._down_reason: str | None = None
        self._threads: list[threading.Thread] = []

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._down_reason is None

    @property
    def config_dir(self) -> Path | None:
        return self._dir

    def output_tail(self, lines: int = 15) -> str:
        """baresip's last output lines, colour codes and the password removed (for error messages)."""
        return "\n".join(list(self._output)[-lines:])

    def start(self) -> None:
        """Start baresip and connect to it; BaresipError (or BaresipNotInstalled) when that fails."""
        executable = find_baresip(self._options.executable)
        module_dir = find_module_dir(executable, self._options.module_dir)
        last_error = "baresip did not start"
        # The free port we pick can be taken before baresip binds it; a second port usually works.
        for _attempt in range(3):
            try:
                self._launch(executable, module_dir)
                self._connect()
                # baresip has read its configuration: nothing of this session needs to stay on disk.
                self._remove_dir()
                return
            except _PortTaken as error:
                last_error = str(error)
                self._terminate()
            except BaseException:
                self.stop()
                raise
        self.stop()
        raise BaresipError(last_error)

    def _launch(self, executable: str, module_dir: Path) -> None:
        if self._dir is None:
            self._dir = private_runtime_dir()
            _live.add(self)
        self._ctrl_port = free_loopback_port()
        for name in ("config", "accounts"):
            with contextlib.suppress(FileNotFoundError):
                (self._dir / name).unlink()
        write_private(
            self._dir / "config", render_config(self._options, self._account, self._ctrl_port, module_dir)
        )
        # No account at start: the password reaches baresip only over the private control connection.
        write_private(self._dir / "accounts", "")
        self._output.clear()
        self._proc = spawn_tied_child(
            [executable, "-f", str(self._dir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self._dir,
            # Its own process group: stop() can end baresip and anything it spawned, and only that.
            start_new_session=True,
        )
        self._start_thread(self._read_output, "baresip-output", self._proc)

    def _connect(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self._options.start_timeout_s
        while True:
            if self._proc.poll() is not None:
                raise BaresipError(
                    f"baresip stopped at start (exit code {self._proc.returncode}): {self.output_tail(6)}"
                )
            if "ctrl_tcp: failed to listen" in self.output_tail(30):
                raise _PortTaken(f"the control port {self._ctrl_port} was taken")
            try:
                sock = socket.create_connection(("127.0.0.1", self._ctrl_port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BaresipError(
                        f"baresip did not open its control port within {self._options.start_timeout_s:g} s: "
                        f"{self.output_tail(6)}"
                    ) from None
                time.sleep(0.02)
        sock.settimeout(None)
        self._sock = sock
        self._down_reason = None
        self._start_thread(self._read_ctrl, "baresip-ctrl", sock)
        # The port answering is not proof enough (another program may own it): ask baresip itself.
        self.command("reginfo")
        try:
            close_port_to_others(self._proc.pid, self._ctrl_port, sock)
        except ControlPortError as error:
            raise BaresipError(str(error)) from None
        dialling = self._account.dialling_account()
        for account in (self._account, *((dialling,) if dialling is not None else ())):
            response = self.command("uanew", account.accounts_line())
            if not response.ok:
                reason = self._account.scrub(response.data).strip()
                raise BaresipError(f"baresip refused the SIP account: {reason}")

    def _start_thread(self, target: Callable[..., None], name: str, arg: object) -> None:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Quit baresip (politely, then by signal), close the connection, remove the folder. Idempotent."""
        self._stopping = True
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            with contextlib.suppress(OSError, BaresipError):
                self._send("quit", None, None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=self._options.stop_grace_s)
        self._terminate()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2.0)
        self._threads.clear()
        self._remove_dir()
        _live.discard(self)

    def _remove_dir(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _terminate(self) -> None:
        proc, sock = self._proc, self._sock
        self._sock = None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if proc is None:
            return
        for sig, wait_s in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 2.0)):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait_s)
        if proc.stdout is not None:
            proc.stdout.close()

    # -- commands ---------------------------------------------------------------------------------

    def command(self, name: str, params: str | None = None, timeout: float | None = None) -> CtrlResponse:
        """Send one command and wait for its answer (BaresipError on timeout or a lost connection)."""
        token = f"dd{next(self._tokens)}"
        waiter = threading.Event()
        slot: list[CtrlResponse] = []
        with self._pending_lock:
            if self._down_reason is not None:
                raise BaresipError(f"baresip is not running: {self._down_reason}")
            self._pending[token] = (waiter, slot)
        try:
            self._send(name, params, token)
            limit = self._options.command_timeout_s if timeout is None else timeout
            if not waiter.wait(limit):
                raise BaresipError(f"baresip did not answer the {name!r} command within {limit:g} s")
            if not slot:
                raise BaresipError(f"baresip went away during the {name!r} command: {self._down_reason}")
            return slot[0]
        finally:
            with self._pending_lock:
                self._pending.pop(token, None)

    def _send(self, name: str, params: str | None, token: str | None) -> None:
        sock = self._sock
        if sock is None:
            raise BaresipError("baresip is not running")
        try:
            with self._send_lock:
                sock.sendall(encode_command(name, params, token))
        except OSError as error:
            raise BaresipError(f"lost the connection to baresip: {error}") from None

    # -- reader threads ---------------------------------------------------------------------------

    def _read_ctrl(self, sock: socket.socket) -> None:
        decoder = NetstringDecoder()
        reason = "baresip closed its control connection"
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for payload in decoder.feed(data):
                    self._dispatch(payload)
        except ProtocolError as error:
            reason = f"baresip sent something unreadable: {error}"
        except OSError as error:
            reason = f"lost the connection to baresip: {error}"
        self._went_down(reason)

    def _dispatch(self, payload: bytes) -> None:
        message = parse_message(payload)
        if isinstance(message, CtrlResponse):
            with self._pending_lock:
                entry = self._pending.get(message.token or "")
            if entry is not None:
                entry[1].append(message)
                entry[0].set()
            return
        # A listener that raises must not take the reader (and with it every later event) down.
        with contextlib.suppress(Exception):
            self._on_event(message)

    def _went_down(self, reason: str) -> None:
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.5)
            if proc.returncode is not None:
                code = proc.returncode
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                reason = f"baresip stopped ({how})"
        with self._pending_lock:
            self._down_reason = reason
            waiting = list(self._pending.values())
        for waiter, _slot in waiting:
            waiter.set()
        if not self._stopping:
            with contextlib.suppress(Exception):
                self._on_down(reason)

    def _read_output(self, proc: subprocess.Popen[bytes]) -> None:
        stream = proc.stdout
        if stream is None:
            return
        partial = b""
        with contextlib.suppress(OSError, ValueError):
            while chunk := stream.read1(4096):  # type: ignore[attr-defined]
                # baresip redraws a status line with bare carriage returns many times a second during
                # a call: split on both, keep only real messages, bound what is kept.
                pieces = _LINE_BREAK.split(partial + chunk)
                partial = pieces.pop()[-4096:]
                for raw in pieces:
                    text = _STATUS_LINE.sub("", _ANSI.sub("", raw.decode("utf-8", errors="replace"))).strip()
                    if text:
                        self._output.append(self._account.scrub(text))


class _PortTaken(BaresipError):
    """Another program bound the control port first; try again with a new one."""


# Every baresip still running when Python exits is stopped, so no child outlives Dialdesk.
_live: set[BaresipProcess] = set()


@atexit.register
def _stop_all() -> None:
    for process in list(_live):
        process.stop()
