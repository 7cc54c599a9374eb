import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LOCKOUT_THRESHOLD } from '../../src/authority/signIn/lockout.js';
import type { User } from '../../src/directory/model.js';
import { expectAadsts, registerSecretClient } from '../support/authority.js';
import { PageClient, authorizeUrl, codeOf, pkcePair } from '../support/signInClient.js';
import { AZURE_CLI, PASSWORD, createUser, okBody } from '../support/users.js';
import { distribution, multinodeSkip, startCluster, until } from './support.js';
import type { Cluster, Node } from './support.js';

const REDIRECT = 'http://localhost:43125';
const SCOPE = 'https://management.azure.com/.default openid profile offline_access';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

const tokenUrl = (node: Node): string => `${node.t.origin}/${node.t.tenant.id}/oauth2/v2.0/token`;

const password = (node: Node, username: string, secret = PASSWORD) =>
  node.post(tokenUrl(node), {
    client_id: AZURE_CLI,
    grant_type: 'password',
    username,
    password: secret,
    scope: SCOPE,
  });

const refresh = (node: Node, token: string) =>
  node.post(tokenUrl(node), {
    client_id: AZURE_CLI,
    grant_type: 'refresh_token',
    refresh_token: token,
    scope: SCOPE,
  });

describe('three nodes behind one origin on one PostgreSQL database', { skip: multinodeSkip() }, () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  let c: Node;
  let alice: User;

  /** Signs alice in on node A's pages (the Azure CLI, PKCE): the browser, its code and verifier. */
  async function signInOnA(): Promise<{ browser: PageClient; code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const browser = new PageClient(a.t);
    const page = await browser.get(authorizeUrl(a.t, authorizeParameters(challenge)));
    return { browser, code: codeOf(await browser.signIn(page, alice.userPrincipalName)), verifier };
  }

  const authorizeParameters = (challenge: string): Record<string, string> => ({
    client_id: AZURE_CLI,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

  const redeem = (node: Node, code: string, verifier: string) =>
    node.post(tokenUrl(node), {
      grant_type: 'authorization_code',
      client_id: AZURE_CLI,
      redirect_uri: REDIRECT,
      scope: SCOPE,
      code,
      code_verifier: verifier,
    });

  /** A user every node knows (each node's directory cache has heard of it). */
  async function userOnEveryNode(alias: string): Promise<User> {
    const user = await createUser(a.t, alias);
    for (const node of cluster.nodes) {
      await until(`${node.address} finds ${alias}`, async () =>
        Boolean(
          await node.t.server.tessera.directory.users.findByUpn(node.t.tenant.id, user.userPrincipalName),
        ),
      );
    }
    return user;
  }

  before(async () => {
    cluster = await startCluster(3);
    [a, b, c] = cluster.nodes as [Node, Node, Node];
    alice = await userOnEveryNode('alice');
  });
  after(async () => cluster?.stop());

  it('an authorization code redeemed on A is refused on B, and that replay revokes what A issued', async () => {
    const { code, verifier } = await signInOnA();
    const first = await okBody(await redeem(a, code, verifier));
    assert.ok(first.refresh_token);
    await expectAadsts(await redeem(b, code, verifier), 400, 'invalid_grant', 54005);
    await expectAadsts(await refresh(c, first.refresh_token), 400, 'invalid_grant', 50173);
  });

  it('one code redeemed on two nodes at once yields one token set', async () => {
    const { code, verifier } = await signInOnA();
    const answers = await Promise.all([redeem(b, code, verifier), redeem(c, code, verifier)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400]);
    const loser = answers.find((r) => r.status === 400);
    assert.ok(loser);
    await expectAadsts(loser, 400, 'invalid_grant', 54005);
  });

  it('a refresh token rotated on A and replayed on B revokes the family on every node', async () => {
    const signIn = await okBody(await password(a, alice.userPrincipalName));
    assert.ok(signIn.refresh_token);
    const rotated = await okBody(await refresh(a, signIn.refresh_token));
    assert.ok(rotated.refresh_token);
    await expectAadsts(await refresh(b, signIn.refresh_token), 400, 'invalid_grant', 50173);
    // The live successor died with its family.
    await expectAadsts(await refresh(c, rotated.refresh_token), 400, 'invalid_grant', 50173);
  });

  it('one refresh token redeemed on three nodes at once has one successor', async () => {
    const signIn = await okBody(await password(b, alice.userPrincipalName));
    const token = signIn.refresh_token ?? '';
    const answers = await Promise.all(cluster.nodes.map((node) => refresh(node, token)));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400, 400]);
  });

  it('an SSO session started on A signs in on B without a password, and its code redeems on C', async () => {
    const { browser } = await signInOnA();
    const { verifier, challenge } = pkcePair();
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const silent = await b.fetch(authorizeUrl(b.t, { ...authorizeParameters(challenge), prompt: 'none' }), {
      headers: { cookie },
    });
    assert.equal(silent.status, 302, await silent.text());
    const location = new URL(silent.headers.get('location') ?? '');
    const code = location.searchParams.get('code');
    assert.ok(code, location.href);
    const tokens = await okBody(await redeem(c, code, verifier));
    assert.ok(tokens.id_token);
    // Without the cookie, B knows no session.
    const anonymous = await b.fetch(authorizeUrl(b.t, { ...authorizeParameters(challenge), prompt: 'none' }));
    assert.equal(
      new URL(anonymous.headers.get('location') ?? '').searchParams.get('error'),
      'login_required',
    );
  });

  it('thirty parallel wrong passwords spread over the nodes: exactly the threshold are checked', async () => {
    const lara = await userOnEveryNode('lara');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        password(cluster.nodes[i % 3] as Node, lara.userPrincipalName, `Guess-${i}-Wrong`),
      ),
    );
    const codes = await Promise.all(
      answers.map(async (response) => ((await response.json()) as { error_codes: number[] }).error_codes[0]),
    );
    const tally: Record<string, number> = {};
    for (const code of codes) tally[String(code)] = (tally[String(code)] ?? 0) + 1;
    assert.deepEqual(tally, { 50126: LOCKOUT_THRESHOLD, 50053: 30 - LOCKOUT_THRESHOLD });
    const state = await c.t.server.tessera.signIns.lockout.state(lara.objectId);
    assert.equal(state?.failedCount, LOCKOUT_THRESHOLD);
    // Locked on every node: the right password is refused unchecked.
    for (const node of cluster.nodes) {
      await expectAadsts(await password(node, lara.userPrincipalName), 400, 'invalid_grant', 50053);
    }
  });

  it('a role assignment written on A is enforced on B at once (the change feed), measured', async (t) => {
    const writer = await registerSecretClient(a.t, { displayName: 'writer' });
    const reader = await registerSecretClient(a.t, { displayName: 'reader' });
    const subscription = (await a.t.server.tessera.subscriptions.list(a.t.tenant.id))[0];
    assert.ok(subscription);
    const subscriptionScope = `/subscriptions/${subscription.subscriptionId}`;
    await a.t.server.tessera.roleAssignments.create({
      tenantId: a.t.tenant.id,
      scope: subscriptionScope,
      roleDefinition: 'Owner',
      principalId: writer.servicePrincipal.objectId,
    });
    const token = async (node: Node, client: typeof writer) => {
      let value = '';
      await until(`${node.address} issues a token to ${client.application.displayName}`, async () => {
        const response = await node.post(tokenUrl(node), {
          grant_type: 'client_credentials',
          client_id: client.application.appId,
          client_secret: client.secret,
          scope: 'https://management.azure.com/.default',
        });
        value =
          response.status === 200 ? ((await response.json()) as { access_token: string }).access_token : '';
        return value !== '';
      });
      return { authorization: `Bearer ${value}`, 'content-type': 'application/json' };
    };
    const asWriter = await token(a, writer);
    const asReader = await token(b, reader);
    const latencies: number[] = [];
    const indexLatencies: number[] = [];
    const decidesOnB = async (group: string) =>
      (await b.t.server.tessera.access.current()).evaluate(
        reader.servicePrincipal.objectId,
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        group,
        'action',
      ).allowed;
    for (let i = 0; i < 20; i++) {
      const group = `${subscriptionScope}/resourcegroups/feed-${i}`;
      const created = await a.fetch(`${a.t.origin}${group}?api-version=2021-04-01`, {
        method: 'PUT',
        headers: asWriter,
        body: JSON.stringify({ location: 'westus' }),
      });
      assert.equal(created.status, 201, await created.text());
      const read = () => b.fetch(`${b.t.origin}${group}?api-version=2021-04-01`, { headers: asReader });
      assert.equal((await read()).status, 403);
      const assignment = await a.fetch(
        `${a.t.origin}${group}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`,
        {
          method: 'PUT',
          headers: asWriter,
          body: JSON.stringify({
            properties: {
              roleDefinitionId: `${subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
              principalId: reader.servicePrincipal.objectId,
              principalType: 'ServicePrincipal',
            },
          }),
        },
      );
      assert.equal(assignment.status, 201, await assignment.text());
      // From A's acknowledgement to B's access index deciding so (the feed and the replay alone), and
      // to B's first allowed answer (each poll one HTTPS request to B, on this test's event loop).
      indexLatencies.push(await until(`B's index allows ${group}`, () => decidesOnB(group), 5_000, 0));
      latencies.push(await until(`B enforces ${group}`, async () => (await read()).status === 200, 5_000, 0));
    }
    t.diagnostic(`role assignment on A → decided by B's index: ${distribution(indexLatencies)}`);
    t.diagnostic(`role assignment on A → enforced on B: ${distribution(latencies)}`);
  });
});
