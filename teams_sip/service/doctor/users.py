"""Users: the `in (...)` filter the pre-flight finds roster users with, `$count` as an advanced
query, and `assignedPlans` on every user (the licence checks read plans from it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, DoctorOptions, DoctorPort
from teams_sip.service.doctor.shapes import shape

USERS_PERMISSION = "User.Read.All"
SAMPLE_USERS = 5
USER_FIELDS = "id,userPrincipalName,accountEnabled,userType,assignedPlans"


@dataclass
class Sample:
    """Users the later probes look at (kept in memory, never reported)."""

    user_ids: list[str] = field(default_factory=list)


def _quoted(upn: str) -> str:
    return "'" + upn.replace("'", "''") + "'"


def probe_users(port: DoctorPort, options: DoctorOptions, sample: Sample) -> list[Finding]:
    upns = list(options.roster_upns[:SAMPLE_USERS])
    if not upns:
        first = port.get(GRAPH, "/users", params={"$top": str(SAMPLE_USERS), "$select": "id,userPrincipalName"})
        if first.status != 200:
            failure = failed("users.filterIn", "users are found by `userPrincipalName in (...)`", first,
                             USERS_PERMISSION)
            return [failure, _count(port)]
        upns = [u["userPrincipalName"] for u in first.items if isinstance(u.get("userPrincipalName"), str)]
    return [*_filter_in(port, upns, sample), _count(port)]


def _filter_in(port: DoctorPort, upns: list[str], sample: Sample) -> list[Finding]:
    name, assumption = "users.filterIn", "users are found by `userPrincipalName in (...)`, one answer each"
    plans = "users.assignedPlans"
    plans_assumption = "every user object carries assignedPlans (the licence checks read plans from it)"
    if not upns:
        return [skipped(name, assumption, "the tenant listed no users"), skipped(plans, plans_assumption, "no users")]
    answer = port.get(GRAPH, "/users", params={
        "$filter": f"userPrincipalName in ({','.join(_quoted(u) for u in upns)})", "$select": USER_FIELDS})
    if answer.status != 200:
        return [failed(name, assumption, answer, USERS_PERMISSION), skipped(plans, plans_assumption, "no users")]
    items = answer.items
    sample.user_ids = [str(u["id"]) for u in items if isinstance(u.get("id"), str)]
    evidence = {"asked": len(upns), "answered": len(items), "properties": shape(items)}
    if len(items) == len(upns):
        found = confirmed(name, assumption, "kept", **evidence)
    else:
        found = contradicted(name, assumption, "partial", f"{len(items)} users answered for {len(upns)} asked",
                             "send this report: the pre-flight would report found users as missing", **evidence)
    return [found, _plans(items, plans, plans_assumption)]


def _plans(items: list[dict[str, object]], name: str, assumption: str) -> Finding:
    without = sum(1 for u in items if not isinstance(u.get("assignedPlans"), list))
    if not items:
        return skipped(name, assumption, "no users answered")
    if without:
        return contradicted(name, assumption, "missing", f"{without} of {len(items)} users came without assignedPlans",
                            "those users' licences are judged unknown; send this report", users=len(items),
                            without=without)
    return confirmed(name, assumption, "present", users=len(items))


def _count(port: DoctorPort) -> Finding:
    name, assumption = "users.count", "`/users/$count` answers a number with ConsistencyLevel: eventual"
    answer = port.get(GRAPH, "/users/$count", headers={"ConsistencyLevel": "eventual"})
    if answer.status != 200:
        return failed(name, assumption, answer, USERS_PERMISSION)
    text = str(answer.body).strip()
    if text.isdigit():
        return confirmed(name, assumption, "number", users=int(text))
    return contradicted(name, assumption, "not-a-number", "the answer was not a plain number",
                        "send this report", answerType=type(answer.body).__name__)
