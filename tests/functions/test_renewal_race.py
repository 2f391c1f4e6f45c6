"""Issue 24 item 17: a renewal refused because another renewal changed the handset meanwhile said "a
reconciliation pass" changed it; it now names both, and says nothing was replaced."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from teams_sip.domain.sites import Site
from teams_sip.service.renewal import RenewalRefusedError, renew_code
from teams_sip.service.rollout import Rollout
from teams_sip.service.roster_store import RosterRow
from tests.functions.support import ANNA, LYON_OPEN, call, upload, world


class _Interleaved(Rollout):
    """Runs `meanwhile` once, right after the renewal has read the handset's record."""

    meanwhile: Callable[[], object] | None = None

    def sites(self, rows: list[RosterRow] | None = None) -> dict[str, Site]:
        if self.meanwhile is not None:
            other, self.meanwhile = self.meanwhile, None
            other()
        return super().sites(rows)


def test_a_renewal_beaten_by_another_renewal_says_so(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        assert upload().status_code == 202
        assert call("run_now", "POST", "/api/run").status_code == 200
        w.clock.set(LYON_OPEN)
        assert call("run_now", "POST", "/api/run").status_code == 200
        slow = _Interleaved(w.rollout.ports)
        slow.meanwhile = lambda: renew_code(w.rollout, ANNA, force=True, actor="lead", correlation_id="fast")
        with pytest.raises(RenewalRefusedError) as refused:
            renew_code(slow, ANNA, force=True, actor="other", correlation_id="slow")
        message = str(refused.value)
        assert "another renewal" in message and "nothing was replaced" in message
        record = w.rollout.devices.get(ANNA)
        assert record is not None and record.record.codes_issued == 2  # the first renewal's code only
