import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { batchBody, call } from '../media/protocolSupport.js';
import type { Caller } from '../media/protocolSupport.js';
import type { MediaFixture } from '../media/support.js';
import { mediaCaller, startMedia } from '../media/support.js';

type List = { value: Array<Record<string, unknown>> };

const channelBody = (name: string) => ({
  Name: name,
  Input: {
    StreamingProtocol: 'RTMP',
    AccessControl: { IP: { Allow: [{ Name: 'encoder', Address: '127.0.0.1', SubnetPrefixLength: 32 }] } },
  },
  Preview: { AccessControl: { IP: { Allow: [{ Name: 'all', Address: '0.0.0.0', SubnetPrefixLength: 0 }] } } },
  Output: { Hls: { FragmentsPerSegment: 1 } },
});

/**
 * The Media Services v2 API decides by actions on the account: a custom role with
 * `Microsoft.Media/mediaservices/*` is let in as Contributor was, and each Media Services built-in
 * role may do what its permissions say (src/media/operationActions.ts maps each v2 request to the
 * ARM action that stands for it). Whatever is refused is the v2 service's 401.
 */
describe('Media Services v2 authorization by actions', () => {
  let f: MediaFixture;
  let owner: Caller;

  const as = async (role: string | undefined, scope?: string): Promise<Caller> => {
    const { token } = await mediaCaller(f, {
      displayName: `as ${role ?? 'nobody'} ${randomUUID()}`,
      role,
      scope,
    });
    return { f, token };
  };
  const status = async (c: Caller, method: string, path: string, body?: unknown) =>
    (await call(c, method, path, body === undefined ? {} : { body })).status;
  const customRole = async (actions: string[], notActions: string[] = []) => {
    const { definition } = await f.t.server.tessera.roleDefinitions.createOrUpdate(f.t.tenant.id, {
      name: randomUUID(),
      roleName: `media custom ${randomUUID().slice(0, 8)}`,
      permissions: [{ actions, notActions, dataActions: [], notDataActions: [] }],
      assignableScopes: [f.scope],
    });
    return definition.name;
  };

  before(async () => {
    f = await startMedia('rolesmedia');
    owner = await as('Owner');
  });
  after(() => f.t.stop());

  it('lets a custom role with Microsoft.Media/mediaservices/* do what Contributor does', async () => {
    const c = await as(await customRole(['Microsoft.Media/mediaservices/*']));
    assert.equal(await status(c, 'GET', 'Assets'), 200);
    assert.equal(await status(c, 'POST', 'Assets', { Name: 'custom' }), 201);
    assert.equal(await status(c, 'POST', 'Channels', channelBody('customch')), 202);
    assert.equal(await status(c, 'GET', 'EncodingReservedUnitTypes'), 200);
  });

  it('refuses read-only roles with 401: Reader, and a custom role of Media reads only', async () => {
    for (const role of [
      'Reader',
      await customRole(['Microsoft.Media/mediaservices/*/read', 'Microsoft.Media/mediaservices/read']),
    ]) {
      const c = await as(role);
      for (const path of ['Assets', 'MediaProcessors', ''])
        assert.equal(await status(c, 'GET', path), 401, `${role} GET ${path}`);
      assert.equal(await status(c, 'POST', 'Assets', { Name: 'no' }), 401);
    }
  });

  it('lets the Media Services roles do what their permissions say, and nothing more', async () => {
    const operator = await as('Media Services Media Operator');
    assert.equal(await status(operator, 'GET', 'MediaProcessors'), 200);
    assert.equal(await status(operator, 'POST', 'Assets', { Name: 'by the operator' }), 201);
    assert.equal(
      await status(operator, 'POST', 'AccessPolicies', {
        Name: 'read',
        DurationInMinutes: 60,
        Permissions: 1,
      }),
      201,
    );
    assert.equal(await status(operator, 'GET', 'StreamingEndpoints'), 200, 'reads everything');
    assert.equal(await status(operator, 'POST', 'StreamingEndpoints', { Name: 'byoperator' }), 401);
    assert.equal(await status(operator, 'POST', 'Channels', channelBody('byoperator')), 401);
    assert.equal(
      await status(operator, 'POST', 'AssetDeliveryPolicies', {
        Name: 'p',
        AssetDeliveryProtocol: 7,
        AssetDeliveryPolicyType: 2,
      }),
      401,
    );

    const account = await as('Media Services Account Administrator');
    assert.equal(await status(account, 'GET', 'Assets'), 200);
    assert.equal(await status(account, 'POST', 'Assets', { Name: 'by the account admin' }), 401);
    const units = (await call<List>(account, 'GET', 'EncodingReservedUnitTypes')).json.value[0];
    assert.ok(units);
    assert.equal(
      await status(account, 'MERGE', `EncodingReservedUnitTypes(guid'${String(units.AccountId)}')`, {
        ReservedUnitType: 1,
      }),
      204,
    );
    assert.equal(
      await status(operator, 'MERGE', `EncodingReservedUnitTypes(guid'${String(units.AccountId)}')`, {
        ReservedUnitType: 0,
      }),
      401,
    );

    const live = await as('Media Services Live Events Administrator');
    assert.equal(await status(live, 'POST', 'Channels', channelBody('bylive')), 202);
    assert.equal(await status(live, 'POST', 'Assets', { Name: 'archive' }), 201);
    assert.equal(await status(live, 'POST', 'StreamingEndpoints', { Name: 'bylive' }), 401);

    const endpoints = await as('Media Services Streaming Endpoints Administrator');
    assert.equal(
      await status(endpoints, 'POST', 'StreamingEndpoints', { Name: 'byendpoints', ScaleUnits: 1 }),
      202,
    );
    assert.equal(await status(endpoints, 'POST', 'Assets', { Name: 'no' }), 401);

    const policy = await as('Media Services Policy Administrator');
    assert.equal(
      await status(policy, 'POST', 'AssetDeliveryPolicies', {
        Name: 'clear',
        AssetDeliveryProtocol: 7,
        AssetDeliveryPolicyType: 2,
      }),
      201,
    );
    assert.equal(await status(policy, 'POST', 'Assets', { Name: 'no' }), 401);
  });

  it('checks every operation of a $batch before running any', async () => {
    const operator = await as('Media Services Media Operator');
    const assets = async () => (await call<List>(owner, 'GET', 'Assets')).json.value.length;
    const before = await assets();
    const mixed = batchBody([
      [
        {
          method: 'POST',
          url: 'Assets',
          contentId: '1',
          headers: { 'Content-Type': 'application/json' },
          body: '{"Name":"in a batch"}',
        },
        {
          method: 'POST',
          url: 'StreamingEndpoints',
          contentId: '2',
          headers: { 'Content-Type': 'application/json' },
          body: '{"Name":"sneaky"}',
        },
      ],
    ]);
    assert.equal((await call(operator, 'POST', '$batch', mixed)).status, 401);
    assert.equal(await assets(), before, 'nothing of the refused batch ran');
    // `$1` names what part 1 created: an Asset, which the operator may link and change.
    const allowed = batchBody([
      [
        {
          method: 'POST',
          url: 'Assets',
          contentId: '1',
          headers: { 'Content-Type': 'application/json' },
          body: '{"Name":"batched"}',
        },
        {
          method: 'MERGE',
          url: '$1',
          headers: { 'Content-Type': 'application/json' },
          body: '{"Name":"renamed"}',
        },
      ],
      { method: 'GET', url: 'StreamingEndpoints' },
    ]);
    const reply = await call(operator, 'POST', '$batch', allowed);
    assert.equal(reply.status, 202, reply.text);
    assert.equal(await assets(), before + 1);
    const refusedLink = batchBody([
      [
        {
          method: 'POST',
          url: 'StreamingEndpoints',
          contentId: '1',
          headers: { 'Content-Type': 'application/json' },
          body: '{"Name":"x"}',
        },
        { method: 'DELETE', url: '$1' },
      ],
    ]);
    assert.equal((await call(operator, 'POST', '$batch', refusedLink)).status, 401);
  });

  it('honours deny assignments and NotActions on the action a request needs', async () => {
    const { tessera } = f.t.server;
    const denied = await mediaCaller(f, { displayName: 'denied owner', role: 'Owner' });
    await tessera.denyAssignments.create({
      tenantId: f.t.tenant.id,
      scope: f.scope,
      denyAssignmentName: 'no new assets',
      permissions: [
        {
          actions: ['Microsoft.Media/mediaservices/assets/write'],
          notActions: [],
          dataActions: [],
          notDataActions: [],
        },
      ],
      principals: [{ id: denied.servicePrincipal.objectId, type: 'ServicePrincipal' }],
    });
    const c = { f, token: denied.token };
    assert.equal(await status(c, 'GET', 'Assets'), 200);
    assert.equal(await status(c, 'POST', 'Assets', { Name: 'denied' }), 401);
    assert.equal(await status(c, 'POST', 'Channels', channelBody('stillallowed')), 202);
    const narrowed = await as(
      await customRole(['Microsoft.Media/mediaservices/*'], ['Microsoft.Media/mediaservices/liveEvents/*']),
    );
    assert.equal(await status(narrowed, 'POST', 'Assets', { Name: 'fine' }), 201);
    assert.equal(await status(narrowed, 'POST', 'Channels', channelBody('notfine')), 401);
  });
});
