"""`teams-sip demo --assisted`: the install week without the provisioning API and with Graph beta
teamwork devices retired (issue 20). The admin does the Teams admin center steps (registers the
handsets, exports codes), technicians dial and mark "dialled", personal users sign in (teams-sip
learns it from the Entra sign-in logs), the admin runs the bulk sign-in script for the common-area
account and uploads its results, and at the end uploads the admin center's SIP device export. Every
handset still ends in its true state.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from teams_sip.demo import TECHNICIAN_SKIPS, _pass, _says_something

Echo = Callable[[str, str], None]


def live_the_week_assisted(sim: Any, rollout: Any, echo: Echo) -> None:
    from teams_sip.service.inventory_upload import upload_inventory

    _pass(rollout, f"5. {sim.clock.now():%a %d %b %H:%M} UTC: first pass (teamwork listing retired)", echo)
    rows = rollout.roster.current()
    days = sorted({r.install_date for r in rows if r.install_date})
    sim.clock.set(max(sim.clock.now(), datetime.combine(days[0], time(0), UTC) - timedelta(hours=12)))
    end = datetime.combine(days[-1], time(0), UTC) + timedelta(hours=48)
    week = _Week(sim, rollout, {r.hardware_id: r for r in rows})
    while sim.clock.now() < end:
        sim.clock.advance(timedelta(hours=2))
        outcome = rollout.run_pass(actor="demo")
        lines = [f"{c.hardware_id} [{c.site}] -> {c.to_state}: {c.cause}" for c in outcome.report.changes]
        lines += [f"sign-in: {line}" for line in outcome.signin if _says_something(line)]
        lines += week.admin_and_site()
        if outcome.report.changes or len(lines) > len(outcome.report.changes):
            echo(f"{sim.clock.now():%a %d %b %H:%M} UTC", "\n".join(f"  {line}" for line in lines))
    upload = upload_inventory(rollout, sim.tac_export(), "SIP devices.csv", actor="demo", correlation_id="demo-tac")
    echo("Admin uploads the admin center's SIP device export",
         f"{upload.accepted} handset(s) taken as evidence for the next pass")
    final = _pass(rollout, "Final pass", echo)
    echo("Run report", final.report.to_text())


class _Week:
    """What the people on site and the admin do between two passes."""

    def __init__(self, sim: Any, rollout: Any, roster: dict[str, Any]) -> None:
        self.sim, self.rollout, self.roster = sim, rollout, roster
        self.handled: set[str] = set()  # outbox files and batches already acted on
        self.skipped: set[str] = set()

    def admin_and_site(self) -> list[str]:
        return self._codes() + self._bulk_signin()

    def _codes(self) -> list[str]:
        """The admin answers each 'codes needed' mail with an export from the admin center; the
        technicians dial what lands on the worksheets and mark it; personal users then sign in."""
        from teams_sip.service.code_import import import_codes
        from teams_sip.service.inventory_upload import mark_handset

        wanted = self._codes_needed()
        if not wanted:
            return []
        outcome = import_codes(self.rollout, self._export(wanted), "codes.csv", actor="demo", correlation_id="demo-c")
        lines = [f"admin: generated {len(wanted)} code(s) in the admin center and uploaded the export"]
        for hid in (r.hardware_id for r in outcome.results if r.status == "settled" and r.hardware_id):
            row = self.roster[hid]
            if row.upn.casefold() in TECHNICIAN_SKIPS and hid not in self.skipped:
                self.skipped.add(hid)
                lines.append(f"technician: {hid} not dialled today (its code will lapse and be renewed)")
                continue
            self.sim.dial_code(hid, self._code_of(hid))
            mark_handset(self.rollout, hid, "dialled", actor="technician", correlation_id="demo-m")
            lines.append(f"technician: dialled *55*<code> on {hid} and marked it dialled")
            if row.account_type == "personal":
                self.sim.clock.advance(timedelta(minutes=5))
                self.sim.sign_in(hid, row.upn)
                lines.append(f"user: {row.upn} signed in at aka.ms/siplogin")
        return lines

    def _codes_needed(self) -> list[str]:
        artifacts, wanted = self.rollout.ports.artifacts, []
        for path in artifacts.list("outbox/"):
            if "codes-needed" in path and path.endswith(".csv") and path not in self.handled:
                self.handled.add(path)
                text = (artifacts.get(path) or b"").decode("utf-8-sig")
                wanted += [row["Hardware ID"].replace("-", "") for row in csv.DictReader(io.StringIO(text))]
        return sorted(set(wanted))

    def _export(self, wanted: list[str]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["MAC address", "Verification code", "Expiration time"])
        world = self.sim.world
        with world.lock:
            for hid in wanted:
                world.devices.register(hid, "", self.sim.clock.now())
                code, expires = world.devices.issue_code(hid, self.sim.clock.now())
                writer.writerow(["-".join(hid[i:i + 2] for i in range(0, 12, 2)), code.reveal(), expires.isoformat()])
        return out.getvalue().encode()

    def _code_of(self, hid: str) -> str:
        with self.sim.world.lock:
            code = self.sim.world.devices.devices[hid].code
        assert code is not None
        return str(code.reveal())

    def _bulk_signin(self) -> list[str]:
        """The admin runs each bulk sign-in script teams-sip wrote and uploads its result file."""
        from teams_sip.service.signin_records import WRITTEN, SignInBook
        from teams_sip.service.signin_results import ingest_signin_results

        lines = []
        for batch in SignInBook(self.rollout.ports.store).batches():
            if batch.state != WRITTEN or batch.reference in self.handled:
                continue
            self.handled.add(batch.reference)
            self.sim.clock.advance(timedelta(minutes=10))  # the admin gets to it a little later
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["Reference", "HardwareId", "Username", "Status", "Error"])
            for item in batch.items:
                self.sim.sign_in(item.hardware_id, item.username)
                writer.writerow([batch.reference, item.hardware_id, item.username, "Succeeded", ""])
            ingest_signin_results(self.rollout, out.getvalue().encode(), actor="demo", correlation_id="demo-b")
            lines.append(f"admin: ran bulk sign-in batch {batch.reference} and uploaded its results")
        return lines
