import csv
import io
import re
from datetime import UTC, datetime

import pytest

from teams_sip.domain.csv_safety import UnsafeCellError
from teams_sip.domain.signin.bulk import BulkBatch, BulkCandidate, plan_batches
from teams_sip.domain.signin.errors import DOCUMENTED_ERRORS, Outcome, meaning_of
from teams_sip.domain.signin.results import ResultFileError, parse_result_file
from teams_sip.domain.signin.scripts import RESULT_COLUMNS, device_csv, powershell_script
from teams_sip.domain.sites import Region

EXPECTED = {
    "User not found in tenant": Outcome.ELIGIBILITY,
    "User missing phone number assignment": Outcome.ELIGIBILITY,
    "User missing AllowSIPDevicesCalling policy assignment": Outcome.ELIGIBILITY,
    "User missing CAP policy assignment": Outcome.ELIGIBILITY,
    "Device not found in records": Outcome.NEW_ONBOARDING,
    "BulkSignIn Tag missing for the device": Outcome.NEEDS_ADMIN,
    "Device is offline": Outcome.RETRY,
    "Public IP not configured as Trusted IP": Outcome.NEEDS_ADMIN,
    "Bulk Sign-in deadline expired": Outcome.NEW_ONBOARDING,
    "Duplicate devices found for bulk sign-in": Outcome.NEEDS_ADMIN,
    "Input hardware-ID is of wrong format": Outcome.NEEDS_ADMIN,
    "On-premises AD configuration failure": Outcome.NEEDS_ADMIN,
    "On-premises AD throttling detected": Outcome.RETRY,
    "The Password writeback service failed to set a password on the tenant's local directory": Outcome.NEEDS_ADMIN,
}


@pytest.mark.parametrize(("error", "outcome"), sorted(EXPECTED.items()))
def test_every_documented_error_has_an_outcome_and_a_remedy(error: str, outcome: Outcome) -> None:
    meaning = meaning_of("Failed", error)
    assert meaning.outcome is outcome and meaning.remedy
    assert meaning_of("Failed", error.upper() + ".").outcome is outcome


def test_documented_table_is_complete() -> None:
    assert set(DOCUMENTED_ERRORS) == set(EXPECTED)


def test_the_duplicate_error_matches_with_the_ip_addresses_it_carries() -> None:
    meaning = meaning_of("Failed", "Duplicate devices found for bulk sign-in. 10.1.2.3, 10.1.2.4")
    assert meaning.outcome is Outcome.NEEDS_ADMIN and "IP addresses" in meaning.remedy
    assert meaning_of("Failed", "Device is offline since Monday").outcome is Outcome.NEEDS_ADMIN  # exact match only


def test_the_trusted_ip_error_names_both_documented_causes() -> None:
    remedy = meaning_of("Failed", "Public IP not configured as Trusted IP.").remedy
    assert "/tenantid/" in remedy and "Network topology > Trusted IPs" in remedy


def test_success_and_unknown_errors() -> None:
    assert meaning_of("Success", "").outcome is Outcome.SIGNED_IN
    unknown = meaning_of("Failed", "Something new")
    assert unknown.outcome is Outcome.NEEDS_ADMIN and "Something new" in unknown.remedy
    assert meaning_of("Failed", "").outcome is Outcome.NEEDS_ADMIN


def _batch(username: str = "-lobby@contoso.com") -> BulkBatch:
    t = datetime(2026, 3, 9, tzinfo=UTC)
    return plan_batches([BulkCandidate("0003717C0E0A", username, Region.EMEA, t)], {}, t).batches[0]


def test_device_csv_has_documented_columns_and_dashed_ids() -> None:
    """A file New-CsSdgBulkSignInRequest reads: the username goes in exactly as Entra knows it."""
    rows = list(csv.DictReader(io.StringIO(device_csv(_batch()))))
    assert rows == [{"Username": "-lobby@contoso.com", "HardwareId": "00-03-71-7C-0E-0A"}]


