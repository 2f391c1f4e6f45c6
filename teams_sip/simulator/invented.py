"""Everything the simulated tenant serves that no Microsoft page shows, in one place, each with why.

The simulator answers as Microsoft's pages show wherever a page shows it (docs/microsoft.md names
them; tests/contract judges every Graph answer by msgraph-sdk's models). Where the pages are silent
it still has to answer something: those answers are named here, so a reader knows which behaviours
prove nothing about the real service. Each area keeps its own block, headed by a comment naming it;
the simulator imports its literals from here, and tests/simulator/test_invented.py checks that every
entry is used by the simulator's code (so the list cannot drift from what is served).
"""

from __future__ import annotations

from typing import Final

# --- Simulator-wide: our contracts, control routes, tokens, `$batch`, errors (issue 17, contract) ----

PROVISIONING_PREFIX: Final = "/provisioning/v1"
"""Where the simulator serves our device provisioning contract (docs/provisioning-api.md: register,
issue codes, list, get, remove). Microsoft documents no REST API for registering SIP devices or
issuing verification codes (the Teams admin center and PowerShell do it), so the whole contract,
its paths, bodies, error codes and the role its tokens carry are ours."""

PROVISIONING_BULK_LIMIT: Final = 500
"""Most devices one register or issueCodes request of our contract takes; ours, like the contract."""

CODE_DIGITS: Final = 8
"""Digits of a simulated verification code. Microsoft's pages show the technician dialling a code but
give no length or alphabet; the client treats codes as opaque secrets."""

BULK_SIGNIN_PREFIX: Final = "/bulksignin/v1"
"""Where the simulator serves our bulk sign-in contract (unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS).
Microsoft documents bulk sign-in only as PowerShell cmdlets (New-CsSdgBulkSignInRequest,
Get-CsSdgBulkSignInRequestStatus); the REST paths and JSON bodies are ours. Only the per-device
error strings follow the documented texts."""

POLICY_ADMIN_PREFIX: Final = "/policyadmin"
"""Where the simulator serves the Teams admin API's calling-policy settings (unverified.POLICY_ADMIN_*).
No public page documents that API: the array-of-objects answer, its field names and the token
audience are read from community tooling of the MicrosoftTeams module."""

POLICY_ADMIN_EXTRA_FIELD: Final = "Description"
"""A field each simulated policy object carries besides the three the client reads, so that the
client is seen to ignore what it does not use; its name follows Get-CsTeamsCallingPolicy's output."""

CONTROL_PREFIX: Final = "/_sim"
"""The simulator's own control routes (clock, faults, stats, device actions, outbox, bulk sign-in
knobs): loopback, no authentication, and no Microsoft counterpart at all. Their 409 device-action
codes (codeExpired, wrongCode, notRegistered, ...) are ours."""

TOKEN_LIFETIME_S: Final = 3599
"""expires_in of every simulated access token, counted on the simulated clock. The Microsoft identity
platform documents a default access-token lifetime of 60 to 90 minutes (chosen at random) and tells
clients to use expires_in; one fixed hour is ours, so tests can cross an expiry on purpose."""

BATCH_ANSWERS_SHUFFLED: Final = True
"""Inner `$batch` answers come back in a shuffled order drawn from the scenario's seed. JSON batching
says answers may come in any order and are matched by id; always shuffling (reproducibly) is our
choice of the least convenient reading, so the client is seen to match by id."""

FAILED_DEPENDENCY_ERROR: Final = ("FailedDependency", "A request this one depends on failed.")
"""Code and message of the 424 answer for a `$batch` request whose dependency failed. JSON batching
documents the 424 status, not its body."""

GATEWAY_TIMEOUT_ERROR: Final = ("gatewayTimeout", "The gateway timed out waiting for the service.")
"""Code and message of an injected 504. Graph's error page lists the 504 status and, for 503, the code
serviceNotAvailable (which the simulator uses); it names no code for a 504."""

POLICY_ASSIGNMENTS_PER_REQUEST: Final = 20
"""Most entries one userAssignments/assign or unassign request takes. The pages document the body as
a collection and name no limit; 20 matches `$batch` and what the client sends at most."""

POLICY_PROPAGATION_MINUTES: Final = 60.0
"""Default minutes of simulated time before an assigned policy shows as effective. Microsoft says
policy changes take time to apply without a figure for this API; scenarios can set any delay
(`policyPropagationMinutes`)."""
