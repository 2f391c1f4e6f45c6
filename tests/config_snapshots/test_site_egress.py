"""Sites list their public egress IPs; common-area users of bulk sign-in sites get the trusted-IP check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from teams_sip.domain.eligibility import CheckResult, Outcome, UserVerdict, Verdict, VerifyYourself
from teams_sip.domain.eligibility.common_area import VERIFY_YOURSELF
from teams_sip.domain.eligibility.site_egress import TRUSTED_IPS_CHECK, with_site_egress
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration, TrustedIpRange
from teams_sip.importing.sites_file import SitesFileError, parse_sites_csv, parse_sites_json

CONFIG = TenantConfiguration(datetime(2026, 12, 4, tzinfo=UTC), trusted_ips=(TrustedIpRange("203.0.113.0", 24),))


def test_sites_file_reads_egress_ips_as_addresses_or_ranges() -> None:
    sites = parse_sites_csv("name,region,bulk sign-in,egress IPs\nHQ,EMEA,yes,203.0.113.8; 198.51.100.0/28\n"
                            "Depot,EMEA,yes,\n")
    assert sites[0].egress_ips == ("203.0.113.8", "198.51.100.0/28")
    assert sites[1].egress_ips == ()
    assert parse_sites_json('[{"name": "HQ", "egressIps": ["2001:db8::/48"]}]')[0].egress_ips == ("2001:db8::/48",)
    with pytest.raises(SitesFileError, match="not IP addresses"):
        parse_sites_csv("name,egress IPs\nHQ,203.0.113.300\n")


def _verdict(kind: str = "common-area") -> UserVerdict:
    checks = (CheckResult("account.exists", Outcome.PASS, "account found"),)
    return UserVerdict("lobby@contoso.com", kind, Verdict.ELIGIBLE, checks, VERIFY_YOURSELF)


def _trusted_ip_lines(v: UserVerdict) -> list[VerifyYourself]:
    return [x for x in v.verify_yourself if "public IP" in x.item]


def test_a_site_inside_the_trusted_ranges_passes_and_drops_the_verify_line() -> None:
    judged = with_site_egress(_verdict(), CONFIG, "HQ", ["203.0.113.8"])
    assert judged.checks[-1].check == TRUSTED_IPS_CHECK and judged.checks[-1].outcome is Outcome.PASS
    assert judged.verdict is Verdict.ELIGIBLE and not _trusted_ip_lines(judged)


def test_a_site_outside_fails_the_user() -> None:
    judged = with_site_egress(_verdict(), CONFIG, "HQ", ["192.0.2.1"])
    assert judged.checks[-1].outcome is Outcome.FAIL and judged.verdict is Verdict.BLOCKED
    assert "New-CsTenantTrustedIPAddress" in judged.checks[-1].remedy


def test_no_ips_listed_no_snapshot_or_personal_account_keeps_verify_yourself() -> None:
    for judged in (with_site_egress(_verdict(), CONFIG, "HQ", []),
                   with_site_egress(_verdict(), None, "HQ", ["203.0.113.8"]),
                   with_site_egress(_verdict("personal"), CONFIG, "HQ", ["192.0.2.1"])):
        assert all(c.check != TRUSTED_IPS_CHECK for c in judged.checks)
        assert judged.verdict is Verdict.ELIGIBLE
    assert _trusted_ip_lines(with_site_egress(_verdict(), CONFIG, "HQ", []))
