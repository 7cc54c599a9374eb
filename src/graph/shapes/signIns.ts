import type { SignInRecord } from '../../authority/signIn/signInLog.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';

/**
 * Graph v1.0's signIn (auditLogs/signIns), as far as Tessera's log knows one: no conditional
 * access, risk, device or location, which read as Graph shows them for a sign-in they did not touch.
 */
export const signInType: EntityType = {
  name: 'microsoft.graph.signIn',
  properties: {
    id: 'string',
    createdDateTime: 'dateTime',
    userDisplayName: 'string',
    userPrincipalName: 'string',
    userId: 'string',
    appId: 'string',
    appDisplayName: 'string',
    ipAddress: 'string',
    clientAppUsed: 'string',
    correlationId: 'string',
    conditionalAccessStatus: 'string',
    isInteractive: 'boolean',
    riskDetail: 'string',
    riskLevelAggregated: 'string',
    riskLevelDuringSignIn: 'string',
    riskState: 'string',
    riskEventTypes: 'collection',
    riskEventTypes_v2: 'collection',
    resourceDisplayName: 'string',
    resourceId: 'string',
    status: 'complex',
    deviceDetail: 'complex',
    location: 'complex',
    appliedConditionalAccessPolicies: 'collection',
  },
};

/**
 * Entra names the client by its kind: the browser for a sign-in on the authority's pages that ends
 * in an authorization code, an app for the rest (passwords it sends, refresh tokens, device codes).
 */
export const BROWSER = 'Browser';
export const APP_CLIENT = 'Mobile Apps and Desktop clients';
export const BROWSER_FLOW = 'authorization_code';

export function signInJson(record: SignInRecord): Json {
  return {
    id: record.id,
    createdDateTime: new Date(record.atMs).toISOString(),
    userDisplayName: record.userDisplayName,
    userPrincipalName: record.userPrincipalName,
    userId: record.userId,
    appId: record.app?.appId ?? null,
    appDisplayName: record.app?.displayName ?? null,
    ipAddress: record.ipAddress,
    clientAppUsed: record.flow === BROWSER_FLOW ? BROWSER : APP_CLIENT,
    correlationId: record.correlationId,
    conditionalAccessStatus: 'notApplied',
    isInteractive: record.interactive,
    riskDetail: 'none',
    riskLevelAggregated: 'none',
    riskLevelDuringSignIn: 'none',
    riskState: 'none',
    riskEventTypes: [],
    riskEventTypes_v2: [],
    resourceDisplayName: record.resource?.displayName ?? null,
    resourceId: record.resource?.appId ?? null,
    // Graph says "Other." for a success: there is no failure to give a reason for.
    status: {
      errorCode: record.errorCode,
      failureReason: record.failureReason ?? 'Other.',
      additionalDetails: null,
    },
    deviceDetail: {
      deviceId: '',
      displayName: '',
      operatingSystem: '',
      browser: '',
      isCompliant: false,
      isManaged: false,
      trustType: '',
    },
    location: { city: null, state: null, countryOrRegion: null, geoCoordinates: null },
    appliedConditionalAccessPolicies: [],
  };
}
