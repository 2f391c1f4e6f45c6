"""The contract judge itself: it must fail what kiota's tolerant parser would let through."""

from __future__ import annotations

from typing import Any

import pytest

from teams_sip.simulator.recording import GraphAnswer
from tests.contract.expectations import EXPECTATIONS
from tests.contract.judge import judge, model_class

CONFIG = {
    "id": "5c802b19-0000-0000-0000-7b9edc7f38ab", "userPrincipalName": "ann@contoso.example",
    "tenantId": "87d349ed-0000-0000-0000-5f2406dee5bd", "accountType": "user", "isEnterpriseVoiceEnabled": False,
    "featureTypes": ["Teams", "CallingPlan"],
    "telephoneNumbers": [{"telephoneNumber": "+4930123456", "assignmentCategory": "primary"}],
    "effectivePolicyAssignments": [{"policyType": "TeamsCallingPolicy", "policyAssignment": {
        "displayName": "SIPDevices", "assignmentType": "group", "policyId": "abc", "groupId": "g1"}}],
    "createdDateTime": "2025-01-07T09:08:50.9115993Z", "modifiedDateTime": "2025-01-07T09:08:50Z",
}
ERROR = {"error": {"code": "NotFound", "message": "gone", "innerError": {
    "date": "2025-03-03T06:00:00", "request-id": "r", "client-request-id": "r"}}}


def answer(path: str, body: Any, *, status: int = 200, method: str = "GET", prefer: str = "") -> GraphAnswer:
    return GraphAnswer(method, path, "", status, body, prefer)


def kinds(a: GraphAnswer) -> list[tuple[str, str]]:
    return [(f.prop, f.kind) for f in judge(a)]


def test_every_expectation_names_a_model_the_installed_sdks_have() -> None:
    for e in EXPECTATIONS:
        if e.model not in (None, "batch", "count", "undocumented"):
            assert hasattr(model_class(e.model), "create_from_discriminator_value"), e.name


def test_a_documented_answer_conforms_in_both_documented_forms() -> None:
    listing = {"@odata.context": "x", "@odata.nextLink": "/admin/teams/userConfigurations?$skiptoken=1",
               "value": [CONFIG]}
    assert kinds(answer("/v1.0/admin/teams/userConfigurations", listing)) == []
    assert kinds(answer(f"/v1.0/admin/teams/userConfigurations/{CONFIG['id']}", CONFIG)) == []
    wrapped = {"value": CONFIG}  # the single GET's own example
    assert kinds(answer(f"/v1.0/admin/teams/userConfigurations/{CONFIG['id']}", wrapped)) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"userIdentifier": "x"}, ("userIdentifier", "unknown property")),
    ({"accountType": "robot"}, ("accountType", "unknown enum member")),
    ({"isEnterpriseVoiceEnabled": "false"}, ("isEnterpriseVoiceEnabled", "wrong type")),
    ({"createdDateTime": "yesterday"}, ("createdDateTime", "wrong type")),
    ({"featureTypes": "Teams"}, ("featureTypes", "wrong type")),
    ({"telephoneNumbers": [{"telephoneNumber": "+1", "assignmentCategory": "secondary"}]},
     ("assignmentCategory", "unknown enum member")),
    ({"effectivePolicyAssignments": [{"policyType": "TeamsCallingPolicy", "policyAssignment": {"lastSeen": 1}}]},
     ("lastSeen", "unknown property")),
    ({"accountType": "ineligibleUser"}, ("accountType", "evolvable member without Prefer")),
    ({"value@odata.mediaLink": "x"}, ("value@odata.mediaLink", "unknown annotation")),
])
def test_what_kiota_would_swallow_fails(change: dict[str, Any], expected: tuple[str, str]) -> None:
    body = {"value": [CONFIG | change]}
    assert expected in kinds(answer("/v1.0/admin/teams/userConfigurations", body))


def test_an_evolvable_member_is_fine_for_a_client_that_asked_for_it() -> None:
    body = {"value": [CONFIG | {"accountType": "ineligibleUser"}]}
    prefer = "include-unknown-enum-members"
    assert kinds(answer("/v1.0/admin/teams/userConfigurations", body, prefer=prefer)) == []


def test_beta_teamwork_devices_are_judged_by_the_beta_models() -> None:
    device = {"id": "d1", "deviceType": "sip", "healthStatus": "healthy", "activityState": "idle",
              "hardwareDetail": {"uniqueId": "0004D5000001", "macAddresses": ["00-04-D5-00-00-01"]},
              "currentUser": {"id": "u1", "displayName": "Ann", "userIdentityType": "aadUser"},
              "lastModifiedDateTime": "2025-03-03T06:00:00Z"}
    assert kinds(answer("/beta/teamwork/devices", {"value": [device]})) == []
    seen = kinds(answer("/beta/teamwork/devices", {"value": [device | {"lastSeenDateTime": "2025-03-03T06:00Z"}]}))
    assert seen == [("lastSeenDateTime", "unknown property")]


def test_error_bodies_must_have_the_documented_shape() -> None:
    assert kinds(answer("/v1.0/users/x", ERROR, status=404)) == []
    assert ("error", "not an error body") in kinds(answer("/v1.0/users/x", {"message": "no"}, status=404))
    assert ("innerError", "missing") in kinds(answer("/v1.0/users/x", {"error": {"code": "c", "message": "m"}},
                                                      status=400))
    extra = {"error": ERROR["error"] | {"hint": "x"}}
    assert ("hint", "unknown property") in kinds(answer("/v1.0/users/x", extra, status=400))


def test_a_count_is_a_bare_number() -> None:
    assert kinds(answer("/v1.0/users/$count", "893")) == []
    assert ("(body)", "wrong type") in kinds(answer("/v1.0/users/$count", {"value": 893}))


def test_bodiless_answers_and_routes_without_a_model() -> None:
    assert kinds(answer("/v1.0/users/a@b.c/sendMail", None, status=202, method="POST")) == []
    assert ("(body)", "unexpected body") in kinds(answer("/v1.0/users/a@b.c/sendMail", {"id": 1}, status=202,
                                                          method="POST"))
    assert ("", "no documented model") in kinds(answer("/v1.0/groups", {"value": []}))


def test_the_batch_envelope() -> None:
    good = {"responses": [{"id": "1", "status": 200, "headers": {"Content-Type": "application/json"}, "body": {}}]}
    assert kinds(answer("/v1.0/$batch", good, method="POST")) == []
    bad = {"responses": [{"id": 1, "status": "200", "latency": 3}]}
    found = kinds(answer("/v1.0/$batch", bad, method="POST"))
    assert ("latency", "unknown property") in found and ("id/status", "wrong type") in found
    assert ("responses", "envelope") in kinds(answer("/v1.0/$batch", {"value": []}, method="POST"))
