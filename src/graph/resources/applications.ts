import { X509Certificate } from 'node:crypto';
import type { ApplicationInput } from '../../directory/applications.js';
import type { CertificateInput } from '../../directory/credentials.js';
import type { AppRole, Application, KeyCredential, PermissionScope } from '../../directory/model.js';
import { signInAudiences } from '../../directory/model.js';
import { isGuid } from '../../errors.js';
import { GraphError, graphErrors } from '../errors.js';
import type { PayloadType } from '../http/body.js';
import { readNested, readPayload } from '../http/body.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { noContent, ok, paramOf } from '../http/context.js';
import type { Json } from '../odata/evaluate.js';
import { contextUrl } from '../odata/responses.js';
import { applicationType, passwordCredentialJson } from '../shapes/applications.js';
import { applicationAt, typedApplication } from './objects.js';
import { countReply, entityReply, listReply } from './replies.js';

const applicationPayload: PayloadType = {
  resource: 'Application',
  odataType: 'microsoft.graph.application',
  fields: {
    displayName: 'string',
    signInAudience: 'string',
    identifierUris: 'stringList',
    isFallbackPublicClient: 'nullableBoolean',
    appRoles: 'objectList',
    api: 'object',
    publicClient: 'object',
    web: 'object',
    spa: 'object',
    id: 'readOnly',
    appId: 'readOnly',
    createdDateTime: 'readOnly',
    deletedDateTime: 'readOnly',
    publisherDomain: 'readOnly',
    // Secrets have their own actions (addPassword / removePassword); certificates are PATCHed.
    passwordCredentials: 'readOnly',
    keyCredentials: 'objectList',
    // Graph's properties that Tessera does not keep: accepted only empty.
    requiredResourceAccess: 'unkept',
    optionalClaims: 'unkept',
    description: 'unkept',
    notes: 'unkept',
    tags: 'unkept',
    groupMembershipClaims: 'unkept',
    info: 'unkept',
  },
};

const apiType = {
  odataType: 'microsoft.graph.apiApplication',
  fields: {
    requestedAccessTokenVersion: 'nullableInt',
    oauth2PermissionScopes: 'objectList',
    acceptMappedClaims: 'unkept',
    knownClientApplications: 'unkept',
    preAuthorizedApplications: 'unkept',
  },
} as const;
const redirectsType = (odataType: string, extra: Record<string, 'unkept'> = {}) =>
  ({ odataType, fields: { redirectUris: 'stringList', ...extra } }) as const;
const webType = redirectsType('microsoft.graph.webApplication', {
  homePageUrl: 'unkept',
  logoutUrl: 'unkept',
  implicitGrantSettings: 'unkept',
  redirectUriSettings: 'unkept',
});
const publicClientType = redirectsType('microsoft.graph.publicClientApplication');
const spaType = redirectsType('microsoft.graph.spaApplication');

const text = (value: unknown, property: string): string => {
  if (typeof value !== 'string') throw graphErrors.invalidValue(property, 'Application');
  return value;
};

function appRoleOf(value: Json): AppRole {
  const id = value.id;
  const allowed = value.allowedMemberTypes;
  if (typeof id !== 'string' || !isGuid(id)) throw graphErrors.invalidValue('appRoles', 'Application');
  if (
    !Array.isArray(allowed) ||
    allowed.length === 0 ||
    !allowed.every((t) => t === 'User' || t === 'Application')
  ) {
    throw graphErrors.invalidValue('appRoles', 'Application');
  }
  const roleValue = text(value.value, 'appRoles');
  return {
    id: id.toLowerCase(),
    value: roleValue,
    displayName: typeof value.displayName === 'string' ? value.displayName : roleValue,
    description: typeof value.description === 'string' ? value.description : roleValue,
    allowedMemberTypes: allowed as AppRole['allowedMemberTypes'],
    isEnabled: value.isEnabled !== false,
  };
}

function scopeOf(value: Json): PermissionScope {
  const id = value.id;
  if (typeof id !== 'string' || !isGuid(id))
    throw graphErrors.invalidValue('oauth2PermissionScopes', 'Application');
  const scopeValue = text(value.value, 'oauth2PermissionScopes');
  return {
    id: id.toLowerCase(),
    value: scopeValue,
    type: value.type === 'Admin' ? 'Admin' : 'User',
    adminConsentDisplayName:
      typeof value.adminConsentDisplayName === 'string' ? value.adminConsentDisplayName : scopeValue,
    adminConsentDescription:
      typeof value.adminConsentDescription === 'string' ? value.adminConsentDescription : scopeValue,
    isEnabled: value.isEnabled !== false,
  };
}

