import { headersOnly } from '../support/headersOnly.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { MAX_JSON_DEPTH } from '../../src/net/jsonDepth.js';
import { API, arm, expectArmError, principalWithRole, startArmAsOwner } from './support.js';
import type { ArmFixture, ArmResponse } from './support.js';
import { largeParsesDuring } from '../support/jsonParses.js';

/** ~3.9 MiB of `[` then `]`: JSON.parse with a reviver spent seconds on this before it was bounded. */
const DEEP_BODY = '['.repeat(2_000_000) + ']'.repeat(2_000_000);
const FOUR_MIB = 4 * 1024 * 1024;

/** ARM's answer to a request that announces a body and never sends it (see headersOnly). */
async function armHeadersOnly(
  t: TestServer,
  method: string,
  path: string,
  input: { token?: string; contentLength: number },
): Promise<ArmResponse> {
  const response = await headersOnly(`${t.origin}${path}`, method, {
    contentLength: input.contentLength,
    ...(input.token !== undefined && { authorization: `Bearer ${input.token}` }),
  });
  return {
    ...response,
    json: response.text === '' ? undefined : (JSON.parse(response.text) as Record<string, unknown>),
  };
}

/** CPU (user + system, ms) this process spent during `work`: the server under test runs in it. */
async function cpuDuring<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const start = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(start);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

