// Flex Consumption (FC1) Function App on Linux, Python 3.11, running as the user-assigned identity.
// Code is deployed to a blob container that the platform reads with that identity; no storage key
// or connection string exists anywhere in the app's settings.
param planName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
@description('App settings as name/value pairs, added to the host storage settings.')
param appSettings array
param maximumInstanceCount int
param instanceMemoryMB int
@description('Client id of the Entra app registration for App Service authentication; empty leaves it off.')
param authClientId string
@description('Object id of the Entra group whose members may use the app; empty allows any user of the tenant.')
param adminGroupId string
param tenantId string

// Identity-based AzureWebJobsStorage: the host uses the managed identity for blobs (leases,
// keys), queues (the work queue) and tables (timer and scale state). AZURE_CLIENT_ID makes
// azure-identity in the app pick the same identity.
var hostStorageSettings = [
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storageBlobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storageQueueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storageTableEndpoint
  }
  {
    name: 'AZURE_CLIENT_ID'
    value: identityClientId
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225:Zone redundancy is an option of Flex Consumption only in some regions; not enabled by default so the template deploys in every Flex region.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_212:Scale to zero is intended (no always-ready instances): the timer and queue wake the app, and an idle onboarding tool should cost nothing.
  //checkov:skip=CKV_AZURE_213:The app scales to zero, so platform health-check instance replacement is not relied on; GET /api/health (anonymous to App Service authentication) serves availability tests.
  //checkov:skip=CKV_AZURE_222:Admins call the HTTP API and the admin page from their own networks; without VNet integration the app stays public, guarded by App Service authentication with an admin group and function keys.
  //checkov:skip=CKV_AZURE_17:Client certificates are not used: callers authenticate with Entra ID (App Service authentication) and function keys.
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(hostStorageSettings, appSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// App Service authentication (Easy Auth) with Entra ID, limited to the admin group when one is given.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(authClientId)) {
  //checkov:skip=CKV_AZURE_13:This resource is the authentication setting: authsettingsV2 turns it on with properties.platform.enabled, while the check reads the v1 authsettings shape.
  //checkov:skip=CKV_AZURE_63:Web-server HTTP logs belong to Windows App Service; this Linux Flex app sends requests and failures to Application Insights.
  //checkov:skip=CKV_AZURE_65:Detailed IIS error pages do not exist on a Linux Flex app; errors go to Application Insights, and the API answers JSON error bodies.
  //checkov:skip=CKV_AZURE_66:Failed request tracing is an IIS feature; on this Linux Flex app failed requests are traced by OpenTelemetry to Application Insights.
  //checkov:skip=CKV_AZURE_80:.NET Framework version does not apply: the app runs Python 3.11.
  //checkov:skip=CKV_AZURE_88:No Azure Files mount is needed: code deploys from a blob container and state lives in Table Storage.
  //checkov:skip=CKV_AZURE_222:Public network access is set on the site, not on this auth setting; see the site's justification.
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
          defaultAuthorizationPolicy: {
            allowedPrincipals: {
              groups: empty(adminGroupId) ? [] : [
                adminGroupId
              ]
            }
          }
        }
      }
    }
  }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
