import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { User } from '../../src/directory/model.js';
import { expectAadsts, postForm, registerSecretClient, tokenUrl } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  ARM_APP_ID,
  AZURE_CLI,
  PASSWORD,
  createUser,
  decodeClientInfo,
  okBody,
  refresh,
  registerPublicClient,
  registerScopedApi,
  ropc,
} from '../support/users.js';
import type { ScopedApi } from '../support/users.js';

const ARM = 'https://management.azure.com/.default';
const MSAL_SCOPES = 'openid profile offline_access';
const firstLine = (description: string) => description.split('\r\n')[0];

describe('user sign-in: wire format and security', () => {
  let t: TestServer;
  let api: ScopedApi;
  let confidential: SecretClient;

  before(async () => {
    t = await startTestServer();
    api = await registerScopedApi(t);
    confidential = await registerSecretClient(t, { displayName: 'web-app' });
  });
  after(async () => t.stop());

  const db = () => t.server.tessera.db;
  const now = () => Math.floor(Date.now() / 1000);

  describe('password grant responses', () => {
    let bob: User;
    before(async () => {
      bob = await createUser(t, 'bob');
    });

    it('answers scope, refresh_token, id_token and client_info as Entra does', async () => {
      const body = await okBody(
        await ropc(t, { username: bob.userPrincipalName, scope: `${ARM} ${MSAL_SCOPES}` }),
      );
      assert.equal(body.token_type, 'Bearer');
      assert.equal(
        body.scope,
        'https://management.azure.com/user_impersonation https://management.azure.com/.default openid profile',
      );
      assert.ok(body.expires_in > 300);
      assert.match(body.refresh_token ?? '', /^[A-Za-z0-9_-]{70}$/);
      assert.deepEqual(decodeClientInfo(body.client_info ?? ''), { uid: bob.objectId, utid: t.tenant.id });
      const idToken = decodeJwt(body.id_token ?? '');
      assert.equal(idToken.aud, AZURE_CLI);
      assert.equal(idToken.oid, bob.objectId);
      const access = decodeJwt(body.access_token);
      assert.equal(access.sub, idToken.sub);
    });

    it('issues no refresh token without offline_access, no ID token without openid, no client_info unasked', async () => {
      const body = await okBody(
        await ropc(t, { username: bob.userPrincipalName, scope: `${ARM} profile`, client_info: '' }),
      );
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.id_token, undefined);
      assert.equal(body.client_info, undefined);
      assert.equal(
        body.scope,
        'https://management.azure.com/user_impersonation https://management.azure.com/.default profile',
      );
    });

    it('serves the v1 endpoint: `resource`, string numbers, a refresh token without offline_access', async () => {
      const response = await postForm(tokenUrl(t, t.tenant.id, 1), {
        client_id: AZURE_CLI,
        grant_type: 'password',
        username: bob.userPrincipalName,
        password: PASSWORD,
        resource: 'https://management.core.windows.net/',
      });
      const body = (await response.json()) as Record<string, string>;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.resource, 'https://management.core.windows.net/');
      assert.match(body.expires_on ?? '', /^\d+$/);
      assert.ok(body.refresh_token);
      assert.equal(decodeJwt(body.access_token ?? '').aud, 'https://management.core.windows.net/');
    });

    it('refuses scopes Entra refuses', async () => {
      const user = bob.userPrincipalName;
      const resource = `api://${api.application.appId}`;
      await expectAadsts(
        await ropc(t, { username: user, scope: `${resource}/Orders.Delete` }),
        400,
        'invalid_client',
        650053,
      );
      await expectAadsts(
        await ropc(t, {
          username: user,
          scope: `${resource}/Orders.Read https://management.azure.com/user_impersonation`,
        }),
        400,
        'invalid_scope',
        28000,
      );
      await expectAadsts(
        await ropc(t, { username: user, scope: 'api://nobody/.default' }),
        400,
        'invalid_resource',
        500011,
      );
      await expectAadsts(
        await ropc(t, { username: user, scope: `${resource}/.default ${resource}/Orders.Read` }),
        400,
        'invalid_scope',
        70011,
      );
      const bare = await registerScopedApi(t, { displayName: 'no-scopes', scopes: [] });
      const consent = await expectAadsts(
        await ropc(t, { username: user, scope: `api://${bare.application.appId}/.default` }),
        400,
        'invalid_grant',
        65001,
      );
      assert.equal((consent as unknown as { suberror?: string }).suberror, 'consent_required');
      await expectAadsts(await ropc(t, { username: '', scope: ARM }), 400, 'invalid_request', 900144);
    });

    it('authenticates clients: public ones send nothing, confidential ones their secret', async () => {
      const user = bob.userPrincipalName;
      await expectAadsts(
        await ropc(t, { username: user, scope: ARM, client_secret: 'x' }),
        401,
        'invalid_client',
        700025,
      );
      const asConfidential = { username: user, scope: ARM, client_id: confidential.application.appId };
      await expectAadsts(await ropc(t, asConfidential), 401, 'invalid_client', 7000218);
      await expectAadsts(
        await ropc(t, { ...asConfidential, client_secret: 'wrong' }),
        401,
        'invalid_client',
        7000215,
      );
      const body = await okBody(await ropc(t, { ...asConfidential, client_secret: confidential.secret }));
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.appid, confidential.application.appId);
      assert.equal(claims.appidacr, '1');
    });
  });

  describe('credentials', () => {
    it('answers 50126 with the same text for an unknown user and a wrong password', async () => {
      const carol = await createUser(t, 'carol');
      const unknown = await expectAadsts(
        await ropc(t, { username: `nobody@${t.tenant.domain}`, scope: ARM }),
        400,
        'invalid_grant',
        50126,
      );
      const wrong = await expectAadsts(
        await ropc(t, { username: carol.userPrincipalName, password: 'Wrong-Password-1', scope: ARM }),
        400,
        'invalid_grant',
        50126,
      );
      assert.equal(firstLine(unknown.error_description), firstLine(wrong.error_description));
      assert.equal(
        firstLine(wrong.error_description),
        'AADSTS50126: Error validating credentials due to invalid username or password.',
      );
      const otherDomain = await expectAadsts(
        await postForm(`${t.origin}/organizations/oauth2/v2.0/token`, {
          client_id: AZURE_CLI,
          grant_type: 'password',
          username: 'carol@elsewhere.example',
          password: PASSWORD,
          scope: ARM,
        }),
        400,
        'invalid_grant',
        50126,
      );
      assert.equal(firstLine(otherDomain.error_description), firstLine(wrong.error_description));
    });

    it('tells only someone with the right password that the account is disabled or expired', async () => {
      const dave = await createUser(t, 'dave');
      const { users } = t.server.tessera.directory;
      await users.update(dave, { accountEnabled: false });
      await expectAadsts(
        await ropc(t, { username: dave.userPrincipalName, password: 'Nope-Nope-1', scope: ARM }),
        400,
        'invalid_grant',
        50126,
      );
      await expectAadsts(
        await ropc(t, { username: dave.userPrincipalName, scope: ARM }),
        400,
        'invalid_grant',
        50057,
      );
      await users.update(dave, { accountEnabled: true, forceChangePasswordNextSignIn: true });
      await expectAadsts(
        await ropc(t, { username: dave.userPrincipalName, scope: ARM }),
        400,
        'invalid_grant',
        50055,
      );
    });
  });

  describe('smart lockout', () => {
    it('locks after 10 distinct wrong passwords (50053), even for the right one, for 60 s', async () => {
      const erin = await createUser(t, 'erin');
      for (let i = 0; i < 10; i++) {
        await expectAadsts(
          await ropc(t, { username: erin.userPrincipalName, password: `Wrong-${i}-Password`, scope: ARM }),
          400,
          'invalid_grant',
          50126,
        );
      }
      await expectAadsts(
        await ropc(t, { username: erin.userPrincipalName, scope: ARM }),
        400,
        'invalid_grant',
        50053,
      );
      const state = await t.server.tessera.signIns.lockout.state(erin.objectId);
      assert.ok(state && Math.abs(state.lockedUntil - now() - 60) <= 2, JSON.stringify(state));
      const stored = await db()
        .selectFrom('sign_in_lockouts')
        .selectAll()
        .where('user_id', '=', erin.objectId)
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(stored.recent_failures, /Wrong/, 'only keyed hashes of wrong passwords are kept');

      // Once the lockout has passed, the next new wrong password locks again, for longer.
      await db()
        .updateTable('sign_in_lockouts')
        .set({ locked_until: now() - 1 })
        .where('user_id', '=', erin.objectId)
        .execute();
      await expectAadsts(
        await ropc(t, { username: erin.userPrincipalName, password: 'Wrong-10-Password', scope: ARM }),
        400,
        'invalid_grant',
        50126,
      );
      await expectAadsts(
        await ropc(t, { username: erin.userPrincipalName, scope: ARM }),
        400,
        'invalid_grant',
        50053,
      );
      const again = await t.server.tessera.signIns.lockout.state(erin.objectId);
      assert.ok(again && again.lockedUntil - now() > 100, 'the second lockout is longer');

      // After it, the right password signs in and clears the count.
      await db()
        .updateTable('sign_in_lockouts')
        .set({ locked_until: now() - 1 })
        .where('user_id', '=', erin.objectId)
        .execute();
      await okBody(await ropc(t, { username: erin.userPrincipalName, scope: ARM }));
      assert.equal(await t.server.tessera.signIns.lockout.state(erin.objectId), undefined);
    });

    it('counts the same wrong password once: 20 repeats do not lock', async () => {
      const frank = await createUser(t, 'frank');
      for (let i = 0; i < 20; i++) {
        await expectAadsts(
          await ropc(t, { username: frank.userPrincipalName, password: 'Same-Wrong-1', scope: ARM }),
          400,
          'invalid_grant',
          50126,
        );
      }
      assert.equal((await t.server.tessera.signIns.lockout.state(frank.objectId))?.failedCount, 1);
      await okBody(await ropc(t, { username: frank.userPrincipalName, scope: ARM }));
    });
  });

  describe('refresh tokens', () => {
    const signIn = async (user: User, scope = `${ARM} ${MSAL_SCOPES}`) => {
      const body = await okBody(await ropc(t, { username: user.userPrincipalName, scope }));
      assert.ok(body.refresh_token);
      return body.refresh_token;
    };

    it('are stored only as SHA-256 hashes', async () => {
      const user = await createUser(t, 'gina');
      const token = await signIn(user);
      const hash = createHash('sha256').update(token).digest('hex');
      const rows = await db().selectFrom('refresh_token_families').selectAll().execute();
      assert.ok(rows.some((r) => r.token_hash === hash));
      assert.ok(rows.every((r) => !Object.values(r).includes(token)));
    });

    it('rotate on use; reusing a rotated token revokes the family, the newest token included', async () => {
      const user = await createUser(t, 'hank');
      const first = await signIn(user);
      const second = (await okBody(await refresh(t, first, `${ARM} ${MSAL_SCOPES}`))).refresh_token ?? '';
      assert.notEqual(second, first);
      const third = (await okBody(await refresh(t, second, `${ARM} ${MSAL_SCOPES}`))).refresh_token ?? '';
      const reuse = await expectAadsts(await refresh(t, first, ARM), 400, 'invalid_grant', 50173);
      assert.equal((reuse as unknown as { suberror?: string }).suberror, 'bad_token');
      await expectAadsts(await refresh(t, third, ARM), 400, 'invalid_grant', 50173);
      // A new sign-in starts a new, healthy family.
      await okBody(await refresh(t, await signIn(user), ARM));
    });

    it('a forged secret for a known family is refused without revoking it; an earlier generation revokes it', async () => {
      const user = await createUser(t, 'hugo');
      const first = await signIn(user);
      const bytes = Buffer.from(first, 'base64url');
      // The family's id and generation with other random bits: someone who only guessed the secret.
      const forged = Buffer.concat([bytes.subarray(0, 20), randomBytes(32)]).toString('base64url');
      await expectAadsts(await refresh(t, forged, ARM), 400, 'invalid_grant', 70000);
      // A generation the family has not reached yet is no copy either.
      const ahead = Buffer.from(bytes);
      ahead.writeUInt32BE(7, 16);
      await expectAadsts(await refresh(t, ahead.toString('base64url'), ARM), 400, 'invalid_grant', 70000);
      const second = (await okBody(await refresh(t, first, ARM))).refresh_token ?? '';
      // An earlier generation with a made-up secret still proves the family leaked.
      await expectAadsts(await refresh(t, forged, ARM), 400, 'invalid_grant', 50173);
      await expectAadsts(await refresh(t, second, ARM), 400, 'invalid_grant', 50173);
    });

    it('issued before migration 0008 still redeem, once', async () => {
      const user = await createUser(t, 'lars');
      const rt = await signIn(user);
      const family = await db()
        .selectFrom('refresh_token_families')
        .select(['id', 'scope', 'issued_at'])
        .where('token_hash', '=', createHash('sha256').update(rt).digest('hex'))
        .executeTakeFirstOrThrow();
      // The state migration 0008 leaves: the legacy rows, the newest unused one live as generation 1.
      const legacy = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
      const legacyHash = legacy.map((token) => createHash('sha256').update(token).digest('hex'));
      await db()
        .insertInto('refresh_tokens')
        .values([
          {
            token_hash: legacyHash[0] ?? '',
            family_id: family.id,
            scope: family.scope,
            issued_at: family.issued_at,
            used_at: now(),
          },
          {
            token_hash: legacyHash[1] ?? '',
            family_id: family.id,
            scope: family.scope,
            issued_at: family.issued_at,
            used_at: null,
          },
        ])
        .execute();
      await db()
        .updateTable('refresh_token_families')
        .set({ token_hash: legacyHash[1] ?? '', generation: 1 })
        .where('id', '=', family.id)
        .execute();
      const next = await okBody(await refresh(t, legacy[1] ?? '', ARM));
      assert.equal(decodeJwt(next.access_token).upn, user.userPrincipalName);
      await okBody(await refresh(t, next.refresh_token ?? '', ARM));
      await expectAadsts(await refresh(t, legacy[0] ?? '', ARM), 400, 'invalid_grant', 50173);
    });

    it('get tokens for another resource, on the v1 endpoint too', async () => {
      const user = await createUser(t, 'ivan');
      const rt = await signIn(user);
      const body = await okBody(
        await refresh(t, rt, `api://${api.application.appId}/Orders.Write ${MSAL_SCOPES}`),
      );
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.aud, api.application.appId);
      assert.equal(claims.scp, 'Orders.Write');
      assert.equal(body.scope, `api://${api.application.appId}/Orders.Write openid profile`);
      assert.ok(body.id_token);
      const v1 = await postForm(tokenUrl(t, t.tenant.id, 1), {
        client_id: AZURE_CLI,
        grant_type: 'refresh_token',
        refresh_token: body.refresh_token ?? '',
        resource: 'https://rest.media.azure.net',
      });
      const v1Body = (await v1.json()) as Record<string, string>;
      assert.equal(v1.status, 200, JSON.stringify(v1Body));
      assert.equal(v1Body.resource, 'https://rest.media.azure.net');
      assert.equal(decodeJwt(v1Body.access_token ?? '').aud, 'https://rest.media.azure.net');
    });

    it('a refused scope does not burn the token', async () => {
      const user = await createUser(t, 'jane');
      const rt = await signIn(user);
      await expectAadsts(
        await refresh(t, rt, `api://${api.application.appId}/Nope`),
        400,
        'invalid_client',
        650053,
      );
      await okBody(await refresh(t, rt, ARM));
    });

    it('are bound to their client and tenant', async () => {
      const user = await createUser(t, 'karl');
      const rt = await signIn(user);
      const other = await registerPublicClient(t, 'other-native-app');
      await expectAadsts(
        await refresh(t, rt, ARM, { client_id: other.application.appId }),
        400,
        'invalid_grant',
        70000,
      );
      const elsewhere = await t.server.tessera.directory.createTenant({ domain: 'elsewhere' });
      const response = await postForm(tokenUrl(t, elsewhere.id), {
        client_id: AZURE_CLI,
        grant_type: 'refresh_token',
        refresh_token: rt,
        scope: ARM,
      });
      await expectAadsts(response, 400, 'invalid_grant', 70000);
      await expectAadsts(await refresh(t, 'not-a-refresh-token', ARM), 400, 'invalid_grant', 70000);
      await okBody(await refresh(t, rt, ARM));
    });

    it('die with a password change, a disabled account or a deleted user', async () => {
      const { users } = t.server.tessera.directory;
      const lena = await createUser(t, 'lena');
      const rt1 = await signIn(lena);
      await users.update(lena, { password: 'Brand-New-Pass-2' });
      await expectAadsts(await refresh(t, rt1, ARM), 400, 'invalid_grant', 50173);

      const mike = await createUser(t, 'mike');
      const rt2 = await signIn(mike);
      await users.update(mike, { accountEnabled: false });
      await expectAadsts(await refresh(t, rt2, ARM), 400, 'invalid_grant', 50057);
      await users.update(mike, { accountEnabled: true });
      await expectAadsts(await refresh(t, rt2, ARM), 400, 'invalid_grant', 50173);

      const nora = await createUser(t, 'nora');
      const rt3 = await signIn(nora);
      await users.delete(nora);
      await expectAadsts(await refresh(t, rt3, ARM), 400, 'invalid_grant', 70000);
    });

    it('expire after 14 days unused (700082) and 90 days after the sign-in (70008)', async () => {
      const olga = await createUser(t, 'olga');
      const idle = await signIn(olga);
      const idleHash = createHash('sha256').update(idle).digest('hex');
      await db()
        .updateTable('refresh_token_families')
        .set({ issued_at: now() - 15 * 86400 })
        .where('token_hash', '=', idleHash)
        .execute();
      const inactive = await expectAadsts(await refresh(t, idle, ARM), 400, 'invalid_grant', 700082);
      assert.match(inactive.error_description, /was inactive for 14\.00:00:00/);

      const old = await signIn(olga);
      const oldHash = createHash('sha256').update(old).digest('hex');
      await db()
        .updateTable('refresh_token_families')
        .set({ expires_at: now() - 1 })
        .where('token_hash', '=', oldHash)
        .execute();
      await expectAadsts(await refresh(t, old, ARM), 400, 'invalid_grant', 70008);
    });

    it('of confidential clients need the client’s secret again', async () => {
      const pat = await createUser(t, 'pat');
      const client = { client_id: confidential.application.appId, client_secret: confidential.secret };
      const body = await okBody(
        await ropc(t, { username: pat.userPrincipalName, scope: `${ARM} ${MSAL_SCOPES}`, ...client }),
      );
      await expectAadsts(
        await refresh(t, body.refresh_token ?? '', ARM, { client_id: confidential.application.appId }),
        401,
        'invalid_client',
        7000218,
      );
      await okBody(await refresh(t, body.refresh_token ?? '', ARM, client));
    });
  });

  describe('sign-in log', () => {
    it('records successes and failures of every flow, newest first', async () => {
      const quinn = await createUser(t, 'quinn');
      await expectAadsts(
        await ropc(t, { username: quinn.userPrincipalName, password: 'Wrong-Pass-1', scope: ARM }),
        400,
        'invalid_grant',
        50126,
      );
      const body = await okBody(
        await ropc(t, { username: quinn.userPrincipalName, scope: `${ARM} offline_access` }),
      );
      await okBody(await refresh(t, body.refresh_token ?? '', ARM));
      const rows = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: quinn.objectId });
      assert.deepEqual(
        rows.map((r) => [r.flow, r.errorCode, r.interactive]),
        [
          ['refresh_token', 0, false],
          ['password', 0, true],
          ['password', 50126, true],
        ],
      );
      const [, success, failure] = rows;
      assert.equal(success?.userPrincipalName, quinn.userPrincipalName);
      assert.equal(success?.app?.appId, AZURE_CLI);
      assert.equal(success?.resource?.appId, ARM_APP_ID);
      assert.equal(success?.ipAddress, '127.0.0.1');
      assert.match(success?.correlationId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(
        failure?.failureReason,
        'Error validating credentials due to invalid username or password.',
      );

      await ropc(t, { username: `ghost@${t.tenant.domain}`, scope: ARM });
      const [ghost] = await t.server.tessera.signIns.log.list(t.tenant.id, {
        userPrincipalName: `GHOST@${t.tenant.domain}`,
      });
      assert.equal(ghost?.userId, null);
      assert.equal(ghost?.errorCode, 50126);
    });
  });
});
