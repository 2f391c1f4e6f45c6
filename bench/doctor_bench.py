"""`teams-sip doctor` against a 5,000-user simulated tenant with 20 ms latency and Microsoft's
documented throttling (as the eligibility benchmark): the whole run must take under a minute, with at
most a few requests per probe. Prints the figures; exits 1 when a target is missed."""

from __future__ import annotations

import os
import sys
import time

from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.service.doctor import run_doctor
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.connection import settings_values

USERS = 5_000
DEVICES = 500
LATENCY_MS = 20
TARGET_SECONDS = 60.0
TARGET_PER_PROBE = 3.0


def main() -> int:
    with SimulatedTenant.start(Scenario.generate(users=USERS, seed=11, devices=DEVICES)) as sim:
        sim.set_faults(latency_ms=LATENCY_MS, throttling="documented")
        port, options = build_doctor(settings_from_values(settings_values(sim, provisioning_mode="assisted")))
        started = time.monotonic()
        try:
            report = run_doctor(port, options)
        finally:
            port.close()
        seconds = time.monotonic() - started
    asked = [f for f in report.findings if f.verdict.value != "skipped" or f.evidence]
    per_probe = report.requests / max(1, len(asked))
    print(f"doctor on {USERS} users, {DEVICES} devices, {LATENCY_MS} ms latency, documented throttling: "
          f"{seconds:.2f} s, {report.requests} requests for {len(report.findings)} probes "
          f"({per_probe:.2f} per probe asked), verdicts {report.counts}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    met = seconds < TARGET_SECONDS and per_probe <= TARGET_PER_PROBE
    print("targets met" if met else f"target missed (< {TARGET_SECONDS} s, <= {TARGET_PER_PROBE} per probe)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
