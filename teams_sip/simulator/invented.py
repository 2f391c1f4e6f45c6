"""Every property or behaviour the simulator serves that no Microsoft page shows, in one place.
Each entry says what is invented and why; correct it here when a real tenant shows otherwise."""

from __future__ import annotations

from typing import Final

from teams_sip import unverified

# --- Throttling (issue 21) -------------------------------------------------------------------------

BURST_S: Final = unverified.TEAMS_BURST_S
"""Rate-only limits (Teams' requests per second, the guessed services below) are served as a bucket
holding this many seconds of requests: the pages state rates, never a burst."""

DEVICE_MANAGEMENT_REQUESTS_PER_S: Final = unverified.DEVICE_MANAGEMENT_REQUESTS_PER_S
"""The device-management service (provisioning, bulk sign-in) has no published limit; the simulator
throttles it at the client's guess so a wrong guess shows as 429s in tests, not as silence."""

POLICY_ADMIN_REQUESTS_PER_S: Final = unverified.POLICY_ADMIN_REQUESTS_PER_S
"""Likewise the Teams admin API that answers calling-policy settings."""

BATCH_ENVELOPE_FREE: Final = True
"""A `$batch` envelope draws on no bucket, only its inner requests do: the page says inner requests
are evaluated individually and says nothing of the envelope."""

MAILBOX_SLOTS_SPAN_LATENCY: Final = True
"""A mailbox request holds one of its 4 concurrent slots from arrival to answer (the simulated latency
included); inner `$batch` requests to one mailbox hold theirs for the whole batch (Graph may run them
side by side). The page states the limit, not how the service counts it."""
