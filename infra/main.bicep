// teams-sip in one resource group: Flex Consumption Function App, its managed identity, storage,
// Key Vault, monitoring and role assignments. Deploy with `az deployment group create` (docs/deploy.md).
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Short name of this installation; resource names are derived from it and a unique token.')
param name string

@description('Azure region; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@allowed([
  'api'
  'assisted'
])
@description('assisted: the admin uploads our file to and exports codes from Teams admin center; api: our own provisioning contract (docs/provisioning-api.md) at provisioningBaseUrl, for a gateway that implements it (Microsoft documents no such API).')
param provisioningMode string = 'assisted'

@allowed([
  'managed_identity'
  'client_secret'
  'certificate'
])
@description('How the app signs in to Microsoft Graph: as the managed identity, or as an app registration whose secret or certificate is in Key Vault.')
param authMode string = 'managed_identity'

@description('Client id of the app registration used with authMode client_secret or certificate; ignored for managed_identity.')
param graphClientId string = ''

@description('api mode only: base URL of a service implementing our provisioning contract (docs/provisioning-api.md). There is no Microsoft default.')
param provisioningBaseUrl string = ''

@description('NCRONTAB schedule of the reconciliation timer (six fields, UTC).')
param reconcileSchedule string = '0 */15 * * * *'

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Object id of the admin who stores the client secret or certificate in Key Vault; empty grants no one.')
param adminPrincipalId string = ''

@description('Client id of the Entra app registration for App Service authentication; empty leaves it off.')
param authClientId string = ''

@description('Object id of the Entra group allowed through App Service authentication.')
param adminGroupId string = ''

var abbrs = loadJsonContent('abbreviations.json')
var baseName = toLower(name)
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, name, location))
var tags = {
  'teams-sip': name
}
var tenantId = subscription().tenantId
var deploymentContainerName = 'app-package-${resourceToken}'
var importsContainerName = 'imports'
var secretName = 'teams-sip-client-secret'
var certificateName = 'teams-sip-client-certificate'
var fingerprintKeyName = 'teams-sip-code-fingerprint-key'

module identity 'app/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${baseName}-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    importsContainerName: importsContainerName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${baseName}-${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${baseName}-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    tenantId: tenantId
  }
}

module roles 'app/roles.bicep' = {
  name: 'roles'
  params: {
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    adminPrincipalId: adminPrincipalId
  }
}

// Settings the app reads (teams_sip/config.py); the Graph credential only as a Key Vault reference.
var graphCredentialSettings = authMode == 'client_secret' ? [
  {
    name: 'CLIENT_SECRET'
    value: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${secretName})'
  }
] : authMode == 'certificate' ? [
  {
    name: 'CLIENT_CERTIFICATE'
    value: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${certificateName})'
  }
] : []

var appSettings = concat([
  {
    name: 'TENANT_ID'
    value: tenantId
  }
  {
    name: 'CLIENT_ID'
    value: authMode == 'managed_identity' ? identity.outputs.clientId : graphClientId
  }
  {
    name: 'AUTH_MODE'
    value: authMode
  }
  {
    name: 'PROVISIONING_MODE'
    value: provisioningMode
  }
  {
    name: 'PROVISIONING_BASE_URL'
    value: provisioningBaseUrl
  }
  {
    name: 'STATE_STORE'
    value: 'table'
  }
  {
    name: 'TABLES_ENDPOINT'
    value: storage.outputs.tableEndpoint
  }
  {
    name: 'BLOBS_ENDPOINT'
    value: storage.outputs.blobEndpoint
  }
  {
    name: 'ARTIFACTS_CONTAINER'
    value: importsContainerName
  }
  {
    name: 'ADMIN_GROUP_ID'
    value: adminGroupId
  }
  {
    name: 'KEY_VAULT_URI'
    value: keyVault.outputs.uri
  }
  {
    name: 'RECONCILE_SCHEDULE'
    value: reconcileSchedule
  }
  {
    // App Service authentication (on when authClientId is given) sets x-ms-client-principal; only then trust it.
    name: 'TRUST_PLATFORM_AUTH_HEADERS'
    value: empty(authClientId) ? 'false' : 'true'
  }
  {
    // Codes are stored only as HMAC fingerprints under this key, kept in Key Vault, never in Table Storage.
    name: 'CODE_FINGERPRINT_KEY'
    value: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${fingerprintKeyName})'
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: monitoring.outputs.connectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  }
], graphCredentialSettings)

module functionApp 'app/function.bicep' = {
  name: 'function'
  params: {
    planName: '${abbrs.webServerFarms}${baseName}-${resourceToken}'
    appName: '${abbrs.webSitesFunctions}${baseName}-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appSettings: appSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    authClientId: authClientId
    adminGroupId: adminGroupId
    tenantId: tenantId
  }
  dependsOn: [
    roles
  ]
}

output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_SECRET_NAME string = authMode == 'certificate' ? certificateName : secretName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
