"""What the plan reads: roster rows and what Teams reports, in the lifecycle's own terms.

These are deliberately separate from the importer's and the provisioning client's types: the
service layer maps onto them, so the lifecycle rules do not change when those modules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Verdict(StrEnum):
    """The eligibility verdict for the device's user, as the eligibility checks report it."""

    ELIGIBLE = "eligible"
    BLOCKED = "blocked"
    NEEDS_ATTENTION = "needs_attention"
    WAITING_FOR_POLICY = "waiting_for_policy"


class ObservedState(StrEnum):
    """The three states Teams shows for a SIP device."""

    WAITING_ON_ACTIVATION = "waiting_on_activation"
    WAITING_FOR_SIGN_IN = "waiting_for_sign_in"
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class RosterEntry:
    """One handset the admin wants onboarded. `hardware_id` is the Teams id (12 upper-case hex)."""

    hardware_id: str
    kind: str
    upn: str
    display_name: str
    account_type: str
    site: str
    install_date: date | None
    verdict: Verdict


@dataclass(frozen=True)
class ObservedDevice:
    """One device as Teams reports it in this pass. All times are timezone-aware UTC."""

    hardware_id: str
    state: ObservedState
    signed_in_user: str | None = None
    last_seen: datetime | None = None
    code_expires_at: datetime | None = None
