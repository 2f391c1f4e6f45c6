"""How a failed Graph read reaches the eligibility checks: a refusal for want of a permission is told
apart from any other failure, because only the first is the admin's to fix in the app registration."""

from __future__ import annotations

from teams_sip.adapters.graph.batch import BatchResponse
from teams_sip.adapters.graph.errors import GraphError, PermissionDenied
from teams_sip.domain.eligibility import Lookup


def lookup_failure(error: GraphError) -> tuple[Lookup, str]:
    return (Lookup.FORBIDDEN if isinstance(error, PermissionDenied) else Lookup.FAILED), str(error)


def answer_failure(response: BatchResponse, url: str) -> tuple[Lookup, str]:
    """The failure of one inner `$batch` answer, named for the request it answered."""
    error = response.error("GET", url)
    return lookup_failure(error) if error else (Lookup.FAILED, f"status {response.status}")
