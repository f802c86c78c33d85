"""`dialdesk call` end to end: the dial gate, a real baresip, a real SIP peer (sipp) on 127.0.0.1.

Subprocess tests run the real entry point (`python -m desktop`) as a user does, with logging set up;
in-process tests call the handler. Both set the clock to a moment inside New York's calling hours by
injecting it: libfaketime (the `faketime` package) cannot be used here, because under it Python
3.11's time.sleep() fails with EINVAL (--exclude-monotonic) or never returns, and the command sleeps
while it follows a call. Every call
is to a business lead (the registries cover residential numbers; none is imported in these tests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.commands import call
from desktop.commands.common import CliError
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Attempt
from tests.conftest import README_MOMENT, require_tool
from tests.telephony.sipp_peer import DIAL_NUMBER, SIP_PASSWORD, SippPeer, tone_wav, wait_for

# The real entry point (`python -m desktop`, logging set up as for a user), its wall clock pinned to
# $DIALDESK_TEST_NOW by tests/clock_shim/sitecustomize.py.
CLOCK_SHIM = Path(__file__).resolve().parent.parent / "clock_shim"
# A Tuesday at 16:00 UTC: 11:00 in New York.
IN_HOURS = "2026-12-01T16:00:00+00:00"
# 08:00 UTC: 03:00 in New York.
AT_NIGHT = "2026-12-01T08:00:00+00:00"
# A business landline: a voicemail drop to it needs no written consent (a mobile would).
LEADS_CSV = (
    "First Name,Last Name,Company,Landline Phone,Type\nMaria,Lopez,Lopez Dental Group,{phone},business\n"
)


@pytest.fixture
def env() -> dict[str, str]:
    """The environment of the subprocesses: the test's private user folders (conftest), no account."""
    return {**os.environ, "DIALDESK_DB": ""}


def business_lead(db: Path, tmp_path: Path, phone: str = "+1 212 555 0134") -> int:
    source = tmp_path / "leads.csv"
    source.write_text(LEADS_CSV.format(phone=phone))
    workspace = open_workspace(str(db), clock=ManualClock(README_MOMENT))
    try:
        workspace.imports.run(source, list_name="SIP test")
        lead_id = workspace.calling.next_lead_id()
    finally:
        workspace.close()
    assert lead_id is not None
    return lead_id


def run_cli(
    db: Path, env: dict[str, str], *args: str, at: str = IN_HOURS, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desktop", "--db", str(db), "call", *args]
    full_env = {**env, "DIALDESK_TEST_NOW": at, "PYTHONPATH": str(CLOCK_SHIM), **(extra_env or {})}
    result = subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=60)
    # Whatever the outcome, the user sees lines of ours, never Python's or logging's tracebacks.
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr, result.stderr
    return result


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def attempts(db: Path) -> list[Attempt]:
    workspace = open_workspace(str(db))
    try:
        with workspace.uow() as uow:
            return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))
    finally:
        workspace.close()


