"""Make baresip's control port Dialdesk's alone, and tie baresip's life to Dialdesk's.

baresip 1.0.0 (with libre 1.1.0) can only offer its `ctrl_tcp` commands on a TCP port, without any
authentication, and any local user can connect to 127.0.0.1. So Dialdesk:

1. starts baresip with **no account** (nothing to dial with, no password on disk);
2. connects to the control port;
3. takes a duplicate of baresip's *listening* socket (`pidfd_getfd`, allowed on our own child) and
   attaches a socket filter that drops every packet reaching it: nobody can connect any more, while
   the connection already accepted (ours) is a different socket and keeps working;
4. checks that the only connection to the port is ours (one made by someone else in between makes
   the start fail), and only then hands baresip the account, password included, over that
   connection (`uanew`).

Anyone racing us before step 4 finds a baresip without an account: it can do nothing they could not
do with their own baresip. Where this cannot be done (no `pidfd_getfd`, not Linux) the SIP backend
refuses to start rather than run an open control port.

`spawn_tied_child` starts a child that receives SIGKILL when Dialdesk dies, however it dies
(PR_SET_PDEATHSIG). That signal follows the *thread* that forked, so every child is forked by one
long-lived thread kept for the purpose.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (unified syscall table)
_PR_SET_PDEATHSIG = 1
_SO_ATTACH_FILTER = 26
_TCP_LISTEN = "0A"
# One classic BPF instruction, "return 0": keep no byte of any packet, i.e. drop everything.
_DROP_ALL = struct.pack("HBBI", 0x06, 0, 0, 0)


class ControlPortError(OSError):
    """The control port could not be made private; the message is meant for the user."""


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _tcp_sockets(port: int) -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket bound to `port` locally."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port:
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            found.append((local_port, remote_port, fields[3], int(fields[9])))
    return found


def _fd_of_inode(pid: int, inode: int) -> int | None:
    target = f"socket:[{inode}]"
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{name}") == target:
                return int(name)
        except OSError:
            continue
    return None


def close_port_to_others(pid: int, port: int, our_connection: socket.socket) -> None:
    """Stop baresip (`pid`) accepting connections on `port`; then check that only ours exists."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        raise ControlPortError("the SIP backend needs Linux to keep its control port private")
    sockets = _tcp_sockets(port)
    listeners = [inode for _l, _r, state, inode in sockets if state == _TCP_LISTEN]
    listener_fd = _fd_of_inode(pid, listeners[0]) if len(listeners) == 1 else None
    if listener_fd is None:
        raise ControlPortError(f"baresip does not own the control port {port}")
    pidfd = os.pidfd_open(pid)
    try:
        libc = _libc()
        copy = libc.syscall(_SYS_PIDFD_GETFD, pidfd, listener_fd, 0)
        if copy < 0:
            error = ctypes.get_errno()
            raise ControlPortError(f"cannot make baresip's control port private: {os.strerror(error)}")
    finally:
        os.close(pidfd)
    listener = socket.socket(fileno=copy)
    try:
        program = ctypes.create_string_buffer(_DROP_ALL)
        filter_program = struct.pack("HL", 1, ctypes.addressof(program))
        listener.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, filter_program)
    finally:
        listener.close()  # only our duplicate: baresip's socket stays open, now deaf
    our_port = our_connection.getsockname()[1]
    others = [(remote, state) for _l, remote, state, _i in _tcp_sockets(port) if state != _TCP_LISTEN]
    if others != [(our_port, "01")]:  # 01: ESTABLISHED
        raise ControlPortError(
            "another program connected to baresip's control port while it started; not trusting it"
        )


def _death_signal_setter() -> Callable[[], None]:
    """The function a forked child runs before exec; everything it needs is looked up before the fork."""
    prctl = _libc().prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The parent may have died between fork and prctl: then nobody would ever send the signal.
        if os.getppid() != parent:
            os._exit(1)

    return die_with_parent


class _Spawner:
    """One daemon thread that forks every tied child: the death signal follows the forking thread."""

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[Callable[[], Any], queue.Queue[tuple[bool, Any]]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="dialdesk-spawner", daemon=True)
                self._thread.start()
        answer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
        self._requests.put((make, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value

    def _serve(self) -> None:
        while True:
            make, answer = self._requests.get()
            try:
                answer.put((True, make()))
            except BaseException as error:  # handed to the caller's thread, raised there
                answer.put((False, error))


_spawner = _Spawner()


def spawn_tied_child(args: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(args, **popen)` for a child that is killed when this process dies."""
    preexec = _death_signal_setter() if sys.platform.startswith("linux") else None
    process: subprocess.Popen[bytes] = _spawner.run(
        lambda: subprocess.Popen(args, preexec_fn=preexec, **popen)
    )
    return process
