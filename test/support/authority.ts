import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { SignJWT, createRemoteJWKSet, importPKCS8, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyResult } from 'jose';
import type { AppRole, Application, ServicePrincipal, Tenant } from '../../src/directory/model.js';
import { createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import type { SelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import type { TestServer } from './server.js';

export const FORM = 'application/x-www-form-urlencoded;charset=utf-8';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** POSTs a form: fields are form-encoded, a string is sent as it is (for malformed bodies). */
export async function postForm(
  url: string,
  fields: Record<string, string> | string,
  options: { headers?: Record<string, string>; contentType?: string } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? FORM, ...options.headers },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
}

/**
 * An HTTPS request to the test server with a Host header of the caller's choosing (fetch does
 * not let one set Host). TLS is still verified, against the run's CA, for the name localhost.
 */
export function requestWithHost(
  t: TestServer,
  path: string,
  host: string,
  options: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const caPath = process.env.NODE_EXTRA_CA_CERTS;
  if (!caPath) throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests with `npm test`');
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: t.server.port,
        path,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        servername: 'localhost',
        ca: readFileSync(caPath),
        agent: false,
        headers: {
          host,
          ...(body === undefined
            ? {}
            : { 'content-type': FORM, 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const tokenUrl = (t: TestServer, tenant: string = t.tenant.id, version: 1 | 2 = 2): string =>
  `${t.origin}/${tenant}/oauth2/${version === 2 ? 'v2.0/' : ''}token`;

export interface AadstsBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Nothing of the implementation may reach a client: no stack, file path, SQL or Fastify code. */
export function assertNoLeak(text: string): void {
  assert.doesNotMatch(
    text,
    /\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\/src\/|stack|TypeError|ReferenceError|SQLITE|FST_ERR|undefined/i,
    `the error body leaks internals: ${text}`,
  );
}

/**
 * Asserts Entra's error shape and returns the body. `correlationId` is the client-request-id
 * the request sent: Entra echoes it as the correlation id.
 */
export async function expectAadsts(
  response: Response,
  status: number,
  error: string,
  code: number,
  correlationId?: string,
): Promise<AadstsBody> {
  const text = await response.text();
  assert.notEqual(response.status, 500, `server error: ${text}`);
  assert.equal(response.status, status, `status of ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assertNoLeak(text);
  const body = JSON.parse(text) as AadstsBody;
  assert.equal(body.error, error, text);
  assert.deepEqual(body.error_codes, [code], text);
  assert.match(body.timestamp, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  assert.match(body.trace_id, /^[0-9a-f-]{36}$/);
  assert.match(body.correlation_id, /^[0-9a-f-]{36}$/);
  if (correlationId !== undefined) assert.equal(body.correlation_id, correlationId);
  assert.ok(body.error_description.startsWith(`AADSTS${code}: `), body.error_description);
  assert.ok(body.error_description.includes(`\r\nTrace ID: ${body.trace_id}`), body.error_description);
  assert.ok(
    body.error_description.includes(`\r\nCorrelation ID: ${body.correlation_id}`),
    body.error_description,
  );
  assert.ok(body.error_description.includes(`\r\nTimestamp: ${body.timestamp}`), body.error_description);
  assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${code}`);
  return body;
}

export interface Discovery {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  authorization_endpoint: string;
}

export async function discover(t: TestServer, tenant: string, version: 1 | 2): Promise<Discovery> {
  const path = version === 2 ? 'v2.0/.well-known/openid-configuration' : '.well-known/openid-configuration';
  const response = await fetch(`${t.origin}/${tenant}/${path}`);
  assert.equal(response.status, 200);
  return (await response.json()) as Discovery;
}

/**
 * Verifies an access token the way a resource server does: keys from the `jwks_uri` of the
 * discovery document of the token's version, exact issuer and audience, RS256 only.
 */
export async function verifyAccessToken(
  t: TestServer,
  token: string,
  expected: { version: 1 | 2; tenantId: string; audience: string },
): Promise<JWTVerifyResult> {
  const discovery = await discover(t, expected.tenantId, expected.version);
  const issuer =
    expected.version === 2 ? `${t.origin}/${expected.tenantId}/v2.0` : `${t.origin}/${expected.tenantId}/`;
  assert.equal(discovery.issuer, issuer);
  const result = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer,
    audience: expected.audience,
    algorithms: ['RS256'],
    requiredClaims: ['exp', 'nbf', 'iat', 'tid', 'oid'],
  });
  assert.equal(result.payload.ver, expected.version === 2 ? '2.0' : '1.0');
  assert.equal(result.protectedHeader.typ, 'JWT');
  return result;
}

/** The claims of an app-only token (client credentials). */
export function assertAppOnlyClaims(
  payload: JWTPayload,
  expected: {
    version: 1 | 2;
    tenantId: string;
    appId: string;
    /** appidacr / azpacr: '1' secret, '2' certificate. */
    acr: '1' | '2';
    servicePrincipal: ServicePrincipal;
    roles?: string[];
  },
): void {
  assert.equal(payload.tid, expected.tenantId);
  if (expected.version === 2) {
    assert.equal(payload.azp, expected.appId);
    assert.equal(payload.azpacr, expected.acr);
    assert.equal(payload.appid, undefined);
  } else {
    assert.equal(payload.appid, expected.appId);
    assert.equal(payload.appidacr, expected.acr);
    assert.equal(payload.azp, undefined);
  }
  assert.equal(payload.idtyp, 'app');
  assert.equal(payload.oid, expected.servicePrincipal.objectId);
  assert.equal(payload.sub, expected.servicePrincipal.objectId);
  assert.equal(expected.servicePrincipal.tenantId, expected.tenantId);
  if (expected.roles)
    assert.deepEqual([...((payload.roles as string[]) ?? [])].sort(), [...expected.roles].sort());
  else assert.equal(payload.roles, undefined);
  assert.equal(payload.scp, undefined);
  const life = (payload.exp ?? 0) - (payload.iat ?? 0);
  assert.ok(life >= 3600 && life <= 5400, `lifetime ${life}`);
}

export interface SecretClient {
  application: Application;
  servicePrincipal: ServicePrincipal;
  secret: string;
}

export async function registerSecretClient(
  t: TestServer,
  input: { displayName?: string; tenant?: Tenant; signInAudience?: Application['signInAudience'] } = {},
): Promise<SecretClient> {
  const { directory } = t.server.tessera;
  const { application, servicePrincipal } = await directory.registerApplication(input.tenant ?? t.tenant, {
    displayName: input.displayName ?? 'client',
    ...(input.signInAudience ? { signInAudience: input.signInAudience } : {}),
  });
  const { secretText } = await directory.credentials.addPassword(application);
  return { application, servicePrincipal, secret: secretText };
}

export interface CertificateClient {
  application: Application;
  servicePrincipal: ServicePrincipal;
  certificate: SelfSignedCertificate;
}

export async function registerCertificateClient(
  t: TestServer,
  displayName = 'cert-client',
): Promise<CertificateClient> {
  const { directory } = t.server.tessera;
  const { application, servicePrincipal } = await directory.registerApplication(t.tenant, { displayName });
  const certificate = await createSelfSignedCertificate(displayName);
  await directory.credentials.addCertificate(application, {
    certificatePem: certificate.certPem,
    thumbprintSha1: certificate.thumbprintSha1Hex,
    thumbprintSha256: certificate.thumbprintSha256Hex,
    startAt: Math.floor(certificate.notBefore.getTime() / 1000),
    endAt: Math.floor(certificate.notAfter.getTime() / 1000),
  });
  return { application, servicePrincipal, certificate };
}

export interface ApiApp {
  application: Application;
  servicePrincipal: ServicePrincipal;
  role: AppRole;
}

/** A custom API accepting v2 tokens, `api://<appId>`, with one application role. */
export async function registerV2Api(t: TestServer, displayName = 'orders-api'): Promise<ApiApp> {
  const appId = randomUUID();
  const role: AppRole = {
    id: randomUUID(),
    value: 'Orders.Read.All',
    displayName: 'Read all orders',
    description: 'Read all orders',
    allowedMemberTypes: ['Application'],
    isEnabled: true,
  };
  const { application, servicePrincipal } = await t.server.tessera.directory.registerApplication(t.tenant, {
    displayName,
    appId,
    identifierUris: [`api://${appId}`],
    appRoles: [role],
    accessTokenVersion: 2,
  });
  return { application, servicePrincipal, role };
}

export async function grantRole(t: TestServer, client: { servicePrincipal: ServicePrincipal }, api: ApiApp) {
  await t.server.tessera.directory.servicePrincipals.assignAppRole({
    tenantId: api.servicePrincipal.tenantId,
    principal: client.servicePrincipal,
    resource: api.servicePrincipal,
    appRoleId: api.role.id,
  });
}

const hexToBase64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');

/** A client assertion as msal-node builds one; every field can be overridden to break it. */
export async function clientAssertion(
  certificate: SelfSignedCertificate,
  claims: { aud: string; iss: string; sub?: string; exp?: number; nbf?: number },
  options: { alg?: 'RS256' | 'PS256'; signingKeyPem?: string } = {},
): Promise<string> {
  const alg = options.alg ?? 'PS256';
  const key = await importPKCS8(options.signingKeyPem ?? certificate.privateKeyPem, alg);
  const now = Math.floor(Date.now() / 1000);
  const header =
    alg === 'PS256'
      ? { alg, typ: 'JWT', 'x5t#S256': hexToBase64url(certificate.thumbprintSha256Hex) }
      : { alg, typ: 'JWT', x5t: hexToBase64url(certificate.thumbprintSha1Hex) };
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader(header)
    .setAudience(claims.aud)
    .setIssuer(claims.iss)
    .setSubject(claims.sub ?? claims.iss)
    .setNotBefore(claims.nbf ?? now)
    .setIssuedAt(claims.nbf ?? now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key);
}

/** msal-node's network client over fetch, recording every form it posts. */
export function recordingNetworkClient(): { client: INetworkModule; posts: URLSearchParams[] } {
  const posts: URLSearchParams[] = [];
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    if (method === 'POST') posts.push(new URLSearchParams(options?.body ?? ''));
    const response = await fetch(url, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { status: response.status, headers, body: (await response.json()) as T };
  };
  return {
    posts,
    client: {
      sendGetRequestAsync: (url, options) => send('GET', url, options),
      sendPostRequestAsync: (url, options) => send('POST', url, options),
    },
  };
}
