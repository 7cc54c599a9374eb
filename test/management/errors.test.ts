import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { API, arm, expectArmError, startArmAsOwner } from './support.js';
import type { ArmFixture } from './support.js';

/** Every failure in ARM's envelope, whatever layer found it; never a 500 or Fastify's own shape. */
describe('management API error envelope', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
  });
  after(async () => t.stop());

  const groupPath = (name: string) => `${f.subscriptionScope}/resourcegroups/${name}?${API.resourceGroups}`;

  it('answers a body that is not JSON with InvalidRequestContent', async () => {
    for (const body of ['{"location": "westus"', 'not json', '[1,', '{"__proto__": ']) {
      expectArmError(
        await arm(t, 'PUT', groupPath('bad-json'), { token, body }),
        400,
        'InvalidRequestContent',
        "The request content was invalid and could not be deserialized: 'The request body is not valid JSON.'.",
      );
    }
  });

  it('answers a JSON body of the wrong shape in the envelope', async () => {
    expectArmError(
      await arm(t, 'PUT', groupPath('shape'), { token, body: '[]' }),
      400,
      'InvalidRequestContent',
    );
    expectArmError(
      await arm(t, 'PUT', groupPath('shape'), { token, body: { location: 5 } }),
      400,
      'InvalidRequestContent',
    );
    expectArmError(
      await arm(t, 'PUT', groupPath('shape'), { token, body: { location: 'westus', tags: { a: 1 } } }),
      400,
      'InvalidRequestContent',
    );
  });

  it('refuses bodies that are not JSON', async () => {
    const response = await arm(t, 'PUT', groupPath('text'), {
      token,
      body: 'location=westus',
      headers: { 'content-type': 'text/plain' },
    });
    expectArmError(
      response,
      415,
      'UnsupportedMediaType',
      "The content media type 'text/plain' is not supported. Only 'application/json' is supported.",
    );
  });

  it('answers unknown paths under /subscriptions with 404 in the envelope', async () => {
    const path = `${f.subscriptionScope}/widgets/w`;
    expectArmError(
      await arm(t, 'GET', `${path}?${API.resourceGroups}`, { token }),
      404,
      'NotFound',
      `The requested path '${path}' was not found.`,
    );
    expectArmError(
      await arm(t, 'GET', `${f.groupScope}/providers/Microsoft.Nope/things?${API.resourceGroups}`, { token }),
      404,
      'InvalidResourceNamespace',
      "The resource namespace 'Microsoft.Nope' is invalid.",
    );
    expectArmError(
      await arm(t, 'GET', `${f.groupScope}/providers/Microsoft.Media/things?api-version=2023-01-01`, {
        token,
      }),
      404,
      'InvalidResourceType',
    );
    expectArmError(
      await arm(
        t,
        'GET',
        `${f.subscriptionScope}/providers/Microsoft.Authorization/locks?api-version=2022-04-01`,
        {
          token,
        },
      ),
      404,
      'InvalidResourceType',
    );
  });

  it('refuses methods a resource does not support', async () => {
    expectArmError(
      await arm(t, 'POST', `${f.subscriptionScope}/resourcegroups?${API.resourceGroups}`, { token }),
      405,
      'MethodNotAllowed',
      "The requested resource does not support http method 'POST'.",
    );
  });

  it('tells a malformed subscription id from an unknown one', async () => {
    expectArmError(
      await arm(t, 'GET', `/subscriptions/not-a-guid/resourcegroups?${API.resourceGroups}`, { token }),
      400,
      'InvalidSubscriptionId',
      "The provided subscription identifier 'not-a-guid' is malformed or invalid.",
    );
    const unknown = '0b1f6471-1bf0-4dda-aec3-111122223333';
    expectArmError(
      await arm(t, 'GET', `/subscriptions/${unknown}/resourcegroups?${API.resourceGroups}`, { token }),
      404,
      'SubscriptionNotFound',
      `The subscription '${unknown}' could not be found.`,
    );
  });

  it('maps domain failures to their ARM status', async () => {
    expectArmError(
      await arm(t, 'GET', groupPath('missing'), { token }),
      404,
      'ResourceGroupNotFound',
      "Resource group 'missing' could not be found.",
    );
    const response = await arm(t, 'PUT', groupPath('bad name!'), { token, body: { location: 'westus' } });
    expectArmError(response, 400, 'InvalidResourceGroupName');
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  it('leaves the authority and unknown top-level paths alone', async () => {
    const discovery = await fetch(`${t.origin}/${t.tenant.id}/v2.0/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const nothing = await fetch(`${t.origin}/nowhere`);
    assert.equal(nothing.status, 404);
  });
});
