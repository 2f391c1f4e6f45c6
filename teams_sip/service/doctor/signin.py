"""Sign-in for each service the configuration uses, and the Graph token's roles against the README's
permission table (`PERMISSIONS`; a test keeps the two equal)."""

from __future__ import annotations

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, not_available
from teams_sip.service.doctor.port import GRAPH, DoctorOptions, DoctorPort, SignIn

PERMISSIONS: dict[str, str] = {
    "User.Read.All": "always",
    "TeamsUserConfiguration.Read.All": "always",
    "TeamsPolicyUserAssign.ReadWrite.All": "always",
    "Mail.Send": "MAIL_SENDER",
    "TeamworkDevice.Read.All": "TEAMWORK_DEVICES",
    "ConfigurationMonitoring.ReadWrite.All": "always",
    "AuditLog.Read.All": "SIGNIN_LOGS",
    "Application.Read.All": "doctor",
}
"""The Graph application permissions of README's table, and when each is needed ("doctor": optional,
only the doctor reads with it, so it is never missing and never unneeded)."""


def required_roles(options: DoctorOptions) -> set[str]:
    needed = {"always"} | ({"MAIL_SENDER"} if options.mail_sender else set())
    needed |= {"TEAMWORK_DEVICES"} if options.teamwork_devices else set()
    needed |= {"SIGNIN_LOGS"} if options.signin_logs else set()
    return {role for role, when in PERMISSIONS.items() if when in needed}


def probe_sign_in(port: DoctorPort, options: DoctorOptions) -> tuple[list[Finding], SignIn]:
    graph = port.sign_in(GRAPH)
    name = "signIn.graph"
    assumption = f"the configured credential ({options.credential}) gets an app-only token for Microsoft Graph"
    if not graph.ok:
        return [not_available(name, assumption, "refused", f"sign-in failed: {graph.error}",
                              "check TENANT_ID, CLIENT_ID and the secret or certificate (not expired)",
                              credential=options.credential)], graph
    return [confirmed(name, assumption, "token", credential=options.credential), roles_finding(graph, options)], graph


def roles_finding(graph: SignIn, options: DoctorOptions) -> Finding:
    name = "permissions.graph"
    assumption = "the Graph token carries the README's application permissions and no others"
    held = set(graph.roles)
    missing = sorted(required_roles(options) - held)
    unneeded = sorted(held - set(PERMISSIONS))
    evidence = {"roles": sorted(held), "missing": missing, "unneeded": unneeded,
                "notGrantedOptional": sorted(set(PERMISSIONS) - held - set(missing))}
    if missing:
        return not_available(name, assumption, "missing", f"permission: the token lacks {', '.join(missing)}",
                             f"grant {', '.join(missing)} (application) and admin consent", **evidence)
    if unneeded:
        return contradicted(name, assumption, "unneeded", f"the token also carries {', '.join(unneeded)}",
                            f"remove {', '.join(unneeded)}: teams-sip does not use them (least privilege)",
                            **evidence)
    return confirmed(name, assumption, "exact", **evidence)
