"""Teams user configurations: a single lookup, a listing page (its size and link), `$orderby` on the
listing (LISTING_ORDER), `ineligibleUser` under the Prefer header, whether the default calling policy
is listed (UNLISTED_POLICY) and how users without a Calling Plan report the voice flag."""

from __future__ import annotations

from typing import Any

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, Answer, DoctorOptions, DoctorPort
from teams_sip.service.doctor.shapes import members, shape
from teams_sip.service.doctor.users import Sample
from teams_sip.unverified import CALLING_PLAN_FEATURE, UNLISTED_POLICY

PATH = "/admin/teams/userConfigurations"
PERMISSION = "TeamsUserConfiguration.Read.All"
FIELDS = "id,accountType,isEnterpriseVoiceEnabled,featureTypes,telephoneNumbers,effectivePolicyAssignments"
PREFER = {"Prefer": "include-unknown-enum-members"}
CALLING = "TeamsCallingPolicy"


def probe_user_configurations(port: DoctorPort, options: DoctorOptions, sample: Sample) -> list[Finding]:
    findings = [_lookup(port, sample)]
    page = port.get(GRAPH, PATH, params={"$top": str(options.sample), "$select": FIELDS}, headers=PREFER)
    findings.append(_page(page, options.sample))
    findings.append(_order(port, options.listing_order))
    items = page.items if page.status == 200 else []
    why = "the listing did not answer" if page.status != 200 else ""
    ineligible = _ineligible(items, why) if why or _seen_ineligible(items) else _ineligible(_filtered(port), "")
    return [*findings, ineligible, _default_listed(items, why), _voice_flag(items, why)]


def _seen_ineligible(items: list[dict[str, Any]]) -> bool:
    return bool({"ineligibleUser", "unknownFutureValue"} & set(members(items, "accountType")))


def _filtered(port: DoctorPort) -> list[dict[str, Any]]:
    """One more request when the page showed no ineligible user: `$filter` on accountType (the page
    documents `$filter` without its properties; a refusal just leaves the probe skipped)."""
    answer = port.get(GRAPH, PATH, params={"$filter": "accountType eq 'ineligibleUser'", "$top": "5",
                                           "$select": "id,accountType"}, headers=PREFER)
    return answer.items if answer.status == 200 else []


def _lookup(port: DoctorPort, sample: Sample) -> Finding:
    name = "userConfigurations.lookup"
    assumption = "a single lookup answers the configuration wrapped in `value`, as the documented example shows"
    if not sample.user_ids:
        return skipped(name, assumption, "no user id to look up (the users probe found none)")
    answer = port.get(GRAPH, f"{PATH}/{sample.user_ids[0]}", params={"$select": FIELDS}, headers=PREFER)
    if answer.status != 200:
        return failed(name, assumption, answer, PERMISSION)
    body = answer.json_object
    inner = body.get("value")
    if isinstance(inner, dict):
        return confirmed(name, assumption, "wrapped", properties=shape([inner]))
    return contradicted(name, assumption, "bare", "the object came unwrapped (teams-sip reads both forms)",
                        "nothing to do; send this report so the simulator can answer the same",
                        properties=shape([body]))


def _page(page: Answer, top: int) -> Finding:
    name = "userConfigurations.listing"
    assumption = f"a listing page answers at most $top={top} configurations, with @odata.nextLink when more remain"
    if page.status != 200:
        return failed(name, assumption, page, PERMISSION)
    link = page.json_object.get("@odata.nextLink")
    form = "none" if not isinstance(link, str) else "absolute" if link.startswith("https://") else "relative"
    evidence = {"pageSize": len(page.items), "nextLink": form, "properties": shape(page.items)}
    if len(page.items) > top:
        return contradicted(name, assumption, "oversized", f"{len(page.items)} configurations on one page",
                            "send this report", **evidence)
    return confirmed(name, assumption, f"link-{form}", **evidence)