/** Ids name roles and scopes (assignments and tokens refer to them): two with one id are refused. */
function uniqueIds<T extends { id: string }>(items: T[], property: string): T[] {
  if (new Set(items.map((i) => i.id)).size !== items.length)
    throw graphErrors.invalidValue(property, 'Application');
  return items;
}

/** The application definition a create or PATCH payload asks for; only what it names. */
function definitionOf(payload: Json): Partial<ApplicationInput> {
  const body = readPayload(payload, applicationPayload);
  const change: Partial<ApplicationInput> = {};
  if (body.displayName !== undefined) change.displayName = body.displayName as string;
  if (body.signInAudience !== undefined) {
    const audience = signInAudiences.find((a) => a === body.signInAudience);
    if (!audience) throw graphErrors.invalidValue('signInAudience', 'Application');
    change.signInAudience = audience;
  }
  if (body.identifierUris !== undefined) change.identifierUris = body.identifierUris as string[];
  if (body.isFallbackPublicClient !== undefined)
    change.isFallbackPublicClient = body.isFallbackPublicClient === true;
  if (body.appRoles !== undefined)
    change.appRoles = uniqueIds((body.appRoles as Json[]).map(appRoleOf), 'appRoles');
  if (body.api !== undefined) {
    const api = readNested(body.api, 'api', applicationPayload, apiType);
    const version = api.requestedAccessTokenVersion;
    if (version !== undefined) {
      if (version !== null && version !== 1 && version !== 2)
        throw graphErrors.invalidValue('api', 'Application');
      change.accessTokenVersion = version;
    }
    if (api.oauth2PermissionScopes !== undefined) {
      change.oauth2PermissionScopes = uniqueIds(
        (api.oauth2PermissionScopes as Json[]).map(scopeOf),
        'oauth2PermissionScopes',
      );
    }
  }
  if (body.publicClient !== undefined) {
    const publicClient = readNested(body.publicClient, 'publicClient', applicationPayload, publicClientType);
    if (publicClient.redirectUris !== undefined)
      change.publicClientRedirectUris = publicClient.redirectUris as string[];
  }
  if (body.web !== undefined) {
    const web = readNested(body.web, 'web', applicationPayload, webType);
    if (web.redirectUris !== undefined) change.webRedirectUris = web.redirectUris as string[];
  }
  if (body.spa !== undefined) {
    const spa = readNested(body.spa, 'spa', applicationPayload, spaType);
    if (spa.redirectUris !== undefined) change.spaRedirectUris = spa.redirectUris as string[];
  }
  return change;
}

/** Graph's refusal to drop a role or scope that is still enabled. */
const enabledEntitlement = () =>
  new GraphError(
    400,
    'CannotDeleteOrUpdateEnabledEntitlement',
    'Property value cannot be deleted or updated unless it is disabled first.',
  );

/**
 * Graph's rule for app roles and permission scopes: one may be removed only once it is disabled
 * (isEnabled false, saved by an earlier PATCH), so no token or assignment loses its meaning unseen.
 */
function checkRemovals(
  current: ReadonlyArray<{ id: string; isEnabled: boolean }>,
  next: ReadonlyArray<{ id: string }> | undefined,
): void {
  if (next === undefined) return;
  const kept = new Set(next.map((item) => item.id));
  if (current.some((item) => item.isEnabled && !kept.has(item.id))) throw enabledEntitlement();
}

const keyCredentialPayload: PayloadType = {
  resource: 'KeyCredential',
  odataType: 'microsoft.graph.keyCredential',
  fields: {
    keyId: 'nullableString',
    type: 'string',
    usage: 'string',
    key: 'nullableString',
    displayName: 'nullableString',
    startDateTime: 'nullableString',
    endDateTime: 'nullableString',
    customKeyIdentifier: 'nullableString',
  },
};

