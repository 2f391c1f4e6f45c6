"""Policy assignment's `getPolicyId` for the configured policy (a read), and the undocumented Teams
admin API the calling-policy settings come from: reachable, and carrying the fields teams-sip reads."""

from __future__ import annotations

from typing import Any

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, not_available
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, POLICY_ADMIN, DoctorOptions, DoctorPort
from teams_sip.service.doctor.shapes import shape
from teams_sip.unverified import (
    POLICY_ADMIN_PATH,
    POLICY_FIELD_ALLOW_CALL_REDIRECT,
    POLICY_FIELD_ALLOW_SIP_DEVICES,
    POLICY_FIELD_IDENTITY,
)

ASSIGN_PERMISSION = "TeamsPolicyUserAssign.ReadWrite.All"
READ_FIELDS = {POLICY_FIELD_IDENTITY: "string", POLICY_FIELD_ALLOW_SIP_DEVICES: "boolean",
               POLICY_FIELD_ALLOW_CALL_REDIRECT: "string"}


def probe_policy_id(port: DoctorPort, options: DoctorOptions) -> Finding:
    name = "policyAssignment.getPolicyId"
    assumption = "getPolicyId answers the id of the configured calling policy (fix-policies assigns by it)"
    quoted = options.policy_name.replace("'", "''")
    answer = port.get(GRAPH, f"/admin/teams/policy/getPolicyId(type='TeamsCallingPolicy',name='{quoted}')")
    if answer.status == 404:
        return contradicted(name, assumption, "not-found", "the configured calling policy was not found",
                            "check the policy name (COMPLIANT_CALLING_POLICIES or --policy)", status=404)
    if answer.status != 200:
        return failed(name, assumption, answer, ASSIGN_PERMISSION)
    items = answer.items
    if items and isinstance(items[0].get("policyId"), str):
        return confirmed(name, assumption, "answered", properties=shape(items))
    return contradicted(name, assumption, "no-id", "the answer carried no policyId", "send this report",
                        properties=shape(items))


def probe_policy_admin(port: DoctorPort) -> Finding:
    name = "policyAdmin.callingPolicies"
    assumption = ("the undocumented Teams admin API lists calling policies with "
                  f"{', '.join(READ_FIELDS)} (teams_sip/unverified.py)")
    signin = port.sign_in(POLICY_ADMIN)
    if not signin.ok:
        return not_available(name, assumption, "no-token", f"no token for the Teams admin API: {signin.error}",
                             "set COMPLIANT_CALLING_POLICIES instead; the pre-flight then needs no such token")
    answer = port.get(POLICY_ADMIN, POLICY_ADMIN_PATH)
    if answer.status != 200:
        return failed(name, assumption, answer, "a role that reads Teams policies (as Teams PowerShell has)")
    body: Any = answer.body
    items = body.get("value") if isinstance(body, dict) else body
    policies = [p for p in items if isinstance(p, dict)] if isinstance(items, list) else []
    found = shape(policies, depth=1)
    wrong = sorted(f for f, kind in READ_FIELDS.items() if kind not in str(found.get(f, "")).split("|"))
    evidence = {"policies": len(policies), "properties": found, "wrapped": isinstance(body, dict)}
    if not policies or wrong:
        instead = f"missing or other types: {', '.join(wrong) or 'no policies'}"
        remedy = "correct the field names in teams_sip/unverified.py; meanwhile set COMPLIANT_CALLING_POLICIES"
        return contradicted(name, assumption, "fields-missing", instead, remedy, **evidence)
    return confirmed(name, assumption, "fields", **evidence)
