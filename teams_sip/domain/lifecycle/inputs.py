"""What the plan reads: roster rows with their users' verdicts, and what Teams reports, in the
lifecycle's own terms.

A roster row is the domain's one accepted-row type (domain/roster_row.py), the one the roster store
keeps; what Teams reports is separate from the provisioning client's types: the service layer maps
onto them, so the lifecycle rules do not change when that client does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from teams_sip.domain.roster_row import RosterRow


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
    """One handset the admin wants onboarded: its roster row and its user's eligibility verdict. Not
    a row type of its own: the row's fields are read through (`hardware_id` is the Teams id, 12
    upper-case hex)."""

    row: RosterRow
    verdict: Verdict

    @property
    def hardware_id(self) -> str:
        return self.row.hardware_id

    @property
    def kind(self) -> str:
        return self.row.kind

    @property
    def upn(self) -> str:
        return self.row.upn

    @property
    def display_name(self) -> str:
        return self.row.display_name

    @property
    def account_type(self) -> str:
        return self.row.account_type

    @property
    def site(self) -> str:
        return self.row.site

    @property
    def install_date(self) -> date | None:
        return self.row.install_date


@dataclass(frozen=True)
class ObservedDevice:
    """One device as Teams reports it in this pass. All times are timezone-aware UTC."""

    hardware_id: str
    state: ObservedState
    signed_in_user: str | None = None
    last_seen: datetime | None = None
    code_expires_at: datetime | None = None
