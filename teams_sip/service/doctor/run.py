"""The doctor's run: every probe in order, each on its own few requests; a probe that cannot answer
says why and the others still run."""

from __future__ import annotations

import time

from teams_sip.service.doctor.findings import DoctorReport
from teams_sip.service.doctor.policies import probe_policy_admin, probe_policy_id
from teams_sip.service.doctor.port import DoctorOptions, DoctorPort
from teams_sip.service.doctor.signin import probe_sign_in
from teams_sip.service.doctor.signin_logs import probe_signin_logs
from teams_sip.service.doctor.snapshots import probe_snapshots
from teams_sip.service.doctor.teamwork import probe_teamwork
from teams_sip.service.doctor.throttling import probe_throttling
from teams_sip.service.doctor.user_configurations import probe_user_configurations
from teams_sip.service.doctor.users import Sample, probe_users


def run_doctor(port: DoctorPort, options: DoctorOptions) -> DoctorReport:
    started = time.monotonic()
    findings, graph = probe_sign_in(port, options)
    sample = Sample()  # without a Graph token every Graph probe still runs and says "no answer"
    findings += probe_users(port, options, sample)
    findings += probe_user_configurations(port, options, sample)
    findings.append(probe_policy_id(port, options))
    findings += probe_teamwork(port, options)
    findings.append(probe_policy_admin(port))
    findings += probe_snapshots(port, options, graph)
    findings += probe_signin_logs(port, options, graph)
    findings.append(probe_throttling(port))  # last: it reads the headers of every answer before it
    return DoctorReport(tuple(findings), len(port.exchanges()), time.monotonic() - started)