/** What a keyCredentials payload makes of the application's certificates: those kept and those added. */
interface CertificateChange {
  keep: string[];
  add: CertificateInput[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `key`: the certificate's DER bytes in base64, as Graph takes them (a PEM file's body). */
function certificateOf(key: string): X509Certificate {
  const compact = key.replace(/\s+/g, '');
  try {
    if (!compact || !BASE64.test(compact)) throw new Error('not base64');
    return new X509Certificate(Buffer.from(compact, 'base64'));
  } catch {
    throw graphErrors.badRequest('Invalid certificate: Key value is invalid certificate');
  }
}

const hexOf = (fingerprint: string): string => fingerprint.replaceAll(':', '').toUpperCase();

/** A date within the certificate's own validity (Graph refuses a credential that outlives its key). */
function certificateDate(value: unknown, bound: number, later: boolean, property: string): number {
  const at = epochOf(value, property, 'KeyCredential') ?? bound;
  if (later ? at > bound : at < bound) {
    throw graphErrors.badRequest(
      `Key credential ${property === 'endDateTime' ? 'end' : 'start'} date is invalid.`,
    );
  }
  return at;
}

/**
 * PATCH keyCredentials replaces the collection, as on Graph: an entry naming a current keyId
 * keeps that certificate (its `key` may be left null, as GET returns it); an entry with a `key`
 * adds a certificate; current ones not named are removed. Only X.509 certificates that verify
 * client assertions are kept (`AsymmetricX509Cert`, `Verify`).
 */
function certificateChangeOf(items: Json[], current: readonly KeyCredential[]): CertificateChange {
  const change: CertificateChange = { keep: [], add: [] };
  const thumbprints = new Set<string>();
  const once = (thumbprint: string) => {
    if (thumbprints.has(thumbprint)) {
      throw graphErrors.badRequest(`The certificate with thumbprint ${thumbprint} is listed twice.`);
    }
    thumbprints.add(thumbprint);
  };
  for (const item of items) {
    const fields = readPayload(item, keyCredentialPayload);
    if (fields.type === undefined) throw graphErrors.required('type', 'KeyCredential');
    if (fields.usage === undefined) throw graphErrors.required('usage', 'KeyCredential');
    if (fields.type !== 'AsymmetricX509Cert' || fields.usage !== 'Verify') {
      throw graphErrors.badRequest(
        "Tessera keeps only keyCredentials of type 'AsymmetricX509Cert' with usage 'Verify' (certificates that sign client assertions).",
      );
    }
    const keyId = typeof fields.keyId === 'string' ? fields.keyId.toLowerCase() : undefined;
    if (keyId !== undefined && !isGuid(keyId)) throw graphErrors.invalidValue('keyId', 'KeyCredential');
    const existing = keyId === undefined ? undefined : current.find((c) => c.keyId === keyId);
    if (typeof fields.key !== 'string') {
      if (!existing) throw graphErrors.invalidValue('key', 'KeyCredential');
      once(existing.thumbprintSha1);
      change.keep.push(existing.keyId);
      continue;
    }
    const certificate = certificateOf(fields.key);
    const sha1 = hexOf(certificate.fingerprint);
    once(sha1);
    if (existing) {
      if (existing.thumbprintSha1 !== sha1) {
        throw graphErrors.badRequest(`keyId '${keyId}' names another certificate of the application.`);
      }
      change.keep.push(existing.keyId);
      continue;
    }
    const notBefore = Math.floor(Date.parse(certificate.validFrom) / 1000);
    const notAfter = Math.floor(Date.parse(certificate.validTo) / 1000);
    change.add.push({
      certificatePem: certificate.toString(),
      thumbprintSha1: sha1,
      thumbprintSha256: hexOf(certificate.fingerprint256),
      startAt: certificateDate(fields.startDateTime, notBefore, false, 'startDateTime'),
      endAt: certificateDate(fields.endDateTime, notAfter, true, 'endDateTime'),
      // Graph names an unnamed certificate by its subject.
      displayName:
        typeof fields.displayName === 'string' && fields.displayName
          ? fields.displayName
          : certificate.subject.split('\n').join(', '),
    });
  }
  return change;
}

async function applyCertificates(context: GraphContext, app: Application, change: CertificateChange) {
  await context.directory.credentials.replaceCertificates(app, change.keep, change.add);
}

const applicationOf = (context: GraphContext) =>
  applicationAt(context.directory, context.tenant, paramOf(context, 'id'));

async function typedApplications(context: GraphContext) {
  const apps = await context.directory.applications.list(context.tenant.id);
  return Promise.all(apps.map((app) => typedApplication(context.directory, app, context.tenant)));
}

export const listApplications: GraphOperation = async (context) =>
  listReply(context, await typedApplications(context), 'applications', [applicationType]);

export const countApplications: GraphOperation = async (context) =>
  countReply(context, await typedApplications(context), [applicationType]);

export const getApplication: GraphOperation = async (context) =>
  entityReply(
    context,
    await typedApplication(context.directory, await applicationOf(context), context.tenant),
    'applications',
  );

/** `az ad app create`: a new registration in the caller's tenant (its service principal is a separate call). */
export const createApplication: GraphOperation = async (context) => {
  const body = context.body();
  const definition = definitionOf(body);
  if (definition.displayName === undefined) throw graphErrors.required('displayName', 'Application');
  const certificates = Array.isArray(body.keyCredentials)
    ? certificateChangeOf(body.keyCredentials as Json[], [])
    : undefined;
  const app = await context.directory.applications.create(context.tenant.id, {
    ...definition,
    displayName: definition.displayName,
  });
  if (certificates && certificates.add.length > 0) await applyCertificates(context, app, certificates);
  return entityReply(
    context,
    await typedApplication(context.directory, app, context.tenant),
    'applications',
    201,
  );
};

/**
 * PATCH: what the body names replaces the current value; principals follow new identifier URIs.
 * Everything is checked before anything is written.
 */
export const updateApplication: GraphOperation = async (context) => {
  const app = await applicationOf(context);
  const body = context.body();
  const definition = definitionOf(body);
  checkRemovals(app.appRoles, definition.appRoles);
  checkRemovals(app.oauth2PermissionScopes, definition.oauth2PermissionScopes);
  const certificates = Array.isArray(body.keyCredentials)
    ? certificateChangeOf(
        body.keyCredentials as Json[],
        await context.directory.credentials.certificates(app.objectId),
      )
    : undefined;
  const updated = await context.directory.applications.update(app, definition);
  if (certificates) await applyCertificates(context, updated, certificates);
  if (definition.identifierUris !== undefined) await context.directory.servicePrincipals.syncNames(updated);
  return noContent();
};

export const deleteApplication: GraphOperation = async (context) => {
  await context.directory.applications.delete(await applicationOf(context));
  return noContent();
};

const YEAR_SECONDS = 365 * 24 * 3600;

function epochOf(value: unknown, property: string, resource = 'PasswordCredential'): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw graphErrors.invalidValue(property, resource);
  return Math.floor(ms / 1000);
}

