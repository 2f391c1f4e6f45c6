#!/usr/bin/env bash
# Grants the teams-sip managed identity the Microsoft Graph application permissions it needs.
#
# Managed identities cannot be given Graph permissions in the portal, so this script creates the
# app role assignments through Graph (az rest). It is idempotent: a permission the identity
# already holds is reported and left alone. Run it as a Privileged Role Administrator or Global
# Administrator (granting application permissions is an admin consent).
#
# Usage:
#   scripts/grant-graph-permissions.sh --principal-id <object id of the managed identity> [--dry-run]
#   scripts/grant-graph-permissions.sh --resource-group <rg> [--deployment main] [--dry-run]
#     (reads the MANAGED_IDENTITY_PRINCIPAL_ID output of the infra/main.bicep deployment)
set -euo pipefail

GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"   # Microsoft Graph, the same in every tenant
GRAPH="https://graph.microsoft.com/v1.0"

# Each permission and why the service needs it (application permissions, no signed-in user):
PERMISSIONS=(
  # Look users up by UPN and read accountEnabled and licence service plans (Teams Phone, PSTN)
  # for the eligibility check before any device is touched.
  "User.Read.All"
  # Read each user's Teams configuration: account type, enterprise voice, phone numbers and the
  # effective TeamsCallingPolicy (AllowSIPDevicesCalling) for the eligibility check.
  "TeamsUserConfiguration.Read.All"
  # Assign a compliant calling policy to users that lack one (remediation, always dry-run first).
  "TeamsPolicyUserAssign.ReadWrite.All"
  # Send worksheets and sign-in instructions from the configured sender mailbox. Limit it to that
  # mailbox with an Exchange Online RBAC for Applications scope (see docs/deploy.md).
  "Mail.Send"
  # Read Teams SIP devices (signed-in state, health, MAC) for reconciliation.
  "TeamworkDevice.Read.All"
  # Take configuration snapshots (tenant configuration management): the documented way to read
  # calling policies (AllowSIPDevicesCalling), IP phone policies, trusted IPs and Conditional Access.
  "ConfigurationMonitoring.ReadWrite.All"
)

# The Microsoft "Tenant Configuration Management" service principal extracts the snapshots; it must
# exist in the tenant and hold a directory role that can read what is extracted (Global Reader).
UTCM_APP_ID="03b07b79-c5bc-4b5e-9bfa-13acf4a99998"
GLOBAL_READER_ROLE="f2ef992c-3afb-46b9-b7cf-a126ee74c451"   # role template id, the same in every tenant

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "grant-graph-permissions: $*" >&2
  exit 2
}

principal_id=""
resource_group=""
deployment="main"
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --principal-id) [[ $# -ge 2 ]] || die "--principal-id needs a value"; principal_id="$2"; shift 2 ;;
    --resource-group) [[ $# -ge 2 ]] || die "--resource-group needs a value"; resource_group="$2"; shift 2 ;;
    --deployment) [[ $# -ge 2 ]] || die "--deployment needs a value"; deployment="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed; see docs/deploy.md"

if [[ -z "$principal_id" ]]; then
  [[ -n "$resource_group" ]] || die "give --principal-id or --resource-group (see --help)"
  principal_id="$(az deployment group show --resource-group "$resource_group" --name "$deployment" \
    --query properties.outputs.MANAGED_IDENTITY_PRINCIPAL_ID.value --output tsv)" \
    || die "could not read deployment '$deployment' in resource group '$resource_group'"
fi
[[ "$principal_id" =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]] \
  || die "principal id '$principal_id' is not a GUID (use the managed identity's object id, not its client id)"

graph_sp_id="$(az ad sp show --id "$GRAPH_APP_ID" --query id --output tsv)" \
  || die "cannot read the Microsoft Graph service principal; run 'az login' with a directory admin"

existing="$(az rest --method GET --uri "$GRAPH/servicePrincipals/$principal_id/appRoleAssignments" \
  --query "value[?resourceId=='$graph_sp_id'].appRoleId" --output tsv)" \
  || die "cannot read the app role assignments of $principal_id; is it the managed identity's object id?"

granted=0
for permission in "${PERMISSIONS[@]}"; do
  role_id="$(az ad sp show --id "$GRAPH_APP_ID" \
    --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" \
    --output tsv)"
  [[ -n "$role_id" ]] || die "Microsoft Graph has no application permission named $permission"
  if grep -qix "$role_id" <<<"$existing"; then
    echo "already granted: $permission"
    continue
  fi
  if $dry_run; then
    echo "would grant: $permission"
    continue
  fi
  az rest --method POST --uri "$GRAPH/servicePrincipals/$principal_id/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}" \
    --output none
  echo "granted: $permission"
  granted=$((granted + 1))
done

utcm_sp_id="$(az ad sp show --id "$UTCM_APP_ID" --query id --output tsv 2>/dev/null || true)"
if [[ -n "$utcm_sp_id" ]]; then
  echo "already present: Tenant Configuration Management service principal"
elif $dry_run; then
  echo "would create: Tenant Configuration Management service principal ($UTCM_APP_ID)"
else
  utcm_sp_id="$(az ad sp create --id "$UTCM_APP_ID" --query id --output tsv)" \
    || die "could not create the Tenant Configuration Management service principal ($UTCM_APP_ID)"
  echo "created: Tenant Configuration Management service principal"
fi
if [[ -n "$utcm_sp_id" ]]; then
  holds="$(az rest --method GET --uri "$GRAPH/roleManagement/directory/roleAssignments?\$filter=principalId eq '$utcm_sp_id' and roleDefinitionId eq '$GLOBAL_READER_ROLE'" \
    --query "value[].id" --output tsv)" || die "cannot read the directory roles of the service principal"
  if [[ -n "$holds" ]]; then
    echo "already holds: Global Reader (Tenant Configuration Management service principal)"
  elif $dry_run; then
    echo "would assign role: Global Reader to the Tenant Configuration Management service principal"
  else
    az rest --method POST --uri "$GRAPH/roleManagement/directory/roleAssignments" \
      --headers "Content-Type=application/json" \
      --body "{\"principalId\":\"$utcm_sp_id\",\"roleDefinitionId\":\"$GLOBAL_READER_ROLE\",\"directoryScopeId\":\"/\"}" \
      --output none
    echo "assigned role: Global Reader to the Tenant Configuration Management service principal"
  fi
elif $dry_run; then
  echo "would assign role: Global Reader to the Tenant Configuration Management service principal"
fi

if $dry_run; then
  echo "dry run: nothing was changed"
else
  echo "done: $granted permission(s) granted; tokens issued before now lack them (allow a few minutes)"
fi
