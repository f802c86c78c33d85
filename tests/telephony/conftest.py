"""Fixtures for the SIP backend tests: a sipp peer and a SipDialer, both cleaned up whatever happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.speech import silence_wav
from desktop.telephony.baresip import BaresipOptions, SipDialer
from desktop.telephony.sip_account import parse_sip_account


@pytest.fixture
def quiet_audio(private_dirs: Path) -> BaresipOptions:
    """No sound card in CI: send silence (long enough for any test) and discard what is received."""
    return BaresipOptions(
        audio_source=f"aufile,{silence_wav(60, private_dirs / 'audio')}",
        audio_player="aufile,/dev/null",
        stop_grace_s=1.0,
    )


@pytest.fixture
def dialer_for(quiet_audio: BaresipOptions) -> Iterator[Callable[..., SipDialer]]:
    """SipDialers on a peer's account; every one is closed (baresip stopped, files removed) at the end."""
    dialers: list[SipDialer] = []

    def make(account: str, *, ring_timeout_s: float = 15, extension_pause_s: float = 0.3) -> SipDialer:
        dialer = SipDialer(
            parse_sip_account(account),
            quiet_audio,
            ring_timeout_s=ring_timeout_s,
            extension_pause_s=extension_pause_s,
            min_ring_timeout_s=0.5,
        )
        dialers.append(dialer)
        return dialer

    yield make
    for dialer in dialers:
        dialer.close()