def test_device_csv_refuses_a_formula_username_rather_than_altering_it() -> None:
    with pytest.raises(UnsafeCellError, match=re.escape("Username value '=lobby@contoso.com' starts with '='")):
        device_csv(_batch("=lobby@contoso.com"))


def test_script_submits_polls_and_writes_result_file() -> None:
    script = powershell_script(_batch(), "b-0001", "b-0001.csv", ["Trusted IPs configured 24 h ago"])
    assert "New-CsSdgBulkSignInRequest -DeviceDetailsFilePath $csvPath -Region EMEA" in script
    assert "Get-CsSdgBulkSignInRequestStatus -Batchid $batchId" in script
    assert "b-0001-result.csv" in script and "[ ] Trusted IPs configured 24 h ago" in script
    with pytest.raises(ValueError):
        powershell_script(_batch(), "x'; rm -rf /", "b.csv", [])


def test_script_declares_the_module_version_and_names_the_roles() -> None:
    script = powershell_script(_batch(), "b-0001", "b-0001.csv", [])
    assert "#Requires -Modules @{ ModuleName='MicrosoftTeams'; ModuleVersion='5.6.0' }" in script
    for role in ("Global Administrator", "Privileged Authentication Administrator", "Authentication Administrator"):
        assert role in script


def test_script_takes_each_items_hardware_id_from_the_status_when_there() -> None:
    script = powershell_script(_batch(), "b-0001", "b-0001.csv", [])
    assert "HardwareId = if ($_.HardwareId) { $_.HardwareId } else { $devices[$_.UserName.ToLower()] }" in script


def test_the_signin_checklist_names_module_roles_and_trusted_ips_in_teams() -> None:
    from teams_sip.service.signin_stage import CHECKLIST

    text = " ".join(CHECKLIST)
    assert "MicrosoftTeams PowerShell 5.6.0 or later" in text and "Authentication Administrator" in text
    assert "Teams admin center (Locations > Network topology > Trusted IPs)" in text
    assert "named location" not in text.lower()


def _result(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(RESULT_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode()


def test_parse_result_file_maps_each_item() -> None:
    data = _result([
        {"Reference": "b-1", "BatchId": "9", "Region": "EMEA", "UserName": "Lobby@contoso.com",
         "HardwareId": "00-03-71-7C-0E-0A", "Status": "Success", "Error": ""},
        {"Reference": "b-1", "BatchId": "9", "Region": "EMEA", "UserName": "ward@contoso.com",
         "HardwareId": "", "Status": "Failed", "Error": "Device is offline"},
    ])
    result = parse_result_file(data)
    assert result.reference == "b-1" and result.batch_id == "9"
    assert [(i.username, i.hardware_id, i.meaning.outcome) for i in result.items] == [
        ("lobby@contoso.com", "0003717C0E0A", Outcome.SIGNED_IN),
        ("ward@contoso.com", None, Outcome.RETRY),
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00garbage", b"Name,Result\nx,y\n", b"UserName,Status\n"],
)
def test_unreadable_result_files_are_refused_clearly(data: bytes) -> None:
    with pytest.raises(ResultFileError):
        parse_result_file(data)


def test_mixed_batches_are_refused() -> None:
    data = _result([
        {"Reference": "b-1", "BatchId": "1", "UserName": "a@x.com", "Status": "Success"},
        {"Reference": "b-2", "BatchId": "2", "UserName": "b@x.com", "Status": "Success"},
    ])
    with pytest.raises(ResultFileError, match="several batches"):
        parse_result_file(data)


def test_a_status_exported_by_hand_gives_each_items_hardware_id() -> None:
    data = (b"User Name,Hardware ID,Status,Error\n"
            b"lobby@contoso.com,00-03-71-7C-0E-0A,Failed,Duplicate devices found for bulk sign-in. 10.0.0.7\n")
    (item,) = parse_result_file(data).items
    assert item.hardware_id == "0003717C0E0A" and item.meaning.outcome is Outcome.NEEDS_ADMIN
