"""Assisted mode's hand-ins over HTTP: `POST api/inventory` (the admin center's SIP device export) and
`POST api/devices/{id}/mark` (a technician's word), under the same admin auth as every api route."""

from __future__ import annotations

import json
from pathlib import Path

from teams_sip.domain.lifecycle.evidence import Source
from teams_sip.service.inventory_inbox import Inbox
from tests.functions.support import ANNA, body_of, call, upload, world


def test_an_export_and_a_mark_are_kept_for_the_next_pass(tmp_path: Path) -> None:
    with world(tmp_path, mode="assisted") as w:
        upload()
        call("run_now", "POST", "/api/run")  # the handsets' records exist from the first pass on
        dashed = "-".join(ANNA[i:i + 2] for i in range(0, 12, 2))
        response = call("post_inventory", "POST", "/api/inventory", params={"filename": "sip.csv"},
                        body=f"MAC address,Sign-in status\n{dashed},Signed in\n".encode(),
                        headers={"content-type": "text/csv"})
        assert response.status_code == 202, body_of(response)
        assert body_of(response)["summary"] == {"accepted": 1, "ignored": 0, "rejected": 0, "unlisted": 0}
        refused = call("post_inventory", "POST", "/api/inventory", params={"filename": "x.csv"},
                       body=b"Name,Firmware\na,b\n", headers={"content-type": "text/csv"})
        assert refused.status_code == 400 and "Headers found" in json.dumps(body_of(refused))
        marked = call("post_mark", "POST", f"/api/devices/{ANNA}/mark", body=b'{"mark": "dialled"}',
                      headers={"content-type": "application/json"}, route={"hardware_id": ANNA})
        assert marked.status_code == 202 and body_of(marked)["said"] == "activated"
        bad = call("post_mark", "POST", f"/api/devices/{ANNA}/mark", body=b'{"mark": 3}',
                   headers={"content-type": "application/json"}, route={"hardware_id": ANNA})
        assert bad.status_code == 400
        waiting = Inbox(w.rollout.ports.store).waiting(w.clock.now())
        assert sorted(s.evidence.source for s in waiting) == [Source.ADMIN_EXPORT, Source.TECHNICIAN]
