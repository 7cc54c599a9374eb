import { callApi } from './http.js';
import { getGraph, listGraph } from './graphPages.js';
import type { Json } from './json.js';
import { isJson, objects, strings, text } from './json.js';

/** Who may sign in to an application, as Microsoft Graph names it. */
export const SIGN_IN_AUDIENCES = [
  { value: 'AzureADMyOrg', label: 'Accounts in this organizational directory only (single tenant)' },
  { value: 'AzureADMultipleOrgs', label: 'Accounts in any organizational directory (multitenant)' },
  {
    value: 'AzureADandPersonalMicrosoftAccount',
    label: 'Accounts in any organizational directory and personal Microsoft accounts',
  },
  { value: 'PersonalMicrosoftAccount', label: 'Personal Microsoft accounts only' },
] as const;

/** Where a redirect URI is registered: each platform is its own property of the application. */
export const PLATFORMS = [
  { key: 'web', label: 'Web', hint: 'A server-side app that keeps a secret: https:// or http://localhost.' },
  { key: 'spa', label: 'Single-page application', hint: 'A browser app using PKCE, without a secret.' },
  {
    key: 'publicClient',
    label: 'Mobile and desktop applications',
    hint: 'A native app or a CLI: http://localhost or a custom scheme.',
  },
] as const;
export type Platform = (typeof PLATFORMS)[number]['key'];

export interface AppSummary {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  signInAudience: string;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<'User' | 'Application'>;
  isEnabled: boolean;
}

export interface PermissionScope {
  id: string;
  value: string;
  type: 'User' | 'Admin';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  isEnabled: boolean;
}

export interface SecretInfo {
  keyId: string;
  displayName: string;
  hint: string;
  endDateTime: string;
}

export interface CertificateInfo {
  keyId: string;
  displayName: string;
  /** The SHA-1 thumbprint, in hex: what a client assertion's x5t names. */
  thumbprint: string;
  startDateTime: string;
  endDateTime: string;
}

export interface AppRegistration extends AppSummary {
  publisherDomain: string;
  identifierUris: string[];
  redirectUris: Record<Platform, string[]>;
  appRoles: AppRole[];
  scopes: PermissionScope[];
  secrets: SecretInfo[];
  certificates: CertificateInfo[];
}

const summaryOf = (item: Json): AppSummary => ({
  id: text(item.id),
  appId: text(item.appId),
  displayName: text(item.displayName),
  createdDateTime: text(item.createdDateTime),
  signInAudience: text(item.signInAudience),
});

const redirectsOf = (value: unknown): string[] => (isJson(value) ? strings(value.redirectUris) : []);

const roleOf = (r: Json): AppRole => ({
  id: text(r.id),
  value: text(r.value),
  displayName: text(r.displayName),
  description: text(r.description),
  allowedMemberTypes: strings(r.allowedMemberTypes).filter(
    (t): t is 'User' | 'Application' => t === 'User' || t === 'Application',
  ),
  isEnabled: r.isEnabled !== false,
});

const scopeOf = (s: Json): PermissionScope => ({
  id: text(s.id),
  value: text(s.value),
  type: s.type === 'Admin' ? 'Admin' : 'User',
  adminConsentDisplayName: text(s.adminConsentDisplayName),
  adminConsentDescription: text(s.adminConsentDescription),
  isEnabled: s.isEnabled !== false,
});

function registrationOf(item: Json): AppRegistration {
  const api = isJson(item.api) ? item.api : {};
  return {
    ...summaryOf(item),
    publisherDomain: text(item.publisherDomain),
    identifierUris: strings(item.identifierUris),
    redirectUris: {
      web: redirectsOf(item.web),
      spa: redirectsOf(item.spa),
      publicClient: redirectsOf(item.publicClient),
    },
    appRoles: objects(item.appRoles).map(roleOf),
    scopes: objects(api.oauth2PermissionScopes).map(scopeOf),
    secrets: objects(item.passwordCredentials).map((p) => ({
      keyId: text(p.keyId),
      displayName: text(p.displayName),
      hint: text(p.hint),
      endDateTime: text(p.endDateTime),
    })),
    certificates: objects(item.keyCredentials).map((k) => ({
      keyId: text(k.keyId),
      displayName: text(k.displayName),
      thumbprint: text(k.customKeyIdentifier),
      startDateTime: text(k.startDateTime),
      endDateTime: text(k.endDateTime),
    })),
  };
}

