import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { API, arm, expectArmError, principalWithRole, startArmAsOwner } from './support.js';
import type { ArmFixture } from './support.js';

interface MediaJson {
  id: string;
  name: string;
  type: string;
  location: string;
  properties: {
    mediaServiceId: string;
    provisioningState: string;
    storageAccounts: Array<{ id: string; type: string }>;
    apiEndpoints: Array<{ endpoint: string; majorVersion: string }>;
  };
}

describe('Media Services accounts (control plane)', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
  });
  after(async () => t.stop());

  const accountId = (name: string) => `${f.groupScope}/providers/Microsoft.Media/mediaservices/${name}`;
  const path = (name: string) => `${accountId(name)}?${API.mediaservices}`;

  it('creates an account with its v2 REST endpoint, then gets, lists and deletes it', async () => {
    const storage = `${f.groupScope}/providers/Microsoft.Storage/storageAccounts/mediastore`;
    const created = await arm<MediaJson>(t, 'PUT', path('contososports'), {
      token,
      body: {
        location: 'South Central US',
        properties: { storageAccounts: [{ id: storage, type: 'Primary' }] },
      },
    });
    assert.equal(created.status, 201, created.text);
    const account = created.json;
    assert.equal(account.id, accountId('contososports'));
    assert.equal(account.type, 'Microsoft.Media/mediaservices');
    assert.equal(account.location, 'southcentralus');
    assert.match(account.properties.mediaServiceId, /^[0-9a-f-]{36}$/);
    assert.equal(account.properties.provisioningState, 'Succeeded');
    assert.deepEqual(account.properties.storageAccounts, [{ id: storage, type: 'Primary' }]);
    // The account's own origin: a port of its own, on which the v2 API answers (here: no token).
    const [api] = account.properties.apiEndpoints;
    assert.equal(account.properties.apiEndpoints.length, 1);
    assert.equal(api?.majorVersion, '2');
    assert.match(api?.endpoint ?? '', /^https:\/\/localhost:\d+\/api\/$/);
    const anonymous = await fetch(`${api?.endpoint ?? ''}Assets`);
    assert.equal(anonymous.status, 401);
    assert.match(
      anonymous.headers.get('www-authenticate') ?? '',
      /resource_id="https:\/\/rest\.media\.azure\.net"/,
    );

    assert.deepEqual((await arm(t, 'GET', path('contososports'), { token })).json, account);
    const again = await arm<MediaJson>(t, 'PUT', path('contososports'), {
      token,
      body: { location: 'southcentralus' },
    });
    assert.equal(again.status, 200);
    assert.equal(
      again.json.properties.mediaServiceId,
      account.properties.mediaServiceId,
      'the account keeps its id',
    );

    const list = await arm<{ value: MediaJson[] }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Media/mediaservices?${API.mediaservices}`,
      { token },
    );
    assert.deepEqual(
      list.json.value.map((a) => a.name),
      ['contososports'],
    );
    assert.equal((await arm(t, 'DELETE', path('contososports'), { token })).status, 200);
    expectArmError(await arm(t, 'GET', path('contososports'), { token }), 404, 'ResourceNotFound');
  });

  it('accepts only 3-24 lower-case letters and digits as a name', async () => {
    for (const bad of ['ab', 'a'.repeat(25), 'Contoso', 'media-one']) {
      expectArmError(
        await arm(t, 'PUT', path(bad), { token, body: { location: 'westus' } }),
        400,
        'InvalidResourceName',
      );
    }
    expectArmError(await arm(t, 'PUT', path('nolocation'), { token, body: {} }), 400, 'LocationRequired');
  });

  it('lets a Contributor create an account and refuses a Reader', async () => {
    const contributor = await principalWithRole(t, {
      displayName: 'media-contrib',
      role: 'Contributor',
      scope: f.groupScope,
    });
    assert.equal(
      (
        await arm(t, 'PUT', path('contribaccount'), {
          token: contributor.token,
          body: { location: 'westus' },
        })
      ).status,
      201,
    );
    const reader = await principalWithRole(t, {
      displayName: 'media-reader',
      role: 'Reader',
      scope: f.groupScope,
    });
    expectArmError(
      await arm(t, 'PUT', path('readeraccount'), { token: reader.token, body: { location: 'westus' } }),
      403,
      'AuthorizationFailed',
    );
  });
});