describe('ARM authorizes before it reads a body', { timeout: 60_000 }, () => {
  let t: TestServer;
  let f: ArmFixture;
  let ownerToken: string;
  let noRoleToken: string;
  let noRoleObjectId: string;
  let noRoleAppId: string;
  const groupPath = (name: string) => `${f.subscriptionScope}/resourcegroups/${name}?${API.resourceGroups}`;

  before(async () => {
    ({ t, f, token: ownerToken } = await startArmAsOwner());
    const noRole = await principalWithRole(t, { displayName: 'no-role' });
    noRoleToken = noRole.token;
    noRoleObjectId = noRole.servicePrincipal.objectId;
    noRoleAppId = noRole.application.appId;
  });
  after(async () => t.stop());

  const expectForbidden = (response: ArmResponse, action: string, scope: string) =>
    expectArmError(
      response,
      403,
      'AuthorizationFailed',
      `The client '${noRoleAppId}' with object id '${noRoleObjectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );

  it('answers 401 to an anonymous caller without waiting for its body', async () => {
    const response = await armHeadersOnly(t, 'PUT', groupPath('anonymous'), { contentLength: 3_900_000 });
    expectArmError(response, 401, 'AuthenticationFailed');
    assert.equal(response.headers.get('connection'), 'close');
  });

  it('answers 403 to a caller without the action without waiting for its body', async () => {
    const response = await armHeadersOnly(t, 'PUT', groupPath('x'), {
      token: noRoleToken,
      contentLength: 3_900_000,
    });
    expectForbidden(
      response,
      'Microsoft.Resources/subscriptions/resourceGroups/write',
      `${f.subscriptionScope}/resourceGroups/x`,
    );
    assert.equal(response.headers.get('connection'), 'close');
  });

  it('refuses a path that names no subscription without waiting for the body', async () => {
    const name = '6f2b7c0e-3d4a-4b5c-9e8f-0a1b2c3d4e5f';
    const response = await armHeadersOnly(
      t,
      'PUT',
      `/providers/Microsoft.Authorization/roleAssignments/${name}?${API.roleAssignments}`,
      { token: noRoleToken, contentLength: 3_900_000 },
    );
    // The scope is judged from the path alone, before authorization and before any body.
    expectArmError(response, 400, 'InvalidScope');
  });

  it('refuses a 3.9 MiB deeply nested body from a caller without the action, never parsing it', async () => {
    const { result, parses } = await largeParsesDuring(1_000_000, () =>
      cpuDuring(() => arm(t, 'PUT', groupPath('x'), { token: noRoleToken, body: DEEP_BODY })),
    );
    expectForbidden(
      result.result,
      'Microsoft.Resources/subscriptions/resourceGroups/write',
      `${f.subscriptionScope}/resourceGroups/x`,
    );
    assert.equal(parses, 0, 'the body of an unauthorized request was parsed');
    // Parsing this body took seconds of CPU; sending it over TLS (client and server share this
    // process) costs tens of milliseconds.
    assert.ok(result.cpuMs < 750, `the refused request cost ${result.cpuMs} ms of CPU`);
  });

  it('keeps answering other clients while unauthorized callers send deep bodies', async () => {
    let attacking = true;
    const refusals: number[] = [];
    const attacker = async () => {
      while (attacking) {
        const response = await arm(t, 'PUT', groupPath('x'), { token: noRoleToken, body: DEEP_BODY });
        refusals.push(response.status);
      }
    };
    const attackers = [attacker(), attacker()];
    try {
      for (let i = 0; i < 5; i++) {
        const response = await arm(t, 'GET', `${f.subscriptionScope}?${API.subscriptions}`, {
          token: ownerToken,
        });
        assert.equal(response.status, 200, response.text);
      }
    } finally {
      attacking = false;
      await Promise.all(attackers);
    }
    assert.ok(refusals.length >= 2);
    assert.ok(refusals.every((status) => status === 403));
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} from an Owner with InvalidRequestContent`, async () => {
    const message = `The request content was invalid and could not be deserialized: 'The JSON nesting depth of the request body exceeds the maximum of ${MAX_JSON_DEPTH}.'.`;
    const { result, cpuMs } = await cpuDuring(() =>
      arm(t, 'PUT', groupPath('deep'), { token: ownerToken, body: DEEP_BODY }),
    );
    expectArmError(result, 400, 'InvalidRequestContent', message);
    assert.ok(cpuMs < 750, `the refused request cost ${cpuMs} ms of CPU`);

    const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : [nested(depth - 1)]);
    // The envelope and `tags` are two levels: the value adds the rest.
    const withDepth = (depth: number) => ({ location: 'westus', properties: { x: nested(depth - 2) } });
    expectArmError(
      await arm(t, 'PUT', groupPath('deep'), { token: ownerToken, body: withDepth(MAX_JSON_DEPTH + 1) }),
      400,
      'InvalidRequestContent',
      message,
    );
    // Brackets inside strings are not nesting.
    const inString = { location: 'westus', tags: { brackets: '['.repeat(200) } };
    assert.equal((await arm(t, 'PUT', groupPath('deep'), { token: ownerToken, body: inString })).status, 201);
    const atLimit = await arm(t, 'PUT', groupPath('deep'), {
      token: ownerToken,
      body: withDepth(MAX_JSON_DEPTH),
    });
    assert.equal(atLimit.status, 200, atLimit.text);
  });

  it('refuses an over-size body with 413 in the envelope', async () => {
    const message = `The request content size exceeds the maximum of ${FOUR_MIB} bytes.`;
    // Announced: refused from the Content-Length alone.
    expectArmError(
      await armHeadersOnly(t, 'PUT', groupPath('big'), { token: ownerToken, contentLength: FOUR_MIB + 1 }),
      413,
      'RequestEntityTooLarge',
      message,
    );
    const body = JSON.stringify({ location: 'westus', tags: { big: 'x'.repeat(FOUR_MIB) } });
    expectArmError(
      await arm(t, 'PUT', groupPath('big'), { token: ownerToken, body }),
      413,
      'RequestEntityTooLarge',
      message,
    );
    // Authorization still comes first: a caller without the action learns nothing about sizes.
    expectArmError(
      await armHeadersOnly(t, 'PUT', groupPath('big'), { token: noRoleToken, contentLength: FOUR_MIB + 1 }),
      403,
      'AuthorizationFailed',
    );
  });

  it('keeps the connection of a refused bodiless request open', async () => {
    const response = await arm(t, 'GET', `${f.subscriptionScope}/resourcegroups/x?${API.resourceGroups}`, {
      token: noRoleToken,
    });
    expectArmError(response, 403, 'AuthorizationFailed');
    assert.notEqual(response.headers.get('connection'), 'close');
  });
});
