"""Team mode in the window: working as the agent named by `--agent` / $DIALDESK_AGENT.

The lead on screen is claimed for the agent (the claims of desktop/services/claims.py, the same as
`queue --claim` and `record`): taking the next lead claims it, recording or passing over a lead
releases it (Workspace.claim_leads_as_agent), and a lead another agent holds is not opened. While the
window lives the claim is renewed before it runs out; if the window dies, nobody renews it and it
expires, and the lead returns to the queue. Without an acting agent nothing here does anything.
"""

from __future__ import annotations

from desktop.services.claims import DEFAULT_HOLD, Claim
from desktop.services.workspace import Workspace


class AgentDesk:
    """Holds the claim on the lead the window shows, for the acting agent."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self.agent = workspace.acting_agent()
        self.active = workspace.claim_leads_as_agent()
        self.held: Claim | None = None

    def hold(self, lead_id: int) -> str | None:
        """Claim the lead about to be shown (the one left behind is released); the reason it cannot be
        shown when another agent holds it, else None."""
        if not self.active or self.agent is None:
            return None
        claims = self._workspace.claims
        if self.held is not None and self.held.lead_id != lead_id:
            claims.release(self.held.lead_id, self.agent)
            self.held = None
        claim = claims.take(lead_id, self.agent)
        self.held = claim
        if claim is None:
            holder = claims.holder(lead_id)
            if holder is None:
                return None  # no such lead: the card says so
            return f"Lead #{lead_id} is being worked by {holder[0]}: it stays with them."
        return None

    def keep_alive(self) -> None:
        """Renew the claim once half of it has run (a long call keeps its lead)."""
        held = self.held
        if held is None or self.agent is None:
            return
        if self._workspace.clock() >= held.until - DEFAULT_HOLD / 2:
            self.held = self._workspace.claims.take(held.lead_id, self.agent)

    def release(self) -> None:
        """The window closes: its lead goes back to the queue at once rather than at expiry."""
        if self.held is not None and self.agent is not None:
            self._workspace.claims.release(self.held.lead_id, self.agent)
            self.held = None
