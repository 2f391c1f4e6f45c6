"""Fixed Microsoft facts the simulated tenant serves: service plans, SKUs, resources and the
application roles each endpoint needs (docs/microsoft.md "Users and licences")."""

from __future__ import annotations

from typing import Final

from teams_sip.simulator.invented import CONTRACT_ROLE as PROVISIONING_ROLE
from teams_sip.unverified import POLICY_ADMIN_AUDIENCE

SERVICE_PLANS: Final[dict[str, str]] = {
    "MCOEV": "4828c8ec-dc2e-4779-b502-87ac9ce28ab7",
    "MCOPSTN1": "4ed3ff63-69d7-4fb7-b984-5aec7f605ca8",
    "MCOPSTN2": "5a10155d-f5c1-411a-a8ec-e99aae125390",
    "MCOPSTN5": "54a152dc-90de-4996-93d2-bc47e670fc06",
    "MCOPSTN6": "346d83bf-6fe6-42ca-b424-b9300d2e21bf",
    "MCOPSTNC": "505e180f-f7e0-4b65-91d4-00d670bbd18c",
    "MCOSTANDARD": "0feaeb32-d00e-4d66-bd5a-43b5b83db82c",
    "TEAMS1": "57ff2da0-773e-42df-b2af-ffb7a2317929",
    "EXCHANGE_S_ENTERPRISE": "efb87545-963c-4e0d-99df-69c6916d9eb0",
}

SKUS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    # skuPartNumber: (skuId, service plans it carries)
    "SPE_E5": ("06ebc4ee-1bb5-47dd-8120-11324bc54e06", ("TEAMS1", "MCOSTANDARD", "MCOEV", "EXCHANGE_S_ENTERPRISE")),
    "SPE_E3": ("05e9a617-0261-4cee-bb44-138d3ef5d965", ("TEAMS1", "MCOSTANDARD", "EXCHANGE_S_ENTERPRISE")),
    "MCOEV": ("e43b5b99-8dfb-405f-9987-dc307f34bcbd", ("MCOEV",)),
    "MCOPSTN1": ("0dab259f-bf13-4952-b7f8-7db8f131b28d", ("MCOPSTN1",)),
    "MCOPSTN2": ("d3b4fe1f-9992-4930-8acb-ca6ec609365e", ("MCOPSTN2",)),
    "MCOPSTN5": ("11dee6af-eca8-419f-8061-6864517c1875", ("MCOPSTN5",)),
    "MCOPSTNC": ("47794cd0-f0e5-45c5-9033-2eb6b5fc84e0", ("MCOPSTNC",)),
    "MCOCAP": ("295a8eb0-f78d-45c7-8b5b-1eed5ed02dff", ("MCOEV", "TEAMS1", "MCOSTANDARD")),
}

GRAPH_RESOURCE: Final = "https://graph.microsoft.com"
PROVISIONING_RESOURCE: Final = "https://devicemgmt.teams.microsoft.com"
POLICY_ADMIN_RESOURCE: Final = POLICY_ADMIN_AUDIENCE

# Which of the app's roles a token for each resource carries.
RESOURCE_ROLES: Final[dict[str, frozenset[str]]] = {
    GRAPH_RESOURCE: frozenset(
        {
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "TeamsUserConfiguration.Read.All",
            "TeamsPolicyUserAssign.ReadWrite.All",
            "Mail.Send",
            "TeamworkDevice.Read.All",
            "TeamworkDevice.ReadWrite.All",
            "ConfigurationMonitoring.ReadWrite.All",

            "AuditLog.Read.All",
            "Application.Read.All",
        }
    ),
    PROVISIONING_RESOURCE: frozenset({PROVISIONING_ROLE}),
    POLICY_ADMIN_RESOURCE: frozenset({"TeamsPolicy.Read.All"}),
}

ALL_ROLES: Final[tuple[str, ...]] = (
    "User.Read.All",
    "TeamsUserConfiguration.Read.All",
    "TeamsPolicyUserAssign.ReadWrite.All",
    "Mail.Send",
    "TeamworkDevice.Read.All",
    PROVISIONING_ROLE,
    "TeamsPolicy.Read.All",
    "ConfigurationMonitoring.ReadWrite.All",

    "AuditLog.Read.All",
)
"""What a generated scenario grants its app: everything teams-sip uses."""

# Roles that satisfy each endpoint family (any one of them).
USERS_READ: Final = frozenset({"User.Read.All", "User.ReadWrite.All", "Directory.Read.All"})
USER_CONFIG_READ: Final = frozenset({"TeamsUserConfiguration.Read.All"})
POLICY_ASSIGN: Final = frozenset({"TeamsPolicyUserAssign.ReadWrite.All"})
MAIL_SEND: Final = frozenset({"Mail.Send"})
TEAMWORK_READ: Final = frozenset({"TeamworkDevice.Read.All", "TeamworkDevice.ReadWrite.All"})
PROVISIONING: Final = frozenset({PROVISIONING_ROLE})
POLICY_SETTINGS_READ: Final = frozenset({"TeamsPolicy.Read.All"})
CONFIG_SNAPSHOTS: Final = frozenset({"ConfigurationMonitoring.ReadWrite.All"})

AUDIT_LOG_READ: Final = frozenset({"AuditLog.Read.All"})  # documented: with Directory.Read.All
SERVICE_PRINCIPALS_READ: Final = frozenset({"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"})
