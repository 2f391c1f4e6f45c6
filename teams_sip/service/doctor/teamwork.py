"""The SIP device inventory (Graph beta `teamwork/devices`): answers, retired or forbidden; the form
of its `@odata.nextLink` (relative, as documented) and its page size (20 without $top)."""

from __future__ import annotations

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH_BETA, DoctorOptions, DoctorPort
from teams_sip.service.doctor.shapes import members, shape

PERMISSION = "TeamworkDevice.Read.All"
DOCUMENTED_PAGE = 20
ANSWERS = "teamwork.answers"
LINK = "teamwork.linkForm"
PAGE = "teamwork.pageSize"
_ASSUMED = {
    ANSWERS: "GET beta teamwork/devices answers the tenant's devices (Microsoft announced its deprecation)",
    LINK: "@odata.nextLink is relative to the version root, as the documented example shows",
    PAGE: f"a page holds {DOCUMENTED_PAGE} devices when no $top is sent",
}


def probe_teamwork(port: DoctorPort, options: DoctorOptions) -> list[Finding]:
    if not options.teamwork_devices:
        return [skipped(n, a, "TEAMWORK_DEVICES is off") for n, a in _ASSUMED.items()]
    answer = port.get(GRAPH_BETA, "/teamwork/devices")
    if answer.status != 200:
        return [failed(ANSWERS, _ASSUMED[ANSWERS], answer, PERMISSION),
                skipped(LINK, _ASSUMED[LINK], "no listing"), skipped(PAGE, _ASSUMED[PAGE], "no listing")]
    items = answer.items
    evidence = {"devices": len(items), "properties": shape(items), "deviceTypes": members(items, "deviceType"),
                "healthStatus": members(items, "healthStatus")}
    found = [confirmed(ANSWERS, _ASSUMED[ANSWERS], "empty" if not items else "devices", **evidence)]
    link = answer.json_object.get("@odata.nextLink")
    if not isinstance(link, str):
        why = f"one page only ({len(items)} devices)"
        return [*found, skipped(LINK, _ASSUMED[LINK], why), skipped(PAGE, _ASSUMED[PAGE], why)]
    if link.startswith("/"):
        found.append(confirmed(LINK, _ASSUMED[LINK], "relative"))
    else:
        found.append(contradicted(LINK, _ASSUMED[LINK], "absolute", "an absolute link",
                                  "nothing to do: teams-sip follows both forms"))
    if len(items) == DOCUMENTED_PAGE:
        found.append(confirmed(PAGE, _ASSUMED[PAGE], str(DOCUMENTED_PAGE), pageSize=len(items)))
    else:
        found.append(contradicted(PAGE, _ASSUMED[PAGE], str(len(items)), f"{len(items)} devices on a full page",
                                  "nothing to do: teams-sip follows the links", pageSize=len(items)))
    return found
