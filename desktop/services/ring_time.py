"""The ring-time limits of a SIP call, for the command line's help and defaults.

A module of their own so that building the `dialdesk` parser does not import the SIP call code
(baresip, speech) that only `dialdesk call` needs.
"""

from __future__ import annotations

from desktop.telephony.call_states import DEFAULT_RING_TIMEOUT_S, MIN_RING_TIMEOUT_S

__all__ = ["DEFAULT_RING_TIMEOUT_S", "MIN_RING_TIMEOUT_S"]
