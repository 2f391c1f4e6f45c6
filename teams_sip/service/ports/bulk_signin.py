"""The bulk sign-in port: submit one batch of common-area devices for a region and read its status.

Microsoft offers bulk sign-in only as PowerShell cmdlets, so API mode is a guess kept behind this
port (unverified.BULK_SIGNIN_*); assisted mode needs no port at all. Results come back in the
domain's terms (results.ResultItem, classified by errors.meaning_of), whichever way they arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from teams_sip.domain.signin.bulk import BulkItem
from teams_sip.domain.signin.results import ResultItem
from teams_sip.domain.sites import Region
from teams_sip.errors import TeamsSipError


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    completed: bool
    items: tuple[ResultItem, ...]  # empty or partial while in progress


class BulkSignInError(TeamsSipError):
    """The bulk sign-in service refused or failed a request after retries."""

    def __init__(self, message: str, *, status: int = 0, code: str = "unknown") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class BatchRefusedError(BulkSignInError):
    """The service refused the batch as a whole (e.g. 3 batches already in flight): nothing was queued."""


class BulkSignInPort(Protocol):
    def submit(self, region: Region, items: Sequence[BulkItem], reference: str) -> str:
        """Queue a batch and answer its BatchId. `reference` is ours: the same reference submitted
        again answers the same batch, so a submission whose answer was lost may be resent."""
        ...

    def status(self, batch_id: str) -> BatchStatus | None:
        """The batch's state, or None when the service does not know the id."""
        ...
