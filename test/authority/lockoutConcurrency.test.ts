import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { AadstsError } from '../../src/authority/errors.js';
import { LOCKOUT_THRESHOLD, RESERVATION_SECONDS } from '../../src/authority/signIn/lockout.js';
import { signInWithPassword } from '../../src/authority/signIn/passwordSignIn.js';
import type { SignInDependencies } from '../../src/authority/signIn/passwordSignIn.js';
import { Tessera } from '../../src/tessera.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, createUser, ropc } from '../support/users.js';

const ARM = 'https://management.azure.com/.default';
const now = () => Math.floor(Date.now() / 1000);

/** The outcome of each attempt: 0 for a sign-in, else its AADSTS code. */
async function codesOf(attempts: Promise<unknown>[]): Promise<number[]> {
  return Promise.all(
    attempts.map((attempt) =>
      attempt.then(
        () => 0,
        (error: unknown) => {
          if (error instanceof AadstsError) return error.code;
          throw error;
        },
      ),
    ),
  );
}

const tally = (codes: number[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
};

describe('smart lockout under concurrency', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const db = () => t.server.tessera.db;
  const deps = (tessera: Tessera = t.server.tessera): SignInDependencies => ({
    directory: tessera.directory,
    signIns: tessera.signIns,
  });
  /** One password attempt through the function every flow shares, as the CLI or a second node would. */
  const attempt = (user: User, password: string, at = now(), tessera?: Tessera) =>
    signInWithPassword(deps(tessera), {
      tenant: t.tenant,
      username: user.userPrincipalName,
      password,
      app: { appId: 'lockout-test', displayName: 'lockout test' },
      resource: null,
      ipAddress: '127.0.0.1',
      correlationId: randomUUID(),
      flow: 'password',
      interactive: false,
      now: at,
    });
  /** The sign-in log's codes for the user, as tallies: 50126 rows are the passwords evaluated. */
  const logged = async (user: User) =>
    tally(
      (
        await db()
          .selectFrom('sign_in_log')
          .select('error_code')
          .where('user_id', '=', user.objectId)
          .execute()
      ).map((row) => Number(row.error_code)),
    );
  const reservations = async (user: User) =>
    (
      await db()
        .selectFrom('sign_in_reservations')
        .select('id')
        .where('user_id', '=', user.objectId)
        .execute()
    ).length;
  const failTimes = async (user: User, n: number) => {
    for (let i = 0; i < n; i++)
      assert.deepEqual(await codesOf([attempt(user, `Earlier-${i}-Wrong`)]), [50126]);
  };

  it('40 parallel wrong passwords over HTTP: exactly the threshold are checked, the rest are locked out', async () => {
    const gina = await createUser(t, 'gina');
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        ropc(t, { username: gina.userPrincipalName, password: `Guess-${i}-Wrong`, scope: ARM }),
      ),
    );
    const codes = await Promise.all(
      responses.map(async (response) => {
        assert.equal(response.status, 400);
        const body = (await response.json()) as { error: string; error_codes: number[] };
        assert.equal(body.error, 'invalid_grant');
        return body.error_codes[0] ?? -1;
      }),
    );
    assert.deepEqual(tally(codes), { 50126: LOCKOUT_THRESHOLD, 50053: 40 - LOCKOUT_THRESHOLD });
    assert.deepEqual(await logged(gina), { 50126: LOCKOUT_THRESHOLD, 50053: 40 - LOCKOUT_THRESHOLD });
    const state = await t.server.tessera.signIns.lockout.state(gina.objectId);
    assert.equal(state?.failedCount, LOCKOUT_THRESHOLD);
    assert.ok(state.lockedUntil > now());
    assert.equal(await reservations(gina), 0, 'every reservation is settled');
    // Locked: the right password is refused too, without being checked.
    assert.deepEqual(await codesOf([attempt(gina, PASSWORD)]), [50053]);
  });

  it('after 9 failures, a burst of 100 with the right password 21st checks one password and signs nobody in', async () => {
    const hugo = await createUser(t, 'hugo');
    await failTimes(hugo, LOCKOUT_THRESHOLD - 1);
    // The first attempt takes the one place left before the others arrive, so the 21st (the right
    // password) never gets a check. Arrival order is the test's to fix: on PostgreSQL concurrent
    // reservations take pooled connections in no set order.
    const first = attempt(hugo, 'Burst-0-Wrong');
    let settled = false;
    void first.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled && (await reservations(hugo)) === 0) await sleep(1);
    const burst = [
      first,
      ...Array.from({ length: 99 }, (_, i) =>
        attempt(hugo, i + 1 === 20 ? PASSWORD : `Burst-${i + 1}-Wrong`),
      ),
    ];
    const codes = await codesOf(burst);
    assert.deepEqual(tally(codes), { 50126: 1, 50053: 99 });
    assert.equal(codes[0], 50126);
    assert.equal(codes[20], 50053);
    assert.deepEqual(await logged(hugo), { 50126: LOCKOUT_THRESHOLD, 50053: 99 });
    const state = await t.server.tessera.signIns.lockout.state(hugo.objectId);
    assert.equal(state?.failedCount, LOCKOUT_THRESHOLD);
    assert.equal(state.lockouts, 1);
  });

  it('after a lockout has passed, parallel guesses get one check until a success clears the count', async () => {
    const ines = await createUser(t, 'ines');
    const lockout = t.server.tessera.signIns.lockout;
    await failTimes(ines, LOCKOUT_THRESHOLD);
    const first = await lockout.state(ines.objectId);
    assert.ok(first);
    const later = first.lockedUntil + 1;
    const codes = await codesOf(
      Array.from({ length: 5 }, (_, i) => attempt(ines, `Later-${i}-Wrong`, later)),
    );
    assert.deepEqual(tally(codes), { 50126: 1, 50053: 4 });
    const second = await lockout.state(ines.objectId);
    assert.equal(second?.lockouts, 2);
    assert.equal(second.lockedUntil, later + 120, 'the second lockout lasts twice as long');
    // Once that one has passed, the right password signs in and clears everything.
    assert.deepEqual(await codesOf([attempt(ines, PASSWORD, second.lockedUntil + 1)]), [0]);
    assert.equal(await lockout.state(ines.objectId), undefined);
    assert.equal(await reservations(ines), 0);
  });

  it('a repeated wrong password is checked under a reservation but counted once', async () => {
    const jack = await createUser(t, 'jack');
    const codes = await codesOf(Array.from({ length: 15 }, () => attempt(jack, 'Same-Wrong-1')));
    // Each took a place (or was refused while ten were held); however they interleaved, the one
    // password counted once.
    assert.ok(
      codes.every((code) => code === 50126 || code === 50053),
      JSON.stringify(codes),
    );
    assert.ok(codes.filter((code) => code === 50126).length >= LOCKOUT_THRESHOLD);
    assert.equal((await t.server.tessera.signIns.lockout.state(jack.objectId))?.failedCount, 1);
    assert.equal(await reservations(jack), 0);
    assert.deepEqual(await codesOf([attempt(jack, PASSWORD)]), [0]);
  });

  it('more parallel sign-ins with the right password than the threshold all succeed: they wait their turn', async () => {
    const mona = await createUser(t, 'mona');
    const codes = await codesOf(Array.from({ length: 3 * LOCKOUT_THRESHOLD }, () => attempt(mona, PASSWORD)));
    assert.deepEqual(tally(codes), { 0: 3 * LOCKOUT_THRESHOLD });
    assert.equal(await reservations(mona), 0);
  });

  it('two processes on one database share the count and the reservations', async () => {
    const kate = await createUser(t, 'kate');
    // A second store on the same data folder, as the CLI or another node opens it.
    const other = await Tessera.open({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    try {
      // Five failures through the other process first, one at a time.
      for (let i = 0; i < 5; i++)
        assert.deepEqual(await codesOf([attempt(kate, `Other-${i}-Wrong`, now(), other)]), [50126]);
      const attempts = Array.from({ length: 40 }, (_, i) =>
        attempt(kate, `Two-${i}-Wrong`, now(), i % 2 === 0 ? t.server.tessera : other),
      );
      const codes = await codesOf(attempts);
      assert.deepEqual(tally(codes), { 50126: LOCKOUT_THRESHOLD - 5, 50053: 35 });
      assert.deepEqual(await logged(kate), { 50126: LOCKOUT_THRESHOLD, 50053: 35 });
      // The lockout one process recorded holds in the other.
      assert.deepEqual(await codesOf([attempt(kate, PASSWORD, now(), other)]), [50053]);
      assert.deepEqual(await codesOf([attempt(kate, PASSWORD)]), [50053]);
    } finally {
      await other.close();
    }
  });

  it('reservations of a process that died expire: the account is held for 30 s, not for ever', async () => {
    const lena = await createUser(t, 'lena');
    const at = now();
    // A process that took every place and died before settling any.
    const crashed = await Tessera.open({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    try {
      for (let i = 0; i < LOCKOUT_THRESHOLD; i++)
        assert.ok(await crashed.signIns.lockout.reserve(lena.objectId, at));
    } finally {
      await crashed.close();
    }
    // Refused without a check while they are held (after waiting for a place; logged as such).
    assert.deepEqual(await codesOf([attempt(lena, PASSWORD, at + RESERVATION_SECONDS - 1)]), [50053]);
    assert.deepEqual(await logged(lena), { 50053: 1 });
    assert.equal(
      await t.server.tessera.signIns.lockout.state(lena.objectId),
      undefined,
      'nothing was counted',
    );
    // Expired: purged on the next attempt, which is checked and succeeds.
    assert.deepEqual(await codesOf([attempt(lena, PASSWORD, at + RESERVATION_SECONDS)]), [0]);
    assert.equal(await reservations(lena), 0);
  });
});