/**
 * `addPassword`: Graph generates the secret and shows it once, in `secretText`. Secrets are added
 * to the application's others (az's `credential reset` removes the old ones itself). A start date
 * in the future is not kept: the secret is valid from now.
 */
export const addPassword: GraphOperation = async (context) => {
  const app = await applicationOf(context);
  const body = context.body();
  const credential = body.passwordCredential ?? {};
  if (credential === null || typeof credential !== 'object' || Array.isArray(credential)) {
    throw graphErrors.invalidValue('passwordCredential', 'Application');
  }
  const fields = credential as Json;
  const displayName = fields.displayName;
  if (displayName !== undefined && displayName !== null && typeof displayName !== 'string') {
    throw graphErrors.invalidValue('displayName', 'PasswordCredential');
  }
  const endAt = epochOf(fields.endDateTime, 'endDateTime');
  epochOf(fields.startDateTime, 'startDateTime');
  const { secretText, credential: added } = await context.directory.credentials.addPassword(app, {
    append: true,
    ...(typeof displayName === 'string' && { displayName }),
    ...(endAt !== undefined ? { endAt } : { endAt: Math.floor(Date.now() / 1000) + 2 * YEAR_SECONDS }),
  });
  return ok({
    '@odata.context': contextUrl(context.base, 'microsoft.graph.passwordCredential'),
    ...passwordCredentialJson(added, secretText),
  });
};

export const removePassword: GraphOperation = async (context) => {
  const app = await applicationOf(context);
  const keyId = context.body().keyId;
  if (typeof keyId !== 'string' || !isGuid(keyId))
    throw graphErrors.invalidValue('keyId', 'PasswordCredential');
  if (!(await context.directory.applications.removePasswordCredential(app, keyId)))
    throw graphErrors.notFound(keyId);
  return noContent();
};
