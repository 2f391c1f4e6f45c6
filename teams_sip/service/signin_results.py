"""Assisted mode's bulk sign-in, second half: the admin ran our script for a batch and uploads the
result file it wrote. A use case of its own (like the code export, service/code_import.py): each
line settles its handset's sign-in (service/signin_stage.py reads the file and keeps the batches),
and the upload is written to the audit log.
"""

from __future__ import annotations

from teams_sip.service.rollout import Rollout
from teams_sip.service.signin_summary import SignInSummary


def ingest_signin_results(rollout: Rollout, data: bytes, *, actor: str, correlation_id: str) -> SignInSummary:
    """Applies one result file; a file that cannot be read or was already ingested changes nothing
    and says so in the summary's errors."""
    summary = rollout.signin_stage().ingest_result_file(data)
    rollout.audit.record(rollout.ports.clock.now(), actor, "signin-results", "bulk sign-in", correlation_id,
                         {"lines": len(summary.lines())})
    return summary