def test_sip_cli_voicemail_drop_is_heard(sipp: Callable[[str], SippPeer], env: dict, tmp_path: Path) -> None:
    peer = sipp("answer.xml")
    db = tmp_path / "dialdesk.db"
    lead = business_lead(db, tmp_path)
    message = tone_wav(tmp_path / "message.wav", 2.0)
    result = run_cli(
        db,
        env,
        "--lead", str(lead),
        "--voicemail", str(message),
        "--json",
        extra_env={"DIALDESK_SIP_ACCOUNT": peer.registering_account},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    events = [line["event"] for line in lines if "event" in line]
    assert events == [
        "allowed",
        "registered",
        "dialling",
        "ringing",
        "connected",
        "voicemail_started",
        "voicemail_finished",
    ]
    final = lines[-1]
    assert final["final"] == "answered" and final["sip_code"] == 200
    assert final["duration_s"] == pytest.approx(2.0, abs=0.6)
    assert final["voicemail_played"] is True and final["suggested_outcome"] is None
    assert wait_for(lambda: peer.rtp.audio_packets >= 90, 2), peer.rtp.by_type
    assert SIP_PASSWORD not in result.stdout + result.stderr
    (attempt,) = attempts(db)
    assert attempt.allowed and attempt.backend == "sip" and attempt.ended_at is not None


def test_sip_cli_busy(sipp: Callable[[str], SippPeer], env: dict, tmp_path: Path) -> None:
    peer = sipp("busy.xml")
    db = tmp_path / "dialdesk.db"
    lead = business_lead(db, tmp_path)
    result = run_cli(db, env, "--lead", str(lead), "--sip-account", peer.account, "--json")
    assert result.returncode == 0, result.stderr
    final = json_lines(result.stdout)[-1]
    assert final == {
        **final,
        "final": "busy",
        "sip_code": 486,
        "suggested_outcome": "busy",
        "duration_s": 0.0,
    }
    assert SIP_PASSWORD not in result.stdout + result.stderr


def test_sip_cli_registration_refused_exits_3(
    sipp: Callable[[str], SippPeer], env: dict, tmp_path: Path
) -> None:
    peer = sipp("register_forbidden.xml")
    db = tmp_path / "dialdesk.db"
    lead = business_lead(db, tmp_path)
    result = run_cli(db, env, "--lead", str(lead), "--sip-account", peer.registering_account, "--json")
    assert result.returncode == 3, result.stdout + result.stderr
    lines = json_lines(result.stdout)
    assert lines[-1]["placed"] is False and "403 Forbidden" in lines[-1]["error"]
    assert "could not be placed" in result.stderr
    assert SIP_PASSWORD not in result.stdout + result.stderr
    (attempt,) = attempts(db)  # the gate's decision is on record, with why the dial failed
    assert attempt.allowed and "403 Forbidden" in attempt.note


def test_sip_cli_gate_blocks_exits_1_and_dials_nothing(
    sipp: Callable[[str], SippPeer], env: dict, tmp_path: Path
) -> None:
    peer = sipp("busy.xml")
    db = tmp_path / "dialdesk.db"
    lead = business_lead(db, tmp_path)
    result = run_cli(db, env, "--lead", str(lead), "--sip-account", peer.account, "--json", at=AT_NIGHT)
    assert result.returncode == 1, result.stdout + result.stderr
    (refusal,) = json_lines(result.stdout)
    assert refusal["allowed"] is False
    assert "calling_hours" in [reason["code"] for reason in refusal["reasons"]]
    assert not peer.requests()
    (attempt,) = attempts(db)
    assert not attempt.allowed


def test_sip_cli_without_baresip_exits_3_naming_the_package(env: dict, tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    account = "sip:a@127.0.0.1:5060;regint=0"
    result = run_cli(
        tmp_path / "x.db",
        env,
        DIAL_NUMBER,
        "--json",
        extra_env={"PATH": str(empty_bin), "DIALDESK_SIP_ACCOUNT": account},
    )
    assert result.returncode == 3
    assert json_lines(result.stdout)[-1]["placed"] is False
    assert "sudo apt-get install baresip-core" in result.stderr


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_sip_cli_bare_number_refused_by_the_gate_says_one_line(env: dict, tmp_path: Path) -> None:
    """A number that belongs to no lead, at night: the gate refuses it, the user reads one line."""
    account = "sip:a@127.0.0.1:5060;regint=0"
    result = run_cli(
        tmp_path / "x.db", env, DIAL_NUMBER, at=AT_NIGHT, extra_env={"DIALDESK_SIP_ACCOUNT": account}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = stderr_lines(result)
    assert line.startswith("Blocked: +12125550134 (") and "calling_hours: outside calling hours" in line
    (attempt,) = attempts(tmp_path / "x.db")
    assert attempt.lead_id is None and not attempt.allowed
    log = (Path(env["XDG_STATE_HOME"]) / "dialdesk" / "log" / "dialdesk.log").read_text()
    assert "gate blocked" in log and "could not be formatted" not in log


def test_sip_cli_bare_number_without_baresip_says_one_line(env: dict, tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    account = "sip:a@127.0.0.1:5060;regint=0"
    result = run_cli(
        tmp_path / "x.db",
        env,
        DIAL_NUMBER,
        extra_env={"PATH": str(empty_bin), "DIALDESK_SIP_ACCOUNT": account},
    )
    assert result.returncode == 3, result.stdout + result.stderr
    (line,) = stderr_lines(result)
    assert "sudo apt-get install baresip-core" in line


# -- in process, with an injected clock ----------------------------------------------------------


@pytest.fixture
def workspace_at_nine(tmp_path: Path, env: dict) -> Iterator[Workspace]:
    """09:00 in New York (README_MOMENT)."""
    workspace = open_workspace(str(tmp_path / "dialdesk.db"), clock=ManualClock(README_MOMENT))
    yield workspace
    workspace.close()


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    call.register(parser.add_subparsers())
    return parser.parse_args(["call", *args])


def test_sip_cli_extension_reaches_the_callee_who_hangs_up(
    sipp: Callable[[str], SippPeer],
    workspace_at_nine: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    peer = sipp("callee_hangs_up.xml")
    business_lead(tmp_path / "dialdesk.db", tmp_path, phone="+1 212 555 0134 ext. 204")
    lead = workspace_at_nine.calling.next_lead_id()
    args = parse(
        "--lead",
        str(lead),
        "--sip-account",
        peer.account,
        "--extension-pause",
        "0.2",
        "--audio-source",
        f"aufile,{tone_wav(tmp_path / 'mic.wav', 5.0, rate=8000)}",
        "--audio-player",
        "aufile,/dev/null",
        "--json",
    )
    assert call.place_call(workspace_at_nine, args) == 0
    lines = json_lines(capsys.readouterr().out)
    assert "extension_sent" in [line.get("event") for line in lines]
    assert peer.rtp.dtmf_events == [2, 0, 4]
    assert lines[-1]["final"] == "answered" and lines[-1]["duration_s"] == pytest.approx(1.5, abs=0.6)


def test_sip_cli_voicemail_text_is_spoken(
    sipp: Callable[[str], SippPeer],
    workspace_at_nine: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_tool("espeak-ng", "espeak-ng")
    peer = sipp("answer.xml")
    business_lead(tmp_path / "dialdesk.db", tmp_path)
    lead = workspace_at_nine.calling.next_lead_id()
    text = "Hi Maria, Sam here. Call me back."
    args = parse("--lead", str(lead), "--sip-account", peer.account, "--voicemail-text", text, "--json")
    assert call.place_call(workspace_at_nine, args) == 0
    lines = json_lines(capsys.readouterr().out)
    assert lines[-1]["final"] == "answered" and lines[-1]["voicemail_played"] is True
    # About two seconds of speech at 50 packets a second.
    assert peer.rtp.audio_packets > 60, peer.rtp.by_type


def test_sip_cli_refuses_a_ring_time_under_15_s(workspace_at_nine: Workspace) -> None:
    args = parse(DIAL_NUMBER, "--sip-account", "sip:a@127.0.0.1:5060;regint=0", "--ring-timeout", "10")
    require_tool("baresip", "baresip-core")
    with pytest.raises(CliError, match="at least 15 seconds"):
        call.place_call(workspace_at_nine, args)


def test_sip_cli_needs_an_account(workspace_at_nine: Workspace) -> None:
    require_tool("baresip", "baresip-core")
    with pytest.raises(CliError, match="DIALDESK_SIP_ACCOUNT"):
        call.place_call(workspace_at_nine, parse(DIAL_NUMBER))
