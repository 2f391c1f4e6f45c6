"""The files an admin runs for a bulk sign-in batch: the device CSV that
`New-CsSdgBulkSignInRequest` takes, and a PowerShell script that submits it, polls the status and
writes a result file that teams-sip ingests (results.py)."""

from __future__ import annotations

from collections.abc import Sequence

from teams_sip.domain.csv_safety import write_machine_csv
from teams_sip.domain.signin.bulk import BulkBatch

RESULT_COLUMNS = ("Reference", "BatchId", "Region", "UserName", "HardwareId", "Status", "Error")
MODULE_VERSION = "5.6.0"
"""The first MicrosoftTeams module with the bulk sign-in cmdlets ("Configure SIP Gateway")."""
ADMIN_ROLES = ("Global Administrator", "Privileged Authentication Administrator", "Authentication Administrator")
"""The roles "Configure SIP Gateway" requires of the account that runs the cmdlets (it resets passwords)."""


def device_csv(batch: BulkBatch) -> str:
    """Read by New-CsSdgBulkSignInRequest, not by people: usernames go in unchanged (validated, not altered)."""
    return write_machine_csv(("Username", "HardwareId"), [(item.username, item.dashed) for item in batch.items])


def powershell_script(batch: BulkBatch, reference: str, csv_name: str, checklist: Sequence[str]) -> str:
    """A script that needs only the MicrosoftTeams module (MODULE_VERSION or later, declared so PowerShell
    refuses older ones) and an admin holding one of ADMIN_ROLES. The result file takes each item's
    HardwareId from the status when the status carries it, else from the device CSV by username."""
    if not reference.replace("-", "").isalnum() or not csv_name.replace("-", "").replace(".", "").isalnum():
        raise ValueError("reference and csv_name must be plain names (letters, digits, dashes, dots)")
    checks = "\n".join(f"#  [ ] {line}" for line in checklist)
    result_name = csv_name.removesuffix(".csv") + "-result.csv"
    roles = ", ".join(ADMIN_ROLES[:-1]) + " or " + ADMIN_ROLES[-1]
    return f"""# teams-sip bulk sign-in batch {reference}: {len(batch.items)} device(s), region {batch.region.value}
# Before you run it, confirm what teams-sip cannot see:
{checks}
#
# Run from the folder holding {csv_name}:  pwsh ./{csv_name.removesuffix('.csv')}.ps1
# Then upload {result_name} to teams-sip (or leave it in this folder for the next pass).
# Sign in as a {roles} (the cmdlets reset the accounts' passwords).
#Requires -Modules @{{ ModuleName='MicrosoftTeams'; ModuleVersion='{MODULE_VERSION}' }}
param([int]$PollSeconds = 30, [int]$TimeoutMinutes = 120)
$ErrorActionPreference = 'Stop'
Import-Module MicrosoftTeams
try {{ Get-CsTenant | Out-Null }} catch {{ Connect-MicrosoftTeams | Out-Null }}
$csvPath = Join-Path $PSScriptRoot '{csv_name}'
$request = New-CsSdgBulkSignInRequest -DeviceDetailsFilePath $csvPath -Region {batch.region.value}
$batchId = $request.BatchId
Write-Host "Submitted batch $batchId; polling every $PollSeconds s"
$deadline = (Get-Date).AddMinutes($TimeoutMinutes)
do {{
    Start-Sleep -Seconds $PollSeconds
    $status = Get-CsSdgBulkSignInRequestStatus -Batchid $batchId
    Write-Host "Batch $batchId is $($status.BatchStatus)"
}} while ($status.BatchStatus -ne 'Completed' -and (Get-Date) -lt $deadline)
$devices = @{{}}
Import-Csv $csvPath | ForEach-Object {{ $devices[$_.Username.ToLower()] = $_.HardwareId }}
$status.BatchItem | ForEach-Object {{
    [pscustomobject]@{{
        Reference = '{reference}'; BatchId = $batchId; Region = '{batch.region.value}'
        UserName = $_.UserName
        HardwareId = if ($_.HardwareId) {{ $_.HardwareId }} else {{ $devices[$_.UserName.ToLower()] }}
        Status = $_.Status; Error = $_.Error
    }}
}} | Export-Csv -NoTypeInformation -Encoding utf8 -Path (Join-Path $PSScriptRoot '{result_name}')
if ($status.BatchStatus -ne 'Completed') {{ Write-Warning "Batch $batchId did not complete in time" }}
"""
