import type { ApplicationInput } from '../../directory/applications.js';
import type { AppRole, PermissionScope } from '../../directory/model.js';
import { signInAudiences } from '../../directory/model.js';
import { isGuid } from '../../errors.js';
import { graphErrors } from '../errors.js';
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
    id: 'readOnly',
    appId: 'readOnly',
    createdDateTime: 'readOnly',
    deletedDateTime: 'readOnly',
    publisherDomain: 'readOnly',
    // Credentials have their own actions: addPassword / removePassword.
    passwordCredentials: 'readOnly',
    // Graph's properties that Tessera does not keep: accepted only empty.
    keyCredentials: 'unkept',
    requiredResourceAccess: 'unkept',
    optionalClaims: 'unkept',
    spa: 'unkept',
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
  if (body.appRoles !== undefined) change.appRoles = (body.appRoles as Json[]).map(appRoleOf);
  if (body.api !== undefined) {
    const api = readNested(body.api, 'api', applicationPayload, apiType);
    const version = api.requestedAccessTokenVersion;
    if (version !== undefined) {
      if (version !== null && version !== 1 && version !== 2)
        throw graphErrors.invalidValue('api', 'Application');
      change.accessTokenVersion = version;
    }
    if (api.oauth2PermissionScopes !== undefined) {
      change.oauth2PermissionScopes = (api.oauth2PermissionScopes as Json[]).map(scopeOf);
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
  return change;
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
  const definition = definitionOf(context.body());
  if (definition.displayName === undefined) throw graphErrors.required('displayName', 'Application');
  const app = await context.directory.applications.create(context.tenant.id, {
    ...definition,
    displayName: definition.displayName,
  });
  return entityReply(
    context,
    await typedApplication(context.directory, app, context.tenant),
    'applications',
    201,
  );
};

/** PATCH: what the body names replaces the current value; principals follow new identifier URIs. */
export const updateApplication: GraphOperation = async (context) => {
  const app = await applicationOf(context);
  const definition = definitionOf(context.body());
  const updated = await context.directory.applications.update(app, definition);
  if (definition.identifierUris !== undefined) await context.directory.servicePrincipals.syncNames(updated);
  return noContent();
};

export const deleteApplication: GraphOperation = async (context) => {
  await context.directory.applications.delete(await applicationOf(context));
  return noContent();
};

const YEAR_SECONDS = 365 * 24 * 3600;

function epochOf(value: unknown, property: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw graphErrors.invalidValue(property, 'PasswordCredential');
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
