"""The settings that point teams-sip at a running simulated tenant: the only place where the
simulator and the configuration meet (everything else learns the endpoints from these values)."""

from __future__ import annotations

from typing import Any


def settings_values(sim: Any, *, provisioning_mode: str = "api") -> dict[str, str]:
    """Environment-style values (as `local.settings.json` "Values" holds them) for `sim`."""
    values = {
        "TENANT_ID": sim.tenant_id,
        "CLIENT_ID": sim.client_id,
        "CLIENT_SECRET": sim.client_secret,
        "AUTHORITY_HOST": sim.base_url,
        "INSTANCE_DISCOVERY": "false",
        "GRAPH_BASE_URL": sim.graph_url,
        "GRAPH_BETA_BASE_URL": sim.graph_beta_url,
        "POLICY_ADMIN_BASE_URL": sim.policy_admin_url,
        "PROVISIONING_MODE": provisioning_mode,
        "CA_BUNDLE": str(sim.ca_bundle),
    }
    if provisioning_mode == "api":
        values["PROVISIONING_BASE_URL"] = sim.provisioning_url
        values["BULK_SIGNIN_BASE_URL"] = sim.bulk_signin_url
    return values
