"""A Teams admin center style export of the SIP device list, for tests and the demo: the devices Teams
lists (after a first sign-in), each with its MAC address, user, sign-in status and last contact.
The layout is invented (invented.TAC_EXPORT_HEADERS): Microsoft shows no sample of this export."""

from __future__ import annotations

import csv
import io

from teams_sip.simulator import invented
from teams_sip.simulator.devices import SIGNED_IN
from teams_sip.simulator.world import World


def tac_export_csv(world: World) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(invented.TAC_EXPORT_HEADERS)
    with world.lock:
        now = world.tick()
        listed = sorted((d for d in world.devices.devices.values() if d.first_signed_in_at is not None),
                        key=lambda d: d.hardware_id)
        for d in listed:
            signed_in = d.state == SIGNED_IN
            seen = d.last_seen(now)
            writer.writerow(["-".join(d.hardware_id[i:i + 2] for i in range(0, 12, 2)),
                             d.signed_in_user if signed_in else "", "", "Signed in" if signed_in else "Signed out",
                             "" if seen is None else seen.strftime("%m/%d/%Y %I:%M %p"), "SIP phone"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
