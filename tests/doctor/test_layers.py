"""The doctor's probes are service code: importing them loads no adapter, composition root, SDK or
HTTP client (the HTTP side lives in teams_sip/adapters/doctor)."""

from __future__ import annotations

import subprocess
import sys


def test_the_doctor_service_imports_no_adapter_or_http_client() -> None:
    code = ("import sys, teams_sip.service.doctor, teams_sip.service.doctor.render\n"
            "print('\\n'.join(sorted(sys.modules)))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(run.stdout.split())
    forbidden = {m for m in loaded if m.startswith(("teams_sip.adapters", "teams_sip.bootstrap", "httpx", "msal",
                                                   "msgraph", "azure", "teams_sip.simulator"))}
    assert not forbidden, sorted(forbidden)
