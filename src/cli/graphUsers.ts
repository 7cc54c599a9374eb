/** Microsoft Graph's JSON for users and sign-ins, as `az ad user …` and Graph's auditLogs print them. */
import type { SignInRecord } from '../authority/signIn/signInLog.js';
import type { User } from '../directory/model.js';
import { graphDateTime } from './graph.js';

/** Graph's default user properties (az prints these), plus accountEnabled; never the password. */
export function graphUser(user: User) {
  return {
    accountEnabled: user.accountEnabled,
    businessPhones: [],
    createdDateTime: graphDateTime(user.createdAt),
    displayName: user.displayName,
    givenName: user.givenName,
    id: user.objectId,
    jobTitle: null,
    mail: null,
    mailNickname: user.mailNickname,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
  };
}

/** What `az ad user create|show` adds for a single entity. */
export const graphUserEntity = (user: User) => ({
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
  ...graphUser(user),
});

const protocols: Record<SignInRecord['flow'], string> = {
  password: 'ropc',
  refresh_token: 'none',
  authorization_code: 'oAuth2',
  device_code: 'deviceCode',
  on_behalf_of: 'oAuth2',
};

/** Graph's signIn resource (auditLogs/signIns), from one row of the sign-in log. */
export function graphSignIn(record: SignInRecord) {
  return {
    id: record.id,
    createdDateTime: new Date(record.atMs).toISOString(),
    userId: record.userId,
    userPrincipalName: record.userPrincipalName,
    userDisplayName: record.userDisplayName,
    appId: record.app?.appId ?? null,
    appDisplayName: record.app?.displayName ?? null,
    resourceId: record.resource?.appId ?? null,
    resourceDisplayName: record.resource?.displayName ?? null,
    ipAddress: record.ipAddress,
    correlationId: record.correlationId,
    clientAppUsed: 'Mobile Apps and Desktop clients',
    isInteractive: record.interactive,
    authenticationProtocol: protocols[record.flow],
    incomingTokenType: record.flow === 'refresh_token' ? 'refreshToken' : 'none',
    status: {
      errorCode: record.errorCode,
      failureReason: record.failureReason ?? 'Other.',
      additionalDetails: null,
    },
  };
}
