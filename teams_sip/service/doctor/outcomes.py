"""How a failed answer becomes a finding: the status says whether it was a permission, a retired
service or a refusal, and the remedy names the permission the README's table gives for it."""

from __future__ import annotations

from teams_sip.service.doctor.findings import Finding, contradicted, not_available
from teams_sip.service.doctor.port import Answer


def failed(probe: str, assumption: str, answer: Answer, permission: str) -> Finding:
    """A finding for an answer that is not a 200 (the probe decided it cannot use it)."""
    code = answer.error_code()
    detail = {"status": answer.status} | ({"errorCode": code} if code else {})
    if answer.status == 0:
        return not_available(probe, assumption, "unreachable", f"no answer: {answer.error}",
                             "check the network, CA_BUNDLE and the sign-in settings", **detail)
    if answer.status in (401, 403):
        return not_available(probe, assumption, "forbidden", f"permission: the app lacks {permission}",
                             f"grant the application permission {permission} and admin consent", **detail)
    if answer.status in (404, 410):
        reading = "gone" if answer.status == 410 else "retired"
        return not_available(probe, assumption, reading, f"service gone: answered {answer.status}",
                             "the endpoint is not (or no longer) served in this tenant", **detail)
    if answer.status == 429:
        return not_available(probe, assumption, "throttled", "throttled (429) after retries",
                             "run the doctor again later", **detail)
    if answer.status >= 500:
        return not_available(probe, assumption, "failing", f"the service failed ({answer.status})",
                             "run the doctor again later; if it persists, the service may be retired", **detail)
    return contradicted(probe, assumption, "refused", f"the request was refused ({answer.status} {code})".strip(),
                        "send this report with your support request", **detail)
