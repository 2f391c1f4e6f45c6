"""Entra sign-in logs (Graph v1.0 auditLogs/signIns): permission and licence (a tenant without Entra
ID P1/P2 answers 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant), and whether SIP Gateway
sign-ins appear and under which of the three app ids. App ids are Microsoft's public ids; the probe
counts entries per app id and keeps nothing of the user."""

from __future__ import annotations

from collections import Counter

from teams_sip.service.doctor.findings import Finding, confirmed, not_available, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, DoctorOptions, DoctorPort, SignIn
from teams_sip.unverified import SIP_GATEWAY_APP_IDS

PATH = "/auditLogs/signIns"
PERMISSION = "AuditLog.Read.All"
NO_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
SAMPLE = 20  # a small $top: a few entries tell the app id
ACCESS, APPS = "signInLogs.access", "signInLogs.sipGateway"
_ASSUMED = {
    ACCESS: f"the sign-in logs answer (the token carries {PERMISSION}; the tenant has Entra ID P1 or P2)",
    APPS: "SIP Gateway sign-ins appear in the sign-in logs under one of the three SIP Gateway app ids",
}


def probe_signin_logs(port: DoctorPort, options: DoctorOptions, graph: SignIn) -> list[Finding]:
    if not options.signin_logs and PERMISSION not in graph.roles:
        return [skipped(n, a, f"SIGNIN_LOGS is off and {PERMISSION} is not granted") for n, a in _ASSUMED.items()]
    apps = " or ".join(f"appId eq '{app}'" for app in SIP_GATEWAY_APP_IDS)  # as the sign-in log reader asks
    answer = port.get(GRAPH, PATH, params={"$filter": f"({apps})", "$top": str(SAMPLE), "$select": "appId,status"})
    if answer.status == 403 and answer.error_code() == NO_PREMIUM:
        return [not_available(ACCESS, _ASSUMED[ACCESS], "no-premium",
                              "licence: the tenant has no Entra ID P1 or P2, which sign-in logs need",
                              "license Entra ID P1/P2, or leave SIGNIN_LOGS off", status=403, errorCode=NO_PREMIUM),
                skipped(APPS, _ASSUMED[APPS], "the sign-in logs do not answer")]
    if answer.status != 200:
        return [failed(ACCESS, _ASSUMED[ACCESS], answer, f"{PERMISSION} (application)"),
                skipped(APPS, _ASSUMED[APPS], "the sign-in logs do not answer")]
    return [confirmed(ACCESS, _ASSUMED[ACCESS], "answered"), _apps(answer.items)]


def _apps(items: list[dict[str, object]]) -> Finding:
    seen = Counter(str(item.get("appId", "")).lower() for item in items)
    named = {SIP_GATEWAY_APP_IDS.get(app, "other"): n for app, n in sorted(seen.items())}
    if not items:
        return skipped(APPS, _ASSUMED[APPS], "no SIP Gateway sign-in in the log yet (sign a handset in first)",
                       "none", entries=0)
    reading = "+".join(sorted(named))
    return confirmed(APPS, _ASSUMED[APPS], reading, entries=len(items), appIds=named)
