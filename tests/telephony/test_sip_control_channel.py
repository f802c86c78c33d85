"""baresip's control channel belongs to Dialdesk alone, and baresip dies with Dialdesk.

baresip's `ctrl_tcp` has no authentication: whoever connects can dial, past the gate. These tests
attack it as another local user would (a process under another uid, with a real sipp peer
watching for INVITEs), kill the Dialdesk process that owns baresip, and check the port lock-down
itself on plain sockets.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.telephony.baresip import BaresipOptions, SipDialer
from desktop.telephony.private_ctrl import ControlPortError, close_port_to_others
from tests.telephony.sipp_peer import DIAL_NUMBER, SIP_PASSWORD, SippPeer, wait_for

Peer = Callable[[str], SippPeer]
MakeDialer = Callable[..., SipDialer]

# What an attacker runs: connect to every TCP port baresip listens on and ask it to dial.
ATTACK = textwrap.dedent(
    """
    import json, socket, sys
    reached = {}
    for port in map(int, sys.argv[2:]):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            continue
        body = json.dumps({"command": "dial", "params": sys.argv[1], "token": "evil"}).encode()
        sock.sendall(str(len(body)).encode() + b":" + body + b",")
        sock.settimeout(2)
        try:
            reached[port] = sock.recv(4096).decode("utf-8", "replace")
        except OSError:
            reached[port] = "connected, no answer"
    print(json.dumps(reached))
    """
)


def listening_ports(pid: int) -> list[int]:
    """The TCP ports a process listens on, read the way any local user can (/proc/net/tcp)."""
    inodes = set()
    for name in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{name}")
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    ports = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[9]) in inodes:
            ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def run_as_nobody(script: str, *args: str) -> dict[str, str]:
    nobody = pwd.getpwnam("nobody")

    def drop_privileges() -> None:
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    result = subprocess.run(
        ["/usr/bin/python3", "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=drop_privileges,
        cwd="/",
        check=True,
    )
    reached: dict[str, str] = json.loads(result.stdout)
    return reached


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a process under another uid")
def test_another_user_cannot_make_baresip_dial(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("answer.xml")
    dialer = dialer_for(peer.account)
    dialer.start()
    assert dialer.pid is not None
    ports = listening_ports(dialer.pid)
    assert ports, "baresip's control port should be found the way an attacker would find it"

    target = f"sip:{DIAL_NUMBER}@127.0.0.1:{peer.port}"
    reached = run_as_nobody(ATTACK, target, *map(str, ports))

    # baresip's SIP transport listens on TCP too (that one is meant to be reachable); the control
    # port must not be, and nothing the attacker sent may turn into a call.
    control_port = dialer._process._ctrl_port  # type: ignore[union-attr]  # noqa: SLF001
    assert control_port in ports and str(control_port) not in reached
    assert not any('"ok":true' in answer for answer in reached.values())
    assert not any("INVITE" in line for line in peer.requests())
    # Dialdesk's own connection still works: the lock-down did not cost the real user the phone.
    dialer.dial(DIAL_NUMBER)
    assert wait_for(lambda: any("INVITE" in line for line in peer.requests()), 10)
    dialer.hang_up()


def test_killing_dialdesk_ends_baresip_and_leaves_no_secret(
    sipp: Peer, private_dirs: Path, quiet_audio: BaresipOptions
) -> None:
    peer = sipp("answer.xml")
    # A Dialdesk process that starts the SIP backend from a worker thread (as the window does), then waits.
    owner = textwrap.dedent(
        f"""
        import threading, time
        from desktop.telephony.baresip import BaresipOptions, SipDialer
        from desktop.telephony.sip_account import parse_sip_account
        options = BaresipOptions(audio_source={quiet_audio.audio_source!r}, audio_player="aufile,/dev/null")
        dialer = SipDialer(parse_sip_account({peer.account!r}), options)
        worker = threading.Thread(target=dialer.start)
        worker.start(); worker.join()
        print(dialer.pid, flush=True)
        time.sleep(600)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", owner],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        baresip_pid = int(child.stdout.readline())
        assert Path(f"/proc/{baresip_pid}").exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        assert wait_for(lambda: not _running(baresip_pid), 10), "baresip outlived Dialdesk"
    finally:
        if child.poll() is None:
            child.kill()
    for path in private_dirs.rglob("*"):
        if path.is_file() and path.stat().st_size < 1_000_000:
            assert SIP_PASSWORD.encode() not in path.read_bytes(), f"{path} holds the SIP password"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_port_lock_refuses_new_connections_and_keeps_ours() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        ours = socket.create_connection(("127.0.0.1", port))
        accepted, _addr = server.accept()
        close_port_to_others(os.getpid(), port, ours)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
        ours.sendall(b"still here")
        assert accepted.recv(100) == b"still here"
        ours.close()
        accepted.close()


def test_the_port_lock_fails_when_someone_else_got_in_first() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        intruder = socket.create_connection(("127.0.0.1", port))
        ours = socket.create_connection(("127.0.0.1", port))
        with pytest.raises(ControlPortError, match="another program connected"):
            close_port_to_others(os.getpid(), port, ours)
        intruder.close()
        ours.close()
