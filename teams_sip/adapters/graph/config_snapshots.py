"""Configuration snapshot jobs over Graph v1.0 (admin/configurationManagement), behind the port.

Documented: createSnapshot answers a configurationSnapshotJob; the job is read, listed and deleted
under configurationSnapshotJobs; resourceLocation and errorDetails come back only when selected,
and partiallySuccessful only with `Prefer: include-unknown-enum-members`. Every refusal becomes a
SnapshotError whose message names the missing permission or service principal and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.graph.snapshot_file import parse_snapshot
from teams_sip.adapters.http import RequestMetrics, RetryingTransport, RetryPolicy, ssl_context, timeout
from teams_sip.adapters.throttle import graph_pricing
from teams_sip.config import Settings
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.errors import TeamsSipError
from teams_sip.service.ports.config_snapshots import (
    RESOURCES,
    SnapshotError,
    SnapshotJob,
    SnapshotLimitError,
    SnapshotPrerequisiteError,
)
from teams_sip.unverified import SNAPSHOT_SP_MISSING_MARKERS

CREATE_PATH = "/admin/configurationManagement/configurationSnapshots/createSnapshot"
JOBS_PATH = "/admin/configurationManagement/configurationSnapshotJobs"
JOB_SELECT = "id,displayName,status,createdDateTime,completedDateTime,resourceLocation,errorDetails,resources"
PERMISSION = "ConfigurationMonitoring.ReadWrite.All"
GRANT = "scripts/grant-graph-permissions.sh (docs/deploy.md, 'Configuration snapshots')"
PERMISSION_MISSING = (
    f"the app lacks the Graph application permission {PERMISSION} (admin consent); grant it with {GRANT}"
)
SP_MISSING = (
    "the tenant has no Tenant Configuration Management service principal (or it lacks the Global Reader "
    f"role); create it and give it the role with {GRANT}"
)


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or text.startswith("0001-"):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def job_from_json(body: Any) -> SnapshotJob:
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise SnapshotError("Graph answered something other than a configurationSnapshotJob")
    details = body.get("errorDetails")
    return SnapshotJob(
        id=body["id"],
        display_name=str(body.get("displayName") or ""),
        status=str(body.get("status") or "unknownFutureValue"),
        created_at=_when(body.get("createdDateTime")),
        completed_at=_when(body.get("completedDateTime")),
        resource_location=str(body.get("resourceLocation") or ""),
        error_details=tuple(d for d in details if isinstance(d, str)) if isinstance(details, list) else (),
    )


def _refusal(response: httpx.Response) -> SnapshotError:
    try:
        error = response.json().get("error", {})
        message = str(error.get("message", ""))
    except (ValueError, AttributeError):
        message = ""
    lowered = message.lower()
    if any(marker in lowered for marker in SNAPSHOT_SP_MISSING_MARKERS):
        return SnapshotPrerequisiteError(SP_MISSING)
    if response.status_code in (401, 403):
        return SnapshotPrerequisiteError(PERMISSION_MISSING)
    if response.status_code in (400, 409) and "limit" in lowered:
        return SnapshotLimitError(f"the tenant's snapshot job limit is reached ({message})")
    return SnapshotError(f"Graph answered {response.status_code} to a snapshot request: {message or 'no detail'}")


class GraphConfigurationSnapshots:
    """Implements ConfigurationSnapshots with plain JSON requests on the shared retrying transport."""

    def __init__(self, settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None) -> None:
        self._base = settings.graph_base_url.rstrip("/")
        self._scope = settings.graph_scope
        self._tokens = tokens
        context = ssl_context(settings.ca_bundle)
        transport = RetryingTransport(
            httpx.HTTPTransport(verify=context), RetryPolicy.from_settings(settings.http), metrics or RequestMetrics(),
            pricing=graph_pricing(settings.http, (settings.graph_base_url,)),  # Graph's global budget
        )
        self._http = httpx.Client(transport=transport, verify=context, timeout=timeout(settings.http))

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            token = self._tokens.token(self._scope)
            headers = {"Authorization": f"Bearer {token.reveal()}", "Prefer": "include-unknown-enum-members"}
            return self._http.request(method, url, headers=headers, **kwargs)
        except TeamsSipError as exc:
            raise SnapshotPrerequisiteError(f"no Graph token for configuration snapshots: {exc}") from None
        except httpx.HTTPError as exc:
            raise SnapshotError(f"Graph could not be reached for a snapshot request ({type(exc).__name__})") from None

    def _json(self, method: str, url: str, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self._send(method, url, **kwargs)
        if response.status_code not in ok:
            raise _refusal(response)
        try:
            return response.json()
        except ValueError:
            raise SnapshotError("Graph answered a snapshot request with no JSON") from None

    def create(self, display_name: str, description: str, resources: Sequence[str]) -> SnapshotJob:
        body = {"displayName": display_name, "description": description, "resources": list(resources)}
        url = f"{self._base}{CREATE_PATH}"
        return job_from_json(self._json("POST", url, (200, 201, 202), json=body))

    def get(self, job_id: str) -> SnapshotJob:
        url = f"{self._base}{JOBS_PATH}/{job_id}"
        return job_from_json(self._json("GET", url, params={"$select": JOB_SELECT}))

    def list_jobs(self) -> list[SnapshotJob]:
        url: str | None = f"{self._base}{JOBS_PATH}"
        params: dict[str, str] | None = {"$select": "id,displayName,status,createdDateTime"}
        jobs: list[SnapshotJob] = []
        while url:
            page = self._json("GET", url, params=params)
            jobs += [job_from_json(item) for item in page.get("value", [])]
            url, params = page.get("@odata.nextLink"), None
        return jobs

    def delete(self, job_id: str) -> None:
        response = self._send("DELETE", f"{self._base}{JOBS_PATH}/{job_id}")
        if response.status_code not in (200, 204, 404):
            raise _refusal(response)

    def read(self, job: SnapshotJob, taken_at: datetime) -> TenantConfiguration:
        if not job.resource_location:
            raise SnapshotError(f"snapshot job {job.id} finished without a resourceLocation")
        if urlsplit(job.resource_location).netloc.lower() != urlsplit(self._base).netloc.lower():
            raise SnapshotError("the snapshot's resourceLocation is not on the Graph host; not sending a token there")
        body = self._json("GET", job.resource_location)
        covered = RESOURCES if job.status == "succeeded" else ()
        return parse_snapshot(body, taken_at, covered)