def _order(port: DoctorPort, order: str) -> Finding:
    name = "userConfigurations.orderby"
    assumption = f"the listing keeps `$orderby={order} desc` (LISTING_ORDER: reads meet in the middle)"
    answer = port.get(GRAPH, PATH, params={"$orderby": f"{order} desc", "$top": "20", "$select": "id"},
                      headers=PREFER)
    if answer.status == 400:
        return contradicted(name, assumption, "refused", f"$orderby={order} was refused (400)",
                            "nothing to do: large tenants are read in one chain (slower, still complete)",
                            status=400, errorCode=answer.error_code())
    if answer.status != 200:
        return failed(name, assumption, answer, PERMISSION)
    keys = [str(i.get(order, "")).casefold() for i in answer.items]
    if len(keys) < 2:
        return skipped(name, assumption, "fewer than two configurations to compare")
    if keys == sorted(keys, reverse=True):
        return confirmed(name, assumption, "kept", compared=len(keys))
    return contradicted(name, assumption, "ignored", f"the order of {len(keys)} configurations was not kept",
                        "nothing to do: teams-sip notices and reads in one chain", compared=len(keys))


def _ineligible(items: list[dict[str, Any]], why: str) -> Finding:
    name = "userConfigurations.ineligibleUser"
    assumption = "with `Prefer: include-unknown-enum-members`, accountType names ineligibleUser"
    if why:
        return skipped(name, assumption, why)
    seen = members(items, "accountType")
    if "unknownFutureValue" in seen:
        return contradicted(name, assumption, "unknown-future-value",
                            "accountType unknownFutureValue despite the header",
                            "those users are judged 'needs attention'; send this report", accountTypes=seen)
    if "ineligibleUser" in seen:
        return confirmed(name, assumption, "named", accountTypes=seen)
    return skipped(name, assumption, "no ineligible user found (first page, then $filter on accountType)")


def _calling_entries(item: dict[str, Any]) -> list[dict[str, Any]]:
    entries = item.get("effectivePolicyAssignments")
    listed = entries if isinstance(entries, list) else []
    return [e for e in listed if isinstance(e, dict) and e.get("policyType") == CALLING]


def _policy_name(entry: dict[str, Any]) -> str:
    assignment = entry.get("policyAssignment")
    return str(assignment.get("displayName", "")) if isinstance(assignment, dict) else ""


def _default_listed(items: list[dict[str, Any]], why: str) -> Finding:
    name = "userConfigurations.defaultPolicyListed"
    assumption = f"users on the org-wide default carry a {CALLING} entry named {UNLISTED_POLICY}"
    if why:
        return skipped(name, assumption, why)
    entries = [_calling_entries(i) for i in items]
    without = sum(1 for e in entries if not e)
    default = sum(1 for e in entries if any(_policy_name(x) == UNLISTED_POLICY for x in e))
    evidence = {"configurations": len(items), "withoutEntry": without, "namedDefault": default,
                "assignmentTypes": members([x.get("policyAssignment") or {} for e in entries for x in e],
                                           "assignmentType")}
    if without and not default:
        instead = f"{without} of {len(items)} users have no {CALLING} entry"
        return contradicted(name, assumption, "not-listed", instead,
                            f"nothing to do: teams-sip judges a missing entry as {UNLISTED_POLICY} and says so",
                            **evidence)
    if default:
        return confirmed(name, assumption, "listed", **evidence)
    return skipped(name, assumption, "no user on the default policy among the configurations read")


def _voice_flag(items: list[dict[str, Any]], why: str) -> Finding:
    name = "userConfigurations.voiceFlag"
    assumption = ("users without a Calling Plan (Operator Connect, Direct Routing) report their own "
                  "isEnterpriseVoiceEnabled")
    if why:
        return skipped(name, assumption, why)
    numbered = [i for i in items
                if i.get("telephoneNumbers") and CALLING_PLAN_FEATURE not in (i.get("featureTypes") or [])]
    true = sum(1 for i in numbered if i.get("isEnterpriseVoiceEnabled") is True)
    evidence = {"withNumberNoCallingPlan": len(numbered), "voiceTrue": true, "voiceFalse": len(numbered) - true}
    if not numbered:
        return skipped(name, assumption, "no user with a number and without a Calling Plan among those read")
    if true:
        return confirmed(name, assumption, "own-flag", **evidence)
    return contradicted(name, assumption, "always-false", f"all {len(numbered)} such users report false",
                        "their pre-flight says 'needs attention' (VOICE_FLAG_ALONE_BLOCKS); check one in TAC",
                        **evidence)
