"""`teams-sip doctor`: read-only probes that check the project's assumptions against a real tenant.

Each probe asks the tenant a few questions through `DoctorPort` and answers with a Finding whose
verdict is confirmed, contradicted, not available or skipped. Findings carry shapes and counts,
never values (names, UPNs, ids, numbers, tokens), so a report can be attached to a support request.
"""

from teams_sip.service.doctor.findings import DoctorReport, Finding, Verdict
from teams_sip.service.doctor.port import Answer, DoctorOptions, DoctorPort, SignIn
from teams_sip.service.doctor.run import run_doctor

__all__ = ["Answer", "DoctorOptions", "DoctorPort", "DoctorReport", "Finding", "SignIn", "Verdict", "run_doctor"]
