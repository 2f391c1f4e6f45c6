// Key Vault for the app registration's client certificate or secret (AUTH_MODE certificate or
// secret). RBAC only (no access policies), soft delete and purge protection, so a deleted
// credential can be recovered and cannot be destroyed by one compromised account.
param name string
param location string
param tags object
param tenantId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  //checkov:skip=CKV_AZURE_109:Flex Consumption without VNet integration resolves Key Vault references over the public endpoint; access needs an RBAC role (Key Vault Secrets User), never a shared key.
  //checkov:skip=CKV_AZURE_189:Same reason as CKV_AZURE_109: the app reaches the vault over its public endpoint; RBAC guards every read.
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
