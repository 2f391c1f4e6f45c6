"""Entra sign-in logs as an inventory source: `GET /v1.0/auditLogs/signIns` (docs/microsoft.md,
"Sign-in logs"). Documented, unlike the retiring teamwork listing, but it needs AuditLog.Read.All
(with Directory.Read.All) and an Entra ID P1 or P2 tenant: without one Graph answers 403
`Authentication_RequestFromNonPremiumTenantOrB2CTenant`, reported as the source being unavailable.

Each pass reads only what is new: `$filter` on the SIP Gateway's app ids (unverified.py) and on
`createdDateTime` from a mark kept in the state store (less an overlap for late events), paged by
`@odata.nextLink`. The mark moves only once the pass saved what it concluded (`commit`). A successful
sign-in (status.errorCode 0) is evidence of "signed in"; a failed one is a reason shown on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from teams_sip import unverified
from teams_sip.adapters.graph.errors import GraphError, GraphUnavailableError
from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, Statement
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.errors import TeamsSipError
from teams_sip.service.ports.inventory import SourceHealth, SourceReading
from teams_sip.service.ports.store import StateStore

log = logging.getLogger(__name__)

PATH = "/auditLogs/signIns"
PAGE_SIZE = 1000  # the documented maximum (and default) page size
MARKS_TABLE, MARKS_PARTITION, MARK = "observations", "signin-logs", "read-to"
FIRST_READ = timedelta(days=30)  # without a mark: the default retention of a P1 tenant's sign-in logs
NO_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


class SignInLogSource:
    source = Source.SIGNIN_LOGS

    def __init__(self, graph: Any, store: StateStore) -> None:
        self._graph, self._store = graph, store

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        start = self._mark() or now - FIRST_READ
        since = start - timedelta(minutes=unverified.SIGNIN_LOG_OVERLAP_MINUTES)
        try:
            items = list(self._graph.iter_items(PATH, {"$filter": signin_filter(since), "$top": str(PAGE_SIZE)}))
        except (GraphError, GraphUnavailableError, TeamsSipError) as exc:
            return SourceReading(self.source, SourceHealth(False, start, _reason(exc)))
        statements = tuple(s for s in (statement(item) for item in items) if s is not None)
        newest = max((s.evidence.at for s in statements), default=start)
        read_to = max(start, min(newest, now))
        return SourceReading(self.source, SourceHealth(True, now), statements, commit=lambda: self._save(read_to))

    def _mark(self) -> datetime | None:
        entity = self._store.get(MARKS_TABLE, MARKS_PARTITION, MARK)
        try:
            at = datetime.fromisoformat(str(entity.data.get("at"))) if entity is not None else None
        except ValueError:
            return None  # an unreadable mark costs one longer read
        return at if at is not None and at.tzinfo is not None else None

    def _save(self, at: datetime) -> None:
        self._store.upsert(MARKS_TABLE, MARKS_PARTITION, MARK, {"at": at.isoformat()})


def signin_filter(since: datetime) -> str:
    """`(appId eq 'a' or appId eq 'b' or ...) and createdDateTime ge <since>`."""
    apps = " or ".join(f"appId eq '{app}'" for app in unverified.SIP_GATEWAY_APP_IDS)
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"({apps}) and createdDateTime ge {stamp}"


def statement(item: Mapping[str, Any]) -> Statement | None:
    """One signIn entry as a statement about the account that signed in; None for anything that is
    not a SIP Gateway sign-in with a time and an account."""
    upn, app = item.get("userPrincipalName"), item.get("appId")
    when = _when(item.get("createdDateTime"))
    if not isinstance(upn, str) or not upn or when is None or str(app).lower() not in unverified.SIP_GATEWAY_APP_IDS:
        return None
    status = item.get("status")
    if not isinstance(status, dict):
        return None  # the resource always carries a status: without one the entry proves nothing
    code = status.get("errorCode", 0)
    if code in (0, None):
        return Statement(Evidence(Source.SIGNIN_LOGS, Said.SIGNED_IN, when, upn), upn=upn)
    reason = status.get("failureReason") or status.get("additionalDetails") or "sign-in failed"
    return Statement(Evidence(Source.SIGNIN_LOGS, Said.SIGN_IN_FAILED, when, upn, f"{code}: {reason}"), upn=upn)


def _reason(exc: Exception) -> str:
    if isinstance(exc, GraphError) and exc.code == NO_PREMIUM:
        return "the tenant has no Entra ID P1 or P2 licence, which sign-in logs need (403)"
    if isinstance(exc, GraphError) and exc.status == 403:
        return "403: grant AuditLog.Read.All and Directory.Read.All (application) and consent"
    return str(exc)


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
