"""Work-arounds for msgraph-sdk defects (docs/microsoft.md "Platform facts"), each kept small and named.

- getPolicyId: the SDK's URL template drops the comma between `type=` and `name=`, so Graph
  cannot parse the function call. We build the documented URL ourselves and hand it to the
  SDK's request builder through its supported `with_url`, keeping the SDK's typed answer.
- $batch: the SDK's batch builder loses inner response bodies and request ids, and its module
  needs an undeclared package; batch.py sends `$batch` itself through the same middleware.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from teams_sip.adapters.graph.client import GraphClient


def odata_string(value: str) -> str:
    """An OData string literal, URL-encoded: quotes doubled, everything unsafe percent-encoded."""
    return "'" + quote(value.replace("'", "''"), safe="") + "'"


def policy_id_url(base_url: str, policy_type: str, name: str) -> str:
    """The documented form: .../admin/teams/policy/getPolicyId(type='T',name='N')."""
    return (
        f"{base_url.rstrip('/')}/admin/teams/policy/getPolicyId"
        f"(type={odata_string(policy_type)},name={odata_string(name)})"
    )


async def get_policy_id(client: GraphClient, policy_type: str, name: str) -> str | None:
    """The policy id for a policy name (Graph answers `Tag:<name>` entries), or None when unknown."""
    from teams_sip.adapters.graph.errors import GraphError

    builder = client.sdk.admin.teams.policy.microsoft_graph_teams_administration_get_policy_id_with_type_with_name(
        name=name, type=policy_type
    ).with_url(policy_id_url(client.settings.graph_base_url, policy_type, name))
    try:
        answer = await builder.get()
    except Exception as exc:  # kiota raises its own APIError; map it without leaking internals
        status = int(getattr(exc, "response_status_code", 0) or 0)
        if status == 404:
            return None
        error = getattr(exc, "error", None)
        code = str(getattr(error, "code", None) or "requestFailed")
        message = str(getattr(error, "message", None) or type(exc).__name__)
        raise GraphError(status, code, message, method="GET", path="/admin/teams/policy/getPolicyId") from None
    for entry in (answer.value or []) if answer is not None else []:
        if entry.policy_id and (entry.name in (name, f"Tag:{name}") or entry.name is None):
            return str(entry.policy_id)
    return None
