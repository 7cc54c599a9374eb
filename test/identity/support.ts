import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import type { IdentityHost, UserAssignedIdentity } from '../../src/identity/model.js';
import { armFixture } from '../management/support.js';
import type { TestServer } from '../support/server.js';

export const ARM_SCOPE = 'https://management.azure.com/.default';
export const ARM_RESOURCE = 'https://management.azure.com/';

export interface HostFixture {
  host: IdentityHost;
  secret: string;
  userAssigned: UserAssignedIdentity[];
}

/** User-assigned identities in the bootstrap group, and a host holding them (and a system identity). */
export async function createHost(
  t: TestServer,
  input: { name: string; systemAssigned: boolean; userAssigned?: string[] },
): Promise<HostFixture> {
  const identities = managedIdentitiesOf(t.server.tessera.db);
  const { subscription, resourceGroup } = armFixture(t);
  const userAssigned: UserAssignedIdentity[] = [];
  for (const name of input.userAssigned ?? []) {
    const { identity } = await identities.userAssigned.createOrUpdate({
      subscriptionId: subscription.subscriptionId,
      resourceGroup: resourceGroup.name,
      name,
      location: resourceGroup.location,
    });
    userAssigned.push(identity);
  }
  const { host, secret } = await identities.createHost({
    tenantId: t.tenant.id,
    name: input.name,
    systemAssigned: input.systemAssigned,
    userAssigned,
    imdsPort: 0,
  });
  return { host, secret, userAssigned };
}

/** Reader on the bootstrap subscription, so the identity's token can list subscriptions. */
export async function grantReader(t: TestServer, principalId: string): Promise<void> {
  await t.server.tessera.roleAssignments.create({
    tenantId: t.tenant.id,
    scope: armFixture(t).subscriptionScope,
    roleDefinition: 'Reader',
    principalId,
  });
}

/** `GET /subscriptions` with a bearer token: the proof that a token works against Tessera. */
export async function listSubscriptions(t: TestServer, token: string): Promise<string[]> {
  const response = await fetch(`${t.origin}/subscriptions?api-version=2022-12-01`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return (JSON.parse(text) as { value: Array<{ subscriptionId: string }> }).value.map(
    (s) => s.subscriptionId,
  );
}

/** An app-only ARM token of a managed identity: Tessera's v1 issuer, the identity as client and subject. */
export function assertIdentityToken(
  t: TestServer,
  token: string,
  identity: { principalId: string; clientId: string },
  audience = 'https://management.azure.com',
): JWTPayload {
  const claims = decodeJwt(token);
  assert.equal(claims.iss, `${t.origin}/${t.tenant.id}/`);
  // v1 tokens carry the resource as asked: the SDKs ask without the slash, raw requests with it.
  assert.equal(claims.aud, audience);
  assert.equal(claims.tid, t.tenant.id);
  assert.equal(claims.oid, identity.principalId);
  assert.equal(claims.sub, identity.principalId);
  assert.equal(claims.appid, identity.clientId);
  assert.equal(claims.appidacr, '2');
  assert.equal(claims.idtyp, 'app');
  return claims;
}

/** Polls (bounded) until the host's IMDS listener accepts connections. */
export async function waitForImds(port: number): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the IMDS listener on port ${port} never opened`, { cause: last });
}

/** Polls (bounded) until nothing listens on the port any more. */
export async function waitForImdsClosed(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } catch {
      return;
    }
  }
  throw new Error(`the IMDS listener on port ${port} never closed`);
}
