import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { Tenant } from '../../src/directory/model.js';
import {
  assertAppOnlyClaims,
  expectAadsts,
  grantRole,
  postForm,
  registerSecretClient,
  registerV2Api,
  tokenUrl,
  verifyAccessToken,
} from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const ARM = 'https://management.azure.com/.default';

/** An app registered in tenant A signing in to tenant B (Contoso's app in Fabrikam). */
describe('multi-tenant applications', () => {
  let t: TestServer;
  let fabrikam: Tenant;
  let multi: SecretClient;
  let single: SecretClient;

  before(async () => {
    t = await startTestServer();
    fabrikam = await t.server.tessera.directory.createTenant({ domain: 'fabrikam' });
    multi = await registerSecretClient(t, { displayName: 'saas', signInAudience: 'AzureADMultipleOrgs' });
    single = await registerSecretClient(t, { displayName: 'internal' });
  });
  after(async () => t.stop());

  const request = (client: SecretClient, tenant: string, scope = ARM) => {
    const correlationId = randomUUID();
    return {
      correlationId,
      response: postForm(
        tokenUrl(t, tenant),
        {
          client_id: client.application.appId,
          client_secret: client.secret,
          scope,
          grant_type: 'client_credentials',
        },
        { headers: { 'client-request-id': correlationId } },
      ),
    };
  };

  it('creates fabrikam.onmicrosoft.com with the first-party resources provisioned', () => {
    assert.equal(fabrikam.domain, 'fabrikam.onmicrosoft.com');
    assert.notEqual(fabrikam.id, t.tenant.id);
  });

  it('gives a multi-tenant app 700016 in tenant B until it has a service principal there', async () => {
    for (const tenant of [fabrikam.id, fabrikam.domain]) {
      const { response, correlationId } = request(multi, tenant);
      const body = await expectAadsts(await response, 400, 'unauthorized_client', 700016, correlationId);
      assert.ok(body.error_description.includes(fabrikam.domain), body.error_description);
    }

    const inFabrikam = await t.server.tessera.directory.createServicePrincipal(
      fabrikam,
      multi.application.appId,
    );
    assert.equal(inFabrikam.tenantId, fabrikam.id);
    assert.equal(inFabrikam.appOwnerTenantId, t.tenant.id);
    assert.notEqual(inFabrikam.objectId, multi.servicePrincipal.objectId);

    const { response } = request(multi, fabrikam.id);
    const res = await response;
    const body = (await res.json()) as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const { payload } = await verifyAccessToken(t, body.access_token, {
      version: 1,
      tenantId: fabrikam.id,
      audience: 'https://management.azure.com',
    });
    assertAppOnlyClaims(payload, {
      version: 1,
      tenantId: fabrikam.id,
      appId: multi.application.appId,
      acr: '1',
      servicePrincipal: inFabrikam,
    });

    // The same app still gets tokens for its home tenant, with the home tenant's principal.
    const home = await new ClientSecretCredential(t.tenant.id, multi.application.appId, multi.secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    }).getToken(ARM);
    const { payload: homePayload } = await verifyAccessToken(t, home.token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(homePayload.oid, multi.servicePrincipal.objectId);
  });

  it('issues tenant B tokens to @azure/identity as well', async () => {
    const saas = await registerSecretClient(t, {
      displayName: 'saas-2',
      signInAudience: 'AzureADMultipleOrgs',
    });
    const credential = new ClientSecretCredential(fabrikam.id, saas.application.appId, saas.secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
    await assert.rejects(credential.getToken(ARM), /AADSTS700016/);
    const sp = await t.server.tessera.directory.createServicePrincipal(fabrikam, saas.application.appId);
    const token = await new ClientSecretCredential(fabrikam.id, saas.application.appId, saas.secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    }).getToken(ARM);
    const { payload } = await verifyAccessToken(t, token.token, {
      version: 1,
      tenantId: fabrikam.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(payload.tid, fabrikam.id);
    assert.equal(payload.oid, sp.objectId);
  });

  it('gives a single-tenant app 700016 in tenant B, and refuses it a service principal there', async () => {
    const { response, correlationId } = request(single, fabrikam.id);
    await expectAadsts(await response, 400, 'unauthorized_client', 700016, correlationId);
    await assert.rejects(
      t.server.tessera.directory.createServicePrincipal(fabrikam, single.application.appId),
      /single-tenant/,
    );
  });

  it('does not resolve tenant A’s own API from tenant B (500011), nor leak roles granted in A', async () => {
    const api = await registerV2Api(t, 'a-only-api');
    const saas = await registerSecretClient(t, {
      displayName: 'saas-3',
      signInAudience: 'AzureADMultipleOrgs',
    });
    await grantRole(t, saas, api);
    await t.server.tessera.directory.createServicePrincipal(fabrikam, saas.application.appId);
    const { response, correlationId } = request(saas, fabrikam.id, `api://${api.application.appId}/.default`);
    await expectAadsts(await response, 400, 'invalid_resource', 500011, correlationId);

    // Once the API is provisioned in B (multi-tenant APIs are), B's token carries no role from A.
    const { directory } = t.server.tessera;
    const mtApi = await directory.registerApplication(t.tenant, {
      displayName: 'mt-api',
      signInAudience: 'AzureADMultipleOrgs',
      appRoles: [api.role],
      accessTokenVersion: 2,
    });
    await directory.servicePrincipals.assignAppRole({
      tenantId: t.tenant.id,
      principal: saas.servicePrincipal,
      resource: mtApi.servicePrincipal,
      appRoleId: api.role.id,
    });
    await directory.createServicePrincipal(fabrikam, mtApi.application.appId);
    const inB = request(saas, fabrikam.id, `${mtApi.application.appId}/.default`);
    const res = await inB.response;
    const body = (await res.json()) as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const { payload } = await verifyAccessToken(t, body.access_token, {
      version: 2,
      tenantId: fabrikam.id,
      audience: mtApi.application.appId,
    });
    assert.equal(payload.roles, undefined);
    assert.equal(payload.tid, fabrikam.id);
  });
});
