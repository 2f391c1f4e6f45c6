"""Everything the simulator serves that no Microsoft page shows, in one place.

Each entry says what is invented and why. Other areas add their own blocks, each headed by a
comment naming its area; a fact that a real tenant proves different is corrected here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# --- Configuration snapshots (issue 19) ----------------------------------------------------------

SNAPSHOT_NOT_STARTED_FOR: Final = timedelta(seconds=20)
"""How long a new job stays notStarted before running: Microsoft documents the states, not timing."""

SNAPSHOT_FILE_PATH: Final = "/admin/configurationManagement/simulatedSnapshotFiles"
"""Where the simulator puts the file at resourceLocation. Microsoft documents only that the job's
resourceLocation is a URL; the real host and path are unknown (it stays on the Graph host here)."""

SNAPSHOT_SP_MISSING_MESSAGE: Final = (
    "The Unified Tenant Configuration Management service principal was not found in the tenant."
)
"""Answer (403) to createSnapshot when the tenant lacks the service principal: wording and status invented."""

SNAPSHOT_NO_ROLE_MESSAGE: Final = (
    "The Unified Tenant Configuration Management service principal does not have a role that can read "
    "the requested resources."
)
"""errorDetails of a job that failed because the service principal holds no read role: invented."""

SNAPSHOT_JOB_LIMIT_MESSAGE: Final = "The tenant has reached the limit of {limit} snapshot jobs. Delete a job first."
"""Answer (400) to a createSnapshot beyond the community-reported job limit: wording and status invented."""

SNAPSHOT_QUOTA_MESSAGE: Final = "The tenant has reached its monthly limit of extracted snapshot resources."
"""Answer (400) beyond the community-reported monthly resource limit: wording and status invented."""

SNAPSHOT_PARTIAL_MESSAGE: Final = "the resource could not be extracted"
"""errorDetails entry of a partly successful job, one per missing resource: invented."""

SNAPSHOT_FAILED_MESSAGE: Final = "The snapshot extraction failed."
"""errorDetails of a failed job (scenario outcome "failed"): invented."""

SNAPSHOT_IP_PHONE_DEFAULT_MODE: Final = "UserSignIn"
"""SignInMode of an IP phone policy the scenario gives no mode (Global's documented default)."""