const path = (id: string) => `/v1.0/applications/${encodeURIComponent(id)}`;

export const listApplications = async (): Promise<AppSummary[]> =>
  (await listGraph('/v1.0/applications?$select=id,appId,displayName,createdDateTime,signInAudience')).map(
    summaryOf,
  );

export const getApplication = async (id: string): Promise<AppRegistration> =>
  registrationOf(await getGraph(path(id)));

export interface NewApplication {
  displayName: string;
  signInAudience: string;
  redirect?: { platform: Platform; uri: string };
}

/** Registers the application; its service principal (the enterprise application) is a second call. */
export async function createApplication(input: NewApplication): Promise<AppRegistration> {
  const body: Json = { displayName: input.displayName, signInAudience: input.signInAudience };
  if (input.redirect) body[input.redirect.platform] = { redirectUris: [input.redirect.uri] };
  const { body: created } = await callApi('graph', '/v1.0/applications', { method: 'POST', body });
  return registrationOf(isJson(created) ? created : {});
}

export async function deleteApplication(id: string): Promise<void> {
  await callApi('graph', path(id), { method: 'DELETE' });
}

async function patch(id: string, body: Json): Promise<void> {
  await callApi('graph', path(id), { method: 'PATCH', body });
}

/** A platform's whole list: Graph's PATCH replaces the property it is given. */
export const setRedirectUris = (id: string, platform: Platform, uris: string[]) =>
  patch(id, { [platform]: { redirectUris: uris } });

export const setIdentifierUris = (id: string, uris: string[]) => patch(id, { identifierUris: uris });

export const setAppRoles = (id: string, roles: AppRole[]) =>
  patch(id, { appRoles: roles.map((r) => ({ ...r })) });

export const setScopes = (id: string, scopes: PermissionScope[]) =>
  patch(id, { api: { oauth2PermissionScopes: scopes.map((s) => ({ ...s })) } });

/** What addPassword answers: the secret's text, which Graph never shows again. */
export interface NewSecret extends SecretInfo {
  secretText: string;
}

export async function addSecret(id: string, displayName: string, endDateTime: string): Promise<NewSecret> {
  const { body } = await callApi('graph', `${path(id)}/addPassword`, {
    method: 'POST',
    body: { passwordCredential: { displayName, endDateTime } },
  });
  const answer = isJson(body) ? body : {};
  return {
    keyId: text(answer.keyId),
    displayName: text(answer.displayName),
    hint: text(answer.hint),
    endDateTime: text(answer.endDateTime),
    secretText: text(answer.secretText),
  };
}

export async function removeSecret(id: string, keyId: string): Promise<void> {
  await callApi('graph', `${path(id)}/removePassword`, { method: 'POST', body: { keyId } });
}

/** The certificates kept, by keyId (Graph does not send keys back: null keeps the stored one). */
const kept = (certificates: CertificateInfo[]) =>
  certificates.map((c) => ({ keyId: c.keyId, type: 'AsymmetricX509Cert', usage: 'Verify', key: null }));

/** Adds a certificate (its DER bytes in base64) to those the application has. */
export const addCertificate = (app: AppRegistration, key: string, displayName: string) =>
  patch(app.id, {
    keyCredentials: [
      ...kept(app.certificates),
      { type: 'AsymmetricX509Cert', usage: 'Verify', key, ...(displayName && { displayName }) },
    ],
  });

export const removeCertificate = (app: AppRegistration, keyId: string) =>
  patch(app.id, { keyCredentials: kept(app.certificates.filter((c) => c.keyId !== keyId)) });
