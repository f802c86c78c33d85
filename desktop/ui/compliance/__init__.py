"""Compliance: the do-not-call pages, registry import and status, the list scrub and consent records."""
