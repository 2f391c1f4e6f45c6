"""What each documented bulk sign-in error means for a device, and what the admin should do.

The strings and their remedies follow the bulk sign-in error table of Microsoft's "Configure SIP
Gateway" article (docs/microsoft.md, "Bulk sign-in"). An error string we do not know maps to
`NEEDS_ADMIN`, never to success. Some errors carry details after the documented text (the duplicate
error lists the duplicates' IP addresses), so those match as a prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    RETRY = "retry"  # transient: try again in a later batch while the window is open
    ELIGIBILITY = "eligibility"  # the account fails a pre-flight rule: fix it, then retry
    NEW_ONBOARDING = "new_onboarding"  # the device must be factory reset and onboarded again
    NEEDS_ADMIN = "needs_admin"  # a tenant or input problem only an admin can fix


@dataclass(frozen=True)
class ErrorMeaning:
    outcome: Outcome
    remedy: str


DOCUMENTED_ERRORS: dict[str, ErrorMeaning] = {
    "User not found in tenant": ErrorMeaning(
        Outcome.ELIGIBILITY, "Check the Username column: the common-area account does not exist in this tenant."
    ),
    "User missing phone number assignment": ErrorMeaning(
        Outcome.ELIGIBILITY, "Assign a phone number to the account (Teams admin center > Voice > Phone numbers)."
    ),
    "User missing AllowSIPDevicesCalling policy assignment": ErrorMeaning(
        Outcome.ELIGIBILITY,
        "Assign a calling policy with 'SIP devices can be used for calls' on (teams-sip fix-policies).",
    ),
    "User missing CAP policy assignment": ErrorMeaning(
        Outcome.ELIGIBILITY,
        "Assign the CommonAreaPhone IP phone policy: Grant-CsTeamsIPPhonePolicy -PolicyName CommonAreaPhone.",
    ),
    "Device not found in records": ErrorMeaning(
        Outcome.NEW_ONBOARDING,
        "The gateway does not know this handset: check it dialled its code, else factory reset and onboard again.",
    ),
    "BulkSignIn Tag missing for the device": ErrorMeaning(
        Outcome.NEEDS_ADMIN,
        "Add /tenantid/<tenant-guid> to the base station's provisioning URL and re-provision the handset.",
    ),
    "Device is offline": ErrorMeaning(
        Outcome.RETRY, "Power the handset on within range of its base; it is retried in the next batch."
    ),
    "Public IP not configured as Trusted IP": ErrorMeaning(
        Outcome.NEEDS_ADMIN,
        "Either the tenant id in the base station's provisioning URL (/tenantid/<tenant-guid>) is wrong, or the "
        "site's public IP is not a trusted IP (Teams admin center > Locations > Network topology > Trusted IPs; "
        "it must be in place 24 hours before bulk sign-in).",
    ),
    "Bulk Sign-in deadline expired": ErrorMeaning(
        Outcome.NEW_ONBOARDING,
        "More than 72 hours passed since onboarding (168 after a sign-out): factory reset and onboard again.",
    ),
    "Duplicate devices found for bulk sign-in": ErrorMeaning(
        Outcome.NEEDS_ADMIN,
        "Two handsets answer with this hardware id (the error lists their IP addresses): check the MAC "
        "addresses and remove the duplicate, in the batch or on the network.",
    ),
    "Input hardware-ID is of wrong format": ErrorMeaning(
        Outcome.NEEDS_ADMIN, "Hardware ids must be six dashed octets (xx-xx-xx-xx-xx-xx)."
    ),
    "On-premises AD configuration failure": ErrorMeaning(
        Outcome.NEEDS_ADMIN,
        "The account's password could not be set in on-premises Active Directory: ask the team that runs "
        "it to check password writeback for the account, then retry.",
    ),
    "On-premises AD throttling detected": ErrorMeaning(
        Outcome.RETRY,
        "On-premises Active Directory throttled the password resets: the device is retried in a later batch. "
        "If it recurs, sign in fewer devices at a time (split the batch's CSV and run the parts in turn).",
    ),
    "The Password writeback service failed to set a password on the tenant's local directory": ErrorMeaning(
        Outcome.NEEDS_ADMIN,
        "In on-premises Active Directory, clear 'User must change password at next logon' and 'User cannot "
        "change password' on the account and set the minimum password age to 0, then retry.",
    ),
}

PREFIX_ERRORS = ("Duplicate devices found for bulk sign-in",)
"""Documented errors that arrive with details appended (the duplicates' IP addresses)."""

_BY_KEY = {text.casefold().rstrip("."): meaning for text, meaning in DOCUMENTED_ERRORS.items()}


def meaning_of(status: str, error: str) -> ErrorMeaning:
    """Classify one batch item. Matching ignores case and a trailing full stop; PREFIX_ERRORS match
    whatever follows them."""
    if not error.strip() and status.strip().casefold() in {"success", "succeeded", "completed", "signedin"}:
        return ErrorMeaning(Outcome.SIGNED_IN, "")
    text = error.strip().casefold()
    known = _BY_KEY.get(text.rstrip("."))
    if known is None:
        known = next((DOCUMENTED_ERRORS[p] for p in PREFIX_ERRORS if text.startswith(p.casefold())), None)
    if known is not None:
        return known
    shown = error.strip() or status.strip() or "no status"
    return ErrorMeaning(Outcome.NEEDS_ADMIN, f"Unrecognised bulk sign-in result {shown!r}: check the batch by hand.")
