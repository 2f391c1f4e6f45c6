"""The bulk sign-in prerequisite "the site's public IPs are tenant trusted IPs", judged per user.

A common-area account signs in where its handset is installed, so the check belongs to the user's
site. Judged only from a snapshot and only for sites that list their egress IPs; everywhere else
the admin keeps the "verify yourself" line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from teams_sip.domain.eligibility.facts import AccountKind
from teams_sip.domain.eligibility.outcomes import CheckResult, Outcome, UserVerdict, verdict_of
from teams_sip.domain.eligibility.snapshot_judge import site_egress_trusted
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration

TRUSTED_IPS_CHECK = "common_area.trusted_ips"
REMEDY = (
    "Add the site's egress IPs as tenant trusted IPs (New-CsTenantTrustedIPAddress -IPAddress <ip> -MaskBits <n>) "
    "at least 24 hours before bulk sign-in, or correct the site's egress IPs in the sites file."
)


def with_site_egress(
    verdict: UserVerdict, config: TenantConfiguration | None, site: str, egress: Sequence[str]
) -> UserVerdict:
    """The verdict with the site's trusted-IP check added (and its verify-yourself line dropped)."""
    if verdict.account_kind != AccountKind.COMMON_AREA.value or config is None or not egress:
        return verdict
    judgement = site_egress_trusted(config, site, egress)
    check = CheckResult(TRUSTED_IPS_CHECK, judgement.outcome, judgement.reason,
                        "" if judgement.outcome is Outcome.PASS else REMEDY)
    checks = (*[c for c in verdict.checks if c.check != TRUSTED_IPS_CHECK], check)
    keep = tuple(v for v in verdict.verify_yourself if "public IP" not in v.item)
    return replace(verdict, checks=checks, verdict=verdict_of(checks), verify_yourself=keep)
